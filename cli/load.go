package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"golang.org/x/term"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning/synth"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// loadSecretariat is the national secretariat the load command adds to its generated
// registry (which has a secretariat per region only), so that one bulk start covers all.
const loadSecretariat = "P-LOAD"

// loadOptions are the flags of `starter load`.
type loadOptions struct {
	n, reviewers, concurrency, inFlight, pings, queries, overdueWeeks int
	dataDir, worker                                                   string
	rest, driveDay, timeout                                           time.Duration
	asJSON                                                            bool
}

// loadReport is what `starter load` measured; --json prints it as it is.
type loadReport struct {
	N             int     `json:"n"`
	Revision      string  `json:"revision,omitempty"`
	StartedAt     string  `json:"started_at"`
	LoadAtStart   string  `json:"load_average_at_start"`
	LoadAtEnd     string  `json:"load_average_at_end"`
	Worker        string  `json:"worker"`
	DataDir       string  `json:"data_dir"`
	Concurrency   int     `json:"concurrency"`
	InFlight      int     `json:"in_flight"`
	ImportSeconds float64 `json:"import_seconds"`

	PingWorkflows int     `json:"ping_workflows"`
	PingPerSecond float64 `json:"ping_per_second"`
	StartSeconds  float64 `json:"start_seconds"`
	StartPerSec   float64 `json:"cycles_open_per_second"`
	StartRatio    float64 `json:"start_to_ping_ratio"`

	RestingSampled   int     `json:"resting_cycles_sampled"`
	RestingParent    int     `json:"resting_parent_events_max"`
	RestingStage     int     `json:"resting_stage_events_max"`
	RestingTotalMax  int     `json:"resting_events_max"`
	RestingTotalMean float64 `json:"resting_events_mean"`

	OnTime  cycleEvents `json:"on_time_cycle"`
	Overdue overdueRate `json:"overdue_step"`

	Rest restSample `json:"rest"`

	Queries map[string]queryTimes `json:"tracking_queries"`

	Goals []goalResult `json:"goals"`
}

// queryTimes are the latencies of one tracking query run Runs times.
type queryTimes struct {
	Runs  int     `json:"runs"`
	Rows  int     `json:"rows"`
	P50ms float64 `json:"p50_ms"`
	P95ms float64 `json:"p95_ms"`
}

// goalResult is one figure of issue 13 next to its goal.
type goalResult struct {
	Figure string  `json:"figure"`
	Value  float64 `json:"value"`
	Goal   string  `json:"goal"`
	Pass   bool    `json:"pass"`
}

func (a *app) loadCommand() *cobra.Command {
	var o loadOptions
	cmd := &cobra.Command{
		Use:   "load --n N [--worker PATH] [--data-dir DIR]",
		Short: "Measure the service at scale: N cycles started and resting, against issue 13's goals",
		Long: `load measures a worker process under N cycles, and prints each figure next to its goal
(issue 13), with the machine's load average at the start and at the end:

  1. on a worker of its own with short days (--drive-day-length) and the compressed calendar
     of the demos: the events of one on-time cycle (a team that answers every step the day it
     opens, verdict 1; every run of the parent and every stage of cycle 1), and the events a
     week that a self-evaluation left overdue adds (counted from a week after its due date
     over --overdue-weeks weeks);
  2. on a fresh worker with real days: the ping baseline (--pings one-activity workflows from
     8 callers), then a generated registry of N institutions imported, and N cycles started
     with "cycle start --all --wait-open --concurrency C", timed until every one has its
     first step open;
  3. the N cycles left to rest for --rest while the worker's resident set (VmRSS) and CPU time
     (utime + stime) are read from /proc every second; then the events of up to 20 resting
     new cycles (parent and running stage);
  4. the tracking queries on the worker's store, --queries times each: the overdue list's
     first page, one institution's steps, the counts per region and step.

Each worker is the worker binary (--worker; default: "worker" beside this starter), run as a
child process on a data directory of its own under --data-dir, with the embedded Temporal
server and the web app on free loopback ports: what /proc says of it is the worker with its
embedded server, and nothing of this command. ACCREDIT_WORKER_* settings are passed on to it;
every other ACCREDIT_ and TEMPORAL_ setting is ignored, so a real worker is never touched.
--data-dir must not exist or be empty; without it a temporary directory is used and removed.
The figures are measurements, not a test: the command exits 0 when it measured everything,
whether or not each goal was met.`,
		Example: `  go build -o bin/ ./worker ./starter
  bin/starter load --n 10000
  bin/starter load --n 1000 --rest 30s --json > load.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			bin, err := loadWorkerBinary(o.worker)
			if err != nil {
				return err
			}
			dir, cleanup, err := loadDataDir(o.dataDir)
			if err != nil {
				return err
			}
			defer cleanup()
			ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
			defer cancel()
			rep, err := a.runLoad(ctx, o, bin, dir)
			if err != nil {
				return err
			}
			if o.asJSON {
				return a.printJSON(rep)
			}
			printLoadReport(a, rep)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.n, "n", 1000, "how many institutions, and cycles started")
	f.IntVar(&o.reviewers, "reviewers", 0, "reviewers and representatives in the generated registry (default 3 × N)")
	f.IntVar(&o.concurrency, "concurrency", 8, "how many cycles the bulk start starts at a time")
	f.IntVar(&o.inFlight, "in-flight", 200, "how many started cycles the bulk start lets wait for their first step (cycle start --in-flight; 0: no limit)")
	f.IntVar(&o.pings, "pings", 500, "how many ping workflows the baseline runs")
	f.IntVar(&o.queries, "queries", 200, "how many times each tracking query runs")
	f.IntVar(&o.overdueWeeks, "overdue-weeks", 4, "over how many weeks the overdue step's events are counted")
	f.StringVar(&o.dataDir, "data-dir", "", "a new or empty directory for the workers' data (default: a temporary directory, removed at the end)")
	f.StringVar(&o.worker, "worker", "", `the worker binary (default: "worker" in the directory of this starter)`)
	f.DurationVar(&o.rest, "rest", time.Minute, "how long the N cycles rest while the worker's RSS and CPU are sampled")
	f.DurationVar(&o.driveDay, "drive-day-length", 500*time.Millisecond, "the length of a day on the worker that drives the on-time and overdue cycles")
	f.DurationVar(&o.timeout, "timeout", 2*time.Hour, "give up after this long")
	f.BoolVar(&o.asJSON, "json", false, "print the figures as JSON")
	return cmd
}

func (o *loadOptions) check() error {
	switch {
	case o.n < 1:
		return rejected("--n must be at least 1, got %d", o.n)
	case o.n > 1_000_000:
		return rejected("--n is %d; at most 1,000,000 cycles", o.n)
	case o.reviewers < 0:
		return rejected("--reviewers must be 0 (3 × N) or more, got %d", o.reviewers)
	case o.concurrency < 1 || o.concurrency > 1000:
		return rejected("--concurrency must be from 1 to 1000, got %d", o.concurrency)
	case o.inFlight < 0 || o.inFlight > 100_000:
		return rejected("--in-flight must be from 0 (no limit) to 100000, got %d", o.inFlight)
	case o.pings < 1:
		return rejected("--pings must be at least 1, got %d", o.pings)
	case o.queries < 1:
		return rejected("--queries must be at least 1, got %d", o.queries)
	case o.overdueWeeks < 1 || o.overdueWeeks > 52:
		return rejected("--overdue-weeks must be from 1 to 52, got %d", o.overdueWeeks)
	case o.rest < time.Second:
		return rejected("--rest must be at least 1s, got %s", o.rest)
	case o.driveDay < 100*time.Millisecond || o.driveDay > time.Minute:
		return rejected("--drive-day-length must be from 100ms to 1m, got %s", o.driveDay)
	case o.timeout <= 0:
		return rejected("--timeout must be positive, got %s", o.timeout)
	}
	if o.reviewers == 0 {
		o.reviewers = 3 * o.n
	}
	return nil
}

// loadWorkerBinary finds the worker binary: the flag's, or "worker" beside this executable.
func loadWorkerBinary(flag string) (string, error) {
	bin := flag
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find this starter's directory: %w", err)
		}
		bin = filepath.Join(filepath.Dir(self), "worker")
	}
	fi, err := os.Stat(bin)
	if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", rejected("no worker binary at %s: build one with go build -o DIR/ ./worker ./starter and run DIR/starter load, or give --worker PATH", bin)
	}
	return filepath.Abs(bin)
}

// loadDataDir makes the data directory: the flag's (new, or existing and empty) or a
// temporary one, which cleanup removes.
func loadDataDir(flag string) (string, func(), error) {
	if flag == "" {
		dir, err := os.MkdirTemp("", "accredit-load-")
		if err != nil {
			return "", nil, err
		}
		return dir, func() { _ = os.RemoveAll(dir) }, nil
	}
	entries, err := os.ReadDir(flag)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(flag, 0o755); err != nil {
			return "", nil, fmt.Errorf("create --data-dir %s: %w", flag, err)
		}
	case err != nil:
		return "", nil, rejected("--data-dir %s cannot be used: %v; give a new or empty directory", flag, err)
	case len(entries) > 0:
		return "", nil, rejected("--data-dir %s is not empty: the load needs fresh data; give a new or empty directory", flag)
	}
	dir, err := filepath.Abs(flag)
	return dir, func() {}, err
}

// loadStarter runs the starter's own commands against a load worker, as an operator would;
// their stdout is returned, their progress goes to the load's stderr.
func (a *app) loadStarter(ctx context.Context, w *loadWorker, args ...string) (string, error) {
	var out bytes.Buffer
	sub := &app{stdout: &out, stderr: a.stderr, environ: w.env, now: time.Now}
	root := sub.rootCommand()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(a.stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		return out.String(), fmt.Errorf("starter %s: %w", args[0]+" "+args[1], err)
	}
	return out.String(), nil
}

// loadApp is an app configured for a load worker, for its Temporal client and store.
func loadApp(w *loadWorker) (*app, error) {
	cfg, err := config.Load(config.Source{Environ: w.env, KeepDataDir: true})
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, environ: w.env, now: time.Now}, nil
}

// waitReady pings the worker until it answers (its embedded server creates its database on
// the first start), or fails when the process exits.
func (a *app) waitReady(ctx context.Context, w *loadWorker) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		_, err := a.loadStarter(ctx, w, "ping", "--timeout", "10s")
		if err == nil {
			return nil
		}
		select {
		case <-w.exited:
			return w.failed()
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the worker did not answer a ping within 5 minutes: %w", err)
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
	}
}

// loadPeoplePerFile keeps each people file of the load's registry under the import's size
// limit (domain.MaxInputFileBytes, 4 MiB: about 115 bytes a generated person).
const loadPeoplePerFile = 15_000

// writeLoadRegistry generates a registry of n institutions (planning/synth, seed 1, as
// `starter registry generate` does) with a national secretariat added, and writes its CSVs:
// dir/institutions.csv, and the people in dir/people-1/people.csv, dir/people-2/... of at
// most loadPeoplePerFile each, the national secretariat first (the first people import is
// made by a secretariat person of its own file). It returns the registry and the people files.
func writeLoadRegistry(dir string, n, reviewers int) (synth.Registry, []string, error) {
	reg := synth.Generate(synth.Config{Institutions: n, Reviewers: reviewers, Seed: 1})
	reg.People = append([]store.Person{{ID: loadSecretariat, Name: "Belastning Prøve",
		Email: "belastning@example.dk", Role: domain.RoleSecretariat}}, reg.People...)
	if err := (synth.Registry{Institutions: reg.Institutions}).WriteCSV(dir); err != nil {
		return reg, nil, err
	}
	var files []string
	for i := 0; i < len(reg.People); i += loadPeoplePerFile {
		part := filepath.Join(dir, fmt.Sprintf("people-%d", len(files)+1))
		if err := (synth.Registry{People: reg.People[i:min(i+loadPeoplePerFile, len(reg.People))]}).WriteCSV(part); err != nil {
			return reg, nil, err
		}
		files = append(files, filepath.Join(part, "people.csv"))
	}
	return reg, files, nil
}

// importLoadRegistry imports the institutions, then each people file, through the starter's
// import commands.
func (a *app) importLoadRegistry(ctx context.Context, w *loadWorker, dir string, people []string) error {
	for _, file := range append([]string{filepath.Join(dir, "institutions.csv")}, people...) {
		what := "people"
		if filepath.Base(file) == "institutions.csv" {
			what = "institutions"
		}
		if _, err := a.loadStarter(ctx, w, what, "import", file, "--as", loadSecretariat); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) runLoad(ctx context.Context, o loadOptions, bin, dir string) (*loadReport, error) {
	rep := &loadReport{N: o.n, Worker: bin, DataDir: dir, Concurrency: o.concurrency, InFlight: o.inFlight, Revision: vcsRevision(),
		StartedAt: time.Now().UTC().Format(time.RFC3339), Queries: map[string]queryTimes{}}
	var err error
	if rep.LoadAtStart, err = loadAverage(); err != nil {
		return nil, err
	}
	a.loadf("load average %s; worker %s; data in %s", rep.LoadAtStart, bin, dir)

	// 1. The driven cycles, on a worker of their own with short days.
	if err := a.loadDriven(ctx, o, bin, filepath.Join(dir, "driven"), rep); err != nil {
		return nil, err
	}

	// 2. The ping baseline and the bulk start, on a fresh worker with real days.
	w, err := startLoadWorker(a.environ, bin, filepath.Join(dir, "cycles"))
	if err != nil {
		return nil, err
	}
	defer w.stop()
	if err := a.waitReady(ctx, w); err != nil {
		return nil, err
	}
	wa, err := loadApp(w)
	if err != nil {
		return nil, err
	}
	c, err := wa.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	a.loadf("ping baseline: %d workflows from 8 callers", o.pings)
	if rep.PingPerSecond, err = pingRate(ctx, c, wa.cfg.TaskQueue, o.pings); err != nil {
		return nil, err
	}
	rep.PingWorkflows = o.pings
	a.loadf("ping: %.1f workflows/s; generating and importing %d institutions and %d reviewers", rep.PingPerSecond, o.n, o.reviewers)
	regDir := filepath.Join(dir, "registry")
	started := time.Now()
	reg, people, err := writeLoadRegistry(regDir, o.n, o.reviewers)
	if err != nil {
		return nil, err
	}
	if err := a.importLoadRegistry(ctx, w, regDir, people); err != nil {
		return nil, err
	}
	rep.ImportSeconds = time.Since(started).Seconds()
	a.loadf("starting %d cycles, %d at a time, until each has its first step open", o.n, o.concurrency)
	started = time.Now()
	out, err := a.loadStarter(ctx, w, "cycle", "start", "--all", "--as", loadSecretariat, "--json",
		"--concurrency", fmt.Sprint(o.concurrency), "--in-flight", fmt.Sprint(o.inFlight), "--wait-open")
	if err != nil {
		return nil, err
	}
	rep.StartSeconds = time.Since(started).Seconds()
	var results []startResult
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		return nil, fmt.Errorf("read the bulk start's results: %w", err)
	}
	if len(results) != o.n {
		return nil, fmt.Errorf("the bulk start reported %d cycles, want %d", len(results), o.n)
	}
	rep.StartPerSec = float64(o.n) / rep.StartSeconds
	rep.StartRatio = rep.StartPerSec / rep.PingPerSecond

	// 3. At rest: the worker's memory and CPU, then the events of resting cycles.
	a.loadf("%d cycles open in %.1f s (%.1f/s); resting for %s", o.n, rep.StartSeconds, rep.StartPerSec, o.rest)
	if rep.Rest, err = sampleRest(ctx, w.pid(), o.rest); err != nil {
		return nil, err
	}
	cc := cycles.New(c, cycles.Options{TaskQueue: wa.cfg.TaskQueue})
	sample := min(20, len(reg.Institutions))
	total := 0
	for i := range sample {
		inst := reg.Institutions[i*len(reg.Institutions)/sample].ID
		parent, stage, err := restingEvents(ctx, cc, inst)
		if err != nil {
			return nil, err
		}
		rep.RestingParent = max(rep.RestingParent, parent)
		rep.RestingStage = max(rep.RestingStage, stage)
		rep.RestingTotalMax = max(rep.RestingTotalMax, parent+stage)
		total += parent + stage
	}
	rep.RestingSampled = sample
	rep.RestingTotalMean = float64(total) / float64(sample)

	// 4. The tracking queries, on the worker's store.
	a.loadf("tracking queries, %d runs each", o.queries)
	if err := trackingTimes(ctx, wa, reg.Institutions[len(reg.Institutions)/2].ID, o.queries, rep.Queries); err != nil {
		return nil, err
	}
	select {
	case <-w.exited:
		return nil, w.failed()
	default:
	}
	if rep.LoadAtEnd, err = loadAverage(); err != nil {
		return nil, err
	}
	rep.Goals = loadGoals(rep)
	return rep, nil
}

// loadDriven runs the on-time cycle and the overdue step side by side on a worker with short
// days and the demos' compressed calendar (self-evaluations a week apart, a month's cycle,
// three weeks to answer an invitation), and counts their events.
func (a *app) loadDriven(ctx context.Context, o loadOptions, bin, dir string, rep *loadReport) error {
	w, err := startLoadWorker(a.environ, bin, dir, "ACCREDIT_DAY_LENGTH="+o.driveDay.String(),
		"ACCREDIT_SELF_EVALUATION_INTERVAL=1w", "ACCREDIT_CYCLE_LENGTH=1mo", "ACCREDIT_INVITATION_ANSWER=3w")
	if err != nil {
		return err
	}
	defer w.stop()
	if err := a.waitReady(ctx, w); err != nil {
		return err
	}
	regDir := filepath.Join(dir, "registry")
	reg, people, err := writeLoadRegistry(regDir, 50, 300)
	if err != nil {
		return err
	}
	if err := a.importLoadRegistry(ctx, w, regDir, people); err != nil {
		return err
	}
	onTime, late := reg.Institutions[0].ID, reg.Institutions[1].ID
	manager := ""
	for _, p := range reg.People {
		if p.Role == domain.RoleInstitutionManager && p.HomeInstitution == onTime {
			manager = p.ID
		}
	}
	for _, inst := range []string{onTime, late} {
		if _, err := a.loadStarter(ctx, w, "cycle", "start", "--institution", inst, "--as", loadSecretariat); err != nil {
			return err
		}
	}
	wa, err := loadApp(w)
	if err != nil {
		return err
	}
	cc, done, err := wa.cyclesClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	a.loadf("driving %s through an on-time cycle and leaving the self-evaluation of %s overdue (a day is %s)", onTime, late, o.driveDay)
	poll := max(o.driveDay/3, 100*time.Millisecond)
	var wg sync.WaitGroup
	var driveErr, overdueErr error
	started := time.Now()
	wg.Go(func() {
		driveErr = onTimeDriver{cc: cc, inst: onTime, manager: manager, poll: poll}.run(ctx)
		if driveErr == nil {
			rep.OnTime, driveErr = countCycle1(ctx, cc.Temporal(), onTime)
			rep.OnTime.DriveSecond = time.Since(started).Seconds()
		}
	})
	wg.Go(func() { rep.Overdue, overdueErr = measureOverdue(ctx, cc, late, o.overdueWeeks, poll) })
	wg.Wait()
	if err := errors.Join(driveErr, overdueErr); err != nil {
		select {
		case <-w.exited:
			return errors.Join(err, w.failed())
		default:
		}
		return err
	}
	return nil
}

// pingRate runs n ping workflows (one activity that reads the store) from 8 callers, as
// BenchmarkPingRoundTrip does, and returns how many finished a second.
func pingRate(ctx context.Context, c client.Client, taskQueue string, n int) (float64, error) {
	var next atomic.Int64
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	prefix := workflows.PingIDPrefix + "load-" + time.Now().UTC().Format("20060102T150405") + "-"
	started := time.Now()
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprint(prefix, i), TaskQueue: taskQueue,
					WorkflowExecutionTimeout: time.Minute}, workflows.PingWorkflowName, workflows.PingRequest{Message: "load"})
				if err == nil {
					err = run.Get(ctx, nil)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return 0, fmt.Errorf("ping baseline: %w", errs[0])
	}
	return float64(n) / time.Since(started).Seconds(), nil
}

// trackingTimes runs the three tracking queries of the dashboard and `starter steps list`
// on the worker's store, runs times each, and records their p50 and p95.
func trackingTimes(ctx context.Context, wa *app, inst string, runs int, into map[string]queryTimes) error {
	st, err := wa.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	queries := []struct {
		name string
		run  func() (int, error)
	}{
		{"overdue-first-page", func() (int, error) {
			rows, err := st.OpenSteps(ctx, store.StepFilter{Overdue: true, Limit: 50})
			return len(rows), err
		}},
		{"open-first-page", func() (int, error) {
			rows, err := st.OpenSteps(ctx, store.StepFilter{Limit: 50})
			return len(rows), err
		}},
		{"one-institution", func() (int, error) {
			rows, err := st.OpenSteps(ctx, store.StepFilter{InstitutionID: inst})
			return len(rows), err
		}},
		{"region-counts", func() (int, error) {
			rows, err := st.OpenStepCounts(ctx)
			return len(rows), err
		}},
	}
	for _, q := range queries {
		took := make([]time.Duration, 0, runs)
		rows := 0
		for range runs {
			start := time.Now()
			n, err := q.run()
			if err != nil {
				return fmt.Errorf("tracking query %s: %w", q.name, err)
			}
			took = append(took, time.Since(start))
			rows = n
		}
		slices.Sort(took)
		into[q.name] = queryTimes{Runs: runs, Rows: rows, P50ms: ms(took[len(took)/2]), P95ms: ms(took[len(took)*95/100])}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadGoals sets each figure beside issue 13's goal for it.
func loadGoals(r *loadReport) []goalResult {
	g := []goalResult{
		{"cycles brought to their first open step, × the ping rate", r.StartRatio, "≥ 0.8", r.StartRatio >= 0.8},
		{"events of a resting new cycle (parent + stage, largest sampled)", float64(r.RestingTotalMax), "≤ 30", r.RestingTotalMax <= 30},
		{"events of an on-time cycle (cycle 1, every run and stage)", float64(r.OnTime.Total), "≤ 350", r.OnTime.Total <= 350},
		{"events a week of a step left overdue", r.Overdue.PerWeek, "≤ 5", r.Overdue.PerWeek <= 5},
		{fmt.Sprintf("worker RSS with %d cycles resting, MB (peak)", r.N), r.Rest.RSSMaxMB, "< 500", r.Rest.RSSMaxMB < 500},
		{fmt.Sprintf("worker CPU with %d cycles resting, %% of one core", r.N), r.Rest.CPUPercent, "< 2", r.Rest.CPUPercent < 2},
	}
	for _, name := range []string{"overdue-first-page", "one-institution", "region-counts"} {
		q := r.Queries[name]
		g = append(g, goalResult{"tracking query " + name + ", p95 ms", q.P95ms, "< 20", q.P95ms < 20})
	}
	return g
}

func printLoadReport(a *app, r *loadReport) {
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	rev := r.Revision
	if rev == "" {
		rev = "not recorded by the build"
	}
	fmt.Fprintf(w, "starter load --n %d (revision %s, started %s)\n", r.N, rev, r.StartedAt)
	fmt.Fprintf(w, "machine load average (1, 5, 15 min): %s at the start, %s at the end\n\n", r.LoadAtStart, r.LoadAtEnd)
	fmt.Fprintf(w, "figure\tvalue\tgoal\t\n")
	for _, g := range r.Goals {
		verdict := "pass"
		if !g.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", g.Figure, trimFloat(g.Value), g.Goal, verdict)
	}
	_ = w.Flush()
	fmt.Fprintln(a.stdout)
	fmt.Fprintf(a.stdout, "ping baseline: %d workflows, %.1f/s\n", r.PingWorkflows, r.PingPerSecond)
	fmt.Fprintf(a.stdout, "bulk start: %d cycles open in %.1f s, %.1f/s (concurrency %d, in flight %d); registry generated and imported in %.1f s\n",
		r.N, r.StartSeconds, r.StartPerSec, r.Concurrency, r.InFlight, r.ImportSeconds)
	fmt.Fprintf(a.stdout, "resting new cycles: %d sampled, parent up to %d events, stage up to %d, total mean %.1f\n",
		r.RestingSampled, r.RestingParent, r.RestingStage, r.RestingTotalMean)
	fmt.Fprintf(a.stdout, "on-time cycle: %d events, parent %d (%d runs), stages:", r.OnTime.Total, r.OnTime.Parent, r.OnTime.ParentRuns)
	ids := make([]string, 0, len(r.OnTime.Stages))
	for id := range r.OnTime.Stages {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(a.stdout, " %s %d", id, r.OnTime.Stages[id])
	}
	fmt.Fprintf(a.stdout, "; driven in %.0f s\n", r.OnTime.DriveSecond)
	fmt.Fprintf(a.stdout, "overdue step: %d → %d events over %.1f weeks\n", r.Overdue.EventsBefore, r.Overdue.EventsAfter, r.Overdue.Weeks)
	fmt.Fprintf(a.stdout, "at rest: %.0f s, %d samples, RSS peak %.1f MB, last %.1f MB, CPU %.2f %% of one core\n",
		r.Rest.Seconds, r.Rest.Samples, r.Rest.RSSMaxMB, r.Rest.RSSLastMB, r.Rest.CPUPercent)
	for _, name := range []string{"overdue-first-page", "open-first-page", "one-institution", "region-counts"} {
		q := r.Queries[name]
		fmt.Fprintf(a.stdout, "tracking query %s: %d rows, p50 %.2f ms, p95 %.2f ms (%d runs)\n", name, q.Rows, q.P50ms, q.P95ms, q.Runs)
	}
}

func trimFloat(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

// loadf reports a phase of the load on stderr when that is a terminal (as the bulk start's
// progress does), so that a failure's stderr is its one error line.
func (a *app) loadf(format string, args ...any) {
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(a.stderr, "load: "+format+"\n", args...)
	}
}
