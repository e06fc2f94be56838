package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// InstitutionContext is what a cycle needs to know about its institution.
type InstitutionContext struct {
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	Region              domain.Region `json:"region"`
	ManagerID           string        `json:"manager_id"`
	SecretariatIDs      []string      `json:"secretariat_ids"`
	NationalSecretariat []string      `json:"national_secretariat_ids"`
	Generation          int           `json:"generation"`
}

// LoadInstitution reads an institution, its manager and its secretariat, and the catalogue
// generation in force on a date. An unknown institution is a non-retryable error.
func (a *Activities) LoadInstitution(ctx context.Context, institutionID string, on domain.Date) (InstitutionContext, error) {
	in, err := a.Store.Institution(ctx, institutionID)
	if errors.Is(err, store.ErrNotFound) {
		return InstitutionContext{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("institution %s is not in the registry: import it first", institutionID), "UnknownInstitution", err)
	}
	if err != nil {
		return InstitutionContext{}, err
	}
	manager, err := a.Store.InstitutionManagerID(ctx, institutionID)
	if err != nil {
		return InstitutionContext{}, err
	}
	regional, err := a.Store.PeopleIDs(ctx, domain.RoleSecretariat, in.Region, false)
	if err != nil {
		return InstitutionContext{}, err
	}
	national, err := a.Store.PeopleIDs(ctx, domain.RoleSecretariat, "", true)
	if err != nil {
		return InstitutionContext{}, err
	}
	gen, err := a.LoadGeneration(ctx, on)
	if err != nil {
		return InstitutionContext{}, err
	}
	return InstitutionContext{
		ID: in.ID, Name: in.Name, Region: in.Region, ManagerID: manager,
		SecretariatIDs: regional, NationalSecretariat: national, Generation: gen.Number,
	}, nil
}

// RecordCycle writes the cycle's read-model row.
func (a *Activities) RecordCycle(ctx context.Context, c CycleWrite) error {
	return a.Store.UpsertCycle(ctx, c.row())
}

// RecordStep writes a step's read-model row; older revisions never overwrite newer ones.
func (a *Activities) RecordStep(ctx context.Context, s StepWrite) error {
	return a.Store.UpsertStep(ctx, s.row())
}

// StepChange is a step's read-model row and the notification its change brings (a new task,
// an escalation, an extension, a hand-over), made as one effect so that the workflow records
// one marker for both. Either may be absent.
type StepChange struct {
	Step         *StepWrite    `json:"step,omitempty"`
	Notification *Notification `json:"notification,omitempty"`
}

// RecordStepChange writes the step's row, then queues its notification, and returns who the
// notification is for. Both writes are idempotent (the row by its revision, the messages by
// their key), so a retry after a crash between the two finishes the second and repeats
// neither.
func (a *Activities) RecordStepChange(ctx context.Context, c StepChange) ([]string, error) {
	if c.Step != nil {
		if err := a.RecordStep(ctx, *c.Step); err != nil {
			return nil, err
		}
	}
	if c.Notification == nil {
		return nil, nil
	}
	return a.Notify(ctx, *c.Notification)
}

// RecordAssignment writes an invitation or a team seat.
func (a *Activities) RecordAssignment(ctx context.Context, w AssignmentWrite) error {
	return a.Store.UpsertAssignment(ctx, w.row())
}

// RecordVisit writes a visit's date or its record.
func (a *Activities) RecordVisit(ctx context.Context, v VisitWrite) error {
	return a.Store.UpsertVisit(ctx, v.row())
}

// RecordAudit appends an action to the audit trail once.
func (a *Activities) RecordAudit(ctx context.Context, e AuditWrite) error {
	return a.Store.Audit(ctx, e.row())
}

// DocumentRef identifies a stored submission and its content.
type DocumentRef struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// RecordSubmission stores a submission (and a report, when it is one) exactly once, and
// returns its reference: the ID and the SHA-256 of the stored document.
func (a *Activities) RecordSubmission(ctx context.Context, r SubmissionRecord) (DocumentRef, error) {
	m := r.Submission
	payload := store.Payload(r.Body)
	sub := store.Submission{ID: m.ID, InstitutionID: m.InstitutionID, Cycle: m.Cycle, Step: m.Step, Kind: m.Kind,
		SubmittedBy: m.SubmittedBy, SubmittedOn: m.SubmittedOn, Payload: payload}
	ratings := make([]store.Rating, len(r.Ratings))
	for i, rt := range r.Ratings {
		ratings[i] = store.Rating{Standard: rt.Standard, Rating: rt.Rating, Note: rt.Note}
	}
	if err := a.Store.InsertSubmission(ctx, sub, ratings, r.Indicators); err != nil {
		return DocumentRef{}, err
	}
	if rep := r.Report; rep != nil {
		assessed := make([]store.ReportAssessment, len(r.Assessments))
		for i, as := range r.Assessments {
			assessed[i] = store.ReportAssessment{Standard: as.Standard, Met: as.Met, Assessment: as.Assessment}
		}
		row := store.ReportRow{ID: m.ID, InstitutionID: m.InstitutionID, Cycle: m.Cycle, Kind: rep.Kind,
			AuthorID: rep.AuthorID, SubmittedOn: rep.SubmittedOn, Verdict: rep.Verdict, Summary: rep.Summary,
			Suggestions: rep.Suggestions, Payload: payload}
		if err := a.Store.InsertReport(ctx, row, assessed); err != nil {
			return DocumentRef{}, err
		}
	}
	sum := sha256.Sum256([]byte(payload))
	return DocumentRef{ID: m.ID, Kind: m.Kind, SHA256: hex.EncodeToString(sum[:]), Bytes: len(payload)}, nil
}

// FinalVerdict is the verdict that stands for a report.
type FinalVerdict struct {
	ReportID string      `json:"report_id"`
	Verdict  int         `json:"verdict"`
	On       domain.Date `json:"on"`
	// Revision orders the verdicts of one report: an appeal's change is never undone by a
	// late retry of the verdict before it.
	Revision int64 `json:"revision"`
}

// RecordFinalVerdict marks a report's verdict as final.
func (a *Activities) RecordFinalVerdict(ctx context.Context, f FinalVerdict) error {
	return a.Store.FinaliseReport(ctx, f.ReportID, f.Verdict, f.On, f.Revision)
}

// Publish records the published result of a cycle.
func (a *Activities) Publish(ctx context.Context, p PublicationWrite) error {
	rec, err := a.publishedRecord(ctx, p)
	if errors.Is(err, store.ErrNotFound) {
		// No report to publish from (a cycle whose report predates the store's report rows):
		// the verdict alone is published.
		a.Logger.Warn("no report to compose the published record from; publishing the verdict alone",
			"institution", p.InstitutionID, "cycle", p.Cycle, "error", err)
		return a.Store.Publish(ctx, p.row())
	}
	if err != nil {
		return err
	}
	if _, err := a.Store.PublishRecord(ctx, rec); err != nil && !errors.Is(err, store.ErrSameRecord) {
		return err
	}
	return nil
}

// CheckCandidate tells whether a person may hold a seat for an institution on a date, and
// why not: the secretariat's manual assignment goes through the same hard rules.
func (a *Activities) CheckCandidate(ctx context.Context, req CandidateCheck) error {
	facts, err := a.candidateFacts(ctx, req.InstitutionID, req.On, req.PreviousTeam)
	if err != nil {
		return err
	}
	var person *domain.Candidate
	for i := range facts.candidates {
		if facts.candidates[i].PersonID == req.PersonID {
			person = &facts.candidates[i]
		}
	}
	if person == nil {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%s is not a reviewer or representative in the registry", req.PersonID), "NotEligible", nil)
	}
	violations := domain.Violations(facts.institution, *person, req.Seat, req.On, a.capacity())
	broken := map[string]bool{}
	var reasons []string
	for _, v := range violations {
		broken[v.Rule] = true
		if !slices.Contains(req.Overrides, v.Rule) {
			reasons = append(reasons, v.String())
		}
	}
	for _, rule := range req.Overrides {
		if !broken[rule] {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"%s breaks no rule %s for %s: drop --override %s, so the record does not claim an exception that was not made",
				req.PersonID, rule, req.InstitutionID, rule), "NotEligible", nil)
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("%s cannot be %s for %s: %s (the secretariat may seat them anyway with --override RULE and a reason)",
			req.PersonID, req.Seat, req.InstitutionID, strings.Join(reasons, "; ")),
		"NotEligible", nil)
}

// CandidateCheck asks whether one person may hold one seat.
type CandidateCheck struct {
	InstitutionID string          `json:"institution_id"`
	Seat          domain.TeamRole `json:"seat"`
	PersonID      string          `json:"person_id"`
	On            domain.Date     `json:"on"`
	PreviousTeam  []string        `json:"previous_team,omitempty"`
	// Overrides are the hard rules the secretariat lets this person break, with a reason.
	Overrides []string `json:"overrides,omitempty"`
}

func (a *Activities) capacity() int {
	if a.Config.CapacityPerYear > 0 {
		return a.Config.CapacityPerYear
	}
	return 3
}

// LoadSettings reads the cycle durations from the worker's configuration; a cycle reads
// them when it begins and keeps them to its end.
func (a *Activities) LoadSettings(context.Context) (Settings, error) {
	return Settings{DayLength: a.Config.DayLength, Durations: durationsOf(a.Config.Cycle)}, nil
}
