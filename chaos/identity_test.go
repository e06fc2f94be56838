package chaos_test

import (
	"testing"

	"github.com/kvalitetsmodel/accredit/store"
)

// TestNotificationIdentity checks the duplicate check itself: the same alert written under
// a second opening of its step, or under another incarnation of the cycle, is the same
// message; another level, date, kind or person is not.
func TestNotificationIdentity(t *testing.T) {
	msg := func(id, step, kind, to string) store.OutboxMessage {
		return store.OutboxMessage{ID: id, Step: step, Kind: kind, RecipientID: to}
	}
	const stage = "cycle/H-01/1~0190-aaaa/external-evaluation"
	base := msg(stage+"/invitation/lead/1/reminder/1/2026-12-01/P-050", "invitation/lead/1", "reminder", "P-050")
	same := []store.OutboxMessage{
		msg(stage+"/invitation/lead/1#2/reminder/1/2026-12-01/P-050", "invitation/lead/1", "reminder", "P-050"),
		msg("cycle/H-01/1~0190-bbbb/external-evaluation/invitation/lead/1/reminder/1/2026-12-01/P-050", "invitation/lead/1", "reminder", "P-050"),
	}
	different := []store.OutboxMessage{
		msg(stage+"/invitation/lead/1/reminder/2/2026-12-01/P-050", "invitation/lead/1", "reminder", "P-050"),
		msg(stage+"/invitation/lead/1/reminder/1/2026-12-02/P-050", "invitation/lead/1", "reminder", "P-050"),
		msg(stage+"/invitation/lead/1/escalation/1/2026-12-01/P-050", "invitation/lead/1", "escalation", "P-050"),
		msg(stage+"/invitation/lead/1/reminder/1/2026-12-01/P-051", "invitation/lead/1", "reminder", "P-051"),
		msg(stage+"/invitation/lead/2/reminder/1/2026-12-01/P-050", "invitation/lead/2", "reminder", "P-050"),
		msg("cycle/H-01/1~0190-aaaa/self-evaluation-1/self-evaluation/reminder/1/2026-12-01/P-050", "self-evaluation", "reminder", "P-050"),
	}
	want, ok := notificationIdentity(base)
	if !ok {
		t.Fatalf("%s: not recognised as an alert key", base.ID)
	}
	for _, m := range same {
		if got, ok := notificationIdentity(m); !ok || got != want {
			t.Errorf("%s: identity %q (%t), want %q", m.ID, got, ok, want)
		}
	}
	for _, m := range different {
		if got, ok := notificationIdentity(m); !ok || got == want {
			t.Errorf("%s: identity %q (%t), want another than %q", m.ID, got, ok, want)
		}
	}
	if _, ok := notificationIdentity(msg("cycle/H-01/1~0190-aaaa/publication/published/P-001", "publication", "info", "P-001")); ok {
		t.Error("the publication's message is not an alert about a step")
	}
}
