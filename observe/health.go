package observe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/store"
)

// Paths are the endpoints Handler serves, for mounting it beside the web app.
var Paths = []string{"/metrics", "/healthz", "/readyz"}

// Readiness tells whether this worker can do its work: the domain store answers, the
// Temporal frontend answers, and the worker polls its task queue for both workflow and
// activity tasks. An orchestrator sends traffic (and a rolling deploy moves on) only then.
type Readiness struct {
	Store    *store.Store
	Temporal client.Client
	// TaskQueue and Identity name the worker among the pollers the server lists.
	TaskQueue string
	Identity  string
	// Timeout bounds each check (3s by default): a probe must answer before the
	// orchestrator gives up on it.
	Timeout time.Duration
	// Fresh is how recently the server must have seen the worker poll (2m by default). A
	// long poll lasts about a minute, and the server forgets a poller after five.
	Fresh  time.Duration
	Logger *slog.Logger
	// Now is the clock the pollers' last access is compared with; tests pin it.
	Now func() time.Time

	mu   sync.Mutex
	last map[string]string
}

// CheckResult is the outcome of one readiness check: Problem is "" when it passed, else a
// sentence for the response; Err has the detail, for the log only (it may name hosts).
type CheckResult struct {
	Name    string
	Problem string
	Err     error
}

// Check runs the three checks at once and returns them in a fixed order (store, temporal,
// worker). A change of a check's outcome is logged, with the detail, once.
func (r *Readiness) Check(ctx context.Context) []CheckResult {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	results := []CheckResult{{Name: "store"}, {Name: "temporal"}, {Name: "worker"}}
	checks := []func(context.Context) (string, error){r.checkStore, r.checkTemporal, r.checkWorker}
	var wg sync.WaitGroup
	for i := range checks {
		wg.Go(func() { results[i].Problem, results[i].Err = checks[i](ctx) })
	}
	wg.Wait()
	r.logChanges(results)
	return results
}

func (r *Readiness) checkStore(ctx context.Context) (string, error) {
	if r.Store == nil {
		return "no domain store is configured", errors.New("readiness: no store")
	}
	if err := r.Store.DB().PingContext(ctx); err != nil {
		return "the domain store does not answer", err
	}
	return "", nil
}

func (r *Readiness) checkTemporal(ctx context.Context) (string, error) {
	if r.Temporal == nil {
		return "no Temporal client is configured", errors.New("readiness: no Temporal client")
	}
	if _, err := r.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return "the Temporal frontend does not answer its health check", err
	}
	return "", nil
}

// checkWorker looks for this worker among the pollers of its task queue: a worker that
// stopped, or never reached the server, is not listed, or was last seen too long ago.
func (r *Readiness) checkWorker(ctx context.Context) (string, error) {
	if r.Temporal == nil {
		return "no Temporal client is configured", errors.New("readiness: no Temporal client")
	}
	fresh := r.Fresh
	if fresh <= 0 {
		fresh = 2 * time.Minute
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	for _, kind := range []struct {
		name string
		typ  enumspb.TaskQueueType
	}{{"workflow", enumspb.TASK_QUEUE_TYPE_WORKFLOW}, {"activity", enumspb.TASK_QUEUE_TYPE_ACTIVITY}} {
		resp, err := r.Temporal.DescribeTaskQueue(ctx, r.TaskQueue, kind.typ)
		if err != nil {
			return fmt.Sprintf("the task queue %s cannot be described", r.TaskQueue), err
		}
		polling := false
		for _, p := range resp.GetPollers() {
			if p.GetIdentity() == r.Identity && now().Sub(p.GetLastAccessTime().AsTime()) < fresh {
				polling = true
				break
			}
		}
		if !polling {
			return fmt.Sprintf("this worker does not poll the task queue %s for %s tasks", r.TaskQueue, kind.name),
				fmt.Errorf("no poller %q seen in the last %s among %d %s pollers", r.Identity, fresh, len(resp.GetPollers()), kind.name)
		}
	}
	return "", nil
}

// logChanges logs a check that starts failing (with its detail) or passes again, once.
func (r *Readiness) logChanges(results []CheckResult) {
	if r.Logger == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]string{}
	}
	for _, c := range results {
		before, seen := r.last[c.Name]
		r.last[c.Name] = c.Problem
		switch {
		case c.Problem != "" && c.Problem != before:
			r.Logger.Warn("not ready", "check", c.Name, "problem", c.Problem, "error", c.Err)
		case c.Problem == "" && seen && before != "":
			r.Logger.Info("ready again", "check", c.Name)
		}
	}
}

// Handler serves /metrics (every metric of the registry), /healthz (200 while the process
// serves HTTP at all) and /readyz (200 when every readiness check passes, else 503 with the
// failing checks' reasons). ready may be nil: /readyz then answers 503.
func (o *Observer) Handler(ready *Readiness) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.registry, promhttp.HandlerOpts{
		// A collector that fails (the store, say) must not hide the SDK's metrics.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(o.log.Handler(), slog.LevelWarn),
		Registry:      o.registry,
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		plain(w, http.StatusOK, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready == nil {
			plain(w, http.StatusServiceUnavailable, "not ready\nthe worker has not started\n")
			return
		}
		results := ready.Check(r.Context())
		var sb strings.Builder
		status, verdict := http.StatusOK, "ready\n"
		for _, c := range results {
			if c.Problem != "" {
				status, verdict = http.StatusServiceUnavailable, "not ready\n"
				fmt.Fprintf(&sb, "%s: %s\n", c.Name, c.Problem)
			} else {
				fmt.Fprintf(&sb, "%s: ok\n", c.Name)
			}
		}
		plain(w, status, verdict+sb.String())
	})
	return mux
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
