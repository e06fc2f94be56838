package workflows_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

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
	// The change IDs the archived histories took the new branch of.
	taken := map[string]bool{}
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
			scenarios[filepath.Base(filepath.Dir(file))] = true
			t.Run(strings.TrimPrefix(file, filepath.Join("testdata", "histories")+string(filepath.Separator)), func(t *testing.T) {
				hist, err := readHistory(file)
				if err != nil {
					t.Fatal(err)
				}
				for id, version := range versionMarkers(t, hist) {
					taken[id] = true
					taken[fmt.Sprintf("%s@%d", id, version)] = true
				}
				if r := givenRelease(t, hist); r > 0 {
					// From release v11 on a workflow is told its release in its input.
					taken[fmt.Sprintf("%s@%d", workflows.ChangeBaseline, r)] = true
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
		if !taken[id] {
			t.Errorf("change %q has no archived history: record a new release (see the comment above)", id)
		}
	}
	// And every release, recorded by the baseline marker or given in a workflow's input.
	for _, version := range workflows.BaselineVersions {
		if !taken[fmt.Sprintf("%s@%d", workflows.ChangeBaseline, version)] {
			t.Errorf("baseline version %d has no archived history: record a new release (see the comment above)", version)
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

// versionMarkers are the change IDs of the GetVersion markers in a history, with the version
// each recorded.
func versionMarkers(t *testing.T, hist *historypb.History) map[string]workflow.Version {
	t.Helper()
	ids := map[string]workflow.Version{}
	for _, ev := range hist.GetEvents() {
		m := ev.GetMarkerRecordedEventAttributes()
		if ev.GetEventType() != enumspb.EVENT_TYPE_MARKER_RECORDED || m.GetMarkerName() != "Version" {
			continue
		}
		var id string
		if err := converter.GetDefaultDataConverter().FromPayloads(m.GetDetails()["change-id"], &id); err != nil {
			t.Fatalf("version marker %d: %v", ev.GetEventId(), err)
		}
		var version workflow.Version
		if err := converter.GetDefaultDataConverter().FromPayloads(m.GetDetails()["version"], &version); err != nil {
			t.Fatalf("version marker %d: %v", ev.GetEventId(), err)
		}
		ids[id] = version
	}
	return ids
}

// givenRelease is the release a workflow's input gave it (CycleInput.Release,
// StageInput.Release): 0 when none was given.
func givenRelease(t *testing.T, hist *historypb.History) int {
	t.Helper()
	events := hist.GetEvents()
	if len(events) == 0 || events[0].GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED {
		return 0
	}
	var in struct {
		Release int `json:"release"`
	}
	payloads := events[0].GetWorkflowExecutionStartedEventAttributes().GetInput()
	if len(payloads.GetPayloads()) == 0 {
		return 0
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(payloads, &in); err != nil {
		t.Fatalf("the started event's input: %v", err)
	}
	return in.Release
}
