package chaos_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/embedded"
	"github.com/kvalitetsmodel/accredit/internal/pgtest"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Replicas run: how many cycles, the day's length, and the bound on driving them. A cycle
// of the compressed calendar takes about 60 days; eight cycles give each persona two.
const (
	replicaCycles  = 8
	replicaDay     = 400 * time.Millisecond
	replicaTimeout = 150 * time.Second
	replicaSettle  = 45 * time.Second
)

// TestReplicas is issue 14's point 2: two worker processes (the worker binary, in cluster
// mode) share one Temporal server whose persistence is PostgreSQL (Temporal's own plugin and
// schema, in this process) and one domain store on PostgreSQL. Cycles are driven through
// both; once both have completed tasks, one is killed with SIGKILL while the cycles run, and
// the other finishes them alone. Then every cycle reached publication and its second cycle,
// both workers did work and the killed one none after its death, and nothing was written or
// delivered twice: the read model, the audit trail, the outbox (checkStore, as in TestChaos)
// and the notifications the two dispatchers delivered. Without PostgreSQL it is skipped, and
// fails in CI (internal/pgtest).
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the worker and runs cycles on two of them")
	}
	historiesURL, visibilityURL, storeURL := pgtest.Database(t), pgtest.Database(t), pgtest.Database(t)
	wall := time.Now()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CHAOS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED=%q: want a whole number", v)
		}
		seed = n
	}
	t.Logf("replicas: %d cycles, day %s, CHAOS_SEED=%d", replicaCycles, replicaDay, seed)
	ctx := context.Background()
	tmp := t.TempDir()

	// The Temporal server, on PostgreSQL, in this process.
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	settings := func(name string) []string {
		dir := filepath.Join(tmp, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		return append(calendarSettings(dir, fmt.Sprintf("127.0.0.1:%d", freePort(t)), fmt.Sprintf("127.0.0.1:%d", freePort(t)), replicaDay),
			"TEMPORAL_ADDRESS="+addr, "ACCREDIT_DATABASE_URL="+storeURL)
	}
	envs := [2][]string{settings("worker-a"), settings("worker-b")}
	cfg, err := config.Load(config.Source{Environ: envs[0]})
	if err != nil {
		t.Fatalf("the workers' configuration: %v", err)
	}
	if cfg.Embedded() {
		t.Fatal("the workers' configuration names no Temporal cluster")
	}
	serverLog := filepath.Join(tmp, "temporal.log")
	logf, err := os.Create(serverLog)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logf.Close() }()
	started := time.Now()
	srv, err := embedded.Start(ctx, embedded.Options{Address: addr, Namespace: cfg.Namespace(), Retention: cfg.Retention,
		SearchAttributes: workflows.SearchAttributes(), Logger: slog.New(slog.NewTextHandler(logf, nil)),
		PostgreSQL: &embedded.PostgreSQL{URL: historiesURL, VisibilityURL: visibilityURL}})
	if err != nil {
		t.Fatalf("start Temporal on PostgreSQL: %v", err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Logf("the Temporal server did not stop cleanly: %v", err)
		}
	}()
	t.Logf("Temporal on PostgreSQL ready at %s in %s", addr, time.Since(started).Round(100*time.Millisecond))

	institutions, starter := prepareRegistry(t, store.Location{URL: storeURL}, replicaCycles, filepath.Join(tmp, "registry"))
	bin := buildWorker(t, tmp)

	// The two replicas, started together: the same binary, configuration, store and cluster.
	procs := [2]*process{}
	for i, env := range envs {
		procs[i] = &process{bin: bin, env: workerEnv(env), logPath: filepath.Join(tmp, fmt.Sprintf("worker-%c.log", 'a'+i))}
	}
	k := newConn(addr, cfg.Namespace())
	defer func() {
		k.close()
		for _, p := range procs {
			p.stop()
		}
		if t.Failed() {
			for _, p := range procs {
				t.Logf("worker log (last lines of %s):\n%s", p.logPath, p.tail(40))
			}
			t.Logf("Temporal server log (last lines of %s):\n%s", serverLog, (&process{logPath: serverLog}).tail(20))
		}
	}()
	for _, p := range procs {
		if err := p.start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range procs {
		if err := p.waitReady(ctx, 3*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.dial(ctx); err != nil {
		t.Fatal(err)
	}
	pids := [2]int{procs[0].pid(), procs[1].pid()}
	t.Logf("workers ready (pids %d and %d) after %s", pids[0], pids[1], time.Since(wall).Round(100*time.Millisecond))

	driveCtx, stopDriving := context.WithTimeout(ctx, replicaTimeout)
	defer stopDriving()
	led := newLedger()
	drv := &driver{t: t, conn: k, ledger: led, poll: max(replicaDay, replicaCycles*25*time.Millisecond)}
	people := personas(calendar{visitNotice: visitNotice, revisitNotice: revisitNotice, lateBy: lateBy})
	runs := make([]*cycleRun, len(institutions))
	for i, inst := range institutions {
		runs[i] = &cycleRun{institution: inst, persona: people[i%len(people)], rng: jittered(seed + uint64(i) + 1)}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, r := range runs {
			if i > 0 {
				select {
				case <-driveCtx.Done():
					return
				case <-time.After(10 * replicaDay / replicaCycles):
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

	// Kill worker A as soon as both have completed tasks, while the cycles run.
	c, err := k.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var killedAt time.Time
	for killedAt.IsZero() && driveCtx.Err() == nil {
		select {
		case <-driveCtx.Done():
			continue
		case <-time.After(2 * time.Second):
		}
		done, err := tasksBy(driveCtx, c, pids, time.Now())
		if err != nil {
			t.Logf("reading who did what: %v", err)
			continue
		}
		// Killed once both have completed tasks and A's dispatcher has delivered too, so both
		// dispatchers are seen at work; on a loaded machine A's first delivery can come after
		// its first tasks.
		delivered, err := deliveries(procs[0].logPath)
		if err != nil {
			t.Logf("reading worker A's deliveries: %v", err)
			continue
		}
		if done.before[0] > 0 && done.before[1] > 0 && len(delivered) > 0 {
			killedAt = time.Now()
			procs[0].kill()
			t.Logf("killed worker A (pid %d) at +%s with SIGKILL, %d/%d cycles done; so far A completed %d tasks, B %d",
				pids[0], time.Since(wall).Round(100*time.Millisecond), countDone(runs), len(runs), done.before[0], done.before[1])
			if countDone(runs) == len(runs) {
				t.Error("every cycle was done before the kill: it did not happen mid-run")
			}
		}
	}
	if killedAt.IsZero() {
		t.Fatalf("both workers never completed a task within %s", replicaTimeout)
	}
	for countDone(runs) < len(runs) && driveCtx.Err() == nil {
		select {
		case <-driveCtx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	driven := time.Since(killedAt)
	stopDriving()
	wg.Wait()

	for _, r := range runs {
		if !r.done.Load() {
			t.Errorf("%s (%s) did not reach publication and cycle 2 within %s: last seen %s", r.institution, r.persona.name, replicaTimeout, r.lastSeen())
		}
	}
	stuck := checkTemporal(ctx, t, k, replicaSettle)

	// Who did the work: both workers before the kill, the survivor after it, and the dead one
	// nothing after it.
	// A completion the killed worker sent just before SIGKILL may be recorded a moment after.
	done, err := tasksBy(ctx, c, pids, killedAt.Add(time.Second))
	if err != nil {
		t.Fatalf("reading who did what: %v", err)
	}
	t.Logf("tasks completed: A %d before the kill, %d after; B %d before, %d after; by neither: %d (%s)",
		done.before[0], done.after[0], done.before[1], done.after[1], done.other, strings.Join(done.others, ", "))
	switch {
	case done.before[0] == 0 || done.before[1] == 0:
		t.Errorf("before the kill, A completed %d tasks and B %d: both should have worked", done.before[0], done.before[1])
	case done.after[0] > 0:
		t.Errorf("the killed worker A completed %d tasks after its death", done.after[0])
	case done.after[1] == 0:
		t.Error("worker B completed no task after A was killed, yet the cycles finished")
	case done.other > 0:
		t.Errorf("%d tasks were completed by workers other than A and B: %s", done.other, strings.Join(done.others, ", "))
	}

	k.close()
	stoppedAt := time.Now()
	procs[1].stop()
	duplicates, lost := checkStore(ctx, t, store.Location{URL: storeURL}, runs, led)
	delivered := checkDeliveries(ctx, t, storeURL, procs, pids[0], killedAt, stoppedAt)
	t.Logf("replicas: cycles completed=%d/%d acknowledged=%d duplicates=%d lost=%d stuck=%d notifications delivered=%d; A killed at +%s, B drove alone for %s; wall %s",
		countDone(runs), len(runs), len(led.all()), duplicates, lost, stuck, delivered,
		killedAt.Sub(wall).Round(time.Second), driven.Round(time.Second), time.Since(wall).Round(time.Second))
}

// work is what tasksBy found: per worker, the workflow and activity tasks it completed
// before and after a moment, and the tasks completed by any other identity.
type work struct {
	before, after [2]int
	other         int
	others        []string
}

// tasksBy reads the history of every workflow on the server and counts the workflow and
// activity tasks completed by each of the two workers, which the SDK's default identity
// ("pid@host@") names by process ID.
func tasksBy(ctx context.Context, c client.Client, pids [2]int, at time.Time) (work, error) {
	var w work
	seen := map[string]bool{}
	count := func(identity string, when time.Time) {
		for i, pid := range pids {
			if strings.HasPrefix(identity, strconv.Itoa(pid)+"@") {
				if when.Before(at) {
					w.before[i]++
				} else {
					w.after[i]++
				}
				return
			}
		}
		w.other++
		if !seen[identity] {
			seen[identity] = true
			w.others = append(w.others, identity)
		}
	}
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{NextPageToken: token, PageSize: 1000})
		if err != nil {
			return w, fmt.Errorf("list workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			it := c.GetWorkflowHistory(ctx, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId(), false,
				enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					return w, fmt.Errorf("history of %s: %w", e.GetExecution().GetWorkflowId(), err)
				}
				switch ev.GetEventType() {
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
					count(ev.GetWorkflowTaskCompletedEventAttributes().GetIdentity(), ev.GetEventTime().AsTime())
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
					count(ev.GetActivityTaskCompletedEventAttributes().GetIdentity(), ev.GetEventTime().AsTime())
				}
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return w, nil
		}
	}
}

// notificationLine is a notification a dispatcher without Slack delivered: it writes it to
// the worker's log (notify.Dispatcher.attempt).
var notificationLine = regexp.MustCompile(`^time=(\S+) level=INFO msg=notification id=("(?:[^"\\]|\\.)*"|\S+) `)

// deliveries reads the notifications a worker's log says it delivered, with when.
func deliveries(path string) (map[string][]time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	out := map[string][]time.Time{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		m := notificationLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			return nil, fmt.Errorf("%s: a notification logged at %q", path, m[1])
		}
		id := m[2]
		if strings.HasPrefix(id, `"`) {
			if id, err = strconv.Unquote(id); err != nil {
				return nil, fmt.Errorf("%s: notification id %s: %w", path, m[2], err)
			}
		}
		out[id] = append(out[id], at)
	}
	return out, sc.Err()
}

// checkDeliveries checks the two dispatchers against the outbox: both delivered, no
// notification was delivered twice, and every row was delivered, or waits for its time, or
// was queued in B's last seconds (the cycles' second rounds keep escalating), or is still
// leased by the killed worker (whose rows another dispatcher takes over when the
// lease expires, minutes later). The one duplicate allowed is a row the killed worker had
// logged in its last second, before it could record it: delivery is at least once. It
// returns how many notifications were delivered.
func checkDeliveries(ctx context.Context, t *testing.T, storeURL string, procs [2]*process, killedPid int, killedAt, stoppedAt time.Time) int {
	t.Helper()
	var logged [2]map[string][]time.Time
	for i, p := range procs {
		var err error
		if logged[i], err = deliveries(p.logPath); err != nil {
			t.Errorf("read the deliveries of worker %c: %v", 'A'+i, err)
			return 0
		}
	}
	if len(logged[0]) == 0 || len(logged[1]) == 0 {
		t.Errorf("the dispatchers delivered %d and %d notifications: both should have", len(logged[0]), len(logged[1]))
	}
	st, err := store.Open(ctx, store.Location{URL: storeURL})
	if err != nil {
		t.Errorf("open the domain store: %v", err)
		return 0
	}
	defer func() { _ = st.Close() }()
	var rows []struct {
		ID     string    `db:"id"`
		Status string    `db:"status"`
		Owner  string    `db:"lease_owner"`
		Leader string    `db:"leader_id"`
		Next   int64     `db:"next_attempt_ms"`
		Queued time.Time `db:"created_at"`
	}
	if err := st.DB().SelectContext(ctx, &rows, `SELECT id, status, lease_owner, leader_id, next_attempt_ms, created_at FROM outbox`); err != nil {
		t.Fatal(err)
	}
	inOutbox := map[string]bool{}
	for _, r := range rows {
		inOutbox[r.ID] = true
	}
	deadOwner := fmt.Sprintf("-%d-", killedPid)
	delivered := 0
	for _, r := range rows {
		times := append(append([]time.Time(nil), logged[0][r.ID]...), logged[1][r.ID]...)
		delivered += min(len(times), 1)
		switch {
		case len(times) > 2 || len(logged[1][r.ID]) > 1:
			t.Errorf("notification %s was delivered %d times (A %d, B %d)", r.ID, len(times), len(logged[0][r.ID]), len(logged[1][r.ID]))
		case len(times) == 2 && !(len(logged[0][r.ID]) == 1 && killedAt.Sub(logged[0][r.ID][0]) < time.Second):
			t.Errorf("notification %s was delivered by both workers (A at %s, B at %s)", r.ID,
				logged[0][r.ID][0].Format(time.StampMilli), logged[1][r.ID][0].Format(time.StampMilli))
		case len(times) == 2:
			t.Logf("notification %s: the killed worker logged it %s before its death, and B delivered it again", r.ID,
				killedAt.Sub(logged[0][r.ID][0]).Round(time.Millisecond))
		}
		switch {
		case r.Leader != "":
			// A row sharing its leader's channel message is never claimed: it is finished with
			// the leader, whose row is checked.
		case r.Status == store.OutboxLogged:
		case r.Status == store.OutboxSending:
			if !strings.Contains(r.Owner, deadOwner) {
				t.Errorf("notification %s is still being sent by %s, not by the killed worker", r.ID, r.Owner)
			}
		case r.Status == store.OutboxQueued:
			// The dispatcher looks every second; a loaded machine gets ten.
			if due := max(r.Queued.UnixMilli(), r.Next); due <= stoppedAt.UnixMilli()-10_000 {
				t.Errorf("notification %s was due %s before the last worker stopped and is still queued", r.ID,
					time.Duration(stoppedAt.UnixMilli()-due)*time.Millisecond)
			}
		default:
			t.Errorf("notification %s is %s", r.ID, r.Status)
		}
	}
	for i, m := range logged {
		for id := range m {
			if !inOutbox[id] {
				t.Errorf("worker %c delivered %s, which is not in the outbox", 'A'+i, id)
			}
		}
	}
	t.Logf("outbox: %d rows; the dispatchers delivered %d (A) and %d (B)", len(rows), len(logged[0]), len(logged[1]))
	return delivered
}
