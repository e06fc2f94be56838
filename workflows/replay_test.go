package workflows_test

import (
	"os"
	"path/filepath"
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
	if _, err := os.Stat(filepath.Join("testdata", "histories")); err != nil {
		t.Fatal(err)
	}
}
