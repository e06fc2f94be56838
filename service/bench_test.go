package service_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/workflows"
)

// BenchmarkPingRoundTrip measures the embedded server and worker end to end: start a
// one-activity workflow and wait for its result, from 8 concurrent callers.
//
//	go test ./service -run '^$' -bench PingRoundTrip -benchtime 500x
func BenchmarkPingRoundTrip(b *testing.B) {
	cfg := testConfig(b, b.TempDir())
	s := startServiceB(b, cfg)
	defer s.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var n atomic.Int64
	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 callers
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("ping/bench-%d", n.Add(1))
			run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: cfg.TaskQueue},
				workflows.PingWorkflowName, workflows.PingRequest{Message: "bench"})
			if err != nil {
				b.Error(err)
				return
			}
			if err := run.Get(ctx, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "workflows/s")
}
