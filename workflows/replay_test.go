package workflows_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestReplayArchivedReleases replays every archived history of every release against the
// current workflow code: a change that would break a running cycle, finished or in
// mid-flight, fails here. testdata/histories/<release>/<scenario>/ is append-only: a new
// release is recorded after each versioned workflow change with
//
//	go test ./service -run TestRecordHistories -record -release vN
func TestReplayArchivedReleases(t *testing.T) {
	releases, err := filepath.Glob(filepath.Join("testdata", "histories", "v*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(releases) == 0 {
		t.Fatal("no archived release in testdata/histories: record one (see the comment above)")
	}
	var all []string
	for _, rel := range releases {
		files, err := filepath.Glob(filepath.Join(rel, "*", "*.json.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("release %s holds no history", rel)
		}
		scenarios := map[string]bool{}
		for _, file := range files {
			all = append(all, file)
			scenarios[filepath.Base(filepath.Dir(file))] = true
			t.Run(strings.TrimPrefix(file, filepath.Join("testdata", "histories")+string(filepath.Separator)), func(t *testing.T) {
				hist, err := readHistory(file)
				if err != nil {
					t.Fatal(err)
				}
				replayer := worker.NewWorkflowReplayer()
				workflows.Register(replayer)
				if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
					t.Errorf("replay %s: %v", file, err)
				}
			})
		}
		if filepath.Base(rel) == "v1" {
			// The first release archived every path and the mid-flight states a deploy meets.
			for _, want := range []string{"on-time-verdict-1", "verdict-2-extended-and-waived", "verdict-3-twice-decided-and-appeal-upheld",
				"declined-invitation-and-appeal-changed", "late-self-evaluation-escalated", "cancelled-during-self-evaluation",
				"hand-assignment", "waiting-in-self-evaluation-2", "waiting-for-the-report", "during-the-revisit"} {
				if !scenarios[want] {
					t.Errorf("release v1 has no history for scenario %s", want)
				}
			}
		}
	}
	// Every versioned change must be covered by an archived history that took its new branch.
	for _, id := range workflows.ChangeIDs {
		found := false
		for _, file := range all {
			data, err := gunzip(file)
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(string(data), strconv.Quote(id))
		}
		if !found {
			t.Errorf("change %q has no archived history: record a new release (see the comment above)", id)
		}
	}
}

// readHistory reads a gzipped JSON history as the recorder writes it.
func readHistory(path string) (*historypb.History, error) {
	data, err := gunzip(path)
	if err != nil {
		return nil, err
	}
	return client.HistoryFromJSON(bytes.NewReader(data), client.HistoryJSONOptions{})
}

func gunzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(z)
}
