package store

// Counts for the worker's /metrics (package observe): grouped numbers only, never a row, a
// name or a person, because the endpoint is unauthenticated.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CycleCount is how many cycles have one status (running, completed, cancelled) and were
// last in one stage (self-evaluation, waiting, external-evaluation, publication).
type CycleCount struct {
	Status string
	Stage  string
	N      int
}

// OperationalCounts is what the service's own metrics report at one moment.
type OperationalCounts struct {
	// Steps are the open and overdue steps per region and step kind (OpenStepCounts).
	Steps []StepCount
	// Cycles are the cycles per status and stage.
	Cycles []CycleCount
	// Outbox is the number of notification rows in each state; every Outbox* state is
	// present, with 0 when no row has it, so that an alert on "failed" always has a series.
	Outbox map[string]int
	// OldestWaiting is when the oldest row that still waits for delivery (queued or sending)
	// was queued; zero when none waits.
	OldestWaiting time.Time
}

// OperationalCounts reads the counts in four grouped queries on indexed columns (steps_counts,
// cycles_status, outbox_status), so it costs about the same for 100 institutions as for
// 10,000. Overdue is judged at the store's clock, as the dashboard does.
func (s *Store) OperationalCounts(ctx context.Context) (OperationalCounts, error) {
	var out OperationalCounts
	var err error
	if out.Steps, err = s.OpenStepCounts(ctx); err != nil {
		return out, fmt.Errorf("count open steps: %w", err)
	}
	var cycles []struct {
		Status string `db:"status"`
		Stage  string `db:"current_step"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &cycles, `SELECT status, current_step, COUNT(*) AS n FROM cycles
		GROUP BY status, current_step ORDER BY status, current_step`); err != nil {
		return out, fmt.Errorf("count cycles: %w", err)
	}
	for _, c := range cycles {
		out.Cycles = append(out.Cycles, CycleCount{Status: c.Status, Stage: c.Stage, N: c.N})
	}
	var outbox []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &outbox, `SELECT status, COUNT(*) AS n FROM outbox GROUP BY status`); err != nil {
		return out, fmt.Errorf("count notifications: %w", err)
	}
	out.Outbox = map[string]int{OutboxQueued: 0, OutboxSending: 0, OutboxDelivered: 0, OutboxLogged: 0, OutboxFailed: 0}
	for _, o := range outbox {
		out.Outbox[o.Status] += o.N
	}
	// The column itself, not MIN(): SQLite reports an aggregate of a TIMESTAMP as text.
	var oldest sql.NullTime
	err = s.db.GetContext(ctx, &oldest, s.db.Rebind(`SELECT created_at FROM outbox WHERE status IN (?, ?)
		ORDER BY created_at LIMIT 1`), OutboxQueued, OutboxSending)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return out, fmt.Errorf("oldest waiting notification: %w", err)
	case oldest.Valid:
		out.OldestWaiting = oldest.Time
	}
	return out, nil
}
