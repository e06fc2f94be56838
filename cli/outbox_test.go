package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/store"
)

// outboxWithAFailure queues two messages about H-01 in the examples' store, and lets the
// second fail as a dispatcher would record it.
func outboxWithAFailure(t *testing.T) ([]string, string) {
	t.Helper()
	env := importedExamples(t)
	var dir string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ACCREDIT_DATA_DIR="); ok {
			dir = v
		}
	}
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "accredit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, id := range []string{"k/task/0/2027-01-04/P-001", "k/task/0/2027-01-04/P-003"} {
		if _, err := st.EnqueueNotification(ctx, store.OutboxMessage{ID: id, Kind: "task", RecipientID: id[len(id)-5:],
			Channel: "dm", InstitutionID: "H-01", Cycle: 1, Step: "self-evaluation", Region: "hovedstaden",
			Subject: "Ny opgave: Selvevaluering", Body: "Ny opgave"}); err != nil {
			t.Fatal(err)
		}
	}
	failed := "k/task/0/2027-01-04/P-003"
	rows, err := st.ClaimNotifications(ctx, "test#1", time.Now().UnixMilli(), time.Now().Add(time.Minute).UnixMilli(), 10)
	if err != nil || len(rows) != 2 {
		t.Fatalf("claim: %d rows, %v", len(rows), err)
	}
	if err := st.RequeueNotification(ctx, rows[0].ID, "test#1", 0, "", false); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishNotification(ctx, failed, "test#1", store.Outcome{Status: store.OutboxFailed,
		Reason: "user_not_found: no Slack user has the e-mail address kirsten.lassen@regionh.dk", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return env, failed
}

func TestOutboxListShowsStateAndReason(t *testing.T) {
	env, failed := outboxWithAFailure(t)
	code, stdout, stderr := runStarter(t, env, "outbox", "list", "--institution", "H-01")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"STATUS", "REASON", "queued", "failed", "user_not_found", "(2 messages: 1 queued, 1 failed)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("outbox list lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, stderr = runStarter(t, env, "outbox", "list", "--status", "failed", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["id"] != failed || rows[0]["status"] != "failed" || !strings.Contains(rows[0]["reason"].(string), "user_not_found") {
		t.Errorf("--status failed --json = %s", stdout)
	}
	code, stdout, stderr = runStarter(t, env, "outbox", "list", "--status", "sent")
	assertRejected(t, code, stdout, stderr, `--status "sent" is not a state of the outbox`, "queued, sending, delivered, logged, failed")
}

func TestOutboxRetry(t *testing.T) {
	env, failed := outboxWithAFailure(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{failed, "--as", "P-132"}, []string{"P-132", "Region Sjælland", "retry a failed notification"}},
		{[]string{failed, "--as", "P-001"}, []string{"not secretariat"}},
		{[]string{"k/task/0/2027-01-04/P-001", "--as", "P-131"}, []string{"is queued, not failed"}},
		{[]string{"no-such-row", "--as", "P-131"}, []string{"no-such-row is not in the outbox"}},
	} {
		code, stdout, stderr := runStarter(t, env, append([]string{"outbox", "retry"}, c.args...)...)
		assertRejected(t, code, stdout, stderr, c.want...)
	}
	code, stdout, stderr := runStarter(t, env, "outbox", "retry", failed, "--as", "P-131")
	if code != ExitOK || !strings.Contains(stdout, "queued "+failed+" again (it had failed: user_not_found") {
		t.Fatalf("retry: exit %d, %q, %s", code, stdout, stderr)
	}
	code, stdout, _ = runStarter(t, env, "outbox", "list", "--status", "queued", "--json")
	if code != ExitOK || strings.Count(stdout, `"status": "queued"`) != 2 {
		t.Errorf("after the retry: %s", stdout)
	}
	code, stdout, _ = runStarter(t, env, "audit", "H-01")
	if code != ExitOK || !strings.Contains(stdout, "retry-notification") || !strings.Contains(stdout, "P-131") {
		t.Errorf("the retry is not in the audit trail:\n%s", stdout)
	}
	// A row already queued again is not retried twice.
	code, stdout, stderr = runStarter(t, env, "outbox", "retry", failed, "--as", "P-136")
	assertRejected(t, code, stdout, stderr, "not failed")
}
