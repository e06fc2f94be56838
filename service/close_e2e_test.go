package service_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/cli"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestClosingAnInstitutionCancelsItsCycle closes institutions through the starter on the
// embedded server (issue 9, point 6): institutions close cancels the running cycle with the
// closing reason (its open step withdrawn, the holder told) and does it once; a closed
// institution gets no new cycle; an import that closes an institution cancels its cycle too
// and never reopens one; cycle start --region skips the closed ones and says so.
func TestClosingAnInstitutionCancelsItsCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	cfg := testConfig(t, t.TempDir())
	ctx, s, a := upWithExamples(t, cfg)
	today := domain.DateOf(time.Now())
	for _, inst := range []string{"H-02", "H-03"} {
		a.mustRun(ctx, "cycle", "start", "--institution", inst, "--as", secretariatH)
	}
	// H-02's year-1 self-evaluation is open, held by its manager.
	const managerH02 = "P-002"
	waitUntil(ctx, t, "H-02's self-evaluation to open", func() bool {
		_, stage, err := a.status(ctx, "H-02")
		return err == nil && openStep(stage, workflows.StepSelfEvaluation)
	})

	out := a.mustRun(ctx, "institutions", "close", "H-02", "--on", today.String(), "--reason", "Tilbuddet er nedlagt",
		"--as", secretariatH, "--json")
	var closed struct {
		ClosedOn      domain.Date `json:"closed_on"`
		ClosedBy      string      `json:"closed_by"`
		AlreadyClosed bool        `json:"already_closed"`
		Cycle         struct {
			Cycle  int    `json:"cycle"`
			Result string `json:"result"`
			Reason string `json:"reason"`
		} `json:"cycle"`
	}
	if err := json.Unmarshal([]byte(out), &closed); err != nil {
		t.Fatalf("institutions close --json: %v\n%s", err, out)
	}
	wantReason := "institution closed on " + today.String() + ": Tilbuddet er nedlagt"
	if closed.ClosedOn != today || closed.ClosedBy != secretariatH || closed.AlreadyClosed ||
		closed.Cycle.Result != "cancelled" || closed.Cycle.Cycle != 1 || closed.Cycle.Reason != wantReason {
		t.Errorf("institutions close: %+v", closed)
	}

	// The cycle is cancelled with the reason, its open step withdrawn, and the holder told.
	var cycle workflows.CycleStatus
	waitUntil(ctx, t, "H-02's cycle to be cancelled with its step withdrawn", func() bool {
		c, stage, err := a.status(ctx, "H-02")
		if err != nil || !c.Cancelled || stage != nil {
			return false
		}
		cycle = c
		return len(c.Steps) > 0
	})
	if cycle.CancelReason != wantReason {
		t.Errorf("cancel reason %q, want %q", cycle.CancelReason, wantReason)
	}
	for _, st := range cycle.Steps {
		if st.Status != workflows.StepWithdrawn {
			t.Errorf("step %s is %s, want withdrawn", st.Key, st.Status)
		}
	}
	waitFor(ctx, t, "the withdrawal notice to H-02's manager", func() []store.OutboxMessage {
		var withdrawn []store.OutboxMessage
		for _, m := range messages(ctx, t, s.Store, "H-02", managerH02) {
			if m.Kind == "withdrawn" {
				withdrawn = append(withdrawn, m)
			}
		}
		return withdrawn
	})
	if status := a.mustRun(ctx, "cycle", "status", "H-02"); !strings.Contains(status, "cancelled: "+wantReason) ||
		!strings.Contains(status, "withdrawn") {
		t.Errorf("cycle status does not show the cancellation and the withdrawn step:\n%s", status)
	}

	// Closing again: nothing changes, and the cycle is not cancelled twice.
	out = a.mustRun(ctx, "institutions", "close", "H-02", "--on", today.String(), "--reason", "Tilbuddet er nedlagt", "--as", secretariatH)
	if !strings.Contains(out, "H-02 Center for Autisme Egely was already closed on "+today.String()+" by "+secretariatH) {
		t.Errorf("second close:\n%s", out)
	}
	if n := auditCount(ctx, t, s.Store, "H-02", "cancel-cycle"); n != 1 {
		t.Errorf("%d cancel-cycle entries in H-02's audit trail, want 1", n)
	}
	if n := auditCount(ctx, t, s.Store, "H-02", store.AuditCloseInstitution); n != 1 {
		t.Errorf("%d close-institution entries in H-02's audit trail, want 1", n)
	}

	// A closed institution gets no new cycle.
	if code, _, errOut := a.run(ctx, "cycle", "start", "--institution", "H-02", "--as", secretariatH); code != cli.ExitRejected ||
		!strings.Contains(errOut, "was closed on "+today.String()) {
		t.Errorf("starting closed H-02: exit %d, %q; want exit 2 naming the closing day", code, errOut)
	}

	// An import closes H-03 to H-08 (H-02 keeps its day): H-03's running cycle is cancelled.
	examples, err := os.ReadFile("../examples/institutions.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(examples), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "H-") && !strings.HasPrefix(l, "H-01,") {
			lines[i] = l + today.String()
		}
	}
	path := filepath.Join(t.TempDir(), "institutions.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out = a.mustRun(ctx, "institutions", "import", path, "--as", secretariatH)
	for _, want := range []string{
		"closed: H-03 closed on " + today.String() + " (closed_on in institutions.csv); its cycle is cancelled",
		"closed: H-04 closed on " + today.String() + " (closed_on in institutions.csv); it had no cycle",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "closed: H-02") {
		t.Errorf("the import closed H-02 again:\n%s", out)
	}
	waitUntil(ctx, t, "H-03's cycle to be cancelled", func() bool {
		c, _, err := a.status(ctx, "H-03")
		return err == nil && c.Cancelled && c.CancelReason == "institution closed on "+today.String()+": closed_on in institutions.csv"
	})

	// An import never reopens: the examples as they are refuse the file.
	if code, _, errOut := a.run(ctx, "institutions", "import", "../examples/institutions.csv", "--as", secretariatH); code != cli.ExitRejected ||
		!strings.Contains(errOut, "7 bad row(s), nothing was imported") {
		t.Errorf("re-import of the open examples: exit %d, %q", code, errOut)
	}

	// The region's start skips the closed ones, each on its line and counted.
	out = a.mustRun(ctx, "cycle", "start", "--region", "hovedstaden", "--as", secretariatH)
	if !strings.Contains(out, "H-01: started cycle 1") || !strings.Contains(out, "H-03: skipped: closed on "+today.String()+": closed_on in institutions.csv") ||
		!strings.Contains(out, "H-02: skipped: closed on "+today.String()+": Tilbuddet er nedlagt") ||
		!strings.Contains(out, "(1 started, 7 skipped because closed (H-02, H-03, H-04, H-05, H-06, H-07, H-08))") {
		t.Errorf("cycle start --region hovedstaden:\n%s", out)
	}
}

// waitUntil polls until done, or fails the test when ctx ends.
func waitUntil(ctx context.Context, t *testing.T, what string, done func() bool) {
	t.Helper()
	waitFor(ctx, t, what, func() []bool {
		if done() {
			return []bool{true}
		}
		return nil
	})
}

// auditCount counts an institution's audit entries of one action.
func auditCount(ctx context.Context, t *testing.T, st *store.Store, inst, action string) int {
	t.Helper()
	trail, err := st.AuditTrail(ctx, inst)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range trail {
		if e.Action == action {
			n++
		}
	}
	return n
}
