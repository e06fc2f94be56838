package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestCycleOnTime(t *testing.T) {
	h := newHarness(t)
	h.run()

	next := h.continuedAs()
	if next.Number != 2 || next.StartDate != domain.NewDate(2030, time.January, 4) {
		t.Errorf("next cycle = %d from %s, want 2 from 2030-01-04", next.Number, next.StartDate)
	}
	if len(next.PreviousTeam) < 4 {
		t.Errorf("previous team carried to cycle 2 = %v, want the four members at least", next.PreviousTeam)
	}
	if next.Clock == nil || next.Clock.AnchorDate != cycleStart {
		t.Errorf("cycle 2 must keep the clock anchored on %s, got %+v", cycleStart, next.Clock)
	}

	rows := h.steps()
	for _, r := range rows {
		if r.Status == "open" {
			t.Errorf("step %s still open at the end of the cycle", r.Step)
		}
		if r.Escalation != 0 {
			t.Errorf("step %s escalated to level %d in an on-time cycle", r.Step, r.Escalation)
		}
	}
	pubs, err := h.store.Publications(context.Background(), institution)
	if err != nil || len(pubs) != 1 || pubs[0].Verdict != 1 {
		t.Fatalf("publications = %+v, %v; want one with verdict 1", pubs, err)
	}
	c, err := h.store.Cycle(context.Background(), institution, 1)
	if err != nil || c.Status != "completed" || c.Verdict != 1 {
		t.Errorf("cycle read model = %+v, %v; want completed with verdict 1", c, err)
	}
	for _, msg := range h.outbox(manager) {
		if msg.Kind == "escalation" {
			t.Errorf("manager got an escalation in an on-time cycle: %s", msg.Subject)
		}
	}
	if len(h.rejections) != 0 {
		t.Errorf("an on-time cycle had rejected actions: %v", h.rejections)
	}
}
