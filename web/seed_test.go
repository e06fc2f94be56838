package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// seedOpenSteps writes n institutions straight into the store, each with a manager, a
// running cycle, two done self-evaluations and one open step, as the workflows' read model
// would hold them: the steps cycle through the step kinds and the regions, and their due
// dates spread over the 200 days around now, so that about half are overdue.
func seedOpenSteps(t testing.TB, st *store.Store, n int, now time.Time) {
	t.Helper()
	ctx := context.Background()
	tx, err := st.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	regions := domain.Regions()
	kinds := []string{"self-evaluation", "invitation/lead/1", "visit-date", "visit", "report", "hearing", "action-plan",
		"manual-assignment/professional", "appeal-window", "invitation/user-representative/2"}
	today := domain.DateOf(now.UTC())
	stamp := now.UTC()
	anchor := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := range n {
		id := fmt.Sprintf("B-%05d", i)
		region := regions[i%len(regions)]
		manager := fmt.Sprintf("M-%05d", i)
		start := today.AddDays(-700 - i%300)
		exec(`INSERT INTO institutions (id, name, region, legal_basis, places, created_at, updated_at)
			VALUES (?, ?, ?, '108', 20, ?, ?)`, id, fmt.Sprintf("Bostedet nr. %d", i), string(region), stamp, stamp)
		exec(`INSERT INTO people (id, name, email, role, region, home_institution, created_at, updated_at)
			VALUES (?, ?, ?, 'institution-manager', ?, ?, ?, ?)`, manager, fmt.Sprintf("Leder %d", i),
			fmt.Sprintf("leder%d@example.dk", i), string(region), id, stamp, stamp)
		exec(`INSERT INTO cycles (institution_id, number, workflow_id, start_date, status, current_step, generation,
			anchor_date, anchor_time, day_length_ms, revision, updated_at)
			VALUES (?, 1, ?, ?, 'running', 'external-evaluation', 1, '2024-01-01', ?, 86400000, 1, ?)`,
			id, "cycle/"+id, start, anchor, stamp)
		for y := 1; y <= 2; y++ {
			opened := start.AddDays(365 * (y - 1))
			exec(`INSERT INTO steps (id, institution_id, cycle_number, step, title, region, holder_id, holder_role,
				opened_on, due_on, status, closed_on, closed_by, overdue_at, revision, updated_at)
				VALUES (?, ?, 1, 'self-evaluation', 'Selvevaluering', ?, ?, 'institution-manager', ?, ?, 'done', ?, ?, ?, 1, ?)`,
				fmt.Sprintf("cycle/%s/1~s/self-evaluation-%d/self-evaluation", id, y), id, string(region), manager,
				opened, opened.AddDays(56), opened.AddDays(40), manager, overdueAt(opened.AddDays(56)), stamp)
		}
		kind := kinds[i%len(kinds)]
		due := today.AddDays(i%200 - 100)
		exec(`INSERT INTO steps (id, institution_id, cycle_number, step, title, region, holder_id, holder_role,
			opened_on, due_on, status, escalation_level, overdue_at, revision, updated_at)
			VALUES (?, ?, 1, ?, ?, ?, ?, 'institution-manager', ?, ?, 'open', ?, ?, 1, ?)`,
			fmt.Sprintf("cycle/%s/1~s/external-evaluation/%s", id, kind), id, kind, kind, string(region), manager,
			due.AddDays(-30), due, max(0, domain.DaysOverdue(due, today)/14), overdueAt(due), stamp)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// overdueAt is when a step due on due becomes overdue on real days (the store's overdue_at):
// midnight UTC after the due date.
func overdueAt(due domain.Date) int64 { return due.AddDays(1).Time().UnixMilli() }
