package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// Behaviour changes to running workflows, each behind workflow.GetVersion. A cycle runs for
// years across many deploys: a history recorded before a change must replay on the old
// branch. Each change ID is listed in ChangeIDs, and TestReplayArchivedReleases fails until
// an archived release holds a history that took the new branch.
const (
	// ChangeTellHandSeatedMember: a person the secretariat seats by hand is told of the
	// task, as an invited person is (release v2).
	ChangeTellHandSeatedMember = "tell-hand-seated-member"
	// ChangeVisibilityPerWorkflow: every workflow of a cycle carries InstitutionID, Region and
	// CycleNumber from its start; Step, StepHolder and StepDueAt belong to the stage that
	// holds the step, and the parent no longer sets them (release v3).
	ChangeVisibilityPerWorkflow = "visibility-per-workflow"
	// ChangeStepPolicies: invitations, the hearing and the appeal window are reminded before
	// their due date like every other step, and a window that closes is "closed", not
	// "expired" (release v4).
	ChangeStepPolicies = "step-policies"
	// ChangeAnnounceTeam: when the team is complete, every member and the institution manager
	// are told who is on it (release v5).
	ChangeAnnounceTeam = "announce-team"
	// ChangeVisitOnItsDay: the visit and revisit steps open on the visit day; until then the
	// visit is planned, the lead may move it, and the team and the institution get notices
	// a week and a day before (release v6).
	ChangeVisitOnItsDay = "visit-on-its-day"
	// ChangeCatalogueFromStore: a stage reads its catalogue generation from the domain store,
	// where the regions import their own; a self-evaluation uses the generation in force when
	// it opens, and the external evaluation the one its year-3 self-evaluation used (release
	// v7).
	ChangeCatalogueFromStore = "catalogue-from-store"
	// ChangeLocalEffects: store writes and the queueing of notifications run as local
	// activities, which halves a cycle's history (release v8).
	ChangeLocalEffects = "local-effects"
	// ChangeBaseline: a workflow begun from release v9 on records this one marker as the first
	// thing it does, and every change before it is in effect for it without a marker of its
	// own (each marker costs the history two events). Such a workflow also reads the settings
	// and the institution with local activities (release v9).
	ChangeBaseline = "baseline-v9"
)

// Later releases raise the version the baseline marker records instead of adding markers of
// their own, so a change costs a new workflow no events: the marker's version says which
// release a workflow began with, and with it which changes are in effect for it.
const (
	// releaseV9 is the baseline as release v9 recorded it.
	releaseV9 = 1
	// releaseLeanSteps (release v10): a step's read-model write and the notification it brings
	// are one local activity, a reminder timer is cancelled when its step closes first instead
	// of firing later for nothing, and a workflow upserts a search attribute only when its
	// value changes.
	releaseLeanSteps = 2
	// releaseLeanStart (release v11): a workflow is told its release in its input instead of
	// recording the baseline marker (a marker and an upsert of TemporalChangeVersion, which
	// the server writes to its visibility store once more): the starter tells a new cycle,
	// a cycle tells its stages and its next run. A self-evaluation starts with its step's
	// search attributes in place, so it upserts nothing when the step opens.
	releaseLeanStart = 3
	// releaseInlineSelfEvaluation (release v12): the cycle runs its self-evaluations itself
	// instead of as child workflows, so a cycle reaches its first open step with one workflow
	// start and one workflow task. The cycle takes the self-evaluation's updates (submit,
	// extend, waive) and answers QueryStageStatus while one runs.
	releaseInlineSelfEvaluation = 4
	// latestRelease is what a workflow begun now records.
	latestRelease = releaseInlineSelfEvaluation
)

// BaselineVersions lists every version of the baseline marker, oldest first; each must be
// covered by an archived history that recorded it.
var BaselineVersions = []int{releaseV9, releaseLeanSteps, releaseLeanStart, releaseInlineSelfEvaluation}

// LatestRelease is the release this build runs new workflows on: what the starter puts in
// CycleInput.Release. A worker refuses (and retries) a workflow given a later release than
// its own, so deploy workers before the starters and web apps that start cycles.
func LatestRelease() int { return latestRelease }

// began is the release a workflow began with; begin settles it.
type began workflow.Version

// begin is the first thing every workflow does: it settles, once, which release the workflow
// began with. A workflow given its release in its input (from release v11 on) records
// nothing; otherwise the baseline marker says, and a history recorded before release v9 has
// no marker and replays as before.
func begin(ctx workflow.Context, given int) began {
	if given == 0 {
		return began(workflow.GetVersion(ctx, ChangeBaseline, workflow.DefaultVersion, latestRelease))
	}
	if given > latestRelease {
		// A panic fails the workflow task, which the server retries until a worker that knows
		// the release takes it.
		panic(fmt.Sprintf("this worker runs releases up to %d, and the workflow was started for release %d: deploy the newer worker", latestRelease, given))
	}
	// A worker from before release v11 ignores the release in the input: if one ran the first
	// task (a cycle started by a new starter while the old version was still current), it
	// recorded the baseline marker, and the history goes on as that release. Replay is the only
	// time the marker can be there, and reading it then records nothing.
	if workflow.IsReplaying(ctx) {
		if v := workflow.GetVersion(ctx, ChangeBaseline, workflow.DefaultVersion, latestRelease); v != workflow.DefaultVersion {
			return began(v)
		}
	}
	return began(given)
}

// baselined reports whether the workflow began from release v9 on.
func (r began) baselined() bool { return r >= releaseV9 }

// leanSteps reports whether the workflow began from release v10 on (releaseLeanSteps).
func (r began) leanSteps() bool { return r >= releaseLeanSteps }

// leanStart reports whether the workflow began from release v11 on (releaseLeanStart).
func (r began) leanStart() bool { return r >= releaseLeanStart }

// inlineSelfEvaluation reports whether the cycle runs its self-evaluations itself (release v12).
func (r began) inlineSelfEvaluation() bool { return r >= releaseInlineSelfEvaluation }

// given is the release to put in the input of a workflow this one starts: none before
// release v11, whose stages recorded the marker themselves.
func (r began) given() int {
	if !r.leanStart() {
		return 0
	}
	return latestRelease
}

// changed reports whether a change is in effect for this workflow: always for one begun from
// release v9 on, and otherwise as its own marker says (recorded the first time it is asked).
func (r began) changed(ctx workflow.Context, change string) bool {
	return r.baselined() || workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) >= 1
}

// ChangeIDs lists every change ID the workflows use, oldest first.
var ChangeIDs = []string{ChangeTellHandSeatedMember, ChangeVisibilityPerWorkflow, ChangeStepPolicies, ChangeAnnounceTeam, ChangeVisitOnItsDay, ChangeCatalogueFromStore, ChangeLocalEffects, ChangeBaseline}
