package chaos_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// buildWorker compiles ./worker of this module into dir and returns the binary, or returns
// CHAOS_WORKER when that names a binary already built.
func buildWorker(t *testing.T, dir string) string {
	t.Helper()
	if bin := os.Getenv("CHAOS_WORKER"); bin != "" {
		return bin
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("find the module root: %v", err)
	}
	root := strings.TrimSpace(string(out))
	bin := filepath.Join(dir, "worker")
	started := time.Now()
	cmd := exec.Command("go", "build", "-o", bin, "./worker")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./worker: %v\n%s", err, out)
	}
	t.Logf("built the worker in %s", time.Since(started).Round(100*time.Millisecond))
	return bin
}

// freePort returns a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// workerEnv is the environment of the worker process: the test's own, without any ACCREDIT_
// or TEMPORAL_ setting, plus the chaos run's settings.
func workerEnv(settings []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ACCREDIT_") || strings.HasPrefix(kv, "TEMPORAL_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, settings...)
}

// process is the worker running as a separate process; every incarnation appends to the
// same log file.
type process struct {
	bin, logPath string
	env          []string

	cmd    *exec.Cmd
	ready  chan struct{}
	exited chan struct{}
	// starts counts the incarnations, for the log.
	starts int
}

// start runs a new incarnation of the worker; it does not wait for it to be ready.
func (p *process) start() error {
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	p.starts++
	fmt.Fprintf(logf, "---- chaos: worker start %d at %s\n", p.starts, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin)
	cmd.Env = p.env
	cmd.Stdout = logf
	stderr, err := cmd.StderrPipe()
	if err != nil {
		_ = logf.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return err
	}
	ready, exited := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if strings.Contains(line, "worker ready") {
				once.Do(func() { close(ready) })
			}
		}
		_, _ = io.Copy(logf, stderr)
	}()
	go func() {
		err := cmd.Wait()
		fmt.Fprintf(logf, "---- chaos: worker %d (pid %d) ended: %v\n", p.starts, cmd.Process.Pid, err)
		_ = logf.Close()
		close(exited)
	}()
	p.cmd, p.ready, p.exited = cmd, ready, exited
	return nil
}

// waitReady blocks until the worker logs that it polls its task queue.
func (p *process) waitReady(ctx context.Context, limit time.Duration) error {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-p.ready:
		return nil
	case <-p.exited:
		return fmt.Errorf("the worker exited before it was ready:\n%s", p.tail(40))
	case <-timer.C:
		return fmt.Errorf("the worker was not ready after %s:\n%s", limit, p.tail(40))
	case <-ctx.Done():
		return ctx.Err()
	}
}

// kill sends SIGKILL to the worker this test started, and waits until it is gone.
func (p *process) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop asks the worker to stop (SIGTERM), and kills it if it has not stopped in 20 s.
func (p *process) stop() {
	if p.cmd == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.kill()
	}
}

func (p *process) pid() int {
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// tail returns the last n lines of the worker's log.
func (p *process) tail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// conn is the test's connection to the worker's embedded server: one client per
// incarnation of the worker, and none while it is down. Callers block in get until the
// worker is back.
type conn struct {
	hostPort, namespace string

	mu sync.Mutex
	c  client.Client
	up chan struct{}
}

func newConn(hostPort, namespace string) *conn {
	return &conn{hostPort: hostPort, namespace: namespace, up: make(chan struct{})}
}

// get returns the current client, waiting while the worker is down.
func (k *conn) get(ctx context.Context) (client.Client, error) {
	for {
		k.mu.Lock()
		c, up := k.c, k.up
		k.mu.Unlock()
		if c != nil {
			return c, nil
		}
		select {
		case <-up:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// down closes the client of an incarnation that is gone: calls in flight fail and their
// callers come back to get, which waits.
func (k *conn) down() {
	k.mu.Lock()
	old := k.c
	k.c = nil
	k.up = make(chan struct{})
	k.mu.Unlock()
	if old != nil {
		old.Close()
	}
}

// dial connects to a worker that said it is ready, retrying for a while.
func (k *conn) dial(ctx context.Context) error {
	quiet := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	var last error
	for range 50 {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := client.DialContext(dctx, client.Options{HostPort: k.hostPort, Namespace: k.namespace, Logger: quiet})
		cancel()
		if err == nil {
			k.mu.Lock()
			k.c = c
			close(k.up)
			k.mu.Unlock()
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return errors.Join(fmt.Errorf("connect to the worker at %s", k.hostPort), last)
}

// close closes the current client, if any.
func (k *conn) close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.c != nil {
		k.c.Close()
		k.c = nil
	}
}
