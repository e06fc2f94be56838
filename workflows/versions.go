package workflows

import "go.temporal.io/sdk/workflow"

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
	// latestRelease is what a workflow begun now records.
	latestRelease = releaseLeanSteps
)

// BaselineVersions lists every version of the baseline marker, oldest first; each must be
// covered by an archived history that recorded it.
var BaselineVersions = []int{releaseV9, releaseLeanSteps}

// begin is the first thing every workflow does: it settles, once, which release the workflow
// began with. A history recorded before release v9 has no marker here and replays as before.
func begin(ctx workflow.Context) { _ = release(ctx) }

// release is the baseline marker's version: 0 for a workflow begun before release v9.
func release(ctx workflow.Context) workflow.Version {
	return workflow.GetVersion(ctx, ChangeBaseline, workflow.DefaultVersion, latestRelease)
}

// baselined reports whether the workflow began from release v9 on.
func baselined(ctx workflow.Context) bool { return release(ctx) >= releaseV9 }

// leanSteps reports whether the workflow began from release v10 on (releaseLeanSteps).
func leanSteps(ctx workflow.Context) bool { return release(ctx) >= releaseLeanSteps }

// changed reports whether a change is in effect for this workflow: always for one begun from
// release v9 on, and otherwise as its own marker says (recorded the first time it is asked).
func changed(ctx workflow.Context, change string) bool {
	return baselined(ctx) || workflow.GetVersion(ctx, change, workflow.DefaultVersion, 1) >= 1
}

// ChangeIDs lists every change ID the workflows use, oldest first.
var ChangeIDs = []string{ChangeTellHandSeatedMember, ChangeVisibilityPerWorkflow, ChangeStepPolicies, ChangeAnnounceTeam, ChangeVisitOnItsDay, ChangeCatalogueFromStore, ChangeLocalEffects, ChangeBaseline}
