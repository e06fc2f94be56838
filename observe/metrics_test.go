package observe

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
)

// sample is one gathered value: a gauge's or counter's value, or a histogram's count.
func sample(t *testing.T, o *Observer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := o.Registry().Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			if len(got) != len(labels) {
				continue
			}
			for k, v := range labels {
				if got[k] != v {
					continue metrics
				}
			}
			switch f.GetType() {
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue(), true
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue(), true
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func TestStoreMetrics(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := now
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "accredit.db"), store.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	fixture.ExampleRegistry(t, st)
	today := domain.DateOf(now)
	step := func(id, inst, region, key string, due domain.Date, status string) {
		t.Helper()
		if err := st.UpsertStep(ctx, store.StepRow{ID: id, InstitutionID: inst, Cycle: 1, Step: key, Title: key,
			Region: domain.Region(region), Opened: today.AddDays(-20), Due: due, Status: status, Revision: 1}); err != nil {
			t.Fatal(err)
		}
	}
	step("H-01/1/report", "H-01", "hovedstaden", "report", today.AddDays(-2), "open")
	step("H-02/1/invitation/lead/1", "H-02", "hovedstaden", "invitation/lead/1", today.AddDays(-1), "open")
	step("H-02/1/invitation/professional/1", "H-02", "hovedstaden", "invitation/professional/1", today.AddDays(3), "open")
	step("H-03/1/self-evaluation", "H-03", "hovedstaden", "self-evaluation", today.AddDays(-9), "done")
	start := domain.NewDate(2027, 1, 4)
	for inst, stage := range map[string]string{"H-01": "external-evaluation", "H-02": "external-evaluation", "H-03": ""} {
		if err := st.UpsertCycle(ctx, store.CycleRow{InstitutionID: inst, Number: 1, WorkflowID: "cycle/" + inst, StartDate: start,
			Status: "running", CurrentStep: stage, Generation: 1, AnchorDate: start, AnchorTime: start.Time(), DayLengthMS: 86_400_000, Revision: 1}); err != nil {
			t.Fatal(err)
		}
	}
	clock = now.Add(-2 * time.Hour)
	if _, err := st.EnqueueNotification(ctx, store.OutboxMessage{ID: "n1", Kind: "task", RecipientID: "P-001", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	clock = now

	o, err := New("accreditation", nil)
	if err != nil {
		t.Fatal(err)
	}
	scrape := now
	c := newStoreCollector(st, 15*time.Second, func() time.Time { return scrape }, slog.New(slog.DiscardHandler))
	if err := o.Registry().Register(c); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"accredit_store_counts_up", nil, 1},
		{"accredit_steps_open", map[string]string{"region": "hovedstaden", "step": "report"}, 1},
		{"accredit_steps_overdue", map[string]string{"region": "hovedstaden", "step": "report"}, 1},
		{"accredit_steps_open", map[string]string{"region": "hovedstaden", "step": "invitation"}, 2},
		{"accredit_steps_overdue", map[string]string{"region": "hovedstaden", "step": "invitation"}, 1},
		{"accredit_cycles", map[string]string{"status": "running", "stage": "external-evaluation"}, 2},
		{"accredit_cycles", map[string]string{"status": "running", "stage": "none"}, 1},
		{"accredit_notifications", map[string]string{"status": "queued"}, 1},
		{"accredit_notifications", map[string]string{"status": "failed"}, 0},
		{"accredit_notifications_oldest_waiting_seconds", nil, 7200},
	}
	for _, w := range want {
		if got, ok := sample(t, o, w.name, w.labels); !ok || got != w.value {
			t.Errorf("%s%v = %v (present %v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	if _, ok := sample(t, o, "accredit_steps_open", map[string]string{"region": "hovedstaden", "step": "self-evaluation"}); ok {
		t.Error("a closed step is counted as open")
	}

	// Within the cache's 15 seconds the store is not read again; after them it is.
	step("H-04/1/report", "H-04", "hovedstaden", "report", today.AddDays(5), "open")
	scrape = now.Add(10 * time.Second)
	if got, _ := sample(t, o, "accredit_steps_open", map[string]string{"region": "hovedstaden", "step": "report"}); got != 1 {
		t.Errorf("10s later %v report steps are open; want the cached 1", got)
	}
	if got, _ := sample(t, o, "accredit_notifications_oldest_waiting_seconds", nil); got != 7210 {
		t.Errorf("10s later the oldest waits %vs, want 7210 (its age grows between reads)", got)
	}
	scrape = now.Add(16 * time.Second)
	if got, _ := sample(t, o, "accredit_steps_open", map[string]string{"region": "hovedstaden", "step": "report"}); got != 2 {
		t.Errorf("16s later %v report steps are open; want 2, read again", got)
	}

	// A store that cannot be read reports 0 and leaves its counts out, without failing /metrics.
	_ = st.Close()
	scrape = now.Add(40 * time.Second)
	if got, ok := sample(t, o, "accredit_store_counts_up", nil); !ok || got != 0 {
		t.Errorf("accredit_store_counts_up = %v (present %v) with the store closed, want 0", got, ok)
	}
	if _, ok := sample(t, o, "accredit_steps_open", map[string]string{"region": "hovedstaden", "step": "report"}); ok {
		t.Error("the step counts are still reported with the store closed")
	}
	if _, ok := sample(t, o, "go_goroutines", nil); !ok {
		t.Error("the runtime's metrics are missing while the store is down")
	}
}

// TestDeliveryLatency delivers a queued row with the dispatcher (to the log, without Slack)
// and finds its wait in the histogram the hook feeds.
func TestDeliveryLatency(t *testing.T) {
	ctx := context.Background()
	queued := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "accredit.db"), store.WithClock(func() time.Time { return queued }))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnqueueNotification(ctx, store.OutboxMessage{ID: "n1", Kind: "escalation", RecipientID: "P-131", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	o, err := New("accreditation", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := notify.New(st, config.Default(), slog.New(slog.DiscardHandler), notify.Options{
		Now: func() time.Time { return queued.Add(90 * time.Second) }, Delivered: o.ObserveDelivery})
	if n, err := d.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want the one row", n, err)
	}
	labels := map[string]string{"kind": "escalation", "outcome": store.OutboxLogged}
	if got, _ := sample(t, o, "accredit_notification_delivery_seconds", labels); got != 1 {
		t.Fatalf("%v deliveries observed, want 1", got)
	}
	families, _ := o.Registry().Gather()
	for _, f := range families {
		if f.GetName() != "accredit_notification_delivery_seconds" {
			continue
		}
		h := f.GetMetric()[0].GetHistogram()
		if h.GetSampleSum() != 90 {
			t.Errorf("the delivery waited %vs, want 90", h.GetSampleSum())
		}
		for _, b := range h.GetBucket() {
			if want := map[bool]uint64{true: 1, false: 0}[b.GetUpperBound() >= 90]; b.GetCumulativeCount() != want {
				t.Errorf("bucket le=%v holds %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
			}
		}
	}
	// A second pass finds nothing to deliver and observes nothing.
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := sample(t, o, "accredit_notification_delivery_seconds", labels); got != 1 {
		t.Errorf("%v deliveries after a second pass, want still 1", got)
	}
}

// TestSDKMetricNames records through the SDK's handler as the SDK does and finds the names
// Prometheus sees (and the dashboard queries): counters end in _total, timers are
// histograms in seconds with the latency buckets.
func TestSDKMetricNames(t *testing.T) {
	o, err := New("accreditation", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := o.SDKMetrics().WithTags(map[string]string{"namespace": "default", "task_queue": "accreditation"})
	h.Counter("temporal_activity_execution_failed").Inc(2)
	h.Timer("temporal_workflow_task_schedule_to_start_latency").Record(30 * time.Millisecond)
	h.Gauge("temporal_num_pollers").Update(4)
	labels := map[string]string{"namespace": "default", "task_queue": "accreditation"}
	for name, want := range map[string]float64{
		"temporal_activity_execution_failed_total":                 2,
		"temporal_workflow_task_schedule_to_start_latency_seconds": 1,
		"temporal_num_pollers":                                     4,
	} {
		if got, ok := sample(t, o, name, labels); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	families, _ := o.Registry().Gather()
	for _, f := range families {
		if f.GetName() == "temporal_workflow_task_schedule_to_start_latency_seconds" {
			if n := len(f.GetMetric()[0].GetHistogram().GetBucket()); n != len(latencyBuckets) {
				t.Errorf("%d buckets, want the %d latency buckets", n, len(latencyBuckets))
			}
		}
	}
}
