package service_test

import (
	"context"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/kvalitetsmodel/accredit/workflows"
)

// checkLeanStart holds a cycle started by the starter to the lean start of releases v11 and
// v12: the cycle records no version marker (it was given its release), runs its first
// self-evaluation itself (no child workflow), upserts search attributes once (the step it
// opens; its institution, region and number were in place from its start), and shows the open
// step in visibility.
func checkLeanStart(ctx context.Context, t *testing.T, c client.Client, inst string) {
	t.Helper()
	id := workflows.CycleWorkflowID(inst)
	events := historyOf(ctx, t, c, id)
	if len(events) == 0 {
		t.Fatalf("%s has no history", id)
	}
	upserts := 0
	for _, ev := range events {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			if ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "Version" {
				t.Errorf("%s recorded a version marker (event %d): it was given its release", id, ev.GetEventId())
			}
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			upserts++
		case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
			t.Errorf("%s started a child workflow (event %d): it runs its self-evaluations itself", id, ev.GetEventId())
		}
	}
	if upserts != 1 {
		t.Errorf("%s upserted search attributes %d times, want once (the step it opened)", id, upserts)
	}
	var in struct {
		Release int `json:"release"`
	}
	if err := converter.GetDefaultDataConverter().FromPayloads(
		events[0].GetWorkflowExecutionStartedEventAttributes().GetInput(), &in); err != nil {
		t.Fatalf("%s input: %v", id, err)
	}
	if in.Release != workflows.LatestRelease() {
		t.Errorf("%s was started for release %d, want %d", id, in.Release, workflows.LatestRelease())
	}
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatal(err)
	}
	fields := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for key, want := range map[string]string{workflows.StepKey.GetName(): workflows.StepSelfEvaluation,
		workflows.InstitutionIDKey.GetName(): inst} {
		var got string
		if err := converter.GetDefaultDataConverter().FromPayload(fields[key], &got); err != nil || got != want {
			t.Errorf("%s shows %s = %q (%v), want %q", id, key, got, err, want)
		}
	}
	if _, ok := fields[workflows.StepHolderKey.GetName()]; !ok {
		t.Errorf("%s shows no %s", id, workflows.StepHolderKey.GetName())
	}
}

func historyOf(ctx context.Context, t *testing.T, c client.Client, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	var events []*historypb.HistoryEvent
	iter := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		events = append(events, ev)
	}
	return events
}
