package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadMeasuresEveryFigure runs `starter load` at a tiny N against a worker binary built
// from this module, and checks that it measured every figure of issue 13 and that each is
// a sensible one (speeds and event counts above zero, a whole on-time cycle with all its
// stages, a resident worker).
func TestLoadMeasuresEveryFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the worker and runs two of them with their embedded Temporal servers")
	}
	bin := filepath.Join(t.TempDir(), "worker")
	build := exec.Command("go", "build", "-o", bin, "../worker")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ../worker: %v\n%s", err, out)
	}
	dataDir := filepath.Join(t.TempDir(), "load")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	code := Main(ctx, []string{"load", "--n", "20", "--rest", "3s", "--pings", "20", "--queries", "20",
		"--overdue-weeks", "1", "--drive-day-length", "300ms", "--worker", bin, "--data-dir", dataDir, "--json"},
		&stdout, &stderr, []string{"ACCREDIT_WORKER_CACHE_SIZE=50"})
	if code != ExitOK {
		t.Fatalf("starter load: exit %d\nstderr: %s", code, stderr.String())
	}
	var rep loadReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout.String())
	}
	if rep.N != 20 || rep.LoadAtStart == "" || rep.LoadAtEnd == "" || rep.DataDir != dataDir {
		t.Errorf("n %d, load averages %q and %q, data dir %q", rep.N, rep.LoadAtStart, rep.LoadAtEnd, rep.DataDir)
	}
	if rep.PingWorkflows != 20 || rep.PingPerSecond <= 0 || rep.StartPerSec <= 0 || rep.StartRatio <= 0 {
		t.Errorf("ping %d at %.2f/s, cycles %.2f/s (ratio %.2f): want every rate above 0",
			rep.PingWorkflows, rep.PingPerSecond, rep.StartPerSec, rep.StartRatio)
	}
	// The cycle runs its first self-evaluation itself: no stage of its own.
	if rep.RestingSampled != 20 || rep.RestingParent <= 0 || rep.RestingStage != 0 ||
		rep.RestingTotalMax > rep.RestingParent+rep.RestingStage || float64(rep.RestingTotalMax) < rep.RestingTotalMean {
		t.Errorf("resting cycles: %d sampled, parent %d, stage %d, max %d", rep.RestingSampled, rep.RestingParent, rep.RestingStage, rep.RestingTotalMax)
	}
	// The on-time cycle: the parent, which runs the three self-evaluations, the external
	// evaluation and the publication; the whole is larger than a resting new cycle.
	if len(rep.OnTime.Stages) != 2 || rep.OnTime.ParentRuns < 1 || rep.OnTime.Parent <= 0 || rep.OnTime.Total <= rep.RestingTotalMax {
		t.Errorf("on-time cycle: %+v", rep.OnTime)
	}
	sum := rep.OnTime.Parent
	for id, n := range rep.OnTime.Stages {
		if n <= 0 {
			t.Errorf("on-time cycle: stage %s has %d events", id, n)
		}
		sum += n
	}
	if sum != rep.OnTime.Total {
		t.Errorf("on-time cycle: parts add up to %d, total %d", sum, rep.OnTime.Total)
	}
	if rep.Overdue.Weeks < 1 || rep.Overdue.EventsAfter <= rep.Overdue.EventsBefore || rep.Overdue.PerWeek <= 0 {
		t.Errorf("overdue step: %+v; want events added over at least a week", rep.Overdue)
	}
	if rep.Rest.Samples < 3 || rep.Rest.Seconds < 2 || rep.Rest.RSSMaxMB < 10 || rep.Rest.RSSLastMB <= 0 || rep.Rest.CPUPercent < 0 {
		t.Errorf("at rest: %+v", rep.Rest)
	}
	for name, rows := range map[string]int{"overdue-first-page": 0, "open-first-page": 20, "one-institution": 1, "region-counts": -1} {
		q, ok := rep.Queries[name]
		if !ok || q.Runs != 20 || q.P95ms <= 0 || q.P50ms > q.P95ms || (rows >= 0 && q.Rows != rows) || (rows < 0 && q.Rows < 1) {
			t.Errorf("tracking query %s: %+v (ok %v); want 20 runs and %d rows", name, q, ok, rows)
		}
	}
	if len(rep.Goals) != 9 {
		t.Errorf("%d goals, want 9: %+v", len(rep.Goals), rep.Goals)
	}
	// The workers' data stays in the given directory, one per worker.
	for _, sub := range []string{"driven", "driven/registry/people-1", "cycles", "registry/people-1"} {
		if fi, err := os.Stat(filepath.Join(dataDir, sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s: %v", sub, err)
		}
	}

	// The table prints every figure beside its goal, and the breakdowns.
	var table bytes.Buffer
	printLoadReport(&app{stdout: &table}, &rep)
	for _, g := range rep.Goals {
		if !strings.Contains(table.String(), g.Figure) {
			t.Errorf("the table lacks %q:\n%s", g.Figure, table.String())
		}
	}
	for _, want := range []string{"machine load average", rep.LoadAtStart, "ping baseline: 20 workflows", "bulk start: 20 cycles",
		"on-time cycle:", "overdue step:", "at rest:", "tracking query region-counts"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
}

// TestLoadGoalsJudgeEachFigure: each figure passes on its side of the goal and fails on the
// other.
func TestLoadGoalsJudgeEachFigure(t *testing.T) {
	good := &loadReport{N: 10, StartRatio: 0.8, RestingTotalMax: 30, OnTime: cycleEvents{Total: 350},
		Overdue: overdueRate{PerWeek: 5}, Rest: restSample{RSSMaxMB: 499, CPUPercent: 1.9},
		Queries: map[string]queryTimes{"overdue-first-page": {P95ms: 19}, "one-institution": {P95ms: 1}, "region-counts": {P95ms: 2}}}
	for _, g := range loadGoals(good) {
		if !g.Pass {
			t.Errorf("%s = %v against %s: fails, want pass", g.Figure, g.Value, g.Goal)
		}
	}
	bad := &loadReport{N: 10, StartRatio: 0.79, RestingTotalMax: 31, OnTime: cycleEvents{Total: 351},
		Overdue: overdueRate{PerWeek: 5.1}, Rest: restSample{RSSMaxMB: 500, CPUPercent: 2},
		Queries: map[string]queryTimes{"overdue-first-page": {P95ms: 20}, "one-institution": {P95ms: 25}, "region-counts": {P95ms: 20}}}
	for _, g := range loadGoals(bad) {
		if g.Pass {
			t.Errorf("%s = %v against %s: passes, want fail", g.Figure, g.Value, g.Goal)
		}
	}
}

// TestReadProcOfThisProcess reads this test's own /proc entries: a resident set and CPU time
// that grow as it works.
func TestReadProcOfThisProcess(t *testing.T) {
	before, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	burn := make([]byte, 64<<20)
	for i := range burn {
		burn[i] = byte(i)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		burn[x%len(burn)]++
	}
	after, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after.rssBytes < 64<<20 || after.rssBytes <= before.rssBytes {
		t.Errorf("RSS %d → %d bytes after touching 64 MiB", before.rssBytes, after.rssBytes)
	}
	if after.cpuTicks <= before.cpuTicks {
		t.Errorf("CPU ticks %d → %d after 300 ms of work", before.cpuTicks, after.cpuTicks)
	}
	if _, err := readProc(1 << 30); err == nil {
		t.Error("a process that does not exist: no error")
	}
}
