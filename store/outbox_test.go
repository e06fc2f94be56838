package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/kvalitetsmodel/accredit/domain"
)

func queue(t *testing.T, s *Store, m OutboxMessage) {
	t.Helper()
	if m.Kind == "" {
		m.Kind = "task"
	}
	if m.Subject == "" {
		m.Subject, m.Body = "Ny opgave", "Ny opgave"
	}
	if _, err := s.EnqueueNotification(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

func row(t *testing.T, s *Store, id string) OutboxMessage {
	t.Helper()
	m, err := s.Notification(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ids(msgs []OutboxMessage) string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestMigrationMovesOldStatuses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accredit.db")
	s := openAt(t, path)
	// Back to the schema before delivery (version 6), with rows the old Notify wrote.
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db.DB, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 6); err != nil {
		t.Fatalf("down to 6: %v", err)
	}
	for _, r := range []struct{ id, status string }{{"a", "pending"}, {"b", "sent"}} {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO outbox (id, created_at, kind, recipient_id, subject, body, status)
			VALUES (?, ?, 'task', 'P-1', 's', 'b', ?)`, r.id, time.Now().UTC(), r.status); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := row(t, s, "a"), row(t, s, "b"); a.Status != OutboxQueued || b.Status != OutboxLogged {
		t.Errorf("after the migration pending is %s and sent is %s; want queued (never delivered) and logged (it went to the log only)",
			a.Status, b.Status)
	}
}

func TestClaimLeasesEachRowOnce(t *testing.T) {
	ctx := context.Background()
	s := registry(t)
	for _, id := range []string{"n1", "n2", "n3"} {
		queue(t, s, OutboxMessage{ID: id, RecipientID: "mgr-inst-a"})
	}
	queue(t, s, OutboxMessage{ID: "later", RecipientID: "mgr-inst-a"})
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET next_attempt_ms = 5000 WHERE id = 'later'`); err != nil {
		t.Fatal(err)
	}
	first, err := s.ClaimNotifications(ctx, "A#1", 1000, 61000, 2)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.ClaimNotifications(ctx, "B#1", 1000, 300000, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids(first) != "n1,n2" || ids(second) != "n3" {
		t.Fatalf("claims got %q and %q, want n1,n2 then n3 (later is not due)", ids(first), ids(second))
	}
	if first[0].Status != OutboxSending || first[0].Attempts != 1 || first[0].LeaseOwner != "A#1" {
		t.Errorf("claimed row = %+v, want sending, attempt 1, leased to A#1", first[0])
	}
	// The lease is A's: B cannot record anything about n1, A can.
	if err := s.RecordTarget(ctx, "n1", "B#1", "D1", 90000); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("RecordTarget under another's lease = %v, want ErrLeaseLost", err)
	}
	if err := s.RecordTarget(ctx, "n1", "A#1", "D1", 70000); err != nil {
		t.Fatal(err)
	}
	// A dies. Once its lease expires, n1 and n2 are claimable again, and n1 knows where it
	// may have been posted.
	none, err := s.ClaimNotifications(ctx, "C#1", 60000, 120000, 10)
	if err != nil || len(none) != 1 || none[0].ID != "later" {
		t.Fatalf("before the lease expired C claimed %q (%v), want only later", ids(none), err)
	}
	again, err := s.ClaimNotifications(ctx, "C#2", 80000, 140000, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids(again) != "n1,n2" || again[0].Attempts != 2 || again[0].SlackChannel != "D1" {
		t.Fatalf("after the lease expired C claimed %+v, want n1 (attempt 2, channel D1) and n2", again)
	}
	if err := s.FinishNotification(ctx, "n1", "A#1", Outcome{Status: OutboxDelivered, SlackTS: "1.1", At: time.Now()}); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("A finishing a row C holds = %v, want ErrLeaseLost", err)
	}
	if err := s.FinishNotification(ctx, "n1", "C#2", Outcome{Status: OutboxDelivered, SlackChannel: "D1", SlackTS: "1.2", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if m := row(t, s, "n1"); m.Status != OutboxDelivered || m.SlackTS != "1.2" || m.LeaseOwner != "" || !m.SentAt.Valid {
		t.Errorf("delivered row = %+v", m)
	}
	// A transient error: back to queued, due later, with the reason; a release gives the
	// attempt back.
	if err := s.RequeueNotification(ctx, "n2", "C#2", 200000, "slack server error: 500", true); err != nil {
		t.Fatal(err)
	}
	if m := row(t, s, "n2"); m.Status != OutboxQueued || m.NextAttemptMs != 200000 || m.Attempts != 2 || m.LastError == "" {
		t.Errorf("requeued row = %+v", m)
	}
	if err := s.RequeueNotification(ctx, "later", "C#1", 0, "", false); err != nil {
		t.Fatal(err)
	}
	if m := row(t, s, "later"); m.Attempts != 0 {
		t.Errorf("a row released untried has %d attempts, want 0", m.Attempts)
	}
}

func TestConcurrentClaimsNeverShareARow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accredit.db")
	first := openAt(t, path)
	second := openAt(t, path)
	for i := range 200 {
		queue(t, first, OutboxMessage{ID: "n" + string(rune('a'+i/26)) + string(rune('a'+i%26)), RecipientID: "x"})
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := range 4 {
		st := first
		if w%2 == 1 {
			st = second
		}
		wg.Go(func() {
			for round := 0; ; round++ {
				lease := string(rune('A'+w)) + "#" + string(rune('0'+round%10)) + time.Now().Format("150405.000000000")
				got, err := st.ClaimNotifications(ctx, lease, 1, 1000, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					if other, ok := seen[m.ID]; ok {
						t.Errorf("%s claimed by %s and %s", m.ID, other, lease)
					}
					seen[m.ID] = lease
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Errorf("%d rows claimed, want 200", len(seen))
	}
}

func TestFollowersShareTheLeadersOutcomeAndRetry(t *testing.T) {
	ctx := context.Background()
	s := registry(t)
	queue(t, s, OutboxMessage{ID: "k/sec-1", RecipientID: "sec-1", Channel: "C1", InstitutionID: "inst-a", Region: "hovedstaden"})
	queue(t, s, OutboxMessage{ID: "k/sec-2", RecipientID: "sec-2", Channel: "C1", LeaderID: "k/sec-1", InstitutionID: "inst-a", Region: "hovedstaden"})
	if leader, err := s.ChannelLeader(ctx, "k/", "C1"); err != nil || leader != "k/sec-1" {
		t.Fatalf("ChannelLeader = %q, %v", leader, err)
	}
	got, err := s.ClaimNotifications(ctx, "A#1", 1, 1000, 10)
	if err != nil || ids(got) != "k/sec-1" {
		t.Fatalf("claimed %q (%v), want the leader only", ids(got), err)
	}
	if err := s.FinishNotification(ctx, "k/sec-1", "A#1", Outcome{Status: OutboxFailed, Reason: "channel_not_found", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if m := row(t, s, "k/sec-2"); m.Status != OutboxFailed || m.LastError != "channel_not_found" {
		t.Errorf("follower = %s %q, want failed with the leader's reason", m.Status, m.LastError)
	}
	failures, err := s.UnreportedFailures(ctx, 10)
	if err != nil || ids(failures) != "k/sec-1" {
		t.Errorf("UnreportedFailures = %q, %v; want the leader once", ids(failures), err)
	}
	if err := s.MarkFailureReported(ctx, "k/sec-1"); err != nil {
		t.Fatal(err)
	}
	if failures, _ := s.UnreportedFailures(ctx, 10); len(failures) != 0 {
		t.Errorf("reported failure still listed: %q", ids(failures))
	}
	// Retrying the follower retries the message: both rows are queued again, and the retry is
	// in the audit trail.
	before, err := s.RetryNotification(ctx, "k/sec-2", AuditEntry{ID: "retry-1", At: time.Now(), ActorID: "sec-9",
		Action: "retry-notification", InstitutionID: "inst-a"})
	if err != nil || before.Status != OutboxFailed {
		t.Fatalf("RetryNotification = %+v, %v", before, err)
	}
	for _, id := range []string{"k/sec-1", "k/sec-2"} {
		if m := row(t, s, id); m.Status != OutboxQueued || m.LastError != "" {
			t.Errorf("%s after retry = %s %q, want queued", id, m.Status, m.LastError)
		}
	}
	trail, err := s.AuditTrail(ctx, "inst-a")
	if err != nil || len(trail) != 1 || !strings.Contains(trail[0].Details, "channel_not_found") {
		t.Errorf("audit trail = %+v, %v; want the retry with the failure it cured", trail, err)
	}
	if _, err := s.RetryNotification(ctx, "k/sec-1", AuditEntry{ID: "retry-2", At: time.Now()}); err == nil {
		t.Error("a queued row was retried; only failed ones may be")
	}
}

func TestSupersedeStaleFollowsTheReadModel(t *testing.T) {
	ctx := context.Background()
	s := registry(t)
	step := StepRow{ID: "stage/visit-date", InstitutionID: "inst-a", Cycle: 1, Step: "visit-date", Title: "Besøgsdato",
		Region: domain.Hovedstaden, HolderID: "rev-2", Opened: date(2027, 1, 4), Due: date(2027, 2, 1), Status: "open", Revision: 1}
	if err := s.UpsertStep(ctx, step); err != nil {
		t.Fatal(err)
	}
	due := sql.NullString{String: "2027-02-01", Valid: true}
	queue(t, s, OutboxMessage{ID: "stage/visit-date/task/0/2027-01-04/rev-2", RecipientID: "rev-2", StepID: step.ID, Due: due})
	queue(t, s, OutboxMessage{ID: "stage/visit-date/info/0/2027-01-05/rev-3", Kind: "info", RecipientID: "rev-3", StepID: step.ID, Due: due})
	queue(t, s, OutboxMessage{ID: "stage/visit-date/reminder/0/2027-01-18/rev-2", Kind: "reminder", RecipientID: "rev-2", StepID: step.ID, Due: due})
	// The task was posted; the reminder is still queued.
	got, err := s.ClaimNotifications(ctx, "A#1", 1, 1000, 1)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if err := s.FinishNotification(ctx, got[0].ID, "A#1", Outcome{Status: OutboxDelivered, SlackChannel: "D1", SlackTS: "1.1", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SupersedeStale(ctx); err != nil || n != 0 {
		t.Fatalf("SupersedeStale of an open step = %d, %v; want nothing", n, err)
	}
	// Extended: the due date moved.
	step.Due, step.Revision = date(2027, 2, 15), 2
	if err := s.UpsertStep(ctx, step); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SupersedeStale(ctx); err != nil || n != 2 {
		t.Fatalf("SupersedeStale after an extension marked %d (%v), want the task and the reminder, not the information", n, err)
	}
	task := row(t, s, "stage/visit-date/task/0/2027-01-04/rev-2")
	reminder := row(t, s, "stage/visit-date/reminder/0/2027-01-18/rev-2")
	if task.Superseded != "extended" || task.UpdateStatus != UpdatePending || reminder.Superseded != "extended" || reminder.UpdateStatus != "" {
		t.Errorf("task %q/%q, reminder %q/%q; want both extended, the posted task pending an update",
			task.Superseded, task.UpdateStatus, reminder.Superseded, reminder.UpdateStatus)
	}
	pending, err := s.PendingUpdates(ctx, 10)
	if err != nil || ids(pending) != task.ID {
		t.Fatalf("PendingUpdates = %q, %v", ids(pending), err)
	}
	if err := s.FinishUpdate(ctx, task.ID, UpdateDone, ""); err != nil {
		t.Fatal(err)
	}
	// The reminder is posted while superseded: it comes out without buttons, and is left for
	// no update. A new task after the extension is current; then the step is done.
	got, err = s.ClaimNotifications(ctx, "A#2", 1, 1000, 10)
	if err != nil || len(got) != 2 || got[1].ID != reminder.ID {
		t.Fatalf("claimed %q (%v), want the information and the reminder", ids(got), err)
	}
	if err := s.FinishNotification(ctx, reminder.ID, "A#2", Outcome{Status: OutboxDelivered, SlackChannel: "D1", SlackTS: "1.2",
		Rendered: got[1].Superseded, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if m := row(t, s, reminder.ID); m.UpdateStatus != "" {
		t.Errorf("a row posted already superseded is left for an update (%q)", m.UpdateStatus)
	}
	queue(t, s, OutboxMessage{ID: "stage/visit-date/extended/1/2027-01-20/rev-2", Kind: "extended", RecipientID: "rev-2", StepID: step.ID,
		Due: sql.NullString{String: "2027-02-15", Valid: true}})
	if n, _ := s.SupersedeStale(ctx); n != 0 {
		t.Errorf("the extension's own message was superseded")
	}
	step.Status, step.Closed, step.Revision = "done", date(2027, 2, 10), 3
	if err := s.UpsertStep(ctx, step); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SupersedeStale(ctx); err != nil || n != 1 {
		t.Fatalf("SupersedeStale after done marked %d (%v), want the extension's message", n, err)
	}
	if m := row(t, s, "stage/visit-date/extended/1/2027-01-20/rev-2"); m.Superseded != "done" {
		t.Errorf("extension message superseded as %q, want done", m.Superseded)
	}
	// The explicit operation marks a step's messages whatever the read model says.
	queue(t, s, OutboxMessage{ID: "other/task/0/2027-01-04/rev-3", RecipientID: "rev-3", StepID: "other"})
	if n, err := s.SupersedeStepMessages(ctx, "other", "withdrawn"); err != nil || n != 1 {
		t.Errorf("SupersedeStepMessages = %d, %v", n, err)
	}
}

func TestSlackFoundSurvivesAnImport(t *testing.T) {
	ctx := context.Background()
	s := registry(t)
	if err := s.SetSlackFound(ctx, "rev-2", "U0REV2", "r2@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpsertPeople(ctx, []Person{{ID: "rev-2", Name: "Rev Two", Email: "r2@example.org", Role: domain.RoleReviewer,
		Region: domain.Hovedstaden}}); err != nil {
		t.Fatal(err)
	}
	id, email, err := s.SlackFound(ctx, "rev-2")
	if err != nil || id != "U0REV2" || email != "r2@example.org" {
		t.Errorf("SlackFound after an import = %q, %q, %v", id, email, err)
	}
	if _, _, err := s.SlackFound(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SlackFound of an unknown person = %v, want ErrNotFound", err)
	}
}

// TestIdleOutboxClaimsThroughItsIndex: the dispatchers' poll for claimable rows reads the
// partial index of queued and sending rows, not every row ever delivered (issue 13: the scan
// of 10,000 logged rows every second was most of a resting worker's CPU).
func TestIdleOutboxClaimsThroughItsIndex(t *testing.T) {
	s := sqliteBackend.open(t, sqliteBackend.location(t))
	rows, err := s.db.Queryx(`EXPLAIN QUERY PLAN `+claimableIDs, 1, 1, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(plan) == 0 || !strings.Contains(plan[0], "outbox_claimable") {
		t.Errorf("the claim reads %q, want the partial index outbox_claimable", plan)
	}
}
