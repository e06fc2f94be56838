package workflows

import (
	"fmt"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Idempotency keys. Every read-model row, audit entry, submission and notification a
// workflow writes is keyed here, from what names the business object (institution, cycle
// number, stage, step key and, for alerts, kind, level and date) and never from the
// current run's ID: a reset, a retry or a replay writes under the same key, and the store
// keeps one row. The one thing that tells two incarnations of the same cycle apart (a cycle
// cancelled and started again for the same institution and number) is the cycle's
// incarnation: the first run ID of its workflow chain, which continue-as-new and reset both
// keep.

// cycleKey names one incarnation of one cycle: "cycle/H-01/1~<incarnation>".
func cycleKey(institutionID string, number int, incarnation string) string {
	return fmt.Sprintf("%s/%d~%s", CycleWorkflowID(institutionID), number, incarnation)
}

// stageKey names a stage of a cycle: "<cycle key>/self-evaluation-2", "<cycle key>/external-evaluation".
func stageKey(cycle string, stage Stage, year int) string {
	if stage == StageSelfEvaluation {
		return fmt.Sprintf("%s/%s-%d", cycle, stage, year)
	}
	return cycle + "/" + string(stage)
}

// stepKey names the n-th opening of a step key in a stage (n counts from 1; the first
// opening has no suffix).
func stepKey(stage, key string, n int) string {
	if n <= 1 {
		return stage + "/" + key
	}
	return fmt.Sprintf("%s/%s#%d", stage, key, n)
}

// seatKey names one person's place on a seat of a stage's team.
func seatKey(stage string, seat domain.TeamRole, person string) string {
	return fmt.Sprintf("%s/team/%s/%s", stage, seat, person)
}

// alertKey names one notification about a step: its kind, level and the date it is for
// (an alert's scheduled date, a task's opening date).
func alertKey(step string, kind string, level int, on domain.Date) string {
	return fmt.Sprintf("%s/%s/%d/%s", step, kind, level, on)
}

// actionKey names what one human action (an update) wrote: its audit entry and submission.
func actionKey(scope, updateID string) string { return scope + "/action/" + updateID }
