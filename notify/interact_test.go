package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/notify/slackapp"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/web"
	"github.com/kvalitetsmodel/accredit/workflows"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// People of the example registry in these tests: an invited reviewer and another reviewer,
// both with a Slack member ID in people.csv.
const (
	invitee      = "P-049"
	inviteeSlack = "U057USL46"
	otherSlack   = "U057XYUS6" // P-050
	managerSlack = "U01D0BL37" // P-001, H-01's manager
)

// fakeActions records the actions a click runs, and refuses them when told to.
type fakeActions struct {
	mu      sync.Mutex
	answers []workflows.InvitationAnswer
	dates   []workflows.VisitDate
	records []workflows.VisitRecord
	refuse  string
	delay   time.Duration
}

func (f *fakeActions) result(action string) error {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if f.refuse != "" {
		return &cycles.RefusedError{Action: action, WorkflowID: "cycle/H-01/external", Reason: f.refuse}
	}
	return nil
}

func (f *fakeActions) AnswerInvitation(_ context.Context, inst string, req workflows.InvitationAnswer) (workflows.TeamMember, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, req)
	return workflows.TeamMember{Seat: domain.SeatLead, PersonID: req.Actor}, f.result(workflows.UpdateAnswerInvitation)
}

func (f *fakeActions) SetVisitDate(_ context.Context, inst string, req workflows.VisitDate) (workflows.StepRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dates = append(f.dates, req)
	return workflows.StepRecord{}, f.result(workflows.UpdateSetVisitDate)
}

func (f *fakeActions) RecordVisit(_ context.Context, inst string, req workflows.VisitRecord) (workflows.StepRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records = append(f.records, req)
	return workflows.StepRecord{}, f.result(workflows.UpdateRecordVisit)
}

// set changes what the next actions answer.
func (f *fakeActions) set(refuse string, delay time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse, f.delay = refuse, delay
}

func (f *fakeActions) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.answers) + len(f.dates) + len(f.records)
}

// slackApp is the Slack app of an env, served over HTTP as Slack calls it.
type slackApp struct {
	t   *testing.T
	e   *env
	app *slackapp.App
	srv *httptest.Server
	n   int
}

func (e *env) slackApp(t *testing.T, actions slackapp.Actions) *slackApp {
	t.Helper()
	cfg := e.cfg
	cfg.Slack.SigningSecret = signingSecret
	return e.slackAppOn(t, slackapp.New(e.st, cfg, actions, quiet(), slackapp.Options{SubmitWait: 2 * time.Second}))
}

// slackAppOn serves a Slack app as Slack calls it.
func (e *env) slackAppOn(t *testing.T, app *slackapp.App) *slackApp {
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(app.Wait)
	return &slackApp{t: t, e: e, app: app, srv: srv}
}

// sign is Slack's v0 signature of body at ts.
func sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends body to path as Slack would, signed with secret at ts; it returns the status and
// the answer.
func (s *slackApp) post(path, contentType, body, secret string, ts time.Time) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if secret != "" {
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts.Unix(), 10))
		req.Header.Set("X-Slack-Signature", sign(secret, ts.Unix(), body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// interaction posts an interaction payload, signed now.
func (s *slackApp) interaction(payload map[string]any) (int, string) {
	s.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		s.t.Fatal(err)
	}
	body := url.Values{"payload": {string(raw)}}.Encode()
	return s.post(slackapp.PathInteractivity, "application/x-www-form-urlencoded", body, signingSecret, time.Now())
}

// click is a Slack user clicking a button of a message; it returns the response URL's ID.
func (s *slackApp) click(user, actionID, rowID string) string {
	s.t.Helper()
	s.n++
	id := strconv.Itoa(s.n)
	code, _ := s.interaction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "trigger_id": "trigger-" + id,
		"response_url": s.e.ws.responseURL(id), "channel": map[string]any{"id": "D" + user},
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": notify.BlockActions, "value": rowID}},
	})
	if code != http.StatusOK {
		s.t.Fatalf("click: status %d", code)
	}
	s.app.Wait()
	return id
}

// submit is a Slack user submitting a modal; it returns the immediate answer.
func (s *slackApp) submit(user, callbackID, rowID string, values map[string]map[string]any) map[string]any {
	s.t.Helper()
	code, body := s.interaction(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{"callback_id": callbackID, "private_metadata": rowID, "state": map[string]any{"values": values}},
	})
	if code != http.StatusOK {
		s.t.Fatalf("submit: status %d %s", code, body)
	}
	var out map[string]any
	if strings.TrimSpace(body) != "" {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			s.t.Fatalf("submit answered %q: %v", body, err)
		}
	}
	return out
}

// reply is the ephemeral reply to the click with response URL id.
func (e *env) reply(id string) string {
	for _, r := range e.ws.replies() {
		if r.Channel == "response:"+id {
			return r.Text
		}
	}
	return ""
}

// invitationStep is the read-model step of the tests' invitation.
const invitationStep = "cycle/H-01/1~run/external-evaluation/invitation/lead/1"

// invitation queues and delivers an invitation to P-049 to lead H-01's team, and returns its
// outbox row's ID.
func (e *env) invitation(d *notify.Dispatcher) string {
	e.t.Helper()
	if err := e.st.UpsertStep(context.Background(), store.StepRow{ID: invitationStep, InstitutionID: "H-01", Cycle: 1,
		Step: "invitation/lead/1", Title: "Invitation til teamet (teamleder)", Region: domain.Hovedstaden, HolderID: invitee,
		HolderRole: "lead", Opened: domain.NewDate(2027, 3, 22), Due: domain.NewDate(2027, 3, 29), Status: "open", Revision: 1}); err != nil {
		e.t.Fatal(err)
	}
	n := activities.Notification{Key: invitationStep + "/task/0/2027-03-22", Kind: activities.KindTask, To: []activities.Recipient{person(invitee)},
		InstitutionID: "H-01", Institution: "Bo- og aktivitetstilbuddet Lindevang", Region: domain.Hovedstaden, Cycle: 1,
		Step: "invitation/lead/1", Title: "Invitation til teamet (teamleder)", Due: domain.NewDate(2027, 3, 29), On: domain.NewDate(2027, 3, 22)}
	id := e.notify(n)[0]
	e.run(d)
	return id
}

func TestTaskButtonsActFromSlack(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	row := e.invitation(d)
	m := e.ws.byKey(row)
	if len(m) != 1 {
		t.Fatalf("the invitation was posted %d times", len(m))
	}
	mustContain(t, "the invitation", m[0].Blocks, notify.ActionAcceptInvitation, notify.ActionDeclineInvitation, notify.ActionOpenTask,
		`"value":"`+row+`"`)
	// The lead's date and visit steps, and the manager's self-evaluation, get their own buttons.
	for step, want := range map[string]string{"visit-date": notify.ActionSetVisitDate, "revisit": notify.ActionRecordVisit,
		"self-evaluation": "Udfyld selvevalueringen", "hearing": "Kommentér rapporten"} {
		n := note(activities.KindTask, 0, domain.NewDate(2027, 3, 23), person("P-001"))
		n.Key, n.Step = "cycle/H-01/1~run/x/"+step+"/task/0/2027-03-23", step
		id := e.notify(n)[0]
		e.run(d)
		mustContain(t, step+"'s task", e.ws.byKey(id)[0].Blocks, want)
	}
}

func TestForgedStaleAndUnsignedRequestsAreRefused(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	row := e.invitation(d)
	actions := &fakeActions{}
	s := e.slackApp(t, actions)
	raw, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": inviteeSlack},
		"actions": []map[string]any{{"type": "button", "action_id": notify.ActionAcceptInvitation, "block_id": notify.BlockActions, "value": row}}})
	body := url.Values{"payload": {string(raw)}}.Encode()
	form := "application/x-www-form-urlencoded"
	for name, c := range map[string]struct {
		secret string
		at     time.Time
	}{
		"forged (another secret)": {"not-the-secret", time.Now()},
		"stale (6 minutes old)":   {signingSecret, time.Now().Add(-6 * time.Minute)},
		"from the future":         {signingSecret, time.Now().Add(6 * time.Minute)},
		"unsigned":                {"", time.Now()},
	} {
		if code, _ := s.post(slackapp.PathInteractivity, form, body, c.secret, c.at); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	// A signature over another body (the payload changed on the way).
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+slackapp.PathInteractivity, strings.NewReader(body+"x"))
	now := time.Now().Unix()
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("X-Slack-Signature", sign(signingSecret, now, body))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a tampered body: %v, %v; want 401", resp.StatusCode, err)
	}
	if code, _ := s.post(slackapp.PathEvents, "application/json", `{"type":"url_verification","challenge":"x"}`, "bad", time.Now()); code != http.StatusUnauthorized {
		t.Errorf("a forged event: status %d, want 401", code)
	}
	s.app.Wait()
	if n := actions.calls(); n != 0 {
		t.Errorf("%d actions ran for refused requests", n)
	}
	// The same request, signed with the secret now, is taken.
	if code, _ := s.post(slackapp.PathInteractivity, form, body, signingSecret, time.Now()); code != http.StatusOK {
		t.Errorf("a signed request: status %d", code)
	}
	s.app.Wait()
	if n := actions.calls(); n != 1 {
		t.Errorf("%d actions ran for the signed request, want 1", n)
	}
	// The events endpoint answers Slack's URL check.
	if code, out := s.post(slackapp.PathEvents, "application/json", `{"type":"url_verification","token":"t","challenge":"c-123"}`,
		signingSecret, time.Now()); code != http.StatusOK || out != "c-123" {
		t.Errorf("url_verification: %d %q", code, out)
	}
}

func TestAClickIsAuthorisedByWhoClicked(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	row := e.invitation(d)
	actions := &fakeActions{}
	s := e.slackApp(t, actions)

	// The message forwarded to someone else, who clicks it.
	id := s.click(otherSlack, notify.ActionAcceptInvitation, row)
	mustContain(t, "the reply to a forwarded click", e.reply(id), "⛔", "Knappen hører til en besked til Camilla Bertelsen")
	// Someone Slack knows and the registry does not.
	id = s.click("U0STRANGER", notify.ActionAcceptInvitation, row)
	mustContain(t, "the reply to a stranger's click", e.reply(id), "⛔", "ikke kendt i akkrediteringens register")
	// A button naming a message that does not exist.
	id = s.click(inviteeSlack, notify.ActionAcceptInvitation, "invented/row")
	mustContain(t, "the reply to a made-up value", e.reply(id), "⛔")
	if n := actions.calls(); n != 0 {
		t.Fatalf("%d actions ran for refused clicks", n)
	}

	// The invitee clicks: the action is theirs, whatever the button says.
	id = s.click(inviteeSlack, notify.ActionAcceptInvitation, row)
	if len(actions.answers) != 1 || actions.answers[0].Actor != invitee || !actions.answers[0].Accept {
		t.Fatalf("answers = %+v, want P-049 accepting", actions.answers)
	}
	mustContain(t, "the reply to the invitee", e.reply(id), "✅", "teamleder", "Lindevang")
	// Its message loses its buttons at once, and the invitee's App Home is republished.
	m := e.ws.byKey(row)[0]
	if m.Updates != 1 || strings.Contains(m.Blocks, notify.ActionAcceptInvitation) {
		t.Errorf("after the accept the message was updated %d times: %s", m.Updates, m.Blocks)
	}
	mustContain(t, "the updated invitation", m.Blocks, "Opgaven er udført")
	if homes := e.ws.homesOf(inviteeSlack); len(homes) == 0 {
		t.Error("the invitee's App Home was not republished")
	}

	// A person known only by e-mail (no slack_user_id): found through users.info, and kept.
	e.addPerson(store.Person{ID: "P-901", Name: "Nina Berg", Email: "nina.berg@regionh.dk", Role: domain.RoleReviewer,
		Region: domain.Hovedstaden})
	e.ws.member("nina.berg@regionh.dk", "U0NINA")
	n := note(activities.KindTask, 0, domain.NewDate(2027, 3, 22), person("P-901"))
	n.Key, n.Step = invitationStep+"-nina/task/0/2027-03-22", "invitation/professional/1"
	nina := e.notify(n)[0]
	e.run(d)
	s.click("U0NINA", notify.ActionAcceptInvitation, nina)
	if last := actions.answers[len(actions.answers)-1]; last.Actor != "P-901" {
		t.Errorf("Nina's click acted as %q", last.Actor)
	}
	if p, err := e.st.PersonBySlackUser(context.Background(), "U0NINA"); err != nil || p.ID != "P-901" {
		t.Errorf("PersonBySlackUser(U0NINA) = %v, %v", p.ID, err)
	}
}

func TestARefusalIsShownBack(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	row := e.invitation(d)
	actions := &fakeActions{refuse: "P-049 has no open invitation to the team of H-01"}
	s := e.slackApp(t, actions)
	id := s.click(inviteeSlack, notify.ActionAcceptInvitation, row)
	mustContain(t, "the reply", e.reply(id), "⛔ Det blev ikke gjort: P-049 has no open invitation to the team of H-01")
	if m := e.ws.byKey(row)[0]; m.Updates != 0 {
		t.Error("a refused click updated the message")
	}
}

func TestDeclineAsksForTheReasonInAModal(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	row := e.invitation(d)
	actions := &fakeActions{}
	s := e.slackApp(t, actions)
	s.click(inviteeSlack, notify.ActionDeclineInvitation, row)
	modals := e.ws.openedModals()
	if len(modals) != 1 {
		t.Fatalf("%d modals opened, want the decline modal", len(modals))
	}
	mustContain(t, "the decline modal", modals[0], notify.ViewDeclineInvitation, `"private_metadata":"`+row+`"`,
		notify.BlockReason, `"max_length":2000`, "Lindevang")
	if actions.calls() != 0 {
		t.Fatal("opening the modal answered the invitation")
	}
	reason := map[string]map[string]any{notify.BlockReason: {notify.ElementReason: map[string]any{"type": "plain_text_input",
		"value": "Jeg er inhabil: jeg har arbejdet på Lindevang."}}}

	// Submitted by someone else (a modal cannot be, but the submission is checked anyway).
	out := s.submit(otherSlack, notify.ViewDeclineInvitation, row, reason)
	if out["response_action"] != "errors" || actions.calls() != 0 {
		t.Errorf("a submission by another user: %v, %d actions", out, actions.calls())
	}
	// The validator refuses: the reason is shown beside the field, and the modal stays.
	actions.set("the reason is 2,001 characters long; the limit is 2,000", 0)
	out = s.submit(inviteeSlack, notify.ViewDeclineInvitation, row, reason)
	errs, _ := out["errors"].(map[string]any)
	if out["response_action"] != "errors" || !strings.Contains(fmt.Sprint(errs[notify.BlockReason]), "the limit is 2,000") {
		t.Errorf("a refused submission answered %v", out)
	}
	// Accepted: the modal closes, the reason reaches the workflow as the invitee's.
	actions.set("", 0)
	out = s.submit(inviteeSlack, notify.ViewDeclineInvitation, row, reason)
	s.app.Wait()
	if out["response_action"] != "clear" {
		t.Errorf("an accepted submission answered %v", out)
	}
	last := actions.answers[len(actions.answers)-1]
	if last.Actor != invitee || last.Accept || last.Reason != "Jeg er inhabil: jeg har arbejdet på Lindevang." {
		t.Errorf("the decline sent %+v", last)
	}
	var told bool
	for _, r := range e.ws.replies() {
		told = told || (r.Channel == "D"+inviteeSlack && r.User == inviteeSlack && strings.Contains(r.Text, "nej tak"))
	}
	if !told {
		t.Errorf("the invitee was not told the decline was taken: %+v", e.ws.replies())
	}
}

func TestVisitDateModalSetsTheDate(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	n := note(activities.KindTask, 0, domain.NewDate(2027, 3, 22), person(invitee))
	n.Key, n.Step, n.Title = "cycle/H-01/1~run/external-evaluation/visit-date/task/0/2027-03-22", "visit-date", "Aftal dato for besøget"
	row := e.notify(n)[0]
	e.run(d)
	actions := &fakeActions{}
	s := e.slackApp(t, actions)
	s.click(inviteeSlack, notify.ActionSetVisitDate, row)
	if modals := e.ws.openedModals(); len(modals) != 1 || !strings.Contains(modals[0], `"type":"datepicker"`) {
		t.Fatalf("modals = %v, want one with a date picker", modals)
	}
	date := func(v string) map[string]map[string]any {
		return map[string]map[string]any{notify.BlockDate: {notify.ElementDate: map[string]any{"type": "datepicker", "selected_date": v}}}
	}
	actions.set("the visit on 2027-03-30 is inside the notice period of 4w: choose 2027-04-19 or later", 0)
	out := s.submit(inviteeSlack, notify.ViewSetVisitDate, row, date("2027-03-30"))
	errs, _ := out["errors"].(map[string]any)
	if !strings.Contains(fmt.Sprint(errs[notify.BlockDate]), "choose 2027-04-19 or later") {
		t.Errorf("a date inside the notice period answered %v", out)
	}
	actions.set("", 0)
	if out := s.submit(inviteeSlack, notify.ViewSetVisitDate, row, date("2027-05-12")); out["response_action"] != "clear" {
		t.Errorf("a good date answered %v", out)
	}
	s.app.Wait()
	if last := actions.dates[len(actions.dates)-1]; last.Actor != invitee || last.Date != domain.NewDate(2027, 5, 12) {
		t.Errorf("the date sent: %+v", last)
	}
	// A workflow slower than Slack waits: the modal closes, and the answer comes as a message.
	actions.set("the visit is already planned for 2027-05-12", 2500*time.Millisecond)
	if out := s.submit(inviteeSlack, notify.ViewSetVisitDate, row, date("2027-05-12")); out != nil {
		t.Errorf("a slow answer: %v, want the modal closed", out)
	}
	s.app.Wait()
	var told bool
	for _, r := range e.ws.replies() {
		told = told || strings.Contains(r.Text, "already planned for 2027-05-12")
	}
	if !told {
		t.Errorf("the late refusal was not shown: %+v", e.ws.replies())
	}
}

func TestRecordVisitButton(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	n := note(activities.KindTask, 0, domain.NewDate(2027, 5, 12), person(invitee))
	n.Key, n.Step, n.Title = "cycle/H-01/1~run/external-evaluation/visit/task/0/2027-05-12", "visit", "Registrér at besøget har fundet sted"
	row := e.notify(n)[0]
	e.run(d)
	mustContain(t, "the visit's task", e.ws.byKey(row)[0].Blocks, notify.ActionRecordVisit, `"confirm"`)
	actions := &fakeActions{}
	s := e.slackApp(t, actions)
	id := s.click(inviteeSlack, notify.ActionRecordVisit, row)
	if len(actions.records) != 1 || actions.records[0].Actor != invitee {
		t.Errorf("records = %+v", actions.records)
	}
	mustContain(t, "the reply", e.reply(id), "Besøget er registreret")
}

func TestAppHomeShowsOpenTasks(t *testing.T) {
	e := newEnv(t, true)
	e.openStep("open", domain.NewDate(2027, 3, 1), 1) // P-001's self-evaluation, overdue
	ctx := context.Background()
	// H-01's cycle, whose calendar says it is 2027-03-22.
	if err := e.st.UpsertCycle(ctx, store.CycleRow{InstitutionID: "H-01", Number: 1, WorkflowID: "cycle/H-01",
		StartDate: domain.NewDate(2027, 1, 4), Status: "running", Generation: 1, AnchorDate: domain.NewDate(2027, 3, 22),
		AnchorTime: time.Now().Add(-time.Hour), DayLengthMS: (24 * time.Hour).Milliseconds(), Revision: 1}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpsertStep(ctx, store.StepRow{ID: "cycle/H-01/1~run/external-evaluation/hearing", InstitutionID: "H-01", Cycle: 1,
		Step: "hearing", Title: "Kommentér rapporten", Region: domain.Hovedstaden, HolderID: "P-001", HolderRole: "institution-manager",
		Opened: domain.NewDate(2027, 3, 20), Due: domain.NewDate(2027, 4, 3), Status: "open", Revision: 1}); err != nil {
		t.Fatal(err)
	}
	s := e.slackApp(t, &fakeActions{})
	event := func(user string) {
		t.Helper()
		body := fmt.Sprintf(`{"type":"event_callback","token":"t","team_id":"T1","api_app_id":"A1","event_id":"Ev1","event_time":1,
			"event":{"type":"app_home_opened","user":%q,"channel":"D1","tab":"home","event_ts":"1.0"}}`, user)
		if code, out := s.post(slackapp.PathEvents, "application/json", body, signingSecret, time.Now()); code != http.StatusOK {
			t.Fatalf("app_home_opened: %d %s", code, out)
		}
		s.app.Wait()
	}
	event(managerSlack)
	homes := e.ws.homesOf(managerSlack)
	if len(homes) != 1 {
		t.Fatalf("%d views published, want 1", len(homes))
	}
	mustContain(t, "the manager's App Home", homes[0], `"type":"home"`, "Dine opgaver", "Simon Bruun", "2 åbne opgaver",
		"Selvevaluering 2027 (år 1)", "Frist 2027-03-01", "Overskredet", "Kommentér rapporten", "Frist 2027-04-03",
		"Bo- og aktivitetstilbuddet Lindevang (H-01)", notify.TaskURL(e.cfg.PublicBaseURL, "H-01", 1, "hearing"))
	if strings.Index(homes[0], "Selvevaluering") > strings.Index(homes[0], "Kommentér rapporten") {
		t.Error("the tasks are not soonest due first")
	}
	event("U0STRANGER")
	if homes := e.ws.homesOf("U0STRANGER"); len(homes) != 1 || !strings.Contains(homes[0], "ikke kendt") {
		t.Errorf("a stranger's App Home: %v", homes)
	}
	// The dispatcher republishes it when it delivers a task to the person.
	d := e.dispatcher("A")
	e.notify(note(activities.KindReminder, 0, domain.NewDate(2027, 3, 22), person("P-001")))
	e.run(d)
	if n := len(e.ws.homesOf(managerSlack)); n != 2 {
		t.Errorf("after a delivered reminder the App Home was published %d times, want 2", n)
	}
}

func TestSocketModeTakesClicksEventsAndModals(t *testing.T) {
	e := newEnv(t, true)
	row := e.invitation(e.dispatcher("A"))
	cfg := e.cfg
	cfg.Slack.AppToken = "xapp-1-test" // and no signing secret: nothing comes over HTTP
	actions := &fakeActions{}
	app := slackapp.New(e.st, cfg, actions, quiet())
	if !app.SocketMode() {
		t.Fatal("an app token does not switch Socket Mode on")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.RunSocketMode(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()
	var conn *websocket.Conn
	select {
	case conn = <-e.ws.sockets:
	case <-time.After(10 * time.Second):
		t.Fatal("the app opened no Socket Mode connection")
	}
	defer conn.Close()
	if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		t.Fatal(err)
	}
	// send writes one envelope and returns the app's acknowledgement of it.
	send := func(id, kind string, payload any) map[string]any {
		t.Helper()
		if err := conn.WriteJSON(map[string]any{"envelope_id": id, "type": kind, "payload": payload,
			"accepts_response_payload": kind == "interactive"}); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			var ack map[string]any
			if err := conn.ReadJSON(&ack); err != nil {
				t.Fatalf("no acknowledgement of %s: %v", id, err)
			}
			if ack["envelope_id"] == id {
				return ack
			}
		}
	}
	// A click: acknowledged, and the invitee accepts, as themselves.
	send("e1", "interactive", map[string]any{"type": "block_actions", "user": map[string]any{"id": inviteeSlack},
		"trigger_id": "t1", "response_url": e.ws.responseURL("s1"),
		"actions": []map[string]any{{"type": "button", "action_id": notify.ActionAcceptInvitation, "block_id": notify.BlockActions, "value": row}}})
	waitFor(ctx, t, "the accept", func() bool { return e.reply("s1") != "" })
	if len(actions.answers) != 1 || actions.answers[0].Actor != invitee {
		t.Errorf("answers = %+v", actions.answers)
	}
	// Someone else's click is refused over Socket Mode too.
	send("e2", "interactive", map[string]any{"type": "block_actions", "user": map[string]any{"id": otherSlack},
		"trigger_id": "t2", "response_url": e.ws.responseURL("s2"),
		"actions": []map[string]any{{"type": "button", "action_id": notify.ActionAcceptInvitation, "block_id": notify.BlockActions, "value": row}}})
	waitFor(ctx, t, "the refusal", func() bool { return e.reply("s2") != "" })
	mustContain(t, "the reply to another user", e.reply("s2"), "⛔")
	// A modal's refused submission: the errors come back in the acknowledgement.
	actions.set("the reason is 2,001 characters long; the limit is 2,000", 0)
	ack := send("e3", "interactive", map[string]any{"type": "view_submission", "user": map[string]any{"id": inviteeSlack},
		"view": map[string]any{"callback_id": notify.ViewDeclineInvitation, "private_metadata": row, "state": map[string]any{
			"values": map[string]any{notify.BlockReason: map[string]any{notify.ElementReason: map[string]any{"type": "plain_text_input", "value": "Nej"}}}}}})
	payload, _ := ack["payload"].(map[string]any)
	if payload["response_action"] != "errors" || !strings.Contains(fmt.Sprint(payload["errors"]), "the limit is 2,000") {
		t.Errorf("the submission's acknowledgement: %v", ack)
	}
	// The App Home, opened.
	send("e4", "events_api", map[string]any{"type": "event_callback", "token": "t", "team_id": "T1", "api_app_id": "A1",
		"event_id": "Ev4", "event_time": 1, "event": map[string]any{"type": "app_home_opened", "user": managerSlack, "tab": "home", "channel": "D1", "event_ts": "1.0"}})
	waitFor(ctx, t, "the App Home", func() bool { return len(e.ws.homesOf(managerSlack)) == 1 })
}

// TestSlackIsServedByTheWebApp: the web app's mux serves the Slack app at /slack/, behind its
// middleware (cross-origin protection, sessions), which Slack's server-to-server requests pass.
func TestSlackIsServedByTheWebApp(t *testing.T) {
	e := newEnv(t, true)
	cfg := e.cfg
	cfg.Slack.SigningSecret = signingSecret
	w, err := web.New(web.Options{Store: e.st, Config: cfg, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	defer srv.Close()
	s := &slackApp{t: t, e: e, srv: srv}
	if code, out := s.post(slackapp.PathEvents, "application/json", `{"type":"url_verification","token":"t","challenge":"c-9"}`,
		signingSecret, time.Now()); code != http.StatusOK || out != "c-9" {
		t.Errorf("url_verification through the web app: %d %q", code, out)
	}
	if code, _ := s.post(slackapp.PathInteractivity, "application/x-www-form-urlencoded", "payload=%7B%7D", "forged", time.Now()); code != http.StatusUnauthorized {
		t.Errorf("a forged click through the web app: %d, want 401", code)
	}
	body := fmt.Sprintf(`{"type":"event_callback","token":"t","team_id":"T1","api_app_id":"A1","event_id":"Ev1","event_time":1,
		"event":{"type":"app_home_opened","user":%q,"channel":"D1","tab":"home","event_ts":"1.0"}}`, managerSlack)
	if code, _ := s.post(slackapp.PathEvents, "application/json", body, signingSecret, time.Now()); code != http.StatusOK {
		t.Fatalf("app_home_opened through the web app: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waitFor(ctx, t, "the App Home", func() bool { return len(e.ws.homesOf(managerSlack)) == 1 })
}
