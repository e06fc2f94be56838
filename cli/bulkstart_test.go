package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
)

// TestInFlightWaitsForFirstStepsAndGivesUpOnAStall: a bulk start holds back while the window
// of started cycles waits for first steps, goes on as soon as one opens, and stops waiting
// (with an error that names the worker) when none opens for inFlightStall.
func TestInFlightWaitsForFirstStepsAndGivesUpOnAStall(t *testing.T) {
	st := fixture.ExampleStore(t)
	opens := 0
	open := func(context.Context) (*store.Store, error) { opens++; return st, nil }
	ctx := context.Background()
	defer func(d time.Duration) { inFlightStall = d }(inFlightStall)
	inFlightStall = 600 * time.Millisecond

	f := &inFlight{window: 2}
	f.started("H-01")
	if err := f.waitForRoom(ctx, open); err != nil || opens != 0 {
		t.Fatalf("one of two in flight: %v, store opened %d times; want room at once, without the store", err, opens)
	}
	f.started("H-02")
	began := time.Now()
	err := f.waitForRoom(ctx, open)
	if err == nil || !strings.Contains(err.Error(), "is the worker running?") || time.Since(began) < inFlightStall {
		t.Fatalf("two of two in flight, nothing opens: %v after %s; want the stall error after %s", err, time.Since(began), inFlightStall)
	}

	// A first step opens in the read model: room again.
	upsertErr := make(chan error, 1)
	go func() {
		time.Sleep(200 * time.Millisecond)
		upsertErr <- st.UpsertStep(ctx, store.StepRow{ID: "H-01/1/self-evaluation-1/self-evaluation/1", InstitutionID: "H-01", Cycle: 1,
			Step: "self-evaluation", Title: "Selvevaluering", Region: "hovedstaden", HolderID: "P-001", HolderRole: "institution-manager", Opened: domain.NewDate(2027, 1, 4), Due: domain.NewDate(2027, 3, 1),
			Status: "open"})
	}()
	if err := f.waitForRoom(ctx, open); err != nil {
		t.Fatalf("after H-01 opened its first step: %v (writing it: %v), want room", err, <-upsertErr)
	}
	f.close()
}

// TestBulkStartAheadOfTimeDoesNotWaitForFirstSteps: with real days, cycles started for a date
// ahead rest until then, so --in-flight does not hold the bulk start back waiting for first
// steps that cannot open yet (it would stall and then blame the worker), and --wait-open,
// which would wait until that date, is refused before anything starts.
func TestBulkStartAheadOfTimeDoesNotWaitForFirstSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	defer func(d time.Duration) { inFlightStall = d }(inFlightStall)
	inFlightStall = 300 * time.Millisecond
	env := fixture.EmbeddedEnviron(t) // real days
	startShortDayService(t, env)
	for _, what := range []string{"institutions", "people"} {
		mustStart(t, env, what, "import", filepath.Join("..", "examples", what+".csv"), "--as", nationalSecretariat)
	}
	ahead := domain.DateOf(time.Now()).AddDays(30).String()

	code, _, stderr := runStarter(t, env, "cycle", "start", "--region", "hovedstaden", "--start", ahead, "--wait-open", "--as", "P-131")
	if code != ExitRejected || !strings.Contains(stderr, "leave out --wait-open") {
		t.Fatalf("--wait-open with a start date ahead: exit %d, %q; want it refused", code, stderr)
	}
	if code, _, stderr := runStarter(t, env, "cycle", "status", "H-01"); code != ExitRejected || !strings.Contains(stderr, "no cycle has been started") {
		t.Fatalf("after the refused start, cycle status H-01: exit %d, %q; want no cycle", code, stderr)
	}

	code, stdout, stderr := runStarter(t, env, "cycle", "start", "--region", "hovedstaden", "--start", ahead, "--in-flight", "1", "--as", "P-131")
	if code != ExitOK {
		t.Fatalf("bulk start for %s: exit %d: %s", ahead, code, stderr)
	}
	if strings.Contains(stderr, "--in-flight") || strings.Contains(stderr, "worker running") {
		t.Errorf("the bulk start waited for first steps that open on %s: %s", ahead, stderr)
	}
	if !strings.Contains(stdout, "8 started") {
		t.Errorf("want the region's 8 cycles started: %s", stdout)
	}
}
