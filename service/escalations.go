package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/kvalitetsmodel/accredit/activities"
)

// RunEscalations sends the weekly repeats of overdue steps' escalations from the read model
// (activities.RepeatEscalations) every interval until ctx is done. Every worker replica runs
// it: a repeat is keyed, so it is queued once however many run.
func RunEscalations(ctx context.Context, acts *activities.Activities, every time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		if n, err := acts.RepeatEscalations(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("repeating escalations failed; trying again at the next round", "error", err)
		} else if n > 0 {
			logger.Info("repeated escalations of overdue steps", "queued", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// EscalationInterval is how often RunEscalations looks: often enough that a weekly repeat is
// at most a small part of a day late on the cycle's calendar (15 minutes with real days,
// proportionally less with a demo day length), and not more than once a second.
func EscalationInterval(dayLength time.Duration) time.Duration {
	return min(15*time.Minute, max(time.Second, dayLength/96))
}
