package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// progress reports how far a bulk operation has come: a bar redrawn in place on a terminal,
// a JSON line a second with --json, and nothing on other outputs (a log file, a pipe).
type progress struct {
	w        io.Writer
	what     string
	total    int
	started  time.Time
	asJSON   bool
	terminal bool
	mu       sync.Mutex
	done     int
	last     time.Time
}

func (a *app) newProgress(what string, total int, asJSON bool) *progress {
	p := &progress{w: a.stderr, what: what, total: total, started: time.Now(), asJSON: asJSON}
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

// add counts n more done, and reports at most once a second (and at the end).
func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	now := time.Now()
	if p.done < p.total && now.Sub(p.last) < time.Second {
		return
	}
	p.last = now
	p.report(now)
}

// rate is how many a second so far, and the estimated time left.
func (p *progress) rate(now time.Time) (perSecond float64, eta time.Duration) {
	elapsed := now.Sub(p.started).Seconds()
	if elapsed <= 0 || p.done == 0 {
		return 0, 0
	}
	perSecond = float64(p.done) / elapsed
	eta = time.Duration(float64(p.total-p.done) / perSecond * float64(time.Second))
	return perSecond, eta.Round(time.Second)
}

func (p *progress) report(now time.Time) {
	perSecond, eta := p.rate(now)
	switch {
	case p.asJSON:
		line, _ := json.Marshal(map[string]any{"progress": p.what, "done": p.done, "total": p.total,
			"per_second": float64(int(perSecond*10)) / 10, "eta_seconds": int(eta.Seconds())})
		fmt.Fprintln(p.w, string(line))
	case p.terminal:
		const width = 30
		filled := 0
		if p.total > 0 {
			filled = width * p.done / p.total
		}
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d, %.1f/s, %s left ", p.what, strings.Repeat("#", filled),
			strings.Repeat(".", width-filled), p.done, p.total, perSecond, eta)
		if p.done >= p.total {
			fmt.Fprintln(p.w)
		}
	}
}

// startAll starts the cycles of insts with at most concurrency starts at a time, and at most
// window started cycles that have not opened their first step yet (0: no such limit),
// reporting each result as it comes (in the order they finish) and the progress. An
// interrupted run (ctx cancelled) stops starting new cycles and returns what it did: running
// it again is safe, because a cycle already running is reported, never started twice.
func (a *app) startAll(ctx context.Context, cc *cycles.Client, insts []store.Institution, start domain.Date, actor string,
	concurrency, window int, report func(startResult), asJSON bool) []startResult {
	bar := a.newProgress("starting cycles", len(insts), asJSON)
	work := make(chan store.Institution)
	results := make(chan startResult)
	flight := &inFlight{window: window}
	defer flight.close()
	var wg sync.WaitGroup
	for range max(concurrency, 1) {
		wg.Go(func() {
			for in := range work {
				res, err := a.startCycle(ctx, cc, in, start, actor)
				switch {
				case err == nil:
					flight.started(in.ID)
				case errors.Is(err, cycles.ErrAlreadyRunning):
				default:
					res.InstitutionID, res.Result, res.Error = in.ID, "failed", oneLine(err)
				}
				results <- res
			}
		})
	}
	go func() {
		defer close(work)
		for _, in := range insts {
			if err := flight.waitForRoom(ctx, a.openStore); err != nil {
				if ctx.Err() == nil {
					fmt.Fprintf(a.stderr, "warning: cannot see which cycles have opened (%s): starting the rest without the --in-flight limit\n", oneLine(err))
					flight.window = 0
				}
			}
			select {
			case work <- in:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var out []startResult
	for res := range results {
		out = append(out, res)
		report(res)
		bar.add(1)
	}
	return out
}

// inFlight bounds the cycles a bulk start has started that have not opened their first step.
// Started faster than the worker opens them, they pile up in the Temporal server as a backlog
// of tasks, and each workflow's next task then finds it evicted from the caches of the worker
// and the server: at N = 10,000 the same worker opened 19 cycles a second with every start
// issued at once (100 a second), against 27 with a few hundred waiting.
// inFlightStall is how long a bulk start waits for a first step to open before it stops
// waiting for them and starts the rest at once.
var inFlightStall = 2 * time.Minute

type inFlight struct {
	window int
	mu     sync.Mutex
	ids    []string
	st     *store.Store
}

func (f *inFlight) close() {
	if f.st != nil {
		_ = f.st.Close()
	}
}

func (f *inFlight) started(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, id)
}

// waitForRoom returns once fewer than window started cycles wait for their first step,
// asking the store's read model, which it opens the first time it needs to.
func (f *inFlight) waitForRoom(ctx context.Context, open func(context.Context) (*store.Store, error)) error {
	since, least := time.Now(), -1
	for f.window > 0 {
		f.mu.Lock()
		n := len(f.ids)
		f.mu.Unlock()
		if n < f.window {
			return nil
		}
		if f.st == nil {
			st, err := open(ctx)
			if err != nil {
				return err
			}
			f.st = st
		}
		opened, err := f.st.InstitutionsWithSteps(ctx, 1)
		if err != nil {
			return err
		}
		f.mu.Lock()
		f.ids = slices.DeleteFunc(f.ids, func(id string) bool { return opened[id] })
		waiting := len(f.ids)
		f.mu.Unlock()
		if waiting < f.window {
			return nil
		}
		if least < 0 || waiting < least {
			since, least = time.Now(), waiting
		} else if time.Since(since) > inFlightStall {
			return fmt.Errorf("none of the %d cycles waiting for their first step has opened one for %s: is the worker running?", waiting, inFlightStall)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}

// waitOpen waits until every cycle of ids has opened its first step, as the store's read
// model shows, or until timeout; it returns how many have.
func (a *app) waitOpen(ctx context.Context, ids []string, timeout time.Duration, asJSON bool) (int, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	bar := a.newProgress("waiting for first steps", len(ids), asJSON)
	waiting := map[string]bool{}
	for _, id := range ids {
		waiting[id] = true
	}
	deadline := time.Now().Add(timeout)
	for {
		opened, err := st.InstitutionsWithSteps(ctx, 1)
		if err != nil {
			return 0, err
		}
		n := 0
		for id := range waiting {
			if opened[id] {
				delete(waiting, id)
				n++
			}
		}
		if n > 0 || len(waiting) == 0 {
			bar.add(n)
		}
		if len(waiting) == 0 {
			return len(ids), nil
		}
		if time.Now().After(deadline) {
			return len(ids) - len(waiting), fmt.Errorf("%d of %d cycles have not opened their first step after %s; the worker may be busy or down: see starter cycle status ID",
				len(waiting), len(ids), timeout)
		}
		select {
		case <-ctx.Done():
			return len(ids) - len(waiting), ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
