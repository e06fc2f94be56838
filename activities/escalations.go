package activities

import (
	"context"
	"fmt"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// RepeatEscalations sends the weekly repeats of escalations from the read model. A step's
// workflow sends its escalations up to the first repeat (domain.RepeatedEscalation) and then
// waits without a timer, so a step left overdue for months adds nothing to its history; the
// later repeats, to the regional and national secretariat, are queued here for every open
// step at that level or above whose next repeat has come on its cycle's calendar. It is not a
// Temporal activity but a job every worker runs periodically: a repeat is keyed by the step,
// level and date exactly as the workflow keys its alerts, so however many workers run it, and
// however often, each repeat is queued once. It returns how many repeats it queued.
func (a *Activities) RepeatEscalations(ctx context.Context) (int, error) {
	steps, err := a.Store.OpenSteps(ctx, store.StepFilter{Overdue: true})
	if err != nil {
		return 0, err
	}
	policy := durationsOf(a.Config.Cycle).DeadlinePolicy()
	names := map[string]string{}
	queued := 0
	for _, s := range steps {
		if s.Escalation < domain.RepeatedEscalation {
			continue // the workflow still walks this step's escalations
		}
		latest, ok := policy.LatestEscalation(s.Opened, s.Due, s.Today)
		if !ok || latest.Level <= s.Escalation {
			continue
		}
		name, seen := names[s.InstitutionID]
		if !seen {
			in, err := a.Store.Institution(ctx, s.InstitutionID)
			if err != nil {
				return queued, fmt.Errorf("escalate step %s: %w", s.ID, err)
			}
			name, names[s.InstitutionID] = in.Name, in.Name
		}
		n := Notification{
			Key:  fmt.Sprintf("%s/%s/%d/%s", s.ID, KindEscalation, latest.Level, latest.Date),
			Kind: KindEscalation,
			To: []Recipient{
				{Role: domain.RoleSecretariat, Region: s.Region},
				{Role: domain.RoleSecretariat, National: true},
			},
			InstitutionID: s.InstitutionID, Institution: name, Region: s.Region, Cycle: s.Cycle,
			Step: s.Step, Title: s.Title, Due: s.Due, Level: latest.Level, On: s.Today,
		}
		if _, err := a.Notify(ctx, n); err != nil {
			return queued, fmt.Errorf("escalate step %s: %w", s.ID, err)
		}
		// Queued first, recorded after: a crash between the two queues the same key again,
		// which finds the rows already there.
		if err := a.Store.RaiseEscalation(ctx, s.ID, s.Due, latest.Level); err != nil {
			return queued, fmt.Errorf("escalate step %s: %w", s.ID, err)
		}
		queued++
	}
	return queued, nil
}
