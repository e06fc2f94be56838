package activities_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
)

// countingNotifier records every delivery, so a test can tell a retry from a second message.
type countingNotifier struct {
	mu        sync.Mutex
	delivered []string
	fail      bool
}

func (n *countingNotifier) Deliver(_ context.Context, msg store.OutboxMessage, to store.Person) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail {
		return errors.New("slack is down")
	}
	n.delivered = append(n.delivered, to.ID+": "+msg.Subject)
	return nil
}

func newActivities(t *testing.T) (*activities.Activities, *countingNotifier) {
	t.Helper()
	st := fixture.ExampleStore(t)
	n := &countingNotifier{}
	return activities.New(st, config.Default(), n, slog.New(slog.NewTextHandler(io.Discard, nil))), n
}

func escalation() activities.Notification {
	return activities.Notification{
		Key: "cycle/H-01/1/self-evaluation-1@run/self-evaluation/2027-01-04/escalation/3/2027-03-22", Kind: activities.KindEscalation,
		To: []activities.Recipient{
			{Role: domain.RoleSecretariat, Region: domain.Hovedstaden},
			{Role: domain.RoleSecretariat, National: true},
			{PersonID: "P-131"}, // named twice: told once
		},
		InstitutionID: "H-01", Institution: "Bo- og aktivitetstilbuddet Lindevang", Region: domain.Hovedstaden, Cycle: 1,
		Step: "self-evaluation", Title: "Selvevaluering 2027 (år 1)", Due: domain.NewDate(2027, 3, 1), Level: 3,
		On: domain.NewDate(2027, 3, 22),
	}
}

func TestNotifyIsSentOnceWhateverTheRetries(t *testing.T) {
	a, n := newActivities(t)
	ctx := context.Background()
	for attempt := 0; attempt < 3; attempt++ {
		sent, err := a.Notify(ctx, escalation())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(sent, ",") != "P-131,P-136" {
			t.Fatalf("attempt %d reached %v, want the regional and the national secretariat once each", attempt, sent)
		}
	}
	if len(n.delivered) != 2 {
		t.Fatalf("delivered %d messages over three attempts, want 2: %v", len(n.delivered), n.delivered)
	}
	if !strings.Contains(n.delivered[0], "Eskalering 3") || !strings.Contains(n.delivered[0], "overskredet med 21 dage") {
		t.Errorf("message %q does not say the level and how late the step is", n.delivered[0])
	}
	msgs, err := a.Store.Outbox(ctx, store.OutboxFilter{InstitutionID: "H-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Status != "sent" {
		t.Errorf("outbox = %+v, want two sent rows", msgs)
	}
}

func TestNotifyRetriesOnlyWhatWasNotDelivered(t *testing.T) {
	a, n := newActivities(t)
	ctx := context.Background()
	n.fail = true
	if _, err := a.Notify(ctx, escalation()); err == nil {
		t.Fatal("a failed delivery must fail the activity so Temporal retries it")
	}
	n.fail = false
	if _, err := a.Notify(ctx, escalation()); err != nil {
		t.Fatal(err)
	}
	if len(n.delivered) != 2 {
		t.Errorf("after the retry %d messages were delivered, want 2: %v", len(n.delivered), n.delivered)
	}
}

func TestNotifyWithoutARecipientTellsTheSecretariat(t *testing.T) {
	a, n := newActivities(t)
	task := escalation()
	task.Key, task.Kind, task.Level = "no-manager/task", activities.KindTask, 0
	task.To = []activities.Recipient{{PersonID: ""}}
	sent, err := a.Notify(context.Background(), task)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sent, ",") != "P-131" || len(n.delivered) != 1 || !strings.HasPrefix(n.delivered[0], "P-131: Ny opgave") {
		t.Errorf("sent %v, delivered %v; want the task to reach the regional secretariat", sent, n.delivered)
	}
}

func TestLoadInstitution(t *testing.T) {
	a, _ := newActivities(t)
	ctx := context.Background()
	info, err := a.LoadInstitution(ctx, "H-01", domain.NewDate(2027, 1, 4))
	if err != nil {
		t.Fatal(err)
	}
	if info.ManagerID != "P-001" || strings.Join(info.SecretariatIDs, ",") != "P-131" ||
		strings.Join(info.NationalSecretariat, ",") != "P-136" || info.Generation != 1 {
		t.Errorf("institution context = %+v", info)
	}
	_, err = a.LoadInstitution(ctx, "X-99", domain.NewDate(2027, 1, 4))
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(err.Error(), "X-99 is not in the registry") {
		t.Errorf("unknown institution: %v, want a non-retryable error naming it", err)
	}
}

func TestRecordSubmissionWritesOnce(t *testing.T) {
	a, _ := newActivities(t)
	ctx := context.Background()
	rec := activities.SubmissionRecord{
		Submission: activities.SubmissionMeta{ID: "cycle/H-01/1~first/self-evaluation-1/self-evaluation", InstitutionID: "H-01", Cycle: 1,
			Step: "self-evaluation", Kind: "self-evaluation", SubmittedBy: "P-001", SubmittedOn: domain.NewDate(2027, 1, 14)},
		Body:       map[string]any{},
		Ratings:    []activities.RatingWrite{{Standard: "1.1", Rating: 2}, {Standard: "2.1", Rating: 1}},
		Indicators: map[string]string{"1.1.1": "ja"},
	}
	var refs []activities.DocumentRef
	for i := 0; i < 2; i++ {
		ref, err := a.RecordSubmission(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	// The reference names the stored document and its digest, the same on a retry.
	want := activities.DocumentRef{ID: rec.Submission.ID, Kind: "self-evaluation",
		SHA256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", Bytes: 2}
	if refs[0] != want || refs[1] != want {
		t.Errorf("references %+v, want %+v twice", refs, want)
	}
	var subs, ratings int
	if err := a.Store.DB().GetContext(ctx, &subs, `SELECT COUNT(*) FROM submissions`); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.DB().GetContext(ctx, &ratings, `SELECT COUNT(*) FROM self_evaluation_ratings`); err != nil {
		t.Fatal(err)
	}
	if subs != 1 || ratings != 2 {
		t.Errorf("after a retry: %d submissions and %d ratings, want 1 and 2", subs, ratings)
	}
}

func TestProposedTeamKeepsEveryHardRule(t *testing.T) {
	a, _ := newActivities(t)
	ctx := context.Background()
	on := domain.NewDate(2027, 3, 1)
	seats := append(domain.RequiredSeats(), domain.SeatTrainee)
	for _, inst := range []string{"H-01", "S-03", "Y-02", "M-05", "N-08"} {
		proposals, err := a.ProposeTeam(ctx, activities.TeamRequest{InstitutionID: inst, Cycle: 1, On: on, Seats: seats})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, p := range proposals {
			if !p.Found {
				if p.Seat != domain.SeatTrainee {
					t.Errorf("%s: no candidate for %s in the example registry", inst, p.Seat)
				}
				continue
			}
			if seen[p.PersonID] {
				t.Errorf("%s: %s proposed twice", inst, p.PersonID)
			}
			seen[p.PersonID] = true
			if err := a.CheckCandidate(ctx, activities.CandidateCheck{InstitutionID: inst, Seat: p.Seat, PersonID: p.PersonID, On: on}); err != nil {
				t.Errorf("%s: proposed %s for %s breaks a rule: %v", inst, p.PersonID, p.Seat, err)
			}
			if len(p.Reasons) == 0 {
				t.Errorf("%s: %s proposed without reasons", inst, p.PersonID)
			}
		}
	}
}

func TestCheckCandidateNamesTheRule(t *testing.T) {
	a, _ := newActivities(t)
	// P-001 manages H-01: a manager in the institution's own region is no reviewer for it.
	err := a.CheckCandidate(context.Background(), activities.CandidateCheck{InstitutionID: "H-01", Seat: domain.SeatLead,
		PersonID: "P-001", On: domain.NewDate(2027, 3, 1)})
	if err == nil || !strings.Contains(err.Error(), "not a reviewer or representative") {
		t.Errorf("an institution manager as lead: %v", err)
	}
	var sameRegion string
	if err := a.Store.DB().GetContext(context.Background(), &sameRegion, `SELECT id FROM people WHERE role = 'reviewer'
		AND region = 'hovedstaden' ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	err = a.CheckCandidate(context.Background(), activities.CandidateCheck{InstitutionID: "H-01", Seat: domain.SeatProfessional,
		PersonID: sameRegion, On: domain.NewDate(2027, 3, 1)})
	if err == nil || !strings.Contains(err.Error(), "other-region: works in Region Hovedstaden") {
		t.Errorf("a reviewer from the same region: %v", err)
	}
}
