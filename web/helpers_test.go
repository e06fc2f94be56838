package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// People of the example registry the tests sign in as.
const (
	managerH      = "P-001" // institution manager of H-01 (hovedstaden)
	managerH2     = "P-002" // institution manager of H-02
	managerS      = "P-009" // institution manager of S-01 (sjaelland)
	reviewerLead  = "P-084" // reviewer (sjaelland, lead training), invited to lead H-01's team
	reviewerOther = "P-085" // reviewer on no team
	secretariatH  = "P-131" // Region Hovedstaden's secretariat
	secretariatS  = "P-132" // Region Sjælland's secretariat
	national      = "P-136" // national secretariat
	managerRegH   = "P-137" // manager, Region Hovedstaden
	managerNat    = "P-142" // national manager
)

// testToday is the calendar date the tests' clock shows.
var testToday = domain.NewDate(2027, 3, 1)

// call is one action the fake cycles client received.
type call struct {
	Action      string
	Institution string
	Payload     any
}

// fakeCycles stands in for the cycles client: it records every action and refuses with
// refuseWith (one problem of the request as a whole) or refuseProblems when set.
type fakeCycles struct {
	mu             sync.Mutex
	calls          []call
	refuseWith     string
	refuseProblems []workflows.Problem
}

func (f *fakeCycles) record(action, inst string, payload any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{action, inst, payload})
	if f.refuseWith != "" {
		return &cycles.RefusedError{Action: action, Reason: f.refuseWith}
	}
	if len(f.refuseProblems) > 0 {
		return &cycles.RefusedError{Action: action, Reason: (&workflows.Refusal{Problems: f.refuseProblems}).Error(),
			Problems: f.refuseProblems}
	}
	return nil
}

func (f *fakeCycles) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func (f *fakeCycles) Start(_ context.Context, req cycles.StartRequest) (cycles.Started, error) {
	return cycles.Started{InstitutionID: req.InstitutionID}, f.record("start", req.InstitutionID, req)
}
func (f *fakeCycles) Cancel(_ context.Context, inst string, req workflows.Cancellation) (workflows.CycleStatus, error) {
	return workflows.CycleStatus{}, f.record(workflows.UpdateCancelCycle, inst, req)
}
func (f *fakeCycles) Status(context.Context, string) (cycles.Status, error) {
	return cycles.Status{}, nil
}
func (f *fakeCycles) SubmitSelfEvaluation(_ context.Context, inst string, req workflows.SelfEvaluationSubmission) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateSubmitSelfEvaluation, inst, req)
}
func (f *fakeCycles) AnswerInvitation(_ context.Context, inst string, req workflows.InvitationAnswer) (workflows.TeamMember, error) {
	return workflows.TeamMember{}, f.record(workflows.UpdateAnswerInvitation, inst, req)
}
func (f *fakeCycles) AssignReviewer(_ context.Context, inst string, req workflows.ReviewerAssignment) (workflows.TeamMember, error) {
	return workflows.TeamMember{}, f.record(workflows.UpdateAssignReviewer, inst, req)
}
func (f *fakeCycles) SetVisitDate(_ context.Context, inst string, req workflows.VisitDate) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateSetVisitDate, inst, req)
}
func (f *fakeCycles) RecordVisit(_ context.Context, inst string, req workflows.VisitRecord) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateRecordVisit, inst, req)
}
func (f *fakeCycles) SubmitReport(_ context.Context, inst string, req workflows.Report) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateSubmitReport, inst, req)
}
func (f *fakeCycles) CommentReport(_ context.Context, inst string, req workflows.Comment) (int, error) {
	return 1, f.record(workflows.UpdateCommentReport, inst, req)
}
func (f *fakeCycles) SubmitActionPlan(_ context.Context, inst string, req workflows.ActionPlan) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateSubmitActionPlan, inst, req)
}
func (f *fakeCycles) Appeal(_ context.Context, inst string, req workflows.Appeal) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateAppeal, inst, req)
}
func (f *fakeCycles) Decide(_ context.Context, inst string, req workflows.Decision) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateDecide, inst, req)
}
func (f *fakeCycles) ExtendDeadline(_ context.Context, inst string, req workflows.Extension) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateExtendDeadline, inst, req)
}
func (f *fakeCycles) WaiveStep(_ context.Context, inst string, req workflows.Waiver) (workflows.StepRecord, error) {
	return workflows.StepRecord{}, f.record(workflows.UpdateWaiveStep, inst, req)
}

// syncBuffer is a log that tests read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a web app on the example registry with a read model of a few cycles.
type env struct {
	t      testing.TB
	st     *store.Store
	srv    *Server
	cycles *fakeCycles
	log    *syncBuffer
	now    time.Time
	ids    map[string]string // step IDs by name
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, cycles: &fakeCycles{}, log: &syncBuffer{}, ids: map[string]string{},
		now: time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "accredit.db"),
		store.WithClock(func() time.Time { return e.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	fixture.ExampleRegistry(t, st)
	e.st = st
	cfg := config.Default()
	cfg.PublicBaseURL = "http://accredit.test"
	srv, err := New(Options{Store: e.st, Cycles: e.cycles, Config: cfg, Now: func() time.Time { return e.now },
		Logger: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.seedReadModel()
	return e
}

// seedReadModel writes what the workflows would have: H-01 (hovedstaden) in its external
// evaluation with the lead's invitation open and the year-1 and year-3 self-evaluations
// done; S-01 (sjaelland) with its year-1 self-evaluation open and overdue; H-02 with a
// report in its hearing.
func (e *env) seedReadModel() {
	t, ctx := e.t, context.Background()
	anchor := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	cyc := func(inst string, start domain.Date) {
		if err := e.st.UpsertCycle(ctx, store.CycleRow{InstitutionID: inst, Number: 1, WorkflowID: "cycle/" + inst,
			StartDate: start, Status: "running", CurrentStep: "external-evaluation", Generation: 1,
			AnchorDate: domain.NewDate(2024, 1, 8), AnchorTime: anchor, DayLengthMS: 86_400_000, Revision: 1}); err != nil {
			t.Fatal(err)
		}
	}
	step := func(name, inst, stage, key string, region domain.Region, holder, role string, opened, due domain.Date, status string, closed domain.Date) {
		id := "cycle/" + inst + "/1~x/" + stage + "/" + key
		e.ids[name] = id
		if err := e.st.UpsertStep(ctx, store.StepRow{ID: id, InstitutionID: inst, Cycle: 1, Step: key, Title: key,
			Region: region, HolderID: holder, HolderRole: role, Opened: opened, Due: due, Status: status, Closed: closed,
			ClosedBy: map[bool]string{true: holder}[status == "done"], Revision: 1}); err != nil {
			t.Fatal(err)
		}
	}
	cyc("H-01", domain.NewDate(2024, 1, 8))
	step("h01-se1", "H-01", "self-evaluation-1", "self-evaluation", domain.Hovedstaden, managerH, "institution-manager",
		domain.NewDate(2024, 1, 8), domain.NewDate(2024, 3, 4), "done", domain.NewDate(2024, 2, 20))
	step("h01-se3", "H-01", "self-evaluation-3", "self-evaluation", domain.Hovedstaden, managerH, "institution-manager",
		domain.NewDate(2026, 1, 8), domain.NewDate(2026, 3, 5), "done", domain.NewDate(2026, 2, 27))
	step("h01-invitation", "H-01", "external-evaluation", "invitation/lead/1", domain.Hovedstaden, reviewerLead, "lead",
		domain.NewDate(2027, 2, 26), domain.NewDate(2027, 3, 3), "open", domain.Date{})
	step("h01-manual", "H-01", "external-evaluation", "manual-assignment/relative-representative", domain.Hovedstaden, secretariatH, "secretariat",
		domain.NewDate(2027, 2, 20), domain.NewDate(2027, 3, 6), "open", domain.Date{})
	if err := e.st.UpsertAssignment(ctx, store.AssignmentRow{ID: "a1", InstitutionID: "H-01", Cycle: 1, Role: "lead",
		PersonID: reviewerLead, Status: "invited", InvitedOn: domain.NewDate(2027, 2, 26), AnswerDue: domain.NewDate(2027, 3, 3),
		Reasons: "lead training; another region", Revision: 1}); err != nil {
		t.Fatal(err)
	}
	sub := fixture.SelfEvaluation(managerH)
	sub.Notes["1.1"] = "Ledelsen holder <b>månedlige</b> møder."
	if err := e.st.InsertSubmission(ctx, store.Submission{ID: "cycle/H-01/1~x/self-evaluation-1/self-evaluation",
		InstitutionID: "H-01", Cycle: 1, Step: "self-evaluation", Kind: "self-evaluation", SubmittedBy: managerH,
		SubmittedOn: domain.NewDate(2024, 2, 20), Payload: store.Payload(sub)}, nil, nil); err != nil {
		t.Fatal(err)
	}

	cyc("S-01", domain.NewDate(2027, 1, 4))
	step("s01-se1", "S-01", "self-evaluation-1", "self-evaluation", domain.Sjaelland, managerS, "institution-manager",
		domain.NewDate(2027, 1, 4), domain.NewDate(2027, 2, 15), "open", domain.Date{})

	cyc("H-02", domain.NewDate(2024, 1, 8))
	step("h02-report", "H-02", "external-evaluation", "report", domain.Hovedstaden, reviewerOther, "lead",
		domain.NewDate(2027, 1, 10), domain.NewDate(2027, 2, 8), "done", domain.NewDate(2027, 2, 1))
	step("h02-hearing", "H-02", "external-evaluation", "hearing", domain.Hovedstaden, managerH2, "institution-manager",
		domain.NewDate(2027, 2, 1), domain.NewDate(2027, 3, 15), "open", domain.Date{})
	rep := fixture.Report(reviewerOther, domain.VerdictSomeAreas)
	if err := e.st.InsertSubmission(ctx, store.Submission{ID: "cycle/H-02/1~x/external-evaluation/report", InstitutionID: "H-02",
		Cycle: 1, Step: "report", Kind: "report", SubmittedBy: reviewerOther, SubmittedOn: domain.NewDate(2027, 2, 1),
		Payload: store.Payload(rep)}, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// browser is a browser of one person: their session cookie and CSRF token.
type browser struct {
	e      *env
	cookie *http.Cookie
	csrf   string
	lang   string
}

// as signs a person in (a session made directly in the store).
func (e *env) as(person string) *browser {
	e.t.Helper()
	id, sess, err := e.st.CreateSession(context.Background(), person, "link", time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, cookie: &http.Cookie{Name: "accredit-session", Value: id}, csrf: sess.CSRFToken}
}

// anonymous is a browser without a session.
func (e *env) anonymous() *browser { return &browser{e: e} }

type response struct {
	*httptest.ResponseRecorder
	body string
}

func (c *browser) do(req *http.Request) response {
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	rec := httptest.NewRecorder()
	c.e.srv.ServeHTTP(rec, req)
	return response{rec, rec.Body.String()}
}

func (c *browser) get(path string) response {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form with the session's CSRF token (unless the form sets csrf itself).
func (c *browser) post(path string, form url.Values) response {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// text is a page's visible text with tags dropped and white space folded, for assertions.
func text(html string) string {
	s := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(html, " ")
	return strings.Join(strings.Fields(s), " ")
}

var _ = io.Discard
