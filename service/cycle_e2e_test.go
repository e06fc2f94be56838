package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/cli"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// cliActor reaches cycles the way a person does: through the starter's commands.
type cliActor struct {
	t       *testing.T
	environ []string
	dir     string
}

func newCLIActor(t *testing.T, cfg config.Config) *cliActor {
	return &cliActor{t: t, dir: t.TempDir(), environ: []string{
		"ACCREDIT_DATA_DIR=" + cfg.DataDir,
		"ACCREDIT_EMBEDDED_TEMPORAL_ADDR=" + cfg.EmbeddedTemporalAddr,
		"ACCREDIT_DAY_LENGTH=" + cfg.DayLength.String(),
		"TEMPORAL_CONFIG_FILE=" + os.DevNull,
	}}
}

// upWithExamples starts the service on cfg and imports the example registry through a
// starter; the service and the returned context (three minutes) end with the test.
func upWithExamples(t *testing.T, cfg config.Config) (context.Context, *service.Service, *cliActor) {
	t.Helper()
	s := startService(t, cfg)
	t.Cleanup(s.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	a := newCLIActor(t, cfg)
	a.importExamples(ctx)
	return ctx, s, a
}

// importExamples imports the example registry (examples/institutions.csv and people.csv).
func (a *cliActor) importExamples(ctx context.Context) {
	a.t.Helper()
	a.mustRun(ctx, "institutions", "import", "../examples/institutions.csv", "--as", secretariatH)
	a.mustRun(ctx, "people", "import", "../examples/people.csv", "--as", secretariatH)
}

// run executes one starter command and returns its exit code, stdout and stderr.
func (a *cliActor) run(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := cli.Main(ctx, args, &stdout, &stderr, a.environ)
	return code, stdout.String(), stderr.String()
}

func (a *cliActor) mustRun(ctx context.Context, args ...string) string {
	a.t.Helper()
	code, out, errOut := a.run(ctx, args...)
	if code != cli.ExitOK {
		a.t.Fatalf("starter %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func (a *cliActor) status(ctx context.Context, inst string) (workflows.CycleStatus, *workflows.StageStatus, error) {
	code, out, errOut := a.run(ctx, "cycle", "status", inst, "--json")
	var err error
	if code != cli.ExitOK {
		return workflows.CycleStatus{}, nil, fmt.Errorf("cycle status: exit %d: %s", code, errOut)
	}
	// The starter prints the clock's day length as text ("100ms"), not as the payload's
	// nanoseconds: the clocks are read on their own.
	var res struct {
		Cycle struct {
			workflows.CycleStatus
			Clock printedClock `json:"clock"`
		} `json:"cycle"`
		Stage *struct {
			workflows.StageStatus
			Clock printedClock `json:"clock"`
		} `json:"stage"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return res.Cycle.CycleStatus, nil, fmt.Errorf("cycle status --json: %w", err)
	}
	cycle := res.Cycle.CycleStatus
	if cycle.Clock, err = res.Cycle.Clock.clock(); err != nil {
		return cycle, nil, err
	}
	if res.Stage == nil {
		return cycle, nil, nil
	}
	stage := res.Stage.StageStatus
	stage.Clock, err = res.Stage.Clock.clock()
	return cycle, &stage, err
}

// printedClock is a clock as the starter prints it.
type printedClock struct {
	AnchorDate domain.Date `json:"anchor_date"`
	AnchorTime time.Time   `json:"anchor_time"`
	DayLength  string      `json:"day_length"`
}

func (c printedClock) clock() (domain.Clock, error) {
	day, err := time.ParseDuration(c.DayLength)
	if err != nil {
		return domain.Clock{}, fmt.Errorf("cycle status --json: day_length %q: %w", c.DayLength, err)
	}
	return domain.Clock{AnchorDate: c.AnchorDate, AnchorTime: c.AnchorTime, DayLength: day}, nil
}

func (a *cliActor) file(name string, v any) string {
	path := filepath.Join(a.dir, name)
	data, err := json.Marshal(v)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		a.t.Fatal(err)
	}
	return path
}

// act turns a workflow update into the starter command a person would type.
func (a *cliActor) act(ctx context.Context, inst, update string, payload any) error {
	var args []string
	switch p := payload.(type) {
	case workflows.SelfEvaluationSubmission:
		args = []string{"selfeval", "submit", inst, "--file", a.file("selfeval.json", map[string]any{
			"ratings": p.Ratings, "indicators": p.Indicators, "notes": p.Notes}), "--as", p.Actor}
	case workflows.InvitationAnswer:
		args = []string{"assignment", "accept", inst, "--as", p.Actor}
		if !p.Accept {
			args = []string{"assignment", "decline", inst, "--reason", p.Reason, "--as", p.Actor}
		}
	case workflows.VisitDate:
		args = []string{"visit", "set", inst, "--date", p.Date.String(), "--as", p.Actor}
	case workflows.VisitRecord:
		args = []string{"visit", "record", inst, "--notes", p.Notes, "--as", p.Actor}
	case workflows.Report:
		args = []string{"report", "submit", inst, "--file", a.file("report.json", map[string]any{
			"assessments": p.Assessments, "suggestions": p.Suggestions, "summary": p.Summary, "verdict": p.Verdict}), "--as", p.Actor}
	case workflows.ActionPlan:
		args = []string{"actionplan", "submit", inst, "--text", p.Plan, "--as", p.Actor}
		for _, area := range p.Areas {
			args = append(args, "--area", area)
		}
	case workflows.Comment:
		args = []string{"report", "comment", inst, "--text", p.Text, "--as", p.Actor}
	default:
		return fmt.Errorf("no starter command for %s (%T)", update, payload)
	}
	code, _, errOut := a.run(ctx, args...)
	if code != cli.ExitOK {
		return fmt.Errorf("starter %s: exit %d: %s", strings.Join(args[:2], " "), code, strings.TrimSpace(errOut))
	}
	return nil
}

// TestWholeCycleThroughTheStarter drives one institution from the start of its cycle to
// publication and into cycle 2, on the embedded server, with the starter's commands only.
func TestWholeCycleThroughTheStarter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole cycle on the embedded Temporal server")
	}
	cfg := testConfig(t, t.TempDir())
	demoCalendar(&cfg, 100*time.Millisecond)
	s := startService(t, cfg)
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	a := newCLIActor(t, cfg)
	a.mustRun(ctx, "ping")
	a.importExamples(ctx)
	start := domain.DateOf(time.Now())
	a.mustRun(ctx, "cycle", "start", "--institution", "H-07", "--start", start.String(), "--as", secretariatH)
	// Right after the start, status shows the first stage and its step, never an empty cycle.
	if cycle, stage, err := a.status(ctx, "H-07"); err != nil || cycle.Stage != workflows.StageSelfEvaluation ||
		stage == nil || len(stage.Steps) != 1 || stage.Steps[0].Key != workflows.StepSelfEvaluation {
		t.Errorf("status right after the start: cycle %+v, stage %+v, %v; want the year-1 self-evaluation with its step", cycle, stage, err)
	}
	if code, _, errOut := a.run(ctx, "cycle", "start", "--institution", "H-07", "--as", secretariatH); code != cli.ExitRejected ||
		!strings.Contains(errOut, "already running") {
		t.Errorf("a second start: exit %d, %q; want exit 2 saying it is already running", code, errOut)
	}

	plays := withPlays(onTimePlays("P-007", domain.VerdictSomeAreas), map[string]play{
		workflows.StepHearing: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, _ workflows.StepRecord) (bool, error) {
			return true, a.act(ctx, inst, workflows.UpdateCommentReport, workflows.Comment{
				Action: workflows.Action{Actor: "P-007"}, Text: "Antallet af pladser er 40."})
		},
	})
	sc := scenario{name: "through the starter", institution: "H-07", manager: "P-007", plays: plays}
	next := sc.drive(ctx, t, a, 50*time.Millisecond)
	if next.Number != 2 {
		t.Fatalf("the cycle did not continue into cycle 2: %+v", next)
	}
	wantStart := cfg.Cycle.CycleLength.AddTo(start)
	if next.StartDate != wantStart {
		t.Errorf("cycle 2 starts %s, want %s", next.StartDate, wantStart)
	}

	// What the secretariat and the public see afterwards.
	out := a.mustRun(ctx, "publications", "list", "--institution", "H-07", "--json")
	var pubs []struct {
		Verdict int `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &pubs); err != nil || len(pubs) != 1 || pubs[0].Verdict != 2 {
		t.Errorf("publications = %s (%v), want one with verdict 2", out, err)
	}
	c1, err := s.Store.Cycle(ctx, "H-07", 1)
	if err != nil || c1.Status != "completed" || c1.Verdict != 2 {
		t.Errorf("cycle 1 read model = %+v, %v", c1, err)
	}
	steps, err := s.Store.Steps(ctx, "H-07", 1)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, st := range steps {
		if st.Status == "open" {
			t.Errorf("step %s of cycle 1 is still open", st.Step)
		}
		done[strings.SplitN(st.Step, "/", 2)[0]] = true
	}
	for _, want := range []string{workflows.StepSelfEvaluation, workflows.StepInvitation, workflows.StepVisitDate, workflows.StepVisit,
		workflows.StepReport, workflows.StepHearing, workflows.StepActionPlan, workflows.StepAppealWindow} {
		if !done[want] {
			t.Errorf("cycle 1 has no %s step in the read model", want)
		}
	}
	trail := a.mustRun(ctx, "audit", "H-07", "--json")
	for _, action := range []string{"start-cycle", "submit-self-evaluation", "answer-invitation", "set-visit-date",
		"record-visit", "submit-report", "comment-report", "submit-action-plan"} {
		if !strings.Contains(trail, strconv.Quote(action)) {
			t.Errorf("audit trail has no %s", action)
		}
	}
}
