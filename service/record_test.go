package service_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

var (
	record  = flag.Bool("record", false, "record the scenario histories into a new release of workflows/testdata/histories")
	release = flag.String("release", "", "with -record: the new release folder (v1, v2, ...); archived releases are never rewritten")
	// The scripted people act on days of the demo calendar; on a loaded machine they act
	// late and invitations lapse under them, so the day can be made longer.
	recordDay = flag.Duration("record-day", 300*time.Millisecond, "with -record: the demo calendar's day length")
)

// clientActor reaches cycles through the Temporal client directly.
type clientActor struct{ c client.Client }

func (a clientActor) status(ctx context.Context, inst string) (workflows.CycleStatus, *workflows.StageStatus, error) {
	var cycle workflows.CycleStatus
	v, err := a.c.QueryWorkflow(ctx, workflows.CycleWorkflowID(inst), "", workflows.QueryStatus)
	if err != nil {
		return cycle, nil, err
	}
	if err := v.Get(&cycle); err != nil {
		return cycle, nil, err
	}
	if cycle.ActiveWorkflowID == "" {
		return cycle, nil, nil
	}
	v, err = a.c.QueryWorkflow(ctx, cycle.ActiveWorkflowID, "", workflows.StageStatusQuery(cycle.ActiveWorkflowID))
	if err != nil {
		return cycle, nil, nil // the stage finished between the two queries
	}
	var stage workflows.StageStatus
	if err := v.Get(&stage); err != nil {
		return cycle, nil, err
	}
	return cycle, &stage, nil
}

func (a clientActor) act(ctx context.Context, inst, update string, payload any) error {
	target := workflows.CycleWorkflowID(inst)
	if update != workflows.UpdateCancelCycle {
		cycle, _, err := a.status(ctx, inst)
		if err != nil {
			return err
		}
		if cycle.ActiveWorkflowID == "" {
			return errors.New("no stage is running")
		}
		target = cycle.ActiveWorkflowID
	}
	h, err := a.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: target, UpdateName: update,
		Args: []any{payload}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

// recordedScenarios cover every path of the cycle: each one is replayed in CI against the
// current workflow code.
func recordedScenarios() []scenario {
	withReport := func(manager string, v domain.Verdict, extra map[string]play) map[string]play {
		return withPlays(onTimePlays(manager, v), extra)
	}
	return []scenario{
		{name: "on-time-verdict-1", institution: "H-01", manager: "P-001", plays: onTimePlays("P-001", domain.VerdictMeets)},
		{name: "verdict-2-extended-and-waived", institution: "H-02", manager: "P-002", plays: withReport("P-002", domain.VerdictSomeAreas,
			map[string]play{
				workflows.StepSelfEvaluation: func(ctx context.Context, a actor, inst string, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
					switch {
					case stage.Year == 1 && len(st.Extensions) == 0:
						// Extended first, submitted on a later look.
						return false, a.act(ctx, inst, workflows.UpdateExtendDeadline, workflows.Extension{Action: workflows.Action{Actor: secretariatH},
							Step: workflows.StepSelfEvaluation, NewDue: st.Due.AddDays(14), Reason: "lederskifte"})
					case stage.Year == 2:
						return true, a.act(ctx, inst, workflows.UpdateWaiveStep, workflows.Waiver{Action: workflows.Action{Actor: secretariatH},
							Step: workflows.StepSelfEvaluation, Reason: "ombygning"})
					}
					return true, a.act(ctx, inst, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation("P-002"))
				},
			})},
		{name: "verdict-3-twice-decided-and-appeal-upheld", institution: "H-03", manager: "P-003", plays: withReport("P-003", domain.VerdictImportantAreas,
			map[string]play{
				workflows.StepRevisitReport: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
					return true, a.act(ctx, inst, workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictImportantAreas))
				},
				workflows.StepVerdictDecision: decide(0),
				workflows.StepAppealWindow:    appealAs("P-003"),
				workflows.StepAppealDecision:  decide(0),
			})},
		{name: "declined-invitation-and-appeal-changed", institution: "H-04", manager: "P-004", plays: withReport("P-004", domain.VerdictSomeAreas,
			map[string]play{
				workflows.StepInvitation: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
					accept := !strings.HasPrefix(st.Key, "invitation/professional/1")
					return true, a.act(ctx, inst, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{
						Action: workflows.Action{Actor: st.HolderID}, Accept: accept, Reason: "på kursus"})
				},
				workflows.StepAppealWindow:   appealAs("P-004"),
				workflows.StepAppealDecision: decide(domain.VerdictMeets),
				workflows.StepActionPlan: func(context.Context, actor, string, *workflows.StageStatus, workflows.StepRecord) (bool, error) {
					return false, nil // withdrawn when the appeal changes the verdict to 1
				},
			})},
		{name: "late-self-evaluation-escalated", institution: "H-05", manager: "P-005", plays: withReport("P-005", domain.VerdictMeets,
			map[string]play{
				workflows.StepSelfEvaluation: func(ctx context.Context, a actor, inst string, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
					// The first self-evaluation comes three weeks late: reminders, then escalations.
					if stage.Year == 1 && today(stage).Before(st.Due.AddDays(22)) {
						return false, nil
					}
					return true, a.act(ctx, inst, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation("P-005"))
				},
			})},
		{name: "hand-assignment", institution: "H-07", manager: "P-007", plays: withReport("P-007", domain.VerdictMeets,
			map[string]play{
				// The secretariat seats the invited professional by hand (agreed by phone)
				// instead of waiting for the answer.
				workflows.StepInvitation: func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
					if st.HolderRole == string(domain.SeatProfessional) {
						return true, a.act(ctx, inst, workflows.UpdateAssignReviewer, workflows.ReviewerAssignment{
							Action: workflows.Action{Actor: secretariatH}, Seat: domain.SeatProfessional, PersonID: st.HolderID,
							Reason: "aftalt telefonisk"})
					}
					return true, a.act(ctx, inst, workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{
						Action: workflows.Action{Actor: st.HolderID}, Accept: true})
				},
			})},
		// Mid-flight: cycles still running when they are recorded, as a deploy meets them.
		{name: "waiting-in-self-evaluation-2", institution: "H-08", manager: "P-008", plays: onTimePlays("P-008", domain.VerdictMeets),
			stopAt: func(_ workflows.CycleStatus, stage *workflows.StageStatus) bool {
				return stage != nil && stage.Stage == workflows.StageSelfEvaluation && stage.Year == 2 && openStep(stage, workflows.StepSelfEvaluation)
			}},
		{name: "waiting-for-the-report", institution: "S-02", manager: "P-010", plays: withPlays(onTimePlays("P-010", domain.VerdictMeets),
			map[string]play{workflows.StepReport: waitForever}),
			stopAt: func(_ workflows.CycleStatus, stage *workflows.StageStatus) bool {
				return openStep(stage, workflows.StepReport)
			}},
		{name: "during-the-revisit", institution: "Y-01", manager: "P-017", plays: withPlays(onTimePlays("P-017", domain.VerdictImportantAreas),
			map[string]play{workflows.StepRevisit: waitForever}),
			stopAt: func(_ workflows.CycleStatus, stage *workflows.StageStatus) bool {
				return stage != nil && !stage.Revisit.IsZero() // the revisit's date is set; the team has yet to go
			}},
		{name: "cancelled-during-self-evaluation", institution: "H-06", manager: "P-006", stopWhenCancelled: true,
			plays: map[string]play{
				workflows.StepSelfEvaluation: func(ctx context.Context, a actor, inst string, stage *workflows.StageStatus, st workflows.StepRecord) (bool, error) {
					if stage.Year == 1 {
						return true, a.act(ctx, inst, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation("P-006"))
					}
					return true, a.act(ctx, inst, workflows.UpdateCancelCycle, workflows.Cancellation{
						Action: workflows.Action{Actor: secretariatH}, Reason: "Tilbuddet lukker."})
				},
			}},
	}
}

// waitForever is a person who does not act (yet).
func waitForever(context.Context, actor, string, *workflows.StageStatus, workflows.StepRecord) (bool, error) {
	return false, nil
}

func appealAs(manager string) play {
	return func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, _ workflows.StepRecord) (bool, error) {
		return true, a.act(ctx, inst, workflows.UpdateAppeal, workflows.Appeal{Action: workflows.Action{Actor: manager},
			Reason: "Rapporten overser vores dokumentation."})
	}
}

func decide(v domain.Verdict) play {
	return func(ctx context.Context, a actor, inst string, _ *workflows.StageStatus, _ workflows.StepRecord) (bool, error) {
		return true, a.act(ctx, inst, workflows.UpdateDecide, workflows.Decision{Action: workflows.Action{Actor: secretariatH},
			Verdict: v, Reason: "Afgjort på baggrund af rapporten og institutionens bemærkninger."})
	}
}

// TestRecordHistories runs every scenario on the embedded server and writes the histories of
// the cycle (every run of its chain) and its stages, finished or still running, to a new
// release folder workflows/testdata/histories/<release>, which replay_test.go replays
// against the workflow code for ever after. An archived release is never rewritten. Record
// one after every workflow change that comes with a new version:
//
//	go test ./service -run TestRecordHistories -record -release v2
func TestRecordHistories(t *testing.T) {
	if !*record {
		t.Skip("records histories only with -record")
	}
	if !regexp.MustCompile(`^v[0-9]+$`).MatchString(*release) {
		t.Fatalf("-release %q: name the new release folder v1, v2, ...", *release)
	}
	out := filepath.Join("..", "workflows", "testdata", "histories", *release)
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("%s exists: archived releases are never rewritten; record a new one", out)
	}
	cfg := testConfig(t, t.TempDir())
	demoCalendar(&cfg, *recordDay)
	// Cycles continue as new between their phases, as they do after years of running.
	cfg.EmbeddedContinueAsNewAfter = 40
	s := startService(t, cfg)
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fixture.ExampleRegistry(t, s.Store)
	a := clientActor{c: s.Client}
	var wg sync.WaitGroup
	for _, sc := range recordedScenarios() {
		if _, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CycleWorkflowID(sc.institution),
			TaskQueue: cfg.TaskQueue}, workflows.CycleWorkflowName, workflows.CycleInput{
			InstitutionID: sc.institution, Number: 1, StartDate: domain.DateOf(time.Now()), StartedBy: secretariatH}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc.drive(ctx, t, a, *recordDay)
			dir := filepath.Join(out, sc.name)
			runs, err := chainRuns(ctx, s.Client, workflows.CycleWorkflowID(sc.institution))
			if err != nil {
				t.Errorf("%s: %v", sc.name, err)
				return
			}
			for i, runID := range runs {
				if err := saveHistory(ctx, s.Client, workflows.CycleWorkflowID(sc.institution), runID,
					filepath.Join(dir, fmt.Sprintf("0-cycle-run-%d.json", i+1))); err != nil {
					t.Errorf("%s: run %d: %v", sc.name, i+1, err)
				}
			}
			var stages []string
			for year := 1; year <= 3; year++ {
				stages = append(stages, workflows.StageWorkflowID(sc.institution, 1, workflows.StageSelfEvaluation, year))
			}
			stages = append(stages, workflows.StageWorkflowID(sc.institution, 1, workflows.StageExternalEvaluation, 0),
				workflows.StageWorkflowID(sc.institution, 1, workflows.StagePublication, 0))
			for _, id := range stages {
				if err := saveHistory(ctx, s.Client, id, "", filepath.Join(dir, fileName(id)+".json")); err != nil {
					var missing *serviceerror.NotFound
					if errors.As(err, &missing) {
						continue // the stage never ran in this scenario
					}
					t.Errorf("%s: %s: %v", sc.name, id, err)
				}
			}
		}()
	}
	wg.Wait()
}

// chainRuns lists the runs of a workflow ID, oldest first: a cycle continues as new between
// its phases and into the next cycle.
func chainRuns(ctx context.Context, c client.Client, workflowID string) ([]string, error) {
	type run struct {
		id      string
		started time.Time
	}
	var runs []run
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowId = %q", workflowID), NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, e := range resp.GetExecutions() {
			runs = append(runs, run{e.GetExecution().GetRunId(), e.GetStartTime().AsTime()})
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].started.Before(runs[j].started) })
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.id
	}
	return ids, nil
}

func fileName(id string) string {
	parts := strings.Split(id, "/")
	return parts[len(parts)-1]
}

// saveHistory writes a closed run's history as the JSON the replayer reads.
func saveHistory(ctx context.Context, c client.Client, workflowID, runID, path string) error {
	iter := c.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
	hist := &historyWriter{}
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return err
		}
		hist.events = append(hist.events, event)
	}
	data, err := hist.json()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	if _, err := z.Write(data); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	return os.WriteFile(path+".gz", buf.Bytes(), 0o644)
}

type historyWriter struct{ events []*historypb.HistoryEvent }

func (h *historyWriter) json() ([]byte, error) {
	return temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: h.events})
}
