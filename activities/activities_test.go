package activities_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/store"
)

func newActivities(t *testing.T) *activities.Activities {
	t.Helper()
	return activities.New(fixture.ExampleStore(t), config.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
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

func TestNotifyQueuesOnceWhateverTheRetries(t *testing.T) {
	a := newActivities(t)
	ctx := context.Background()
	n0 := escalation()
	if err := a.Store.UpsertStep(ctx, store.StepRow{ID: "cycle/H-01/1/self-evaluation-1@run/self-evaluation/2027-01-04",
		InstitutionID: "H-01", Cycle: 1, Step: n0.Step, Title: n0.Title, Region: n0.Region, HolderID: "P-001",
		Opened: domain.NewDate(2027, 1, 4), Due: n0.Due, Status: "open", Revision: 1}); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; attempt < 3; attempt++ {
		sent, err := a.Notify(ctx, escalation())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(sent, ",") != "P-131,P-136" {
			t.Fatalf("attempt %d reached %v, want the regional and the national secretariat once each", attempt, sent)
		}
	}
	msgs, err := a.Store.Outbox(ctx, store.OutboxFilter{InstitutionID: "H-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Status != store.OutboxQueued || msgs[1].Status != store.OutboxQueued {
		t.Fatalf("outbox = %+v, want two queued rows", msgs)
	}
	m := msgs[0]
	if !strings.Contains(m.Subject, "Eskalering 3") || !strings.Contains(m.Subject, "overskredet med 21 dage") {
		t.Errorf("message %q does not say the level and how late the step is", m.Subject)
	}
	// A message without buttons, or about no recorded step, follows no step.
	info := escalation()
	info.Key, info.Kind = "cycle/H-01/1/self-evaluation-1@run/self-evaluation/2027-01-04/info/0/2027-03-22", activities.KindInfo
	seat := escalation()
	seat.Key, seat.Kind = "cycle/H-01/1@run/external-evaluation/team/lead/P-088/task/0/2027-03-22", activities.KindTask
	for _, other := range []activities.Notification{info, seat} {
		if _, err := a.Notify(ctx, other); err != nil {
			t.Fatal(err)
		}
		if r, err := a.Store.Notification(ctx, other.Key+"/P-131"); err != nil || r.StepID != "" {
			t.Errorf("%s follows step %q (%v), want none", other.Key, r.StepID, err)
		}
	}
	// What the dispatcher needs: the read-model step, the level and region for routing, the
	// task's page, and the content it renders.
	if m.StepID != "cycle/H-01/1/self-evaluation-1@run/self-evaluation/2027-01-04" || m.Level != 3 || m.Region != "hovedstaden" {
		t.Errorf("row step %q, level %d, region %q", m.StepID, m.Level, m.Region)
	}
	if m.Link != "http://127.0.0.1:8080/institutions/H-01/cycles/1/steps/self-evaluation" || !strings.Contains(m.Content, `"kind":"escalation"`) {
		t.Errorf("row link %q, content %s", m.Link, m.Content)
	}
}

func TestNotifyNeverWaitsForSlack(t *testing.T) {
	// Slack configured but unreachable: Notify does not talk to it, so it neither blocks nor
	// fails; the rows wait for the dispatcher.
	a := newActivities(t)
	a.Config.Slack.BotToken, a.Config.Slack.APIURL = "xoxb-test", "http://127.0.0.1:1/api/"
	if _, err := a.Notify(context.Background(), escalation()); err != nil {
		t.Fatalf("Notify failed with Slack unreachable: %v", err)
	}
	msgs, err := a.Store.Outbox(context.Background(), store.OutboxFilter{Status: store.OutboxQueued})
	if err != nil || len(msgs) != 2 {
		t.Errorf("%d queued rows (%v), want 2", len(msgs), err)
	}
}

func TestNotifyWithoutARecipientTellsTheSecretariat(t *testing.T) {
	a := newActivities(t)
	task := escalation()
	task.Key, task.Kind, task.Level = "no-manager/task", activities.KindTask, 0
	task.To = []activities.Recipient{{PersonID: ""}}
	sent, err := a.Notify(context.Background(), task)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := a.Store.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sent, ",") != "P-131" || len(msgs) != 1 || msgs[0].RecipientID != "P-131" || !strings.HasPrefix(msgs[0].Subject, "Ny opgave") {
		t.Errorf("sent %v, queued %+v; want the task queued for the regional secretariat", sent, msgs)
	}
}

func TestLoadInstitution(t *testing.T) {
	a := newActivities(t)
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
	a := newActivities(t)
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
	a := newActivities(t)
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
	a := newActivities(t)
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
