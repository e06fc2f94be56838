package workflows_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestCycleRunByAnOlderWorkerReplaysAsItsRelease covers the rollout window of release v11:
// the new build's starter or web app starts a cycle for the latest release while the old
// version is still current, so a worker of release v9 or v10, which ignores the release in
// the input, runs the cycle's first task and records its own baseline marker. After the
// promotion the new build replays that history and must follow the marker, not the input:
// the archived cycles of v9 and v10, each given the latest release in its input, replay.
func TestCycleRunByAnOlderWorkerReplaysAsItsRelease(t *testing.T) {
	var files []string
	for _, rel := range []string{"v9", "v10"} {
		found, err := filepath.Glob(filepath.Join("testdata", "histories", rel, "*", "0-cycle-run-1.json.gz"))
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == 0 {
			t.Fatalf("release %s has no first run of a cycle", rel)
		}
		files = append(files, found...)
	}
	for _, file := range files {
		t.Run(strings.TrimPrefix(file, filepath.Join("testdata", "histories")+string(filepath.Separator)), func(t *testing.T) {
			hist, err := readHistory(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(versionMarkers(t, hist)) == 0 {
				t.Fatal("the history records no version marker: it cannot stand for an older worker's")
			}
			payload := hist.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()[0]
			var input map[string]json.RawMessage
			if err := json.Unmarshal(payload.GetData(), &input); err != nil {
				t.Fatalf("cycle input: %v", err)
			}
			if _, ok := input["release"]; ok {
				t.Fatalf("the cycle was already given a release: %s", input["release"])
			}
			input["release"] = json.RawMessage(mustJSON(t, workflows.LatestRelease()))
			payload.Data = mustJSON(t, input)
			if givenRelease(t, hist) != workflows.LatestRelease() {
				t.Fatal("the edited history does not give the cycle the latest release")
			}

			replayer := worker.NewWorkflowReplayer()
			workflows.Register(replayer)
			if err := replayer.ReplayWorkflowHistory(nil, hist); err != nil {
				t.Errorf("replay: %v", err)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
