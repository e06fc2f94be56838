package notify

import (
	"context"
	"sync"
	"time"
)

// limiter spaces a dispatcher's Slack writes evenly (one every interval), and holds them all
// back while Slack has asked, with a 429 and Retry-After, for a pause. It runs on the wall
// clock whatever the dispatcher's clock is: it is about Slack's time, not the calendar's.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time // the earliest time of the next write
	hold     time.Time // the end of Slack's pause
}

func newLimiter(perSecond int) *limiter {
	if perSecond < 1 {
		perSecond = 1
	}
	return &limiter{interval: time.Second / time.Duration(perSecond)}
}

// wait blocks until the next write may go, or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(l.hold) {
		at = l.hold
	}
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pause holds every write back until until.
func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.hold) {
		l.hold = until
	}
}

// pausedUntil is the end of Slack's pause, and whether it is still on.
func (l *limiter) pausedUntil() (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hold, l.hold.After(time.Now())
}
