package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/domain"
)

// waivable lists the steps the secretariat may waive: the ones whose outcome no later step
// needs. A visit date or a report cannot be waived; it can be extended or reassigned.
var waivable = []string{StepSelfEvaluation, StepActionPlan, StepHearing, StepAppealWindow, StepInvitation}

func stepKind(key string) string {
	kind, _, _ := strings.Cut(key, "/")
	return kind
}

// registerSecretariatActions lets the secretariat extend any open step and waive the
// waivable ones, in a stage's own workflow.
func (b *stepBook) registerSecretariatActions(ctx workflow.Context) error {
	return registerSecretariatActions(ctx, func() *stepBook { return b })
}

// errNoStageHere refuses a step action sent to a cycle while it runs no stage itself.
var errNoStageHere = errors.New("no self-evaluation of this cycle is open now: the stage that runs takes the action (starter cycle status shows it)")

// registerSecretariatActions lets the secretariat extend and waive the steps of the stage
// current returns: a stage's own, or, in a cycle, the self-evaluation it runs (nil between
// them).
func registerSecretariatActions(ctx workflow.Context, current func() *stepBook) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateExtendDeadline,
		func(ctx workflow.Context, req Extension) (StepRecord, error) {
			b := current()
			if b == nil {
				return StepRecord{}, errNoStageHere
			}
			s := b.find(req.Step)
			b.extend(ctx, s, req.NewDue, req.Actor, req.Reason)
			b.audit(ctx, req.Actor, "extend-deadline", s.rec.Key, fmt.Sprintf("new due %s: %s", req.NewDue, excerpt(req.Reason, auditExcerpt)))
			return s.rec, nil
		},
		workflow.UpdateHandlerOptions{Validator: refusing(func(ctx workflow.Context, req Extension) error {
			b := current()
			if b == nil {
				return errNoStageHere
			}
			if err := b.requireSecretariat(req.Actor); err != nil {
				return err
			}
			s, err := b.requireOpen(req.Step)
			if err != nil {
				return err
			}
			if err := checkReason("extending "+req.Step, req.Reason); err != nil {
				return onField(FieldReason, err)
			}
			if req.NewDue.IsZero() || !req.NewDue.After(s.rec.Due) {
				return refuseField(FieldNewDue, "the new due date must be after the current one (%s), got %q", s.rec.Due, req.NewDue)
			}
			return nil
		})}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateWaiveStep,
		func(ctx workflow.Context, req Waiver) (StepRecord, error) {
			b := current()
			if b == nil {
				return StepRecord{}, errNoStageHere
			}
			s := b.find(req.Step)
			b.closeStep(ctx, s, StepWaived, req.Actor, excerpt(req.Reason, noteExcerpt))
			b.audit(ctx, req.Actor, "waive-step", s.rec.Key, excerpt(req.Reason, auditExcerpt))
			return s.rec, nil
		},
		workflow.UpdateHandlerOptions{Validator: refusing(func(ctx workflow.Context, req Waiver) error {
			b := current()
			if b == nil {
				return errNoStageHere
			}
			if err := b.requireSecretariat(req.Actor); err != nil {
				return err
			}
			if _, err := b.requireOpen(req.Step); err != nil {
				return err
			}
			if !slices.Contains(waivable, stepKind(req.Step)) {
				return fmt.Errorf("step %s cannot be waived: a later step needs what it produces; extend it or assign someone else", req.Step)
			}
			if err := checkReason("waiving "+req.Step+"; it goes into the audit trail", req.Reason); err != nil {
				return onField(FieldReason, err)
			}
			return nil
		})})
}

func (b *stepBook) requireSecretariat(actor string) error {
	if actor == "" {
		return fmt.Errorf("say who is acting (--as PERSON-ID)")
	}
	if !b.in.Institution.IsSecretariat(actor) {
		return fmt.Errorf("%s is not in the secretariat of %s or the national secretariat", actor, b.in.Institution.Region.Name())
	}
	return nil
}

// requireOpen finds the open step with this key, or says which steps are open.
func (b *stepBook) requireOpen(key string) (*step, error) {
	if s := b.find(key); s != nil && s.open() {
		return s, nil
	}
	var open []string
	for _, s := range b.steps {
		if s.open() {
			open = append(open, s.rec.Key)
		}
	}
	if len(open) == 0 {
		return nil, fmt.Errorf("step %s is not open: no step of %s is open now", key, b.stage)
	}
	return nil, fmt.Errorf("step %s is not open: open now is %s", key, strings.Join(open, ", "))
}

// requireHolder checks that the actor holds the open step, or is the secretariat acting on
// their behalf.
func (b *stepBook) requireHolder(key, actor string) (*step, error) {
	s, err := b.requireOpen(key)
	if err != nil {
		return nil, err
	}
	if actor == "" {
		return nil, fmt.Errorf("say who is acting (--as PERSON-ID)")
	}
	if actor != s.rec.HolderID && !b.in.Institution.IsSecretariat(actor) {
		return nil, fmt.Errorf("%s does not hold step %s (it is %s's) and is not the secretariat", actor, key, s.rec.HolderID)
	}
	return s, nil
}

// audit records a human action once, keyed by the update that carried it; call it only
// from an update handler.
func (b *stepBook) audit(ctx workflow.Context, actor, action, stepKey, details string) {
	id := actionKey(b.key, workflow.GetCurrentUpdateInfo(ctx).ID)
	entry := activities.AuditWrite{
		ID: id, At: workflow.Now(ctx), ActorID: actor, Action: action,
		InstitutionID: b.in.InstitutionID, Cycle: b.in.Cycle, Step: stepKey, Details: details,
	}
	var a *activities.Activities
	_ = b.effect(ctx, a.RecordAudit, entry, nil)
}

// finishCancelled withdraws the open steps of a cancelled stage and reports what it did.
func (b *stepBook) finishCancelled(ctx workflow.Context) StageResult {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	b.withdrawAll(dctx, "the cycle was cancelled")
	_ = b.settle(dctx)
	return StageResult{Steps: b.records(), Outcome: "cancelled"}
}

// generationInForce is the catalogue generation in force on a date, from the domain store,
// where the regions import their own. Stages begun before the catalogue came from the store
// use the shipped generation of the cycle's number.
func generationInForce(ctx workflow.Context, r began, on domain.Date, number int) (domain.Generation, error) {
	if !r.changed(ctx, ChangeCatalogueFromStore) {
		return generation(number)
	}
	var a *activities.Activities
	var gen domain.Generation
	err := workflow.ExecuteLocalActivity(localEffectOptions(ctx), a.LoadGeneration, on).Get(ctx, &gen)
	return gen, err
}

// generationNumbered is a catalogue generation by number, from the domain store; stages begun
// before the catalogue came from the store use the shipped one.
func generationNumbered(ctx workflow.Context, r began, number int) (domain.Generation, error) {
	if !r.changed(ctx, ChangeCatalogueFromStore) {
		return generation(number)
	}
	var a *activities.Activities
	var gen domain.Generation
	err := workflow.ExecuteLocalActivity(localEffectOptions(ctx), a.LoadGenerationNumber, number).Get(ctx, &gen)
	return gen, err
}

// generation returns a shipped catalogue generation by number.
func generation(number int) (domain.Generation, error) {
	for _, g := range domain.Catalogue() {
		if g.Number == number {
			return g, nil
		}
	}
	return domain.Generation{}, fmt.Errorf("catalogue generation %d is unknown to this worker", number)
}

// sortedKeys returns a map's keys in order: workflow code iterates maps only through it.
//
//workflowcheck:ignore the keys are sorted before anyone sees their order
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
