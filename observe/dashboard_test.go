package observe

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kvalitetsmodel/accredit/store"
)

// TestDashboardQueriesExposedMetrics reads deploy/grafana-dashboard.json and checks that every
// metric it queries is one the worker exposes: the service's own (gathered here from a store
// with something to count), the runtime's, or one the Temporal SDK in go.mod emits (read from
// the SDK's list of metric names), as OpenTelemetry's Prometheus exporter names it.
func TestDashboardQueriesExposedMetrics(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "deploy", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string            `json:"title"`
		UID    string            `json:"uid"`
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	if dash.Title == "" || dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("the dashboard has no title, uid or panels")
	}
	exprs := expressions(t, dash.Panels)
	if len(exprs) < 10 {
		t.Fatalf("%d queries in the dashboard; expected a panel for each area", len(exprs))
	}

	exposed := map[string]bool{}
	o, err := New("accreditation", nil)
	if err != nil {
		t.Fatal(err)
	}
	descs := make(chan *prometheus.Desc, 16)
	newStoreCollector(nil, time.Second, time.Now, nil).Describe(descs)
	close(descs)
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range descs {
		m := fqName.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read the name of %s", d)
		}
		exposed[m[1]] = true
	}
	o.ObserveDelivery(store.OutboxMessage{Kind: "task", CreatedAt: time.Now()}, store.Outcome{Status: store.OutboxDelivered, At: time.Now()})
	families, err := o.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		exposed[f.GetName()] = true
		exposed[f.GetName()+"_bucket"] = true
		exposed[f.GetName()+"_count"] = true
		exposed[f.GetName()+"_sum"] = true
	}
	sdk := sdkMetricNames(t)
	for _, n := range sdk {
		for _, suffix := range []string{"", "_total", "_seconds_bucket", "_seconds_count", "_seconds_sum"} {
			exposed[n+suffix] = true
		}
	}

	metric := regexp.MustCompile(`\b(?:accredit|temporal|go|process)_[a-z0-9_]+`)
	quoted := regexp.MustCompile(`"[^"]*"`)
	for _, e := range exprs {
		names := metric.FindAllString(quoted.ReplaceAllString(e, `""`), -1)
		if len(names) == 0 {
			t.Errorf("query %q names no metric of the worker", e)
		}
		for _, n := range names {
			if !exposed[n] {
				t.Errorf("query %q uses %s, which the worker does not expose", e, n)
			}
		}
	}
}

// expressions are the PromQL queries of every panel, rows' panels included.
func expressions(t *testing.T, panels []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, raw := range panels {
		var p struct {
			Title   string            `json:"title"`
			Type    string            `json:"type"`
			Panels  []json.RawMessage `json:"panels"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, expressions(t, p.Panels)...)
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	return out
}

// sdkMetricNames reads the metric names the SDK of go.mod defines
// (internal/common/metrics/constants.go), so that a name the SDK drops fails this test.
func sdkMetricNames(t *testing.T) []string {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk").Output()
	if err != nil {
		t.Fatalf("find the SDK's source (go list -m go.temporal.io/sdk): %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "common", "metrics", "constants.go"))
	if err != nil {
		t.Fatal(err)
	}
	// WorkflowCompletedCounter = TemporalMetricsPrefix + "workflow_completed"
	// TemporalRequestFailure   = TemporalRequest + "_failure"
	def := regexp.MustCompile(`(?m)^\s*(\w+)\s*=\s*(\w+)\s*\+\s*"([a-z0-9_]+)"`)
	values := map[string]string{"TemporalMetricsPrefix": "temporal_"}
	var names []string
	for _, m := range def.FindAllStringSubmatch(string(src), -1) {
		base, ok := values[m[2]]
		if !ok {
			continue
		}
		values[m[1]] = base + m[3]
		names = append(names, base+m[3])
	}
	if len(names) < 20 {
		t.Fatalf("read %d metric names from the SDK's constants; its layout changed", len(names))
	}
	return names
}
