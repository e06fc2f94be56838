package workflows

import (
	"fmt"
	"strings"

	"github.com/kvalitetsmodel/accredit/activities"

	"github.com/kvalitetsmodel/accredit/domain"
)

// The workflow family of the accreditation cycle: one AccreditationCycle per institution and
// one child per stage it does not run itself (see Stage). Every name a client needs (workflow types, IDs, updates, queries) and
// every payload type is in this file.

// Workflow type names. They are stable: renaming one breaks running cycles.
const (
	CycleWorkflowName              = "AccreditationCycle"
	SelfEvaluationWorkflowName     = "SelfEvaluation"
	ExternalEvaluationWorkflowName = "ExternalEvaluation"
	PublicationWorkflowName        = "Publication"
)

// Update names: every human action is an update whose validator rejects bad input.
const (
	UpdateSubmitSelfEvaluation = "submit-self-evaluation"
	UpdateAnswerInvitation     = "answer-invitation"
	UpdateAssignReviewer       = "assign-reviewer"
	UpdateSetVisitDate         = "set-visit-date"
	UpdateRecordVisit          = "record-visit"
	UpdateSubmitReport         = "submit-report"
	UpdateCommentReport        = "comment-report"
	UpdateSubmitActionPlan     = "submit-action-plan"
	UpdateAppeal               = "appeal"
	UpdateDecide               = "decide"
	UpdateExtendDeadline       = "extend-deadline"
	UpdateWaiveStep            = "waive-step"
	UpdateCancelCycle          = "cancel-cycle"
)

// QueryStatus returns a CycleStatus from the parent and a StageStatus from a stage.
const QueryStatus = "status"

// QueryStageStatus returns a StageStatus from a cycle that runs the stage itself: a
// self-evaluation of a cycle begun from release v12 on, whose CycleStatus.ActiveWorkflowID
// is then the cycle's own ID. StageStatusQuery picks the query for a workflow ID.
const QueryStageStatus = "stage-status"

// StageStatusQuery is the query that asks the workflow CycleStatus.ActiveWorkflowID names for
// its stage's status: QueryStageStatus on a cycle, QueryStatus on a stage of its own.
func StageStatusQuery(workflowID string) string {
	if inst, ok := InstitutionFromWorkflowID(workflowID); ok && !strings.Contains(inst, "/") {
		return QueryStageStatus
	}
	return QueryStatus
}

// CycleWorkflowID names the cycle of an institution: one running cycle per institution.
func CycleWorkflowID(institutionID string) string { return "cycle/" + institutionID }

// InstitutionFromWorkflowID is the inverse of CycleWorkflowID.
func InstitutionFromWorkflowID(id string) (string, bool) {
	return strings.CutPrefix(id, "cycle/")
}

// StageWorkflowID names a stage child of cycle number n; year is used for self-evaluations.
func StageWorkflowID(institutionID string, cycle int, stage Stage, year int) string {
	if stage == StageSelfEvaluation {
		return fmt.Sprintf("cycle/%s/%d/self-evaluation-%d", institutionID, cycle, year)
	}
	return fmt.Sprintf("cycle/%s/%d/%s", institutionID, cycle, stage)
}

// Stage is a part of the cycle. The external evaluation and the publication run as child
// workflows; a cycle begun from release v12 on runs its self-evaluations itself, and one
// begun before runs them as children too.
type Stage string

// The stages of PRODUCT.md §3.
const (
	StageSelfEvaluation     Stage = "self-evaluation"
	StageExternalEvaluation Stage = "external-evaluation"
	StagePublication        Stage = "publication"
	StageWaiting            Stage = "waiting"
)

// Step keys name the steps that wait for a person. Invitations and manual assignments add
// the seat: "invitation/lead/2", "manual-assignment/professional".
const (
	StepSelfEvaluation   = "self-evaluation"
	StepInvitation       = "invitation"
	StepManualAssignment = "manual-assignment"
	StepVisitDate        = "visit-date"
	StepVisit            = "visit"
	StepReport           = "report"
	StepHearing          = "hearing"
	StepRevisitDate      = "revisit-date"
	StepRevisit          = "revisit"
	StepRevisitReport    = "revisit-report"
	StepVerdictDecision  = "verdict-decision"
	StepActionPlan       = "action-plan"
	StepAppealWindow     = "appeal-window"
	StepAppealDecision   = "appeal-decision"
)

// CycleInput starts a cycle, or continues one as new.
type CycleInput struct {
	InstitutionID string      `json:"institution_id"`
	Number        int         `json:"number"`
	StartDate     domain.Date `json:"start_date"`
	// StartedBy is the person who started the first cycle, for the audit trail.
	StartedBy string `json:"started_by"`
	// Clock is fixed when the first cycle starts and carried forward, so every date of every
	// later cycle means the same instant.
	Clock *domain.Clock `json:"clock,omitempty"`
	// PreviousTeam are the reviewers of the previous cycle, who may not review this one.
	PreviousTeam []string `json:"previous_team,omitempty"`
	// State is set when a cycle continues as new in the middle of its run.
	State *CycleState `json:"state,omitempty"`
	// Release is the release the run begins with (LatestRelease), given by the starter and
	// by the cycle to its next run; without it the run records the baseline marker.
	Release int `json:"release,omitempty"`
}

// CycleState is what a cycle carries across continue-as-new.
type CycleState struct {
	Settings     Settings        `json:"settings"`
	Institution  InstitutionInfo `json:"institution"`
	Generation   int             `json:"generation"`
	Phase        Phase           `json:"phase"`
	Stages       []StageSummary  `json:"stages"`
	Steps        []StepRecord    `json:"steps"`
	Cancelled    bool            `json:"cancelled"`
	CancelledBy  string          `json:"cancelled_by,omitempty"`
	CancelReason string          `json:"cancel_reason,omitempty"`
	FinalVerdict domain.Verdict  `json:"final_verdict,omitempty"`
	Team         []string        `json:"team,omitempty"`
}

// Phase is the next thing a cycle does: self-evaluation years 1 to 3, then the external
// evaluation, then publication.
type Phase int

// The phases of a cycle, in order.
const (
	PhaseSelfEvaluation1 Phase = iota + 1
	PhaseSelfEvaluation2
	PhaseSelfEvaluation3
	PhaseExternalEvaluation
	PhasePublication
	PhaseDone
)

// Settings are the durations of the cycle, read from the worker's configuration when a
// cycle begins and fixed for that cycle.
type Settings = activities.Settings

// InstitutionInfo is what the workflows need to know about the institution and the people
// around it; refreshed at every stage so that a new manager gets the next task.
type InstitutionInfo struct {
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	Region              domain.Region `json:"region"`
	ManagerID           string        `json:"manager_id"`
	SecretariatIDs      []string      `json:"secretariat_ids"`
	NationalSecretariat []string      `json:"national_secretariat_ids"`
}

// IsSecretariat reports whether a person may act as the secretariat for this institution.
func (i InstitutionInfo) IsSecretariat(personID string) bool {
	for _, id := range i.SecretariatIDs {
		if id == personID {
			return true
		}
	}
	for _, id := range i.NationalSecretariat {
		if id == personID {
			return true
		}
	}
	return false
}

// StepStatus is where a step stands.
type StepStatus string

// Step statuses. A step never fails: it is done, waived, expired (an unanswered
// invitation), closed (a window whose time ran out, used or not), or withdrawn when the
// cycle was cancelled.
const (
	StepOpen      StepStatus = "open"
	StepDone      StepStatus = "done"
	StepWaived    StepStatus = "waived"
	StepExpired   StepStatus = "expired"
	StepClosed    StepStatus = "closed"
	StepWithdrawn StepStatus = "withdrawn"
)

// StepRecord is one step of the timeline.
type StepRecord struct {
	Key        string        `json:"key"`
	Title      string        `json:"title"`
	Stage      Stage         `json:"stage"`
	HolderID   string        `json:"holder_id"`
	HolderRole string        `json:"holder_role"`
	Opened     domain.Date   `json:"opened"`
	Due        domain.Date   `json:"due"`
	Status     StepStatus    `json:"status"`
	Closed     domain.Date   `json:"closed,omitempty"`
	ClosedBy   string        `json:"closed_by,omitempty"`
	Note       string        `json:"note,omitempty"`
	Escalation int           `json:"escalation_level,omitempty"`
	Alerts     []AlertRecord `json:"alerts,omitempty"`
	Extensions []domain.Date `json:"extensions,omitempty"`
	// Documents are what was handed in on the step, stored in the domain store.
	Documents []DocumentRef `json:"documents,omitempty"`
}

// DocumentRef points to a submission kept in the domain store: workflows carry the
// reference, never the document, so no history grows with what people write.
type DocumentRef struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// AlertRecord is a reminder or escalation that was sent.
type AlertRecord struct {
	Kind       domain.AlertKind `json:"kind"`
	Level      int              `json:"level"`
	Date       domain.Date      `json:"date"`
	Recipients []string         `json:"recipients"`
}

// StageSummary is one stage in the parent's timeline.
type StageSummary struct {
	Stage      Stage       `json:"stage"`
	Year       int         `json:"year,omitempty"`
	WorkflowID string      `json:"workflow_id"`
	Started    domain.Date `json:"started"`
	Finished   domain.Date `json:"finished,omitempty"`
	Outcome    string      `json:"outcome,omitempty"`
}

// CycleStatus answers QueryStatus on the parent.
type CycleStatus struct {
	InstitutionID   string        `json:"institution_id"`
	InstitutionName string        `json:"institution_name"`
	Region          domain.Region `json:"region"`
	Number          int           `json:"number"`
	StartDate       domain.Date   `json:"start_date"`
	// Today is the cycle's date when the workflow last ran; Clock gives today's date now.
	Today            domain.Date    `json:"today"`
	Clock            domain.Clock   `json:"clock"`
	Stage            Stage          `json:"stage"`
	ActiveWorkflowID string         `json:"active_workflow_id,omitempty"`
	NextStageOn      domain.Date    `json:"next_stage_on,omitempty"`
	Stages           []StageSummary `json:"stages"`
	Steps            []StepRecord   `json:"steps"`
	FinalVerdict     domain.Verdict `json:"final_verdict,omitempty"`
	Cancelled        bool           `json:"cancelled"`
	CancelReason     string         `json:"cancel_reason,omitempty"`
}

// StageStatus answers QueryStatus on a stage.
type StageStatus struct {
	Stage Stage `json:"stage"`
	// Year is a self-evaluation's year of the cycle (1 to 3); 0 for the other stages.
	Year       int            `json:"year,omitempty"`
	WorkflowID string         `json:"workflow_id"`
	Today      domain.Date    `json:"today"`
	Clock      domain.Clock   `json:"clock"`
	Steps      []StepRecord   `json:"steps"`
	Team       []TeamMember   `json:"team,omitempty"`
	Visit      domain.Date    `json:"visit,omitempty"`
	Revisit    domain.Date    `json:"revisit,omitempty"`
	Verdict    domain.Verdict `json:"verdict,omitempty"`
	Final      bool           `json:"final"`
	AppealDue  domain.Date    `json:"appeal_due,omitempty"`
	HearingDue domain.Date    `json:"hearing_due,omitempty"`
	// Phase is where an external evaluation stands; empty for a self-evaluation.
	Phase EvaluationPhase `json:"evaluation_phase,omitempty"`
}

// EvaluationPhase is where an external evaluation stands. The handlers check it: a visit is
// recorded only in the visit phase, a comment only in the hearing, and so on.
type EvaluationPhase string

// The phases of an external evaluation, in order. The revisit phases follow the hearing only
// after verdict 3, and the verdict decision only after verdict 3 again.
const (
	// EvaluationTeam: the team is being invited and assigned.
	EvaluationTeam EvaluationPhase = "team"
	// EvaluationVisitPlanned: the lead agrees the visit date, and then the team waits for
	// the day; notices go out a week and a day before it.
	EvaluationVisitPlanned EvaluationPhase = "visit-planned"
	// EvaluationVisit: it is the visit day or later, and the lead records the visit.
	EvaluationVisit EvaluationPhase = "visit"
	// EvaluationReport: the lead writes the report.
	EvaluationReport EvaluationPhase = "report"
	// EvaluationHearing: the institution may comment on factual errors.
	EvaluationHearing EvaluationPhase = "hearing"
	// EvaluationRevisitPlanned, EvaluationRevisit and EvaluationRevisitReport are the
	// revisit after verdict 3, as the visit.
	EvaluationRevisitPlanned EvaluationPhase = "revisit-planned"
	EvaluationRevisit        EvaluationPhase = "revisit"
	EvaluationRevisitReport  EvaluationPhase = "revisit-report"
	// EvaluationVerdictDecision: verdict 3 again, and the secretariat decides.
	EvaluationVerdictDecision EvaluationPhase = "verdict-decision"
	// EvaluationFollowUp: the verdict is final; the appeal window runs, and for verdicts 2
	// and 3 the action plan is due.
	EvaluationFollowUp EvaluationPhase = "follow-up"
	// EvaluationAppeal: the verdict was appealed, and the secretariat decides.
	EvaluationAppeal EvaluationPhase = "appeal"
	// EvaluationDone: nothing is left to do.
	EvaluationDone EvaluationPhase = "done"
)

// TeamMember is a person holding a seat on the external-evaluation team.
type TeamMember struct {
	Seat     domain.TeamRole `json:"seat"`
	PersonID string          `json:"person_id"`
	Name     string          `json:"name,omitempty"`
	Status   string          `json:"status"`
	Reasons  []string        `json:"reasons,omitempty"`
}

// Member statuses on the team.
const (
	MemberInvited   = "invited"
	MemberAccepted  = "accepted"
	MemberAssigned  = "assigned"
	MemberDeclined  = "declined"
	MemberExpired   = "no-answer"
	MemberReplaced  = "replaced"
	MemberWithdrawn = "withdrawn"
)

// Action is who does something; every update carries it.
type Action struct {
	Actor string `json:"actor"`
}

// SelfEvaluationSubmission is the annual self-evaluation: a rating per standard of the
// catalogue generation in force, indicator values and notes.
type SelfEvaluationSubmission struct {
	Action
	Ratings      map[string]domain.Rating `json:"ratings"`
	Indicators   map[string]string        `json:"indicators"`
	Notes        map[string]string        `json:"notes,omitempty"`
	Participants []string                 `json:"participants,omitempty"`
}

// ExampleSelfEvaluation is a complete self-evaluation of the catalogue's first generation:
// every active standard rated largely met, every indicator answered "ja". The demos, the
// tests and `starter load` submit it.
func ExampleSelfEvaluation(actor string) SelfEvaluationSubmission {
	sub := SelfEvaluationSubmission{Action: Action{Actor: actor},
		Ratings: map[string]domain.Rating{}, Indicators: map[string]string{}, Notes: map[string]string{}}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		sub.Ratings[st.Code] = domain.RatingLargelyMet
		for _, ind := range st.Indicators {
			sub.Indicators[ind.Code] = "ja"
		}
	}
	return sub
}

// InvitationAnswer accepts or declines a seat on the team.
type InvitationAnswer struct {
	Action
	Accept bool   `json:"accept"`
	Reason string `json:"reason,omitempty"`
}

// ReviewerAssignment is the secretariat assigning or replacing a team member by hand.
// Overrides name the hard rules (domain.HardRules) the person may break; the reason says
// why, and both go on the team record and into the audit trail.
type ReviewerAssignment struct {
	Action
	Seat      domain.TeamRole `json:"seat"`
	PersonID  string          `json:"person_id"`
	Reason    string          `json:"reason"`
	Overrides []string        `json:"overrides,omitempty"`
}

// VisitDate sets the date of the visit or the revisit.
type VisitDate struct {
	Action
	Date domain.Date `json:"date"`
}

// VisitRecord records that the visit (or revisit) took place.
type VisitRecord struct {
	Action
	Notes string `json:"notes,omitempty"`
}

// Assessment is the team's assessment of one standard.
type Assessment struct {
	Standard   string `json:"standard"`
	Met        bool   `json:"met"`
	Assessment string `json:"assessment"`
}

// Report is the lead's report of the visit or the revisit.
type Report struct {
	Action
	Assessments []Assessment   `json:"assessments"`
	Suggestions string         `json:"suggestions,omitempty"`
	Summary     string         `json:"summary"`
	Verdict     domain.Verdict `json:"verdict"`
}

// Comment is the institution's comment on factual errors during the hearing.
type Comment struct {
	Action
	Text string `json:"text"`
}

// ActionPlan is the institution's plan for the areas that must improve (verdict 2).
type ActionPlan struct {
	Action
	Plan  string   `json:"plan"`
	Areas []string `json:"areas,omitempty"`
}

// Appeal is the institution appealing the final verdict.
type Appeal struct {
	Action
	Reason string `json:"reason"`
}

// Decision is the secretariat deciding an appeal, or a verdict 3 that stood after the
// revisit. Verdict zero upholds the verdict.
type Decision struct {
	Action
	Verdict domain.Verdict `json:"verdict,omitempty"`
	Reason  string         `json:"reason"`
}

// Extension moves a step's due date; the reminders move with it.
type Extension struct {
	Action
	Step   string      `json:"step"`
	NewDue domain.Date `json:"new_due"`
	Reason string      `json:"reason"`
}

// Waiver closes a step without the work being done, for a recorded reason.
type Waiver struct {
	Action
	Step   string `json:"step"`
	Reason string `json:"reason"`
}

// Cancellation ends the cycle, e.g. because the institution closed.
type Cancellation struct {
	Action
	Reason string `json:"reason"`
}

// StageResult is what every stage returns to the parent.
type StageResult struct {
	Steps   []StepRecord   `json:"steps"`
	Outcome string         `json:"outcome"`
	Verdict domain.Verdict `json:"verdict,omitempty"`
	Team    []TeamMember   `json:"team,omitempty"`
	// Generation is the catalogue generation a self-evaluation used: the one in force when
	// it opened. Zero from stages begun before the catalogue came from the store.
	Generation int `json:"generation,omitempty"`
}

// StageInput starts a stage child.
type StageInput struct {
	InstitutionID string `json:"institution_id"`
	Cycle         int    `json:"cycle"`
	// CycleKey names the incarnation of the cycle in the stage's idempotency keys.
	CycleKey    string          `json:"cycle_key"`
	Year        int             `json:"year,omitempty"`
	Opens       domain.Date     `json:"opens"`
	Clock       domain.Clock    `json:"clock"`
	Settings    Settings        `json:"settings"`
	Institution InstitutionInfo `json:"institution"`
	Generation  int             `json:"generation"`
	// PreviousTeam are the reviewers of the institution's previous cycle (rotation rule).
	PreviousTeam []string `json:"previous_team,omitempty"`
	// Verdict is the final verdict, for publication.
	Verdict domain.Verdict `json:"verdict,omitempty"`
	// Release is the release the stage begins with, given by its cycle from release v11 on.
	Release int `json:"release,omitempty"`
}
