package activities

import (
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// The activities' payloads. A workflow's history keeps every activity input and output for
// years, and a cycle started today replays them after many deploys: these types are
// contracts, not rows. Each field has an explicit JSON name, no type here is a store row or
// a configuration struct, and the golden files in workflows/testdata/golden show every
// change to them as a diff someone must accept. Each activity converts its payload to store
// rows itself.

// Settings are the durations of a cycle and the length of its day, read from the worker's
// configuration when a cycle begins and fixed for that cycle.
type Settings struct {
	DayLength time.Duration `json:"day_length"`
	Durations Durations     `json:"durations"`
}

// Durations are the periods of PRODUCT.md §3, as a cycle carries them.
type Durations struct {
	CycleLength            domain.Period   `json:"cycle_length"`
	SelfEvaluationInterval domain.Period   `json:"self_evaluation_interval"`
	SelfEvaluationDue      domain.Period   `json:"self_evaluation_due"`
	InvitationAnswer       domain.Period   `json:"invitation_answer"`
	ManualAssignmentDue    domain.Period   `json:"manual_assignment_due"`
	VisitDateDue           domain.Period   `json:"visit_date_due"`
	VisitNotice            domain.Period   `json:"visit_notice"`
	VisitRecordGrace       domain.Period   `json:"visit_record_grace"`
	ReportDue              domain.Period   `json:"report_due"`
	HearingPeriod          domain.Period   `json:"hearing_period"`
	ActionPlanDue          domain.Period   `json:"action_plan_due"`
	RevisitWithin          domain.Period   `json:"revisit_within"`
	RevisitNotice          domain.Period   `json:"revisit_notice"`
	RevisitReportDue       domain.Period   `json:"revisit_report_due"`
	AppealWindow           domain.Period   `json:"appeal_window"`
	DecisionDue            domain.Period   `json:"decision_due"`
	Reminders              []domain.Period `json:"reminders"`
	// VisitReminders are absent from cycles begun before the visit opened on its day; they
	// get the defaults.
	VisitReminders        []domain.Period `json:"visit_reminders,omitempty"`
	EscalationSecondAfter domain.Period   `json:"escalation_second_after"`
	EscalationRepeatEvery domain.Period   `json:"escalation_repeat_every"`
}

// durationsOf copies the configured durations into the payload a cycle carries.
func durationsOf(d config.Durations) Durations {
	return Durations{
		CycleLength: d.CycleLength, SelfEvaluationInterval: d.SelfEvaluationInterval,
		SelfEvaluationDue: d.SelfEvaluationDue, InvitationAnswer: d.InvitationAnswer,
		ManualAssignmentDue: d.ManualAssignmentDue, VisitDateDue: d.VisitDateDue, VisitNotice: d.VisitNotice,
		VisitRecordGrace: d.VisitRecordGrace, ReportDue: d.ReportDue, HearingPeriod: d.HearingPeriod,
		ActionPlanDue: d.ActionPlanDue, RevisitWithin: d.RevisitWithin, RevisitNotice: d.RevisitNotice,
		RevisitReportDue: d.RevisitReportDue, AppealWindow: d.AppealWindow, DecisionDue: d.DecisionDue,
		Reminders:             append([]domain.Period(nil), d.Reminders...),
		VisitReminders:        append([]domain.Period(nil), d.VisitReminders...),
		EscalationSecondAfter: d.EscalationSecondAfter, EscalationRepeatEvery: d.EscalationRepeatEvery,
	}
}

// VisitNotices are the notices before a visit, the defaults when the cycle carries none.
func (d Durations) VisitNotices() []domain.Period {
	if len(d.VisitReminders) == 0 {
		return domain.DefaultVisitNotices()
	}
	return d.VisitReminders
}

// DeadlinePolicy is the reminder and escalation policy these durations describe.
func (d Durations) DeadlinePolicy() domain.DeadlinePolicy {
	return domain.NewDeadlinePolicy(d.Reminders, d.EscalationSecondAfter, d.EscalationRepeatEvery)
}

// CycleWrite is the cycle's read-model row as the workflow writes it.
type CycleWrite struct {
	InstitutionID string      `json:"institution_id"`
	Number        int         `json:"number"`
	WorkflowID    string      `json:"workflow_id"`
	StartDate     domain.Date `json:"start_date"`
	Status        string      `json:"status"`
	CurrentStep   string      `json:"current_step"`
	EndedOn       domain.Date `json:"ended_on,omitempty"`
	Note          string      `json:"note,omitempty"`
	Verdict       int         `json:"verdict,omitempty"`
	Generation    int         `json:"generation"`
	AnchorDate    domain.Date `json:"anchor_date"`
	AnchorTime    time.Time   `json:"anchor_time"`
	DayLengthMS   int64       `json:"day_length_ms"`
	Revision      int64       `json:"revision"`
}

func (c CycleWrite) row() store.CycleRow {
	return store.CycleRow{InstitutionID: c.InstitutionID, Number: c.Number, WorkflowID: c.WorkflowID, StartDate: c.StartDate,
		Status: c.Status, CurrentStep: c.CurrentStep, EndedOn: c.EndedOn, Note: c.Note, Verdict: c.Verdict,
		Generation: c.Generation, AnchorDate: c.AnchorDate, AnchorTime: c.AnchorTime, DayLengthMS: c.DayLengthMS,
		Revision: c.Revision}
}

// StepWrite is a step as the workflow writes it to the read model.
type StepWrite struct {
	ID            string        `json:"id"`
	InstitutionID string        `json:"institution_id"`
	Cycle         int           `json:"cycle"`
	Step          string        `json:"step"`
	Title         string        `json:"title"`
	Region        domain.Region `json:"region"`
	HolderID      string        `json:"holder_id"`
	HolderRole    string        `json:"holder_role"`
	Opened        domain.Date   `json:"opened"`
	Due           domain.Date   `json:"due"`
	Status        string        `json:"status"`
	Closed        domain.Date   `json:"closed,omitempty"`
	ClosedBy      string        `json:"closed_by,omitempty"`
	Note          string        `json:"note,omitempty"`
	Escalation    int           `json:"escalation_level"`
	Revision      int64         `json:"revision"`
}

func (s StepWrite) row() store.StepRow {
	return store.StepRow{ID: s.ID, InstitutionID: s.InstitutionID, Cycle: s.Cycle, Step: s.Step, Title: s.Title,
		Region: s.Region, HolderID: s.HolderID, HolderRole: s.HolderRole, Opened: s.Opened, Due: s.Due,
		Status: s.Status, Closed: s.Closed, ClosedBy: s.ClosedBy, Note: s.Note, Escalation: s.Escalation,
		Revision: s.Revision}
}

// AssignmentWrite is one person's invitation to, or place on, a team.
type AssignmentWrite struct {
	ID            string      `json:"id"`
	InstitutionID string      `json:"institution_id"`
	Cycle         int         `json:"cycle"`
	Seat          string      `json:"seat"`
	PersonID      string      `json:"person_id"`
	Status        string      `json:"status"`
	InvitedOn     domain.Date `json:"invited_on"`
	AnswerDue     domain.Date `json:"answer_due"`
	AnsweredOn    domain.Date `json:"answered_on,omitempty"`
	Reasons       string      `json:"reasons,omitempty"`
	Revision      int64       `json:"revision"`
}

func (a AssignmentWrite) row() store.AssignmentRow {
	return store.AssignmentRow{ID: a.ID, InstitutionID: a.InstitutionID, Cycle: a.Cycle, Role: a.Seat,
		PersonID: a.PersonID, Status: a.Status, InvitedOn: a.InvitedOn, AnswerDue: a.AnswerDue,
		AnsweredOn: a.AnsweredOn, Reasons: a.Reasons, Revision: a.Revision}
}

// VisitWrite is a visit or revisit: its date, and when it was recorded as done.
type VisitWrite struct {
	ID            string      `json:"id"`
	InstitutionID string      `json:"institution_id"`
	Cycle         int         `json:"cycle"`
	Kind          string      `json:"kind"`
	VisitOn       domain.Date `json:"visit_on"`
	SetBy         string      `json:"set_by"`
	RecordedOn    domain.Date `json:"recorded_on,omitempty"`
	RecordedBy    string      `json:"recorded_by,omitempty"`
	Notes         string      `json:"notes,omitempty"`
	Revision      int64       `json:"revision"`
}

func (v VisitWrite) row() store.VisitRow {
	return store.VisitRow{ID: v.ID, InstitutionID: v.InstitutionID, Cycle: v.Cycle, Kind: v.Kind, VisitOn: v.VisitOn,
		SetBy: v.SetBy, RecordedOn: v.RecordedOn, RecordedBy: v.RecordedBy, Notes: v.Notes, Revision: v.Revision}
}

// AuditWrite is one line of the audit trail.
type AuditWrite struct {
	ID            string    `json:"id"`
	At            time.Time `json:"at"`
	ActorID       string    `json:"actor"`
	Action        string    `json:"action"`
	InstitutionID string    `json:"institution_id"`
	Cycle         int       `json:"cycle"`
	Step          string    `json:"step,omitempty"`
	Details       string    `json:"details,omitempty"`
}

func (e AuditWrite) row() store.AuditEntry {
	return store.AuditEntry{ID: e.ID, At: e.At, ActorID: e.ActorID, Action: e.Action, InstitutionID: e.InstitutionID,
		Cycle: e.Cycle, Step: e.Step, Details: e.Details}
}

// PublicationWrite is a cycle's published result.
type PublicationWrite struct {
	InstitutionID string      `json:"institution_id"`
	Cycle         int         `json:"cycle"`
	Verdict       int         `json:"verdict"`
	PublishedOn   domain.Date `json:"published_on"`
	Summary       string      `json:"summary"`
	// Generation is the catalogue generation the report assessed; zero from cycles begun
	// before it was carried, which use the first.
	Generation int `json:"generation,omitempty"`
}

func (p PublicationWrite) row() store.Publication {
	return store.Publication{InstitutionID: p.InstitutionID, Cycle: p.Cycle, Verdict: p.Verdict,
		PublishedOn: p.PublishedOn, Summary: p.Summary}
}

// SubmissionRecord is a submission with, for self-evaluations, its ratings and values, and
// for reports, the report and its assessments. Body is what the person handed in; it is
// stored whole as the submission's (and report's) document, serialised here rather than in
// workflow code.
type SubmissionRecord struct {
	Body        any               `json:"body"`
	Submission  SubmissionMeta    `json:"submission"`
	Ratings     []RatingWrite     `json:"ratings,omitempty"`
	Indicators  map[string]string `json:"indicators,omitempty"`
	Report      *ReportWrite      `json:"report,omitempty"`
	Assessments []AssessmentWrite `json:"assessments,omitempty"`
}

// SubmissionMeta says who handed in what, on which step, when.
type SubmissionMeta struct {
	ID            string      `json:"id"`
	InstitutionID string      `json:"institution_id"`
	Cycle         int         `json:"cycle"`
	Step          string      `json:"step"`
	Kind          string      `json:"kind"`
	SubmittedBy   string      `json:"submitted_by"`
	SubmittedOn   domain.Date `json:"submitted_on"`
}

// RatingWrite is one standard's rating in a self-evaluation.
type RatingWrite struct {
	Standard string `json:"standard"`
	Rating   int    `json:"rating"`
	Note     string `json:"note,omitempty"`
}

// ReportWrite is a visit or revisit report's row.
type ReportWrite struct {
	Kind        string      `json:"kind"`
	AuthorID    string      `json:"author_id"`
	SubmittedOn domain.Date `json:"submitted_on"`
	Verdict     int         `json:"verdict"`
	Summary     string      `json:"summary"`
	Suggestions string      `json:"suggestions,omitempty"`
}

// AssessmentWrite is the report's assessment of one standard.
type AssessmentWrite struct {
	Standard   string `json:"standard"`
	Met        bool   `json:"met"`
	Assessment string `json:"assessment"`
}

// TeamProposal is the person proposed for one seat, and why (or that nobody could be).
type TeamProposal struct {
	Seat     domain.TeamRole `json:"seat"`
	Found    bool            `json:"found"`
	PersonID string          `json:"person_id,omitempty"`
	Name     string          `json:"name,omitempty"`
	Reasons  []string        `json:"reasons,omitempty"`
}

// TeamAnnouncement tells the team and the institution manager who is on the team once it is
// complete. The activity looks up each member's name and home region in the registry.
type TeamAnnouncement struct {
	Notification Notification `json:"notification"`
	Members      []TeamSeat   `json:"members"`
}

// TeamSeat is one member of a complete team.
type TeamSeat struct {
	Seat     domain.TeamRole `json:"seat"`
	PersonID string          `json:"person_id"`
}
