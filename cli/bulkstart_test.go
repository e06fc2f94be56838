package cli

import (
	"context"
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
