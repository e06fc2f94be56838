package service_test

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// TestRestingCyclesLeaveTheStickyCache holds the worker to its configured sticky cache
// (ACCREDIT_WORKER_CACHE_SIZE): 40 cycles brought to their first step and left to rest keep
// at most that many cycles in the worker's memory. The SDK's cache is one per process and
// sized by the first worker to start; when the embedded server's system workers started first,
// it stayed at the SDK's 10,000 and every resting cycle stayed in memory (1.7 GB at 10,000
// cycles; docs/performance.md).
func TestRestingCyclesLeaveTheStickyCache(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	if os.Getenv(ownProcess) == "" {
		// The cache lives as long as any worker of the process does, at the size it had when
		// the first of them started, and other tests' workflows would be counted too: the
		// test runs alone in a process of its own.
		cmd := exec.Command(os.Args[0], "-test.run=^TestRestingCyclesLeaveTheStickyCache$", "-test.v")
		cmd.Env = append(os.Environ(), ownProcess+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("--- PASS: TestRestingCyclesLeaveTheStickyCache")) {
			t.Fatalf("in a process of its own: %v\n%s", err, out)
		}
		return
	}
	const cacheSize = 10
	cfg := testConfig(t, t.TempDir())
	cfg.Worker.CacheSize = cacheSize
	ctx, _, a := upWithExamples(t, cfg)
	a.mustRun(ctx, "cycle", "start", "--all", "--as", "P-136", "--json", "--wait-open")

	// Evicted cycles end their goroutines as the cache lets them go; a resting cycle in the
	// cache keeps its root coroutine parked in AccreditationCycle.
	settled := time.After(30 * time.Second)
	var cached int
	for {
		cached = goroutinesIn("workflows.AccreditationCycle(")
		if cached <= cacheSize {
			return
		}
		select {
		case <-settled:
			t.Fatalf("%d cycles stay in the worker's memory at rest, want at most the cache size of %d", cached, cacheSize)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ownProcess marks the test binary that TestRestingCyclesLeaveTheStickyCache starts for itself.
const ownProcess = "ACCREDIT_TEST_CACHE_OWN_PROCESS"

// goroutinesIn counts the goroutines whose stack has a frame that starts with function.
func goroutinesIn(function string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte(function)) {
			count++
		}
	}
	return count
}
