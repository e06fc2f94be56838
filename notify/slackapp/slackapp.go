// Package slackapp lets people act from Slack (issue 10, point 5): it serves the Slack app's
// interactivity (button clicks, the modals they open) and its events (the App Home tab), over
// HTTP at /slack/interactivity and /slack/events, or over Socket Mode when the app has an
// app-level token (ACCREDIT_SLACK_APP_TOKEN) and no public URL.
//
// A click is authorised by who clicked, never by what the button says. Every button's value
// is the outbox row of the message it sits in (package notify); the row says which
// institution and step it is about and whom the message was for. The Slack user who clicked
// is mapped to a person of the registry (people.slack_user_id, or the member found earlier by
// e-mail); a click by anyone but the message's recipient (a forwarded or shared message) is
// refused with a message only they see. The person, never the button, is the actor of the
// update, which goes through package cycles exactly as the starter's and the web app's do, so
// the workflow's validator has the last word; its refusal is shown back the same way, or in
// the modal beside the field.
//
// Over HTTP every request must carry a valid signature with the app's signing secret
// (ACCREDIT_SLACK_SIGNING_SECRET) and a timestamp at most five minutes from now; anything
// else is refused with 401 and logged. Socket Mode needs no public endpoint: the connection is
// opened by the worker with the app-level token.
package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Paths the handler serves, as the app manifest (deploy/slack-manifest.yaml) names them.
const (
	PathInteractivity = "/slack/interactivity"
	PathEvents        = "/slack/events"
)

// maxBody bounds a request from Slack; a modal's submission is a few kilobytes.
const maxBody = 1 << 20

// Actions is what a click does in the cycles: the typed calls of *cycles.Client (and of the
// web app's Cycles) that Slack uses. A refusal is a *cycles.RefusedError.
type Actions interface {
	AnswerInvitation(ctx context.Context, institutionID string, req workflows.InvitationAnswer) (workflows.TeamMember, error)
	SetVisitDate(ctx context.Context, institutionID string, req workflows.VisitDate) (workflows.StepRecord, error)
	RecordVisit(ctx context.Context, institutionID string, req workflows.VisitRecord) (workflows.StepRecord, error)
}

var _ Actions = (*cycles.Client)(nil)

// Options tune an App; zero fields take the defaults.
type Options struct {
	// SubmitWait is how long a modal's submission waits for the workflow's answer before
	// the modal is closed and the answer is sent as a message instead (2.5s: Slack waits 3s
	// for the response).
	SubmitWait time.Duration
	// ActionTimeout bounds the work a click starts (90s).
	ActionTimeout time.Duration
	// HTTPClient posts to the clicks' response URLs.
	HTTPClient *http.Client
}

// App serves the Slack app's requests for one store and one client of the cycles.
type App struct {
	st      *store.Store
	cfg     config.Config
	actions Actions
	log     *slog.Logger
	opts    Options
	// d updates the messages of a step done from Slack and publishes App Home tabs; it is
	// never run, only asked.
	d   *notify.Dispatcher
	api *slack.Client // nil without a bot token

	bg sync.WaitGroup
}

// New builds the Slack app. actions may be nil (a read-only web app): every action is then
// refused with a message. Without a bot token the handler answers 404: Slack is not set up.
func New(st *store.Store, cfg config.Config, actions Actions, logger *slog.Logger, opts ...Options) *App {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.SubmitWait <= 0 {
		o.SubmitWait = 2500 * time.Millisecond
	}
	if o.ActionTimeout <= 0 {
		o.ActionTimeout = 90 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "slack-app")
	return &App{st: st, cfg: cfg, actions: actions, log: logger, opts: o,
		d: notify.New(st, cfg, logger, notify.Options{}), api: notify.NewSlackClient(cfg)}
}

// Wait blocks until the work that clicks and events started has finished.
func (a *App) Wait() { a.bg.Wait() }

// background runs f after the request that started it was answered (Slack wants an answer
// within three seconds), under its own deadline.
func (a *App) background(f func(ctx context.Context)) {
	a.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), a.opts.ActionTimeout)
		defer cancel()
		f(ctx)
	})
}

// ---- HTTP ----

// Handler serves /slack/interactivity and /slack/events (POST).
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathInteractivity, a.serveInteractivity)
	mux.HandleFunc("POST "+PathEvents, a.serveEvents)
	return mux
}

// verified reads a request's body and checks its signature and timestamp; on failure it
// answers the request and returns false.
func (a *App) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if a.api == nil {
		http.Error(w, "Slack is not configured (ACCREDIT_SLACK_BOT_TOKEN)", http.StatusNotFound)
		return nil, false
	}
	if a.cfg.Slack.SigningSecret == "" {
		a.log.Error("a request from Slack was refused: ACCREDIT_SLACK_SIGNING_SECRET is not set, so it cannot be verified", "path", r.URL.Path)
		http.Error(w, "the signing secret is not configured", http.StatusServiceUnavailable)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "the request is too large or unreadable", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	reason := ""
	sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.Slack.SigningSecret)
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		reason = "stale: its timestamp is more than five minutes from now (a replay, or a clock that is wrong)"
	case errors.Is(err, slack.ErrMissingHeaders):
		reason = "unsigned: no X-Slack-Signature or X-Slack-Request-Timestamp"
	case err != nil:
		reason = "forged: " + err.Error()
	default:
		if _, err := sv.Write(body); err != nil {
			reason = "unreadable: " + err.Error()
		} else if err := sv.Ensure(); err != nil {
			reason = "forged: the signature does not match the signing secret"
		}
	}
	if reason != "" {
		a.log.Warn("a request claiming to come from Slack was refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", reason)
		http.Error(w, "the request's Slack signature is not valid", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func (a *App) serveInteractivity(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	var cb slack.InteractionCallback
	if err == nil {
		err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	}
	if err != nil {
		a.log.Warn("an interaction from Slack could not be read", "error", err)
		http.Error(w, "the payload is not an interaction", http.StatusBadRequest)
		return
	}
	resp := a.Interact(r.Context(), cb)
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (a *App) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		a.log.Warn("an event from Slack could not be read", "error", err)
		http.Error(w, "the payload is not an event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var challenge slackevents.EventsAPIURLVerificationEvent
		if err := json.Unmarshal(body, &challenge); err != nil {
			http.Error(w, "the challenge is unreadable", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(challenge.Challenge))
		return
	}
	a.Event(ev)
	w.WriteHeader(http.StatusOK)
}

// ---- what a click or an event does, over either transport ----

// Interact handles one interaction and returns what to answer Slack with at once: nil, or,
// for a modal's submission, a *slack.ViewSubmissionResponse (errors beside the fields, or
// clear). The work a button starts runs after the answer.
func (a *App) Interact(ctx context.Context, cb slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			switch act.ActionID {
			case notify.ActionAcceptInvitation, notify.ActionDeclineInvitation, notify.ActionSetVisitDate, notify.ActionRecordVisit:
				act := *act
				a.background(func(ctx context.Context) { a.blockAction(ctx, cb, act) })
			}
			// Link buttons (open the task, the overview) need nothing: Slack opened the page.
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		return a.submit(ctx, cb)
	}
	return nil
}

// Event handles one event of the Events API: the App Home tab is published when it is opened.
func (a *App) Event(ev slackevents.EventsAPIEvent) {
	if ev.Type != slackevents.CallbackEvent {
		return
	}
	if e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && e.Tab == "home" {
		user := e.User
		a.background(func(ctx context.Context) {
			if err := a.publishHome(ctx, user); err != nil {
				a.log.Warn("App Home could not be published", "slack_user", user, "error", err)
			}
		})
	}
}

// publishHome publishes the tab of the Slack user who opened it.
func (a *App) publishHome(ctx context.Context, slackUser string) error {
	p, err := a.person(ctx, slackUser)
	if errors.Is(err, store.ErrNotFound) {
		return a.d.PublishHomeOf(ctx, slackUser, nil)
	}
	if err != nil {
		return err
	}
	return a.d.PublishHomeOf(ctx, slackUser, &p)
}

// person is the person of the registry a Slack user is: by the stored member ID, else by the
// e-mail address of their Slack profile (users.info), which is then stored.
func (a *App) person(ctx context.Context, slackUser string) (store.Person, error) {
	p, err := a.st.PersonBySlackUser(ctx, slackUser)
	if !errors.Is(err, store.ErrNotFound) || a.api == nil {
		return p, err
	}
	u, uerr := a.api.GetUserInfoContext(ctx, slackUser)
	if uerr != nil {
		a.log.Info("the Slack user who clicked could not be looked up", "slack_user", slackUser, "error", uerr)
		return p, err
	}
	if u.Deleted || u.IsBot || u.Profile.Email == "" {
		return p, err
	}
	return a.st.LinkSlackUser(ctx, slackUser, u.Profile.Email)
}

// authorise finds the message a button or modal names and the person who clicked, and says
// why the click is refused ("" when it is not): the person must be the message's recipient.
func (a *App) authorise(ctx context.Context, slackUser, rowID string) (store.Person, store.OutboxMessage, notify.Content, string) {
	row, err := a.st.Notification(ctx, rowID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.log.Error("a click's message could not be read", "row", rowID, "error", err)
			return store.Person{}, row, notify.Content{}, "Akkrediteringen kan ikke læse beskeden lige nu; prøv igen om lidt."
		}
		return store.Person{}, row, notify.Content{}, "Knappen hører til en besked, som akkrediteringen ikke kender; brug webappen."
	}
	var c notify.Content
	_ = json.Unmarshal([]byte(row.Content), &c)
	p, err := a.person(ctx, slackUser)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.log.Error("the person who clicked could not be found", "slack_user", slackUser, "error", err)
		}
		a.log.Warn("a click in Slack by a user the registry does not know was refused", "slack_user", slackUser, "row", row.ID)
		return p, row, c, "Du er ikke kendt i akkrediteringens register som denne Slack-bruger, så knappen kan ikke handle for dig. " +
			"Sekretariatet kan tilføje dit Slack-id eller din e-mailadresse."
	}
	if p.ID != row.RecipientID {
		name := row.RecipientID
		if r, err := a.st.Person(ctx, row.RecipientID); err == nil {
			name = r.Name
		}
		a.log.Warn("a click in Slack on someone else's message was refused", "slack_user", slackUser, "person", p.ID,
			"recipient", row.RecipientID, "row", row.ID)
		return p, row, c, fmt.Sprintf("Knappen hører til en besked til %s, og kun den, beskeden er til, kan handle på den. "+
			"Dine egne opgaver står under appens fane Hjem.", name)
	}
	if a.actions == nil {
		return p, row, c, "Akkrediteringen tager ikke imod handlinger herfra lige nu; brug webappen."
	}
	return p, row, c, ""
}

// blockAction is what one button does, after Slack has had its answer.
func (a *App) blockAction(ctx context.Context, cb slack.InteractionCallback, act slack.BlockAction) {
	who, row, c, refusal := a.authorise(ctx, cb.User.ID, act.Value)
	if refusal != "" {
		a.tell(ctx, cb, row, "⛔ "+refusal)
		return
	}
	switch act.ActionID {
	case notify.ActionAcceptInvitation:
		m, err := a.actions.AnswerInvitation(ctx, row.InstitutionID, workflows.InvitationAnswer{
			Action: workflows.Action{Actor: who.ID}, Accept: true})
		a.done(ctx, cb, who, row, err, fmt.Sprintf("✅ Du har sagt ja til pladsen som %s i teamet for %s. Tak!",
			seatName(m.Seat), orID(c.Institution, row.InstitutionID)))
	case notify.ActionRecordVisit:
		_, err := a.actions.RecordVisit(ctx, row.InstitutionID, workflows.VisitRecord{Action: workflows.Action{Actor: who.ID}})
		a.done(ctx, cb, who, row, err, "✅ Besøget er registreret. Næste skridt er rapporten.")
	case notify.ActionDeclineInvitation:
		a.openModal(ctx, cb, row, declineModal(row, c))
	case notify.ActionSetVisitDate:
		a.openModal(ctx, cb, row, dateModal(row, c))
	}
}

// openModal opens a modal on the click's trigger.
func (a *App) openModal(ctx context.Context, cb slack.InteractionCallback, row store.OutboxMessage, view slack.ModalViewRequest) {
	if a.api == nil {
		return
	}
	if _, err := a.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		a.log.Warn("a modal could not be opened in Slack", "row", row.ID, "error", err)
		a.tell(ctx, cb, row, "Slack kunne ikke åbne formularen; prøv igen, eller brug webappen.")
	}
}

// submit handles a modal's submission: it runs the update and, if the workflow answers in
// time, shows a refusal beside the field, or closes the modal; a later answer comes as a
// message.
func (a *App) submit(ctx context.Context, cb slack.InteractionCallback) any {
	field := ""
	var run func(ctx context.Context, who store.Person, row store.OutboxMessage) error
	okText := ""
	switch cb.View.CallbackID {
	case notify.ViewDeclineInvitation:
		field = notify.BlockReason
		reason := strings.TrimSpace(stateValue(cb.View.State, notify.BlockReason, notify.ElementReason).Value)
		run = func(ctx context.Context, who store.Person, row store.OutboxMessage) error {
			_, err := a.actions.AnswerInvitation(ctx, row.InstitutionID, workflows.InvitationAnswer{
				Action: workflows.Action{Actor: who.ID}, Accept: false, Reason: reason})
			return err
		}
		okText = "Du har sagt nej tak til pladsen i teamet; sekretariatet finder en anden. Tak for svaret."
	case notify.ViewSetVisitDate:
		field = notify.BlockDate
		raw := stateValue(cb.View.State, notify.BlockDate, notify.ElementDate).SelectedDate
		date, err := domain.ParseDate(raw)
		if err != nil {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{field: "Vælg en dato."})
		}
		run = func(ctx context.Context, who store.Person, row store.OutboxMessage) error {
			_, err := a.actions.SetVisitDate(ctx, row.InstitutionID, workflows.VisitDate{Action: workflows.Action{Actor: who.ID}, Date: date})
			return err
		}
		okText = fmt.Sprintf("✅ Besøget er sat til %s. Teamet og institutionens leder får en kalenderinvitation.", date)
	default:
		return nil
	}
	who, row, _, refusal := a.authorise(ctx, cb.User.ID, cb.View.PrivateMetadata)
	if refusal != "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{field: clip(refusal, 300)})
	}
	result := make(chan error) // unbuffered: a send succeeds only while the submission waits
	late := make(chan struct{})
	a.background(func(ctx context.Context) {
		err := run(ctx, who, row)
		select {
		case result <- err:
		case <-late:
			a.done(ctx, cb, who, row, err, okText)
		}
	})
	timer := time.NewTimer(a.opts.SubmitWait)
	defer timer.Stop()
	select {
	case err := <-result:
		var refused *cycles.RefusedError
		switch {
		case err == nil:
			a.background(func(ctx context.Context) { a.done(ctx, cb, who, row, nil, okText) })
			return slack.NewClearViewSubmissionResponse()
		case errors.As(err, &refused):
			a.log.Info("a Slack action was refused by the workflow", "person", who.ID, "row", row.ID, "reason", refused.Reason)
			return slack.NewErrorsViewSubmissionResponse(map[string]string{field: clip("Afvist: "+refused.Reason, 300)})
		default:
			a.log.Error("a Slack action failed", "person", who.ID, "row", row.ID, "error", err)
			return slack.NewErrorsViewSubmissionResponse(map[string]string{field: "Akkrediteringen svarede ikke; prøv igen om lidt, eller brug webappen."})
		}
	case <-timer.C:
		close(late)
		return nil // the modal closes; the answer comes as a message
	case <-ctx.Done():
		close(late)
		return nil
	}
}

// done reports an action's outcome to the person who clicked. After a success the step's
// messages lose their buttons at once and the person's App Home tab is republished.
func (a *App) done(ctx context.Context, cb slack.InteractionCallback, who store.Person, row store.OutboxMessage, err error, okText string) {
	var refused *cycles.RefusedError
	switch {
	case err == nil:
		a.log.Info("a Slack action was done", "person", who.ID, "row", row.ID, "institution", row.InstitutionID, "step", row.Step)
		if row.StepID != "" {
			if _, err := a.d.Supersede(ctx, row.StepID, "done"); err != nil {
				a.log.Warn("the messages of a step done from Slack could not be updated yet; the dispatcher will", "step", row.StepID, "error", err)
			}
		}
		if err := a.d.PublishHome(ctx, who.ID); err != nil {
			a.log.Info("App Home not republished", "person", who.ID, "error", err)
		}
		a.tell(ctx, cb, row, okText)
	case errors.As(err, &refused):
		a.log.Info("a Slack action was refused by the workflow", "person", who.ID, "row", row.ID, "reason", refused.Reason)
		a.tell(ctx, cb, row, "⛔ Det blev ikke gjort: "+refused.Reason)
	default:
		a.log.Error("a Slack action failed", "person", who.ID, "row", row.ID, "error", err)
		a.tell(ctx, cb, row, "Akkrediteringen svarede ikke; prøv igen om lidt, eller brug webappen.")
	}
}

// tell sends the person who clicked a message only they see: through the click's response
// URL, or (after a modal) as an ephemeral message in the conversation of the message.
func (a *App) tell(ctx context.Context, cb slack.InteractionCallback, row store.OutboxMessage, text string) {
	if cb.ResponseURL != "" {
		err := slack.PostWebhookCustomHTTPContext(ctx, cb.ResponseURL, a.opts.HTTPClient,
			&slack.WebhookMessage{Text: text, ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: false})
		if err == nil {
			return
		}
		a.log.Warn("a reply to a click could not be sent through its response URL", "error", err)
	}
	if a.api == nil {
		return
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = row.SlackChannel
	}
	if channel == "" {
		c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{cb.User.ID}})
		if err != nil {
			a.log.Warn("a reply to a click could not be sent", "error", err)
			return
		}
		channel = c.ID
	}
	if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		a.log.Warn("a reply to a click could not be sent", "channel", channel, "error", err)
	}
}

// stateValue is one input's value in a submitted view.
func stateValue(s *slack.ViewState, block, element string) slack.BlockAction {
	if s == nil {
		return slack.BlockAction{}
	}
	return s.Values[block][element]
}

// seatName is a seat's Danish name.
func seatName(seat domain.TeamRole) string {
	switch seat {
	case domain.SeatLead:
		return "teamleder"
	case domain.SeatProfessional:
		return "faglig repræsentant"
	case domain.SeatUser:
		return "brugerrepræsentant"
	case domain.SeatRelative:
		return "pårørenderepræsentant"
	case domain.SeatTrainee:
		return "praktikant"
	}
	if seat == "" {
		return "medlem"
	}
	return string(seat)
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
