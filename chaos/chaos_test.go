package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/planning/synth"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// params are the knobs of a chaos run (see doc.go).
type params struct {
	cycles, kills int
	seed          uint64
	timeout       time.Duration
	day           time.Duration
	killEvery     time.Duration
	settle        time.Duration
	dataDir       string
}

func loadParams(t *testing.T) params {
	t.Helper()
	p := params{cycles: 10, kills: 5, seed: uint64(time.Now().UnixNano()), timeout: 150 * time.Second,
		day: 400 * time.Millisecond, settle: 45 * time.Second, dataDir: os.Getenv("CHAOS_DATA_DIR")}
	ints := map[string]*int{"CHAOS_CYCLES": &p.cycles, "CHAOS_KILLS": &p.kills}
	for name, dst := range ints {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				t.Fatalf("%s=%q: want a whole number", name, v)
			}
			*dst = n
		}
	}
	if v := os.Getenv("CHAOS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED=%q: want a whole number", v)
		}
		p.seed = n
	}
	durations := map[string]*time.Duration{"CHAOS_TIMEOUT": &p.timeout, "CHAOS_DAY": &p.day,
		"CHAOS_KILL_EVERY": &p.killEvery, "CHAOS_SETTLE": &p.settle}
	for name, dst := range durations {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				t.Fatalf("%s=%q: want a duration such as 90s", name, v)
			}
			*dst = d
		}
	}
	if p.cycles < 1 {
		t.Fatal("CHAOS_CYCLES must be at least 1")
	}
	if p.killEvery == 0 {
		// Spread the kills over about the time a cycle takes (60 days of the compressed
		// calendar and the time the worker is down), so that they fall in every stage.
		p.killEvery = max(2*time.Second, 80*p.day/time.Duration(p.kills+1))
	}
	return p
}

// The compressed calendar of the run: self-evaluations a week apart, a cycle of a month,
// shorter windows, so that the slowest persona's cycle runs in about 60 days.
const (
	visitNotice   = 10 // ACCREDIT_VISIT_NOTICE
	revisitNotice = 10 // ACCREDIT_REVISIT_NOTICE
	lateBy        = 2  // days after the due date the late persona acts
)

func calendarSettings(dataDir, addr, httpAddr string, day time.Duration) []string {
	return []string{
		"ACCREDIT_DATA_DIR=" + dataDir,
		"ACCREDIT_EMBEDDED_TEMPORAL_ADDR=" + addr,
		"ACCREDIT_HTTP_ADDR=" + httpAddr,
		"ACCREDIT_DAY_LENGTH=" + day.String(),
		"ACCREDIT_LOG_LEVEL=info",
		"ACCREDIT_CAPACITY_PER_YEAR=10",
		"ACCREDIT_SELF_EVALUATION_INTERVAL=1w",
		"ACCREDIT_CYCLE_LENGTH=1mo",
		"ACCREDIT_INVITATION_ANSWER=3w",
		"ACCREDIT_SELF_EVALUATION_DUE=2w",
		"ACCREDIT_VISIT_NOTICE=" + strconv.Itoa(visitNotice) + "d",
		"ACCREDIT_REVISIT_NOTICE=" + strconv.Itoa(revisitNotice) + "d",
		"ACCREDIT_REPORT_DUE=10d",
		"ACCREDIT_HEARING_PERIOD=1w",
		"ACCREDIT_APPEAL_WINDOW=10d",
		"ACCREDIT_ACTION_PLAN_DUE=2w",
		"TEMPORAL_CONFIG_FILE=" + os.DevNull,
	}
}

// TestChaos runs cycles on a worker process that is killed with SIGKILL K times, and checks
// that nothing was lost, duplicated or left stuck.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the worker and runs cycles on it for minutes")
	}
	p := loadParams(t)
	wall := time.Now()
	t.Logf("chaos: CHAOS_CYCLES=%d CHAOS_KILLS=%d CHAOS_SEED=%d CHAOS_TIMEOUT=%s CHAOS_DAY=%s CHAOS_KILL_EVERY=%s",
		p.cycles, p.kills, p.seed, p.timeout, p.day, p.killEvery)
	rng := rand.New(rand.NewPCG(p.seed, p.seed^0x9e3779b97f4a7c15))

	tmp := t.TempDir()
	dataDir := p.dataDir
	if dataDir == "" {
		dataDir = filepath.Join(tmp, "data")
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	settings := calendarSettings(dataDir, addr, fmt.Sprintf("127.0.0.1:%d", freePort(t)), p.day)
	cfg, err := config.Load(config.Source{Environ: settings})
	if err != nil {
		t.Fatalf("the chaos configuration: %v", err)
	}
	ctx := context.Background()
	institutions, starter := prepareRegistry(t, store.Location{Path: cfg.StorePath()}, p.cycles, filepath.Join(tmp, "registry"))
	bin := buildWorker(t, tmp)

	proc := &process{bin: bin, env: workerEnv(settings), logPath: filepath.Join(dataDir, "worker.log")}
	k := newConn(addr, cfg.Namespace())
	defer func() {
		k.close()
		proc.stop()
		if t.Failed() {
			t.Logf("worker log (last lines of %s):\n%s", proc.logPath, proc.tail(60))
		}
	}()
	if err := proc.start(); err != nil {
		t.Fatal(err)
	}
	if err := proc.waitReady(ctx, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := k.dial(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("worker ready at %s after %s (data in %s)", addr, time.Since(wall).Round(100*time.Millisecond), dataDir)
	driveStart := time.Now()

	// Start the cycles a little apart, so the kills find them in different stages, and
	// drive each with its persona.
	driveCtx, stopDriving := context.WithTimeout(ctx, p.timeout)
	defer stopDriving()
	led := newLedger()
	drv := &driver{t: t, conn: k, ledger: led, poll: max(p.day, time.Duration(p.cycles)*25*time.Millisecond)}
	people := personas(calendar{visitNotice: visitNotice, revisitNotice: revisitNotice, lateBy: lateBy})
	runs := make([]*cycleRun, len(institutions))
	stagger := 20 * p.day / time.Duration(len(institutions))
	var wg sync.WaitGroup
	for i, inst := range institutions {
		runs[i] = &cycleRun{institution: inst, persona: people[i%len(people)], rng: jittered(p.seed + uint64(i) + 1)}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, r := range runs {
			if i > 0 {
				select {
				case <-driveCtx.Done():
					return
				case <-time.After(stagger):
				}
			}
			if err := startCycle(driveCtx, k, cfg.TaskQueue, r.institution, starter); err != nil {
				t.Errorf("start the cycle of %s: %v", r.institution, err)
				return
			}
			r.started = time.Now()
			wg.Add(1)
			go func() {
				defer wg.Done()
				drv.drive(driveCtx, r)
			}()
		}
	}()
	allDone := func() bool {
		for _, r := range runs {
			if !r.done.Load() {
				return false
			}
		}
		return true
	}

	// Kill the worker at random moments and restart it on the same data directory.
	var kills, restarts int
	var downtimes []time.Duration
	for kills < p.kills {
		mean := p.killEvery
		if allDone() {
			mean = 2 * time.Second // the rest of the kills hit the cycles that continued
		}
		gap := time.Duration(float64(mean) * (0.2 + 1.6*rng.Float64()))
		select {
		case <-driveCtx.Done():
		case <-time.After(gap):
		}
		if driveCtx.Err() != nil {
			break
		}
		killed := time.Now()
		pid := proc.pid()
		proc.kill()
		k.down()
		kills++
		if err := restart(ctx, proc, k); err != nil {
			t.Fatalf("kill %d: the worker did not come back: %v", kills, err)
		}
		restarts++
		downtimes = append(downtimes, time.Since(killed))
		t.Logf("kill %d/%d at +%s (pid %d, %d/%d cycles done): back in %s", kills, p.kills,
			time.Since(wall).Round(100*time.Millisecond), pid, countDone(runs), len(runs), time.Since(killed).Round(100*time.Millisecond))
	}
	for !allDone() && driveCtx.Err() == nil {
		select {
		case <-driveCtx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	driven := time.Since(driveStart)
	stopDriving()
	wg.Wait()

	// The figures and the invariants.
	f := figures{started: countStarted(runs), completed: countDone(runs), kills: kills, restarts: restarts,
		acknowledged: len(led.all()), transient: int(led.transient.Load()), refused: int(led.rejected.Load()),
		unknown: int(led.unknown.Load())}
	f.byUpdate = countByUpdate(led.all())
	for _, r := range runs {
		if !r.done.Load() {
			t.Errorf("%s (%s) did not reach publication and cycle 2 within %s: last seen %s", r.institution, r.persona.name, p.timeout, r.lastSeen())
		}
	}
	if kills < p.kills {
		t.Errorf("only %d of %d kills happened within %s", kills, p.kills, p.timeout)
	}
	f.stuck = checkTemporal(ctx, t, k, p.settle)
	k.close()
	proc.stop()
	f.duplicates, f.lost = checkStore(ctx, t, store.Location{Path: cfg.StorePath()}, runs, led)
	f.wall = time.Since(wall)
	f.driven = driven
	slices.Sort(downtimes)
	if len(downtimes) > 0 {
		f.downMedian, f.downMax = downtimes[len(downtimes)/2], downtimes[len(downtimes)-1]
	}
	t.Log(f.table(p, runs))
	t.Log(f.summary(p))
	fmt.Println(f.summary(p))
}

// restart starts a new incarnation of the worker after a kill and waits until it answers;
// a start that fails is tried again twice (each failure is logged by the caller's error).
func restart(ctx context.Context, proc *process, k *conn) error {
	var errs []error
	for range 3 {
		if err := proc.start(); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := proc.waitReady(ctx, 3*time.Minute); err != nil {
			errs = append(errs, err)
			proc.kill()
			continue
		}
		return k.dial(ctx)
	}
	return errors.Join(errs...)
}

// startCycle starts an institution's first cycle, through restarts of the worker: a start
// whose answer was lost finds the cycle already running, which is what it wanted.
func startCycle(ctx context.Context, k *conn, taskQueue, inst, starter string) error {
	for {
		c, err := k.get(ctx)
		if err != nil {
			return err
		}
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		_, err = c.ExecuteWorkflow(sctx, client.StartWorkflowOptions{ID: workflows.CycleWorkflowID(inst), TaskQueue: taskQueue},
			workflows.CycleWorkflowName, workflows.CycleInput{InstitutionID: inst, Number: 1,
				StartDate: domain.DateOf(time.Now()), StartedBy: starter})
		cancel()
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if err == nil || errors.As(err, &started) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// prepareRegistry seeds the domain store at loc with a registry before the worker opens it: the
// example registry when it has enough institutions, otherwise a generated one of n
// institutions (planning/synth, seed 1, four reviewers per institution). It returns n
// institutions that have a manager, spread over the regions, and a secretariat person
// (national, when there is one) to start the cycles as.
func prepareRegistry(t *testing.T, loc store.Location, n int, dir string) ([]string, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if n <= 40 {
		fixture.ExampleRegistry(t, st)
	} else {
		reg := synth.Generate(synth.Config{Institutions: n, Reviewers: 4 * n, Seed: 1})
		if err := reg.WriteCSV(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := registry.ImportInstitutions(ctx, st, filepath.Join(dir, "institutions.csv")); err != nil {
			t.Fatal(err)
		}
		if _, err := registry.ImportPeople(ctx, st, filepath.Join(dir, "people.csv"), domain.DateOf(time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := st.DB().SelectContext(ctx, &ids, `SELECT i.id FROM institutions i WHERE EXISTS (SELECT 1 FROM people p
		WHERE p.role = 'institution-manager' AND p.home_institution = i.id) ORDER BY i.id`); err != nil {
		t.Fatal(err)
	}
	if len(ids) < n {
		t.Fatalf("the registry has %d institutions with a manager, fewer than the %d cycles asked for", len(ids), n)
	}
	picked := make([]string, n)
	for i := range picked {
		picked[i] = ids[i*len(ids)/n]
	}
	secretariat, err := st.PeopleIDs(ctx, domain.RoleSecretariat, "", true)
	if err == nil && len(secretariat) == 0 {
		// A generated registry has regional secretariats only.
		secretariat, err = st.PeopleIDs(ctx, domain.RoleSecretariat, "", false)
	}
	if err != nil || len(secretariat) == 0 {
		t.Fatalf("the registry has no secretariat (%v)", err)
	}
	return picked, secretariat[0]
}

func countDone(runs []*cycleRun) int {
	n := 0
	for _, r := range runs {
		if r.done.Load() {
			n++
		}
	}
	return n
}

func countStarted(runs []*cycleRun) int {
	n := 0
	for _, r := range runs {
		if !r.started.IsZero() {
			n++
		}
	}
	return n
}

// figures are what a chaos run reports.
type figures struct {
	started, completed, kills, restarts int
	acknowledged, transient, refused    int
	unknown, duplicates, lost, stuck    int
	wall, driven, downMedian, downMax   time.Duration
	byUpdate                            string
}

func (f figures) summary(p params) string {
	return fmt.Sprintf("chaos: seed=%d cycles started=%d completed=%d kills survived=%d/%d restarts=%d acknowledged=%d duplicates=%d lost=%d stuck=%d wall=%s",
		p.seed, f.started, f.completed, f.kills, p.kills, f.restarts, f.acknowledged, f.duplicates, f.lost, f.stuck, f.wall.Round(time.Second))
}

func (f figures) table(p params, runs []*cycleRun) string {
	var slowest time.Duration
	var total time.Duration
	for _, r := range runs {
		if r.done.Load() {
			d := r.finished.Sub(r.started)
			total += d
			slowest = max(slowest, d)
		}
	}
	mean := time.Duration(0)
	if f.completed > 0 {
		mean = total / time.Duration(f.completed)
	}
	return fmt.Sprintf(`chaos figures
  cycles started / completed (publication, then cycle 2): %d / %d
  cycle duration, mean / slowest:                         %s / %s (day %s)
  kills (SIGKILL) survived / asked:                       %d / %d
  restarts:                                               %d, down for median %s, at most %s
  actions acknowledged:                                   %d (%s)
  calls failed (worker down) / refused / stage gone:      %d / %d / %d
  duplicates:                                             %d
  lost:                                                   %d
  stuck:                                                  %d
  driving / wall time:                                    %s / %s`,
		f.started, f.completed, mean.Round(100*time.Millisecond), slowest.Round(100*time.Millisecond), p.day,
		f.kills, p.kills, f.restarts, f.downMedian.Round(100*time.Millisecond), f.downMax.Round(100*time.Millisecond),
		f.acknowledged, f.byUpdate, f.transient, f.refused, f.unknown, f.duplicates, f.lost, f.stuck,
		f.driven.Round(time.Second), f.wall.Round(time.Second))
}

// countByUpdate says how many actions of each kind were acknowledged.
func countByUpdate(acks []ack) string {
	n := map[string]int{}
	declined := 0
	for _, a := range acks {
		n[a.update]++
		if a.update == workflows.UpdateAnswerInvitation && !a.accept {
			declined++
		}
	}
	var parts []string
	for _, u := range slices.Sorted(maps.Keys(n)) {
		part := fmt.Sprintf("%s %d", u, n[u])
		if u == workflows.UpdateAnswerInvitation {
			part += fmt.Sprintf(", %d declined", declined)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}
