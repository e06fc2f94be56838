package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// testConfig is a configuration on a fresh data directory with the embedded server on a
// free loopback port.
func testConfig(t testing.TB, dataDir string) config.Config {
	t.Helper()
	return fixture.EmbeddedConfig(t, "ACCREDIT_DATA_DIR="+dataDir)
}

// demoCalendar compresses the cycle so that a whole one runs in seconds: short days and
// self-evaluations a week apart. Invitations get three weeks, so that a loaded CI machine
// answering slowly does not turn every invitation into a "no answer".
func demoCalendar(cfg *config.Config, day time.Duration) {
	cfg.DayLength = day
	cfg.Cycle.SelfEvaluationInterval = domain.Period{Weeks: 1}
	cfg.Cycle.CycleLength = domain.Period{Months: 1}
	cfg.Cycle.InvitationAnswer = domain.Period{Weeks: 3}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func startService(t *testing.T, cfg config.Config) *service.Service {
	t.Helper()
	return startServiceB(t, cfg)
}

func startServiceB(t testing.TB, cfg config.Config) *service.Service {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := service.Start(ctx, cfg, quietLogger())
	if err != nil {
		t.Fatalf("start service: %v", err)
	}
	return s
}

// TestRestartKeepsTemporalAndDomainData starts the worker with its embedded server, pings
// it, stops everything, starts again on the same data directory and finds both the earlier
// workflow and the registry.
func TestRestartKeepsTemporalAndDomainData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	s := startService(t, cfg)
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ping/restart-test", TaskQueue: cfg.TaskQueue},
		workflows.PingWorkflowName, workflows.PingRequest{Message: "før genstart"})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.PingResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Message != "før genstart" || res.SchemaVersion < 1 {
		t.Fatalf("ping result %+v", res)
	}
	if _, err := s.Store.DB().ExecContext(ctx, `INSERT INTO municipalities (code, name, region) VALUES ('test', 'Testrup Kommune', 'nordjylland')`); err != nil {
		t.Fatal(err)
	}
	s.Stop()

	s = startService(t, cfg)
	defer s.Stop()
	desc, err := s.Client.DescribeWorkflowExecution(ctx, "ping/restart-test", run.GetRunID())
	if err != nil {
		t.Fatalf("the workflow started before the restart is gone: %v", err)
	}
	if got := desc.GetWorkflowExecutionInfo().GetStatus().String(); got != "Completed" {
		t.Errorf("status after restart = %s, want Completed", got)
	}
	var name string
	if err := s.Store.DB().GetContext(ctx, &name, `SELECT name FROM municipalities WHERE code = 'test'`); err != nil || name != "Testrup Kommune" {
		t.Errorf("domain data after restart: %q, %v", name, err)
	}
	// The search attributes the workflows write are registered.
	attrs, err := s.Client.OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: cfg.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range workflows.SearchAttributes() {
		if got, ok := attrs.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s is registered as %v, want %v", name, got, typ)
		}
	}
}

// startCycle starts cycle 1 of an institution today, as the national secretariat would.
func startCycle(ctx context.Context, t *testing.T, s *service.Service, cfg config.Config, inst string) {
	t.Helper()
	if _, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CycleWorkflowID(inst),
		TaskQueue: cfg.TaskQueue}, workflows.CycleWorkflowName, workflows.CycleInput{InstitutionID: inst, Number: 1,
		StartDate: domain.DateOf(time.Now()), StartedBy: "P-136"}); err != nil {
		t.Fatalf("start the cycle of %s: %v", inst, err)
	}
}
