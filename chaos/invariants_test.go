package chaos_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// maxAttempts is the retry budget of the stuck check: an activity or workflow task tried
// more often than this is stuck, whatever else happens.
const maxAttempts = 10

// retrying is an activity or workflow task that has failed (or timed out) and is still pending.
type retrying struct {
	workflowID, what string
	attempt          int32
	failure          string
}

// checkTemporal looks at every running workflow on the server. Right after the last kill,
// activities and workflow tasks that were in flight time out and are retried; the check
// waits up to settle for them to clear, then counts as stuck whatever is still retrying, and
// anything tried more than maxAttempts times.
func checkTemporal(ctx context.Context, t *testing.T, k *conn, settle time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		pending, running, err := scanRunning(ctx, k)
		if err != nil {
			t.Errorf("stuck check: %v", err)
			return 0
		}
		over := 0
		for _, r := range pending {
			if r.attempt > maxAttempts {
				over++
			}
		}
		if len(pending) == 0 || over > 0 || time.Now().After(deadline) {
			for _, r := range pending {
				t.Errorf("stuck: %s: %s at attempt %d after a %s settle: %s", r.workflowID, r.what, r.attempt, settle, r.failure)
			}
			t.Logf("stuck check: %d running workflows, %d retrying", running, len(pending))
			return len(pending)
		}
		time.Sleep(2 * time.Second)
	}
}

// scanRunning describes every running workflow and returns what in them is being retried.
func scanRunning(ctx context.Context, k *conn) ([]retrying, int, error) {
	c, err := k.get(ctx)
	if err != nil {
		return nil, 0, err
	}
	var ids []string
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "ExecutionStatus = 'Running'", NextPageToken: token, PageSize: 1000})
		if err != nil {
			return nil, 0, fmt.Errorf("list running workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	var out []retrying
	for _, id := range ids {
		desc, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return nil, 0, fmt.Errorf("describe %s: %w", id, err)
		}
		for _, pa := range desc.GetPendingActivities() {
			if pa.GetAttempt() > 1 {
				out = append(out, retrying{workflowID: id, what: "activity " + pa.GetActivityType().GetName(),
					attempt: pa.GetAttempt(), failure: pa.GetLastFailure().GetMessage()})
			}
		}
		if wt := desc.GetPendingWorkflowTask(); wt != nil && wt.GetAttempt() > 1 {
			out = append(out, retrying{workflowID: id, what: "workflow task", attempt: wt.GetAttempt()})
		}
	}
	return out, len(ids), nil
}

// incarnation is the "~<first run ID>" part of a cycle key (workflows/keys.go): it is
// dropped when comparing notifications, so that one written twice under two incarnations of
// the same cycle counts as a duplicate too.
var incarnation = regexp.MustCompile(`~[^/]*`)

// checkStore reads the domain store the workers left at loc and counts duplicates and losses:
//   - every cycle completed in the read model and was published;
//   - no two outbox messages for the same recipient, stage, step, kind, level and date;
//   - every acknowledged action has exactly one audit entry (keyed by its update ID), and no
//     two audit entries say the same thing;
//   - every acknowledged submission, report and invitation answer is in its table, and no
//     table holds more submissions of a kind than actions of that kind were sent;
//   - no step of a finished cycle is still open in the read model.
func checkStore(ctx context.Context, t *testing.T, loc store.Location, runs []*cycleRun, led *ledger) (duplicates, lost int) {
	t.Helper()
	st, err := store.Open(ctx, loc)
	if err != nil {
		t.Errorf("open the domain store: %v", err)
		return 0, 0
	}
	defer func() { _ = st.Close() }()
	dup := func(format string, args ...any) {
		duplicates++
		if duplicates <= 30 {
			t.Errorf("duplicate: "+format, args...)
		}
	}
	loss := func(format string, args ...any) {
		lost++
		if lost <= 30 {
			t.Errorf("lost: "+format, args...)
		}
	}

	// Publication.
	for _, r := range runs {
		c, err := st.Cycle(ctx, r.institution, 1)
		if err != nil {
			t.Errorf("%s: cycle 1 in the read model: %v", r.institution, err)
			continue
		}
		pubs, err := st.Publications(ctx, r.institution)
		if err != nil {
			t.Fatal(err)
		}
		published := false
		for _, p := range pubs {
			published = published || p.Cycle == 1
		}
		if r.done.Load() && (c.Status != "completed" || !published) {
			loss("%s: the cycle continued into cycle 2, but cycle 1 is %q in the read model and published=%t", r.institution, c.Status, published)
		}
	}

	var invitations, unanswered int
	if err := st.DB().GetContext(ctx, &invitations, `SELECT COUNT(*) FROM steps WHERE step LIKE 'invitation/%'`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().GetContext(ctx, &unanswered, `SELECT COUNT(*) FROM steps WHERE step LIKE 'invitation/%' AND status = 'expired'`); err != nil {
		t.Fatal(err)
	}
	t.Logf("read model: %d invitations, %d of them expired unanswered (the scripted reviewers answer at once; an invitation expires when the worker is down or behind for its whole answer window)",
		invitations, unanswered)

	// Notifications.
	msgs, err := st.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	ids := map[string]bool{}
	other := 0
	for _, m := range msgs {
		if ids[m.ID] {
			dup("outbox message %s twice", m.ID)
		}
		ids[m.ID] = true
		what, ok := notificationIdentity(m)
		if !ok {
			// Not an alert about a step (the publication's message, say): the same key,
			// but for the cycle's incarnation, is the same message.
			what = m.RecipientID + " " + incarnation.ReplaceAllString(m.ID, "")
			other++
		}
		if other, ok := seen[what]; ok {
			dup("%s was told the same thing twice: %s and %s", m.RecipientID, other, m.ID)
			continue
		}
		seen[what] = m.ID
	}
	t.Logf("outbox: %d messages (%d of them not alerts about a step, compared by key)", len(msgs), other)

	acks := map[string][]ack{}
	for _, a := range led.all() {
		acks[a.institution] = append(acks[a.institution], a)
	}
	led.mu.Lock()
	attempted := led.attempted
	led.mu.Unlock()
	for _, r := range runs {
		inst := r.institution
		// Audit trail.
		trail, err := st.AuditTrail(ctx, inst)
		if err != nil {
			t.Fatal(err)
		}
		said := map[string]string{}
		for _, e := range trail {
			what := fmt.Sprintf("cycle %d %s %s by %s: %s", e.Cycle, e.Action, e.Step, e.ActorID, e.Details)
			if other, ok := said[what]; ok {
				dup("%s: the audit trail says %q twice: %s and %s", inst, what, other, e.ID)
			}
			said[what] = e.ID
		}
		starts := map[int]int{}
		for _, e := range trail {
			if e.Action == "start-cycle" {
				starts[e.Cycle]++
			}
		}
		if starts[1] != 1 || (r.done.Load() && starts[2] != 1) {
			loss("%s: the audit trail has %d start-cycle entries for cycle 1 and %d for cycle 2, want one each", inst, starts[1], starts[2])
		}
		for _, a := range acks[inst] {
			var found []store.AuditEntry
			for _, e := range trail {
				if strings.HasSuffix(e.ID, "/action/"+a.updateID) {
					found = append(found, e)
				}
			}
			switch {
			case len(found) == 0:
				loss("%s: acknowledged %s on %s by %s (update %s) has no audit entry", inst, a.update, a.step, a.actor, a.updateID)
			case len(found) > 1:
				dup("%s: update %s has %d audit entries", inst, a.updateID, len(found))
			case found[0].Action != a.update || found[0].ActorID != a.actor:
				loss("%s: the audit entry of update %s says %s by %s, want %s by %s", inst, a.updateID, found[0].Action, found[0].ActorID, a.update, a.actor)
			}
		}

		// Submissions and reports.
		subs, err := st.Submissions(ctx, inst, 1)
		if err != nil {
			t.Fatal(err)
		}
		subIDs := map[string]bool{}
		stored := map[string]int{}
		for _, s := range subs {
			subIDs[s.ID] = true
			stored[submissionUpdate(s.Kind)]++
		}
		var reportIDs []string
		if err := st.DB().SelectContext(ctx, &reportIDs, st.DB().Rebind(`SELECT id FROM reports WHERE institution_id = ? AND cycle_number = 1`), inst); err != nil {
			t.Fatal(err)
		}
		var answers []struct {
			Person string `db:"person_id"`
			Status string `db:"status"`
		}
		if err := st.DB().SelectContext(ctx, &answers, st.DB().Rebind(`SELECT person_id, status FROM assignments
			WHERE institution_id = ? AND cycle_number = 1`), inst); err != nil {
			t.Fatal(err)
		}
		for _, a := range acks[inst] {
			switch a.update {
			case workflows.UpdateSubmitSelfEvaluation, workflows.UpdateSubmitReport, workflows.UpdateSubmitActionPlan,
				workflows.UpdateAppeal, workflows.UpdateDecide, workflows.UpdateCommentReport:
				if len(a.documents) == 0 {
					if !anyContains(subIDs, a.updateID) {
						loss("%s: acknowledged %s on %s (update %s) has no submission", inst, a.update, a.step, a.updateID)
					}
				}
				for _, doc := range a.documents {
					if !subIDs[doc.ID] {
						loss("%s: acknowledged %s on %s: submission %s is not in the store", inst, a.update, a.step, doc.ID)
					}
					if a.update == workflows.UpdateSubmitReport && !contains(reportIDs, doc.ID) {
						loss("%s: acknowledged report %s is not in the reports table", inst, doc.ID)
					}
				}
			case workflows.UpdateAnswerInvitation:
				want := "declined"
				if a.accept {
					want = "accepted"
				}
				ok := false
				for _, row := range answers {
					ok = ok || (row.Person == a.actor && row.Status == want)
				}
				if !ok {
					loss("%s: %s's acknowledged answer (%s, on %s) is not in the assignments table: %+v", inst, a.actor, want, a.step, answers)
				}
			}
		}
		for update, n := range stored {
			if sent := attempted[inst+" "+update]; n > sent {
				dup("%s: %d submissions for %s, but only %d such actions were sent", inst, n, update, sent)
			}
		}

		// The read model of a finished cycle has no open step.
		if r.done.Load() {
			steps, err := st.Steps(ctx, inst, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				if s.Status == "open" {
					loss("%s: step %s of the finished cycle 1 is still open in the read model (%s)", inst, s.Step, s.ID)
				}
			}
		}
	}
	return duplicates, lost
}

// notificationIdentity is what one notification says to whom: recipient, stage, step, kind,
// level and date, from its key <stage key>/<step>[#n]/<kind>/<level>/<date>/<person>.
func notificationIdentity(m store.OutboxMessage) (string, bool) {
	parts := strings.Split(m.ID, "/")
	n := len(parts)
	if n < 6 || parts[n-1] != m.RecipientID || parts[n-4] != m.Kind {
		return "", false
	}
	kind, level, date := parts[n-4], parts[n-3], parts[n-2]
	prefix := strings.Join(parts[:n-4], "/")
	if i := strings.LastIndex(prefix, "#"); i > strings.LastIndex(prefix, "/") {
		prefix = prefix[:i]
	}
	stage, ok := strings.CutSuffix(prefix, "/"+m.Step)
	if !ok {
		return "", false
	}
	stage = incarnation.ReplaceAllString(stage, "")
	return strings.Join([]string{m.RecipientID, stage, m.Step, kind, level, date}, " "), true
}

// submissionUpdate names the update that hands in a submission of a kind.
func submissionUpdate(kind string) string {
	switch kind {
	case "self-evaluation":
		return workflows.UpdateSubmitSelfEvaluation
	case workflows.StepReport, workflows.StepRevisitReport:
		return workflows.UpdateSubmitReport
	case "comment":
		return workflows.UpdateCommentReport
	case "action-plan":
		return workflows.UpdateSubmitActionPlan
	case "appeal":
		return workflows.UpdateAppeal
	case "decision":
		return workflows.UpdateDecide
	}
	return kind
}

func anyContains(ids map[string]bool, part string) bool {
	for id := range ids {
		if strings.Contains(id, part) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	sort.Strings(list)
	i := sort.SearchStrings(list, s)
	return i < len(list) && list[i] == s
}
