package chaos_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// action is one human action a scripted person takes on an open step: an update and its
// payload.
type action struct {
	update  string
	payload any
}

// play decides what a person does about an open step now; nil means "not yet".
type play func(stage *workflows.StageStatus, st workflows.StepRecord) *action

// persona is a scripted institution and team.
type persona struct {
	name  string
	plays map[string]play
}

// calendar is what the plays need to know of the worker's configuration.
type calendar struct {
	visitNotice, revisitNotice int // days
	lateBy                     int // days after the due date the late persona acts
}

// personas are the people of the chaos run: on time, late, declining, verdict 3. Each
// cycle gets one, in turn.
func personas(cal calendar) []persona {
	onTime := func(verdict domain.Verdict) map[string]play {
		return map[string]play{
			workflows.StepSelfEvaluation: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation(st.HolderID)}
			},
			workflows.StepInvitation: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{Action: workflows.Action{Actor: st.HolderID}, Accept: true}}
			},
			workflows.StepVisitDate:   setDate(cal.visitNotice + 2),
			workflows.StepRevisitDate: setDate(cal.revisitNotice + 2),
			workflows.StepVisit:       recordWhenDue,
			workflows.StepRevisit:     recordWhenDue,
			workflows.StepReport: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateSubmitReport, fixture.Report(st.HolderID, verdict)}
			},
			workflows.StepRevisitReport: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateSubmitReport, fixture.Report(st.HolderID, domain.VerdictSomeAreas)}
			},
			workflows.StepActionPlan: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateSubmitActionPlan, workflows.ActionPlan{Action: workflows.Action{Actor: st.HolderID},
					Plan: "Handleplaner revideres kvartalsvis.", Areas: []string{"5.1"}}}
			},
		}
	}
	late := func(p play) play {
		return func(stage *workflows.StageStatus, st workflows.StepRecord) *action {
			if today(stage).Before(st.Due.AddDays(cal.lateBy)) {
				return nil
			}
			return p(stage, st)
		}
	}
	with := func(base map[string]play, over map[string]play) map[string]play {
		out := map[string]play{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range over {
			out[k] = v
		}
		return out
	}

	latePlays := onTime(domain.VerdictSomeAreas)
	firstSelfEvaluation := latePlays[workflows.StepSelfEvaluation]
	latePlays[workflows.StepSelfEvaluation] = func(stage *workflows.StageStatus, st workflows.StepRecord) *action {
		if stage.Year == 1 {
			return late(firstSelfEvaluation)(stage, st)
		}
		return firstSelfEvaluation(stage, st)
	}
	latePlays[workflows.StepReport] = late(latePlays[workflows.StepReport])
	latePlays[workflows.StepActionPlan] = late(latePlays[workflows.StepActionPlan])

	return []persona{
		{name: "on-time", plays: onTime(domain.VerdictMeets)},
		{name: "late", plays: latePlays},
		{name: "declining", plays: with(onTime(domain.VerdictSomeAreas), map[string]play{
			// The first person invited to the lead and the professional seats declines.
			workflows.StepInvitation: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				accept := !(st.Key == "invitation/lead/1" || st.Key == "invitation/professional/1")
				return &action{workflows.UpdateAnswerInvitation, workflows.InvitationAnswer{Action: workflows.Action{Actor: st.HolderID},
					Accept: accept, Reason: "på kursus i den periode"}}
			},
			workflows.StepHearing: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateCommentReport, workflows.Comment{Action: workflows.Action{Actor: st.HolderID},
					Text: "Antallet af pladser er 40, ikke 36."}}
			},
		})},
		{name: "verdict-3", plays: with(onTime(domain.VerdictImportantAreas), map[string]play{
			workflows.StepAppealWindow: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateAppeal, workflows.Appeal{Action: workflows.Action{Actor: st.HolderID},
					Reason: "Rapporten overser vores dokumentation."}}
			},
			workflows.StepAppealDecision: func(_ *workflows.StageStatus, st workflows.StepRecord) *action {
				return &action{workflows.UpdateDecide, workflows.Decision{Action: workflows.Action{Actor: st.HolderID},
					Reason: "Afgjort på baggrund af rapporten og institutionens bemærkninger."}}
			},
		})},
	}
}

func setDate(ahead int) play {
	return func(stage *workflows.StageStatus, st workflows.StepRecord) *action {
		return &action{workflows.UpdateSetVisitDate, workflows.VisitDate{Action: workflows.Action{Actor: st.HolderID},
			Date: today(stage).AddDays(ahead)}}
	}
}

// recordWhenDue records the visit on its day; before that the step waits.
func recordWhenDue(stage *workflows.StageStatus, st workflows.StepRecord) *action {
	date := stage.Visit
	if st.Key == workflows.StepRevisit {
		date = stage.Revisit
	}
	if date.IsZero() || today(stage).Before(date) {
		return nil
	}
	return &action{workflows.UpdateRecordVisit, workflows.VisitRecord{Action: workflows.Action{Actor: st.HolderID},
		Notes: "Interview med ledelse, medarbejdere, beboere og pårørende."}}
}

// today is the stage's calendar date now.
func today(stage *workflows.StageStatus) domain.Date { return stage.Clock.DateAt(time.Now()) }

// ack is a human action that the workflow acknowledged: the update completed without error.
type ack struct {
	institution string
	stage       string // stage workflow ID
	step        string
	update      string
	updateID    string
	actor       string
	accept      bool // for answers
	documents   []workflows.DocumentRef
	at          time.Time
}

// ledger keeps what the drivers did: every acknowledged action, and counters.
type ledger struct {
	mu   sync.Mutex
	acks []ack
	// attempted counts, per institution and update name, the distinct actions sent (whatever
	// became of them): the store may hold no more submissions than that.
	attempted map[string]int

	transient, rejected, unknown atomic.Int64
}

func newLedger() *ledger { return &ledger{attempted: map[string]int{}} }

func (l *ledger) add(a ack) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, a)
}

func (l *ledger) tried(inst, update string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempted[inst+" "+update]++
}

func (l *ledger) all() []ack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ack(nil), l.acks...)
}

// cycleRun is one institution's cycle under chaos.
type cycleRun struct {
	institution string
	persona     persona
	started     time.Time
	// done is set when the cycle has continued into cycle 2.
	done     atomic.Bool
	finished time.Time
	// rng jitters the polls of this cycle's driver.
	rng func() float64
	// where is the last status seen, for the report of a cycle that did not finish.
	mu    sync.Mutex
	where string
}

func (r *cycleRun) setWhere(s string) {
	r.mu.Lock()
	r.where = s
	r.mu.Unlock()
}

func (r *cycleRun) lastSeen() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.where
}

// driver drives cycles through whatever incarnation of the worker is up.
type driver struct {
	t      *testing.T
	conn   *conn
	ledger *ledger
	poll   time.Duration
}

// outcome of sending one action.
type outcome int

const (
	acknowledged outcome = iota
	refused              // a validator (or the handler) said no: the step moved on, or the calendar turned
	stageClosed          // the stage workflow is gone: whatever the first attempt did is unknown
)

// drive polls one cycle and acts on its open steps until it continues into cycle 2 or ctx
// ends. Connection errors (the worker being down) are waited out.
func (d *driver) drive(ctx context.Context, r *cycleRun) {
	acted := map[string]bool{}
	refusals := map[string]int{}
	for {
		jitter := time.Duration(float64(d.poll) * (0.75 + 0.5*r.rng()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(jitter):
		}
		cycle, stage, err := d.status(ctx, r.institution)
		if err != nil {
			d.ledger.transient.Add(1)
			continue
		}
		if cycle.Number > 1 {
			r.finished = time.Now()
			r.done.Store(true)
			r.setWhere(fmt.Sprintf("cycle %d, %s", cycle.Number, cycle.Stage))
			return
		}
		if stage == nil {
			r.setWhere(fmt.Sprintf("cycle %d, %s, no stage running", cycle.Number, cycle.Stage))
			continue
		}
		polled := time.Now()
		var open []string
		for _, st := range stage.Steps {
			if st.Status != workflows.StepOpen {
				continue
			}
			open = append(open, st.Key)
			// The year tells a cycle's self-evaluations apart: it runs them itself.
			key := fmt.Sprintf("%s/%d/%s", stage.WorkflowID, stage.Year, st.Key)
			if acted[key] || time.Since(polled) > 2*d.poll {
				// Done already, or the status is stale: a send waited for the worker to
				// come back, and the stage may have moved on meanwhile.
				continue
			}
			kind, _, _ := strings.Cut(st.Key, "/")
			p, ok := r.persona.plays[kind]
			if !ok {
				continue
			}
			a := p(stage, st)
			if a == nil {
				continue
			}
			base := strings.NewReplacer("/", ".").Replace(fmt.Sprintf("chaos-%s-%s", key, a.update))
			if refusals[key] == 0 {
				d.ledger.tried(r.institution, a.update)
			}
			id := fmt.Sprintf("%s-r%d", base, refusals[key])
			out, why, err := d.send(ctx, r.institution, stage.WorkflowID, st.Key, id, *a)
			switch {
			case err != nil: // ctx ended
				return
			case out == refused:
				refusals[key]++
				if refusals[key] == 1 || refusals[key]%50 == 0 {
					d.t.Logf("%s: %s on %s refused (%d): %s", r.institution, a.update, key, refusals[key], why)
				}
			default:
				acted[key] = true
			}
		}
		r.setWhere(fmt.Sprintf("cycle %d, %s, open: %s", cycle.Number, stage.WorkflowID, strings.Join(open, ", ")))
	}
}

// status queries the cycle and, while a stage runs, the stage.
func (d *driver) status(ctx context.Context, inst string) (workflows.CycleStatus, *workflows.StageStatus, error) {
	var cycle workflows.CycleStatus
	c, err := d.conn.get(ctx)
	if err != nil {
		return cycle, nil, err
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(qctx, workflows.CycleWorkflowID(inst), "", workflows.QueryStatus)
	if err != nil {
		return cycle, nil, err
	}
	if err := v.Get(&cycle); err != nil {
		return cycle, nil, err
	}
	if cycle.ActiveWorkflowID == "" {
		return cycle, nil, nil
	}
	v, err = c.QueryWorkflow(qctx, cycle.ActiveWorkflowID, "", workflows.StageStatusQuery(cycle.ActiveWorkflowID))
	if err != nil {
		return cycle, nil, err
	}
	var stage workflows.StageStatus
	if err := v.Get(&stage); err != nil {
		return cycle, nil, err
	}
	return cycle, &stage, nil
}

// send delivers one action as an update with a fixed ID, and sends it again, with the same
// ID, for as long as the answer is lost to the worker being killed: the server keeps one
// outcome per update ID, so a resent update is never applied twice, and the test learns
// what became of the first attempt. It returns the reason of a refusal; the error is only
// ctx's.
func (d *driver) send(ctx context.Context, inst, stageID, step, updateID string, a action) (outcome, string, error) {
	for {
		c, err := d.conn.get(ctx)
		if err != nil {
			return 0, "", err
		}
		uctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		var result json.RawMessage
		h, err := c.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{UpdateID: updateID, WorkflowID: stageID,
			UpdateName: a.update, Args: []any{a.payload}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(uctx, &result)
		}
		cancel()
		var appErr *temporal.ApplicationError
		var notFound *serviceerror.NotFound
		switch {
		case err == nil:
			rec := ack{institution: inst, stage: stageID, step: step, update: a.update, updateID: updateID,
				actor: actorOf(a.payload), at: time.Now()}
			if ans, ok := a.payload.(workflows.InvitationAnswer); ok {
				rec.accept = ans.Accept
			}
			var docs struct {
				Documents []workflows.DocumentRef `json:"documents"`
			}
			if json.Unmarshal(result, &docs) == nil {
				rec.documents = docs.Documents
			}
			d.ledger.add(rec)
			return acknowledged, "", nil
		case errors.As(err, &appErr):
			d.ledger.rejected.Add(1)
			return refused, appErr.Error(), nil
		case errors.As(err, &notFound):
			d.ledger.unknown.Add(1)
			d.t.Logf("%s: %s on %s (update %s): the stage is gone, the outcome is unknown: %v", inst, a.update, step, updateID, err)
			return stageClosed, "", nil
		case ctx.Err() != nil:
			return 0, "", ctx.Err()
		}
		// The worker is down or restarting: wait and send the same update again.
		d.ledger.transient.Add(1)
		select {
		case <-ctx.Done():
			return 0, "", ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func actorOf(payload any) string {
	b, err := json.Marshal(payload)
	if err != nil {
		return ""
	}
	var a workflows.Action
	_ = json.Unmarshal(b, &a)
	return a.Actor
}

// jittered returns a function giving uniform numbers in [0, 1) from its own generator, safe
// for one goroutine.
func jittered(seed uint64) func() float64 {
	r := rand.New(rand.NewPCG(seed, 0x6368616f73))
	return r.Float64
}
