package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/service"
)

// The starter's exit codes (issue 9, point 9): a refusal of the request exits 2 (a bad flag
// or file, an unknown ID, the registry's or a workflow validator's refusal) and a failure 1
// (Temporal unreachable, no worker answering in time, a store that cannot be read).

// upEnviron runs the worker with its embedded Temporal server on a fresh data directory, with
// short days so that a cycle reaches its external evaluation in seconds and long invitations
// so that they stay open, and imports the example registry through the starter.
func upEnviron(t *testing.T) []string {
	t.Helper()
	env := fixture.EmbeddedEnviron(t, "ACCREDIT_DAY_LENGTH=200ms")
	startShortDayService(t, env)
	for _, what := range []string{"institutions", "people"} {
		mustStart(t, env, what, "import", filepath.Join("..", "examples", what+".csv"), "--as", nationalSecretariat)
	}
	return env
}

// startShortDayService runs the worker on env's data directory with the short calendar the
// starter's tests drive (a week between self-evaluations, a month's cycle), and returns a
// function that stops it (once; the test's cleanup stops it otherwise).
func startShortDayService(t *testing.T, env []string) (*service.Service, func()) {
	t.Helper()
	cfg, err := config.Load(config.Source{Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Cycle.SelfEvaluationInterval = domain.Period{Weeks: 1}
	cfg.Cycle.CycleLength = domain.Period{Months: 1}
	cfg.Cycle.InvitationAnswer = domain.Period{Weeks: 52}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := service.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("start service: %v", err)
	}
	var once sync.Once
	stop := func() { once.Do(s.Stop) }
	t.Cleanup(stop)
	return s, stop
}

func mustStart(t *testing.T, env []string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runStarter(t, env, args...)
	if code != ExitOK {
		t.Fatalf("starter %s: exit %d: %s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// brokenStoreEnviron is a data directory whose domain store is not a database.
func brokenStoreEnviron(t *testing.T) []string {
	t.Helper()
	env := testEnviron(t)
	cfg, err := config.Load(config.Source{Environ: env, KeepDataDir: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.StorePath(), []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestExitCodes runs a refusal and a failure of every command family: a refusal exits 2, a
// failure 1, and both say so on one line.
func TestExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	up := upEnviron(t)
	down := importedExamples(t)
	broken := brokenStoreEnviron(t)
	plan := writeFile(t, "plan.txt", "Kompetenceplan for alle medarbejdere")
	offScale := writeFile(t, "offscale.json", `{"ratings": {"1.1": 7, "2.1": 0}}`)
	selfEval := filepath.Join("..", "examples", "selfevaluation.json")
	report := filepath.Join("..", "examples", "report.json")
	const (
		manager = "P-001"
		secr    = "P-131"
	)

	// H-01's cycle runs into its external evaluation: year 1 submitted, years 2 and 3 waived.
	mustStart(t, up, "cycle", "start", "--institution", "H-01", "--as", secr)
	mustStart(t, up, "cycle", "wait", "H-01", "--step", "self-evaluation", "--timeout", "1m")
	mustStart(t, up, "selfeval", "submit", "H-01", "--file", selfEval, "--as", manager)
	for year := 2; year <= 3; year++ {
		waitForYear(t, up, year)
		mustStart(t, up, "step", "waive", "H-01", "--step", "self-evaluation", "--reason", "Ombygning", "--as", secr)
	}
	out := mustStart(t, up, "cycle", "wait", "H-01", "--step", "invitation/lead", "--timeout", "1m", "--json")
	lead := between(out, `"holder_id": "`, `"`)
	if lead == "" {
		t.Fatalf("no lead invited: %s", out)
	}
	visitDate := domain.DateOf(time.Now()).AddDays(400).String()

	cases := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		// Failures: Temporal down, no worker answering in time, a store that is no database.
		{"ping, Temporal down", down, []string{"ping"}, ExitFailure, "could not reach Temporal"},
		{"cycle start, Temporal down", down, []string{"cycle", "start", "--institution", "H-02", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"cycle status, Temporal down", down, []string{"cycle", "status", "H-01"}, ExitFailure, "could not reach Temporal"},
		{"cycle wait, Temporal down", down, []string{"cycle", "wait", "H-01", "--step", "report"}, ExitFailure, "could not reach Temporal"},
		{"cycle wait, the step does not open in time", up, []string{"cycle", "wait", "H-01", "--step", "appeal-window", "--timeout", "300ms"}, ExitFailure, "did not open within 300ms"},
		{"cycle cancel, Temporal down", down, []string{"cycle", "cancel", "H-01", "--reason", "x", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"selfeval submit, Temporal down", down, []string{"selfeval", "submit", "H-01", "--file", selfEval, "--as", manager}, ExitFailure, "could not reach Temporal"},
		{"selfeval template, broken store", broken, []string{"selfeval", "template", "H-01"}, ExitFailure, ""},
		{"assignment accept, Temporal down", down, []string{"assignment", "accept", "H-01", "--as", lead}, ExitFailure, "could not reach Temporal"},
		{"assignment assign, Temporal down", down, []string{"assignment", "assign", "H-01", "--seat", "lead", "--person", "P-061", "--reason", "x", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"visit set, Temporal down", down, []string{"visit", "set", "H-01", "--date", visitDate, "--as", lead}, ExitFailure, "could not reach Temporal"},
		{"visit record, Temporal down", down, []string{"visit", "record", "H-01", "--as", lead}, ExitFailure, "could not reach Temporal"},
		{"report submit, Temporal down", down, []string{"report", "submit", "H-01", "--file", report, "--as", lead}, ExitFailure, "could not reach Temporal"},
		{"report comment, Temporal down", down, []string{"report", "comment", "H-01", "--text", "x", "--as", manager}, ExitFailure, "could not reach Temporal"},
		{"actionplan submit, Temporal down", down, []string{"actionplan", "submit", "H-01", "--file", plan, "--as", manager}, ExitFailure, "could not reach Temporal"},
		{"appeal lodge, Temporal down", down, []string{"appeal", "lodge", "H-01", "--reason", "x", "--as", manager}, ExitFailure, "could not reach Temporal"},
		{"decide, Temporal down", down, []string{"decide", "H-01", "--uphold", "--reason", "x", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"deadline extend, Temporal down", down, []string{"deadline", "extend", "H-01", "--step", "report", "--to", visitDate, "--reason", "x", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"step waive, Temporal down", down, []string{"step", "waive", "H-01", "--step", "hearing", "--reason", "x", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"institutions close, Temporal down", down, []string{"institutions", "close", "H-03", "--on", "2026-01-01", "--reason", "x", "--as", secr}, ExitFailure, "could not reach Temporal"},
		{"institutions list, broken store", broken, []string{"institutions", "list"}, ExitFailure, ""},
		{"institutions import, broken store", broken, []string{"institutions", "import", exampleInstitutions, "--as", secr}, ExitFailure, ""},
		{"people list, broken store", broken, []string{"people", "list"}, ExitFailure, ""},
		{"reviewers propose, broken store", broken, []string{"reviewers", "propose", "--institution", "H-01"}, ExitFailure, ""},
		{"registry generate, unwritable directory", testEnviron(t), []string{"registry", "generate", "--institutions", "2", "--reviewers", "2", "--out", filepath.Join(plan, "sub")}, ExitFailure, ""},
		{"load, the worker exits at once", testEnviron(t), []string{"load", "--n", "1", "--worker", "/bin/false"}, ExitFailure, "the worker exited"},
		{"steps list, broken store", broken, []string{"steps", "list"}, ExitFailure, ""},
		{"audit, broken store", broken, []string{"audit", "H-01"}, ExitFailure, ""},
		{"publications list, broken store", broken, []string{"publications", "list"}, ExitFailure, ""},
		{"outbox list, broken store", broken, []string{"outbox", "list"}, ExitFailure, ""},
		{"catalogue show, broken store", broken, []string{"catalogue", "show"}, ExitFailure, ""},
		{"backup, broken store", append(slices.Clone(broken), "TEMPORAL_ADDRESS=127.0.0.1:1"), []string{"backup", "--out", filepath.Join(t.TempDir(), "b")}, ExitFailure, "not a database"},

		// Refusals: flags, IDs, the registry, and the workflow's validators.
		{"ping, bad flag", up, []string{"ping", "--timeout", "0s"}, ExitRejected, "--timeout must be positive"},
		{"unknown command", up, []string{"cycles"}, ExitRejected, "unknown command"},
		{"unknown flag", up, []string{"cycle", "status", "H-01", "--bogus"}, ExitRejected, "unknown flag"},
		{"cycle start, already running", up, []string{"cycle", "start", "--institution", "H-01", "--as", secr}, ExitRejected, "already running"},
		{"cycle start, bad --in-flight", up, []string{"cycle", "start", "--region", "hovedstaden", "--in-flight", "-1", "--as", secr}, ExitRejected, "--in-flight is -1"},
		{"cycle start, not the secretariat", up, []string{"cycle", "start", "--institution", "H-02", "--as", manager}, ExitRejected, manager},
		{"cycle status, no cycle", up, []string{"cycle", "status", "H-02"}, ExitRejected, "no cycle has been started for H-02"},
		{"cycle status, unknown institution", up, []string{"cycle", "status", "H-99"}, ExitRejected, "not in the registry"},
		{"cycle wait, no cycle", up, []string{"cycle", "wait", "H-02", "--step", "report"}, ExitRejected, "no cycle has been started for H-02"},
		{"cycle cancel, not the secretariat", up, []string{"cycle", "cancel", "H-01", "--reason", "Lukket", "--as", manager}, ExitRejected, "only the secretariat cancels cycles"},
		{"cycle cancel, no reason", up, []string{"cycle", "cancel", "H-01", "--as", secr}, ExitRejected, "give the reason for cancelling"},
		{"selfeval submit, off the scale, in the external evaluation", up, []string{"selfeval", "submit", "H-01", "--file", offScale, "--as", manager}, ExitRejected, "there is no self-evaluation to submit now"},
		{"selfeval template, no catalogue", up, []string{"selfeval", "template", "H-01", "--date", "2001-01-01"}, ExitRejected, "no standards catalogue is in force"},
		{"assignment accept, not invited", up, []string{"assignment", "accept", "H-01", "--as", manager}, ExitRejected, "has no open invitation"},
		{"assignment decline, no reason", up, []string{"assignment", "decline", "H-01", "--as", lead}, ExitRejected, "give a reason for declining"},
		{"assignment assign, unknown seat", up, []string{"assignment", "assign", "H-01", "--seat", "captain", "--person", "P-061", "--reason", "x", "--as", secr}, ExitRejected, `unknown seat "captain"`},
		{"assignment assign, no reason", up, []string{"assignment", "assign", "H-01", "--seat", "lead", "--person", "P-061", "--as", secr}, ExitRejected, "give a reason for assigning by hand"},
		{"visit set, team not complete", up, []string{"visit", "set", "H-01", "--date", visitDate, "--as", lead}, ExitRejected, "the team is not complete yet"},
		{"visit set, bad date", up, []string{"visit", "set", "H-01", "--date", "18/05/2027", "--as", lead}, ExitRejected, "YYYY-MM-DD"},
		{"visit record, no visit", up, []string{"visit", "record", "H-01", "--as", lead}, ExitRejected, "no visit to record"},
		{"report submit, before the visit", up, []string{"report", "submit", "H-01", "--file", report, "--as", lead}, ExitRejected, "record the visit first"},
		{"report comment, no report", up, []string{"report", "comment", "H-01", "--as", manager}, ExitRejected, "nothing to comment on"},
		{"actionplan submit, no step", up, []string{"actionplan", "submit", "H-01", "--file", plan, "--as", manager}, ExitRejected, "action-plan"},
		{"appeal lodge, no verdict", up, []string{"appeal", "lodge", "H-01", "--as", manager}, ExitRejected, "no final verdict to appeal"},
		{"decide, nothing to decide", up, []string{"decide", "H-01", "--verdict", "4", "--as", secr}, ExitRejected, "nothing to decide"},
		{"deadline extend, no reason", up, []string{"deadline", "extend", "H-01", "--step", "invitation/lead/1", "--to", visitDate, "--as", secr}, ExitRejected, "give a reason for extending"},
		{"step waive, not waivable", up, []string{"step", "waive", "H-01", "--step", "visit-date", "--reason", "x", "--as", secr}, ExitRejected, "visit-date"},
		{"institutions close, unknown institution", up, []string{"institutions", "close", "H-99", "--on", "2026-01-01", "--reason", "x", "--as", secr}, ExitRejected, "not in the registry"},
		{"institutions list, bad region", up, []string{"institutions", "list", "--region", "jylland"}, ExitRejected, `unknown region "jylland"`},
		{"institutions import, missing file", up, []string{"institutions", "import", "nowhere.csv", "--as", secr}, ExitRejected, "cannot read nowhere.csv: no such file"},
		{"people import, missing file", up, []string{"people", "import", "nowhere.csv", "--as", secr}, ExitRejected, "cannot read nowhere.csv: no such file"},
		{"catalogue import, missing file", up, []string{"catalogue", "import", "nowhere.yaml", "--as", nationalSecretariat}, ExitRejected, "nowhere.yaml"},
		{"people import, not the secretariat", up, []string{"people", "import", examplePeople, "--as", manager}, ExitRejected, manager},
		{"reviewers propose, unknown institution", up, []string{"reviewers", "propose", "--institution", "H-99"}, ExitRejected, "not in the registry"},
		{"reviewers why-not, unknown person", up, []string{"reviewers", "why-not", "--institution", "H-01", "--person", "P-999"}, ExitRejected, "person P-999 is not in the registry"},
		{"registry generate, bad counts", up, []string{"registry", "generate", "--institutions", "0", "--reviewers", "1", "--out", t.TempDir()}, ExitRejected, "--institutions must be at least 1"},
		{"load, bad n", testEnviron(t), []string{"load", "--n", "0"}, ExitRejected, "--n must be at least 1"},
		{"load, bad rest", testEnviron(t), []string{"load", "--rest", "0s"}, ExitRejected, "--rest must be at least 1s"},
		{"load, bad in-flight", testEnviron(t), []string{"load", "--in-flight", "-1"}, ExitRejected, "--in-flight must be from 0 (no limit) to 100000"},
		{"load, no worker binary", testEnviron(t), []string{"load", "--worker", filepath.Join(t.TempDir(), "worker")}, ExitRejected, "no worker binary"},
		{"load, data directory not empty", testEnviron(t), []string{"load", "--worker", os.Args[0], "--data-dir", filepath.Dir(plan)}, ExitRejected, "is not empty"},
		{"steps list, bad region", up, []string{"steps", "list", "--region", "jylland"}, ExitRejected, `unknown region "jylland"`},
		{"audit, unknown institution", up, []string{"audit", "H-99"}, ExitRejected, "not in the registry"},
		{"publications list, unknown institution", up, []string{"publications", "list", "--institution", "H-99"}, ExitRejected, "not in the registry"},
		{"outbox list, bad state", up, []string{"outbox", "list", "--status", "lost"}, ExitRejected, "not a state of the outbox"},
		{"outbox retry, unknown message", up, []string{"outbox", "retry", "nothing-here", "--as", secr}, ExitRejected, "not in the outbox"},
		{"catalogue show, unknown generation", up, []string{"catalogue", "show", "--generation", "9"}, ExitRejected, "no catalogue generation 9"},
		{"backup, output directory not empty", up, []string{"backup", "--out", filepath.Dir(plan)}, ExitRejected, "is not empty"},
		{"restore, the data directory holds databases", up, []string{"restore", "--from", t.TempDir()}, ExitRejected, "already holds"},
		{"restore, no backup there", testEnviron(t), []string{"restore", "--from", t.TempDir()}, ExitRejected, "has no backup.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runStarter(t, tc.env, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tc.code, stdout, stderr)
			}
			if !strings.HasPrefix(stderr, "error: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q: want one line containing %q", stderr, tc.want)
			}
		})
	}

	// A cancelled cycle refuses every action and every wait, as a refusal.
	mustStart(t, up, "cycle", "cancel", "H-01", "--reason", "Lukket", "--as", secr)
	for _, args := range [][]string{
		{"cycle", "cancel", "H-01", "--reason", "Lukket", "--as", secr},
		{"assignment", "accept", "H-01", "--as", lead},
		{"cycle", "wait", "H-01", "--step", "report", "--timeout", "10s"},
		{"cycle", "wait", "H-01", "--next-cycle", "--timeout", "10s"},
	} {
		code, _, stderr := runStarter(t, up, args...)
		if code != ExitRejected || !strings.Contains(stderr, "cancelled") {
			t.Errorf("starter %s after the cancellation: exit %d, %q; want 2 saying it was cancelled", strings.Join(args, " "), code, stderr)
		}
	}
}

// waitForYear waits until the self-evaluation of the given year is open.
func waitForYear(t *testing.T, env []string, year int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	want := `"year": ` + strconv.Itoa(year)
	for time.Now().Before(deadline) {
		code, stdout, _ := runStarter(t, env, "cycle", "wait", "H-01", "--step", "self-evaluation", "--timeout", "10s", "--json")
		if code == ExitOK && strings.Contains(stdout, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the self-evaluation of year %d did not open", year)
}

// between is the text of s after the first start and before the next end.
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
