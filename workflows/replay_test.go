package workflows_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestReplayRecordedHistories replays every recorded history against the current workflow
// code: a change that would break a running cycle fails here. Record new histories with
//
//	go test ./service -run TestRecordHistories -record
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories: record them (see the comment above)")
	}
	scenarios := map[string]bool{}
	for _, file := range files {
		scenarios[filepath.Base(filepath.Dir(file))] = true
		t.Run(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			workflows.Register(replayer)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, file); err != nil {
				t.Errorf("replay %s: %v", file, err)
			}
		})
	}
	for _, want := range []string{"on-time-verdict-1", "verdict-2-extended-and-waived", "verdict-3-twice-decided-and-appeal-upheld",
		"declined-invitation-and-appeal-changed", "late-self-evaluation-escalated", "cancelled-during-self-evaluation"} {
		if !scenarios[want] {
			t.Errorf("no recorded history for scenario %s", want)
		}
	}
	// Every versioned change must be covered by a recorded history that took its new branch.
	for _, id := range workflows.ChangeIDs {
		found := false
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(string(data), strconv.Quote(id))
		}
		if !found {
			t.Errorf("change %q has no recorded history: record one (see the comment above)", id)
		}
	}
}
