package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
)

// Publication publishes the final result of a cycle for users, relatives and the public
// (PRODUCT.md §3.3): the verdict and its meaning, never personal data, and tells the
// institution manager that it is out.
func Publication(ctx workflow.Context, in StageInput) (StageResult, error) {
	rel := begin(ctx, in.Release)
	today := in.Clock.DateAt(workflow.Now(ctx))
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (StageStatus, error) {
		return StageStatus{Stage: StagePublication, WorkflowID: id, Today: today, Clock: in.Clock, Verdict: in.Verdict, Final: true}, nil
	}); err != nil {
		return StageResult{}, err
	}
	summary := fmt.Sprintf("%s, cyklus %d: %s (%s)", in.Institution.Name, in.Cycle, in.Verdict.LabelDA(), in.Verdict.LabelEN())
	var a *activities.Activities
	pub := activities.PublicationWrite{InstitutionID: in.InstitutionID, Cycle: in.Cycle, Verdict: int(in.Verdict),
		PublishedOn: today, Summary: summary, Generation: in.Generation}
	if err := runEffect(ctx, rel, a.Publish, pub, nil); err != nil {
		return StageResult{}, err
	}
	n := activities.Notification{
		Key: stageKey(in.CycleKey, StagePublication, 0) + "/published", Kind: activities.KindInfo, To: []activities.Recipient{{PersonID: in.Institution.ManagerID}},
		InstitutionID: in.InstitutionID, Institution: in.Institution.Name, Region: in.Institution.Region, Cycle: in.Cycle,
		Step: string(StagePublication), Title: "Resultatet er offentliggjort", On: today, Text: summary,
	}
	if err := runEffect(ctx, rel, a.Notify, n, nil); err != nil {
		return StageResult{}, err
	}
	return StageResult{Outcome: "published " + today.String(), Verdict: in.Verdict}, nil
}
