package observe

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/kvalitetsmodel/accredit/store"
)

// fakeTemporal answers the two calls readiness makes; any other call panics (nil client).
type fakeTemporal struct {
	client.Client
	healthErr error
	pollers   map[enumspb.TaskQueueType][]*taskqueuepb.PollerInfo
	queue     string
}

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	if f.healthErr != nil {
		return nil, f.healthErr
	}
	return &client.CheckHealthResponse{}, nil
}

func (f *fakeTemporal) DescribeTaskQueue(_ context.Context, queue string, typ enumspb.TaskQueueType) (*workflowservice.DescribeTaskQueueResponse, error) {
	if f.healthErr != nil {
		return nil, f.healthErr
	}
	if queue != f.queue {
		return &workflowservice.DescribeTaskQueueResponse{}, nil
	}
	return &workflowservice.DescribeTaskQueueResponse{Pollers: f.pollers[typ]}, nil
}

func poller(identity string, at time.Time) *taskqueuepb.PollerInfo {
	return &taskqueuepb.PollerInfo{Identity: identity, LastAccessTime: timestamppb.New(at)}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "accredit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func serve(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestReadiness(t *testing.T) {
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	me := "4242@worker-1@accreditation"
	both := func(who string, at time.Time) map[enumspb.TaskQueueType][]*taskqueuepb.PollerInfo {
		return map[enumspb.TaskQueueType][]*taskqueuepb.PollerInfo{
			enumspb.TASK_QUEUE_TYPE_WORKFLOW: {poller("1@other@accreditation", now), poller(who, at)},
			enumspb.TASK_QUEUE_TYPE_ACTIVITY: {poller(who, at)},
		}
	}
	closed := openStore(t)
	_ = closed.Close()
	obs, err := New("accreditation", nil)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		st       *store.Store
		temporal *fakeTemporal
		want     int
		body     string
	}{
		{"all well", openStore(t), &fakeTemporal{queue: "accreditation", pollers: both(me, now.Add(-70*time.Second))},
			http.StatusOK, "ready\nstore: ok\ntemporal: ok\nworker: ok\n"},
		{"store closed", closed, &fakeTemporal{queue: "accreditation", pollers: both(me, now)},
			http.StatusServiceUnavailable, "not ready\nstore: the domain store does not answer\ntemporal: ok\nworker: ok\n"},
		{"Temporal down", openStore(t), &fakeTemporal{queue: "accreditation", healthErr: errors.New("connection refused")},
			http.StatusServiceUnavailable, "not ready\nstore: ok\ntemporal: the Temporal frontend does not answer its health check\n" +
				"worker: the task queue accreditation cannot be described\n"},
		{"another worker polls", openStore(t), &fakeTemporal{queue: "accreditation", pollers: both("9@elsewhere@accreditation", now)},
			http.StatusServiceUnavailable, "not ready\nstore: ok\ntemporal: ok\nworker: this worker does not poll the task queue accreditation for workflow tasks\n"},
		{"stopped polling three minutes ago", openStore(t), &fakeTemporal{queue: "accreditation", pollers: both(me, now.Add(-3*time.Minute))},
			http.StatusServiceUnavailable, "not ready\nstore: ok\ntemporal: ok\nworker: this worker does not poll the task queue accreditation for workflow tasks\n"},
		{"workflow tasks only", openStore(t), &fakeTemporal{queue: "accreditation", pollers: map[enumspb.TaskQueueType][]*taskqueuepb.PollerInfo{
			enumspb.TASK_QUEUE_TYPE_WORKFLOW: {poller(me, now)}}},
			http.StatusServiceUnavailable, "not ready\nstore: ok\ntemporal: ok\nworker: this worker does not poll the task queue accreditation for activity tasks\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := obs.Handler(&Readiness{Store: tc.st, Temporal: tc.temporal, TaskQueue: "accreditation", Identity: me,
				Now: func() time.Time { return now }})
			code, body := serve(t, h, "/readyz")
			if code != tc.want || body != tc.body {
				t.Errorf("/readyz = %d %q\nwant %d %q", code, body, tc.want, tc.body)
			}
			// Liveness does not depend on what readiness checks.
			if code, body := serve(t, h, "/healthz"); code != http.StatusOK || body != "ok\n" {
				t.Errorf("/healthz = %d %q, want 200 ok", code, body)
			}
		})
	}

	if code, body := serve(t, obs.Handler(nil), "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "not started") {
		t.Errorf("/readyz without a worker = %d %q, want 503", code, body)
	}
}

// TestReadinessAgainstAnUnreachableServer uses the SDK's real client on a port nobody listens on.
func TestReadinessAgainstAnUnreachableServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c, err := client.NewLazyClient(client.Options{HostPort: addr, Logger: nil})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var logs bytes.Buffer
	r := &Readiness{Store: openStore(t), Temporal: c, TaskQueue: "accreditation", Identity: "me", Timeout: 2 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	for range 2 {
		results := r.Check(context.Background())
		if results[0].Problem != "" || results[1].Problem == "" || results[2].Problem == "" || results[1].Err == nil {
			t.Fatalf("checks = %+v; want the store ok, Temporal and the worker failing with the error kept", results)
		}
	}
	// Each failing check is logged once, with the detail the response leaves out.
	if n := strings.Count(logs.String(), "not ready"); n != 2 {
		t.Errorf("%d 'not ready' lines after two probes, want one per failing check (2):\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "check=temporal") || !strings.Contains(logs.String(), "error=") {
		t.Errorf("the log does not name the check and its error:\n%s", logs.String())
	}
	r.Temporal = &fakeTemporal{queue: "accreditation", pollers: map[enumspb.TaskQueueType][]*taskqueuepb.PollerInfo{
		enumspb.TASK_QUEUE_TYPE_WORKFLOW: {poller("me", time.Now())}, enumspb.TASK_QUEUE_TYPE_ACTIVITY: {poller("me", time.Now())}}}
	for _, c := range r.Check(context.Background()) {
		if c.Problem != "" {
			t.Errorf("check %s: %s after Temporal came back", c.Name, c.Problem)
		}
	}
	if n := strings.Count(logs.String(), "ready again"); n != 2 {
		t.Errorf("%d 'ready again' lines, want 2:\n%s", n, logs.String())
	}
}
