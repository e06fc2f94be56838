package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestWorkerServesOperations runs the worker as the command does and asks its web address
// for /healthz, /readyz and /metrics (issue 14, point 4): ready once it polls, the SDK's
// metrics after a workflow ran, the service's counts of a seeded store, the latency of a
// notification the dispatcher delivered, and the web app still behind the same address.
func TestWorkerServesOperations(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg := fixture.EmbeddedConfig(t, "ACCREDIT_HTTP_ADDR="+addr, "ACCREDIT_PUBLIC_BASE_URL=http://"+addr)
	base := "http://" + addr

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker: %v", err)
			}
		case <-time.After(time.Minute):
			t.Error("the worker did not stop within a minute")
		}
	})

	// Until the embedded server and the worker are up, /readyz refuses or says why not.
	var code int
	var body string
	deadline := time.Now().Add(4 * time.Minute)
	for {
		code, body = get(t, base+"/readyz")
		if code == http.StatusOK || time.Now().After(deadline) {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the worker stopped: %v", err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	if code != http.StatusOK || body != "ready\nstore: ok\ntemporal: ok\nworker: ok\n" {
		t.Fatalf("/readyz = %d %q; want 200 and every check ok", code, body)
	}
	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, _ := get(t, base+"/signin"); code != http.StatusOK {
		t.Errorf("/signin = %d; the web app must still answer beside the operations endpoints", code)
	}

	// A second connection to the worker's store, as the starter has: the example registry,
	// two open steps of H-01 (one overdue) and a notification for the dispatcher.
	st, err := store.Open(ctx, store.Location{Path: cfg.StorePath()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	fixture.ExampleRegistry(t, st)
	today := domain.DateOf(time.Now().UTC())
	for i, due := range []domain.Date{today.AddDays(-3), today.AddDays(10)} {
		step := []string{"report", "hearing"}[i]
		if err := st.UpsertStep(ctx, store.StepRow{ID: "H-01/1/" + step, InstitutionID: "H-01", Cycle: 1, Step: step,
			Title: step, Region: domain.Region("hovedstaden"), Opened: today.AddDays(-30), Due: due, Status: "open", Revision: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.EnqueueNotification(ctx, store.OutboxMessage{ID: "metrics-test", Kind: "reminder", RecipientID: "P-001",
		Subject: "Påmindelse", Body: "Påmindelse"}); err != nil {
		t.Fatal(err)
	}

	opts, err := cfg.ClientOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel()
	wr, err := c.ExecuteWorkflow(wctx, client.StartWorkflowOptions{ID: workflows.PingIDPrefix + "metrics", TaskQueue: cfg.TaskQueue},
		workflows.PingWorkflowName, workflows.PingRequest{Message: "metrics"})
	if err != nil {
		t.Fatal(err)
	}
	if err := wr.Get(wctx, nil); err != nil {
		t.Fatal(err)
	}

	// The dispatcher polls every second; its delivery shows in the histogram.
	want := []string{
		// The SDK's, through OpenTelemetry.
		`temporal_workflow_completed_total{`,
		`temporal_workflow_task_schedule_to_start_latency_seconds_bucket{`,
		`temporal_activity_execution_latency_seconds_bucket{`,
		`temporal_request_total{`,
		// The service's.
		`accredit_store_counts_up 1`,
		`accredit_steps_open{region="hovedstaden",step="report"} 1`,
		`accredit_steps_overdue{region="hovedstaden",step="report"} 1`,
		`accredit_steps_open{region="hovedstaden",step="hearing"} 1`,
		`accredit_steps_overdue{region="hovedstaden",step="hearing"} 0`,
		`accredit_notifications{status="failed"} 0`,
		`accredit_notification_delivery_seconds_count{kind="reminder",outcome="logged"} 1`,
		// The runtime's.
		`go_goroutines `,
	}
	var missing []string
	for until := time.Now().Add(time.Minute); time.Now().Before(until); {
		code, body = get(t, base+"/metrics")
		missing = missing[:0]
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = append(missing, w)
			}
		}
		if code == http.StatusOK && len(missing) == 0 {
			break
		}
		time.Sleep(time.Second)
	}
	if code != http.StatusOK || len(missing) > 0 {
		t.Fatalf("/metrics = %d, missing %q in:\n%s", code, missing, body)
	}
	if strings.Contains(body, "H-01") || strings.Contains(body, "P-001") {
		t.Errorf("/metrics names an institution or a person; it must show counts only")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
