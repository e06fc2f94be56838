package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100 on every Linux
// architecture Go supports (the kernel's CONFIG_HZ does not change what /proc reports).
const clockTicks = 100

// loadWorker is a worker binary running as a child process of `starter load`, on a data
// directory and loopback ports of its own: its RSS and CPU time, read from /proc, are the
// worker's and its embedded Temporal server's, and nothing of the load generator's.
type loadWorker struct {
	cmd     *exec.Cmd
	env     []string // the starter's environment for this worker (its data directory and addresses)
	logPath string
	exited  chan struct{}
	waitErr error
}

// freeLoopbackAddr returns a loopback host:port that nobody listens on now.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free loopback port: %w", err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String(), nil
}

// workerEnviron is the environment of a load worker: the starter's own without any ACCREDIT_
// or TEMPORAL_ setting (so it never reaches the operator's real worker or cluster), except the
// worker tuning (ACCREDIT_WORKER_*), which is passed on so that a tuning can be measured;
// then the load's own settings.
func workerEnviron(environ []string, settings ...string) []string {
	var env []string
	for _, kv := range environ {
		if (strings.HasPrefix(kv, "ACCREDIT_") && !strings.HasPrefix(kv, "ACCREDIT_WORKER_")) || strings.HasPrefix(kv, "TEMPORAL_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, settings...)
}

// startLoadWorker starts bin on dataDir (which it creates) with its embedded server and web
// app on free loopback ports, logging warnings to dataDir/worker.log; extra settings
// ("KEY=value") are added. It returns once the process runs; waitReady tells when it answers.
func startLoadWorker(environ []string, bin, dataDir string, extra ...string) (*loadWorker, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	temporalAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	httpAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	settings := append([]string{"ACCREDIT_DATA_DIR=" + dataDir, "ACCREDIT_EMBEDDED_TEMPORAL_ADDR=" + temporalAddr,
		"ACCREDIT_HTTP_ADDR=" + httpAddr, "ACCREDIT_LOG_LEVEL=warn", "TEMPORAL_CONFIG_FILE=" + os.DevNull}, extra...)
	env := workerEnviron(environ, settings...)
	logPath := filepath.Join(dataDir, "worker.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // never outlive the starter
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("start the worker %s: %w", bin, err)
	}
	w := &loadWorker{cmd: cmd, env: env, logPath: logPath, exited: make(chan struct{})}
	go func() {
		w.waitErr = cmd.Wait()
		_ = logFile.Close()
		close(w.exited)
	}()
	return w, nil
}

// pid is the worker process's ID.
func (w *loadWorker) pid() int { return w.cmd.Process.Pid }

// failed says why the worker stopped, with the end of its log.
func (w *loadWorker) failed() error {
	tail, _ := os.ReadFile(w.logPath)
	if len(tail) > 2000 {
		tail = tail[len(tail)-2000:]
	}
	return fmt.Errorf("the worker exited (%v); the end of %s: %s", w.waitErr, w.logPath, oneLine(errors.New(string(bytes.TrimSpace(tail)))))
}

// stop sends SIGTERM and waits for the worker to finish, killing it after 30 s.
func (w *loadWorker) stop() {
	select {
	case <-w.exited:
		return
	default:
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
}

// procSample is what /proc says of a process at one moment.
type procSample struct {
	at       time.Time
	rssBytes int64
	cpuTicks int64 // utime + stime
}

// readProc reads the resident set (VmRSS of /proc/PID/status) and the CPU time used so far
// (utime + stime of /proc/PID/stat) of a process.
func readProc(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("read the worker's memory use: %w", err)
	}
	found := false
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) != 2 || fields[1] != "kB" {
				return s, fmt.Errorf("/proc/%d/status: unexpected VmRSS line %q", pid, line)
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return s, fmt.Errorf("/proc/%d/status: VmRSS %q: %w", pid, line, err)
			}
			s.rssBytes, found = kb*1024, true
		}
	}
	if !found {
		return s, fmt.Errorf("/proc/%d/status has no VmRSS line (has the process exited?)", pid)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("read the worker's CPU time: %w", err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: count from after it.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(stat[i+1:]))
	// After the name: state is field 3, so utime (field 14) and stime (15) are at 11 and 12.
	if len(fields) < 13 {
		return s, fmt.Errorf("/proc/%d/stat: %d fields after the command name, want at least 13", pid, len(fields))
	}
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return s, fmt.Errorf("/proc/%d/stat: CPU time %q: %w", pid, f, err)
		}
		s.cpuTicks += v
	}
	return s, nil
}

// restSample is the worker's use while the cycles rest: peak and last RSS, and the CPU it
// used over the window as a percentage of one core.
type restSample struct {
	Seconds    float64 `json:"seconds"`
	RSSMaxMB   float64 `json:"rss_max_mb"`
	RSSLastMB  float64 `json:"rss_last_mb"`
	CPUPercent float64 `json:"cpu_percent"`
	Samples    int     `json:"samples"`
}

// sampleRest reads /proc of pid every second for d, and fails if the process goes away.
func sampleRest(ctx context.Context, pid int, d time.Duration) (restSample, error) {
	first, err := readProc(pid)
	if err != nil {
		return restSample{}, err
	}
	out := restSample{Samples: 1, RSSMaxMB: mb(first.rssBytes), RSSLastMB: mb(first.rssBytes)}
	last := first
	end := first.at.Add(d)
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(min(time.Second, time.Until(end)+time.Millisecond)):
		}
		s, err := readProc(pid)
		if err != nil {
			return out, err
		}
		last = s
		out.Samples++
		out.RSSMaxMB = max(out.RSSMaxMB, mb(s.rssBytes))
		out.RSSLastMB = mb(s.rssBytes)
	}
	out.Seconds = last.at.Sub(first.at).Seconds()
	if out.Seconds > 0 {
		out.CPUPercent = float64(last.cpuTicks-first.cpuTicks) / clockTicks / out.Seconds * 100
	}
	return out, nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// loadAverage is the machine's 1-, 5- and 15-minute load average from /proc/loadavg.
func loadAverage() (string, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "", fmt.Errorf("read the machine's load: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "", fmt.Errorf("/proc/loadavg: %q", b)
	}
	return strings.Join(f[:3], " "), nil
}

// vcsRevision is the commit this binary was built from (with "+modified" for a dirty tree),
// or "" when the build did not record it.
func vcsRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && dirty {
		rev += "+modified"
	}
	return rev
}
