package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
)

// The secretariat channels of the tests.
const (
	chanHovedstaden = "C0HOVEDSTADEN"
	chanNational    = "C0NATIONAL"
)

// env is a store with the example registry, the activities that queue into it, a Slack
// workspace, and a clock the dispatchers share.
type env struct {
	t    testing.TB
	path string
	st   *store.Store
	cfg  config.Config
	ws   *workspace
	acts *activities.Activities
	log  *bytes.Buffer

	// batch is the dispatchers' batch size (0: the default).
	batch int

	mu  sync.Mutex
	now time.Time
}

// copenhagen is a time on Danish clocks.
func copenhagen(t testing.TB, y int, m time.Month, d, hour, minute int) time.Time {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, hour, minute, 0, 0, loc)
}

// newEnv builds the test's world; slackOn configures the workspace's bot token.
func newEnv(t testing.TB, slackOn bool) *env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accredit.db")
	st := openStore(t, path)
	if err := st.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	fixture.ExampleRegistry(t, st)
	ws := newWorkspace(t)
	ws.channel(chanHovedstaden)
	ws.channel(chanNational)
	cfg := config.Default()
	cfg.PublicBaseURL = "https://akkreditering.example.dk"
	cfg.SecretariatChannels = map[string]string{"hovedstaden": chanHovedstaden, config.NationalChannel: chanNational}
	if slackOn {
		cfg.Slack.BotToken = "xoxb-test"
		cfg.Slack.APIURL = ws.URL()
		cfg.Slack.MessagesPerSecond = 100
	}
	e := &env{t: t, path: path, st: st, cfg: cfg, ws: ws, log: &bytes.Buffer{},
		now: copenhagen(t, 2027, 3, 22, 10, 0)}
	e.acts = activities.New(st, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return e
}

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// dispatcher is a dispatcher on the env's store (or on st), with short back-offs.
func (e *env) dispatcher(owner string, st ...*store.Store) *notify.Dispatcher {
	s := e.st
	if len(st) > 0 {
		s = st[0]
	}
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.log.Write(p)
	}), nil))
	return notify.New(s, e.cfg, logger, notify.Options{Owner: owner, Now: e.clock, Lease: time.Minute,
		RetryBase: 10 * time.Second, RetryMax: time.Minute, Batch: e.batch})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (e *env) logged() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.log.String()
}

// run does one round of d, which must not fail.
func (e *env) run(d *notify.Dispatcher) int {
	e.t.Helper()
	n, err := d.RunOnce(context.Background())
	if err != nil {
		e.t.Fatalf("RunOnce: %v", err)
	}
	return n
}

func (e *env) row(id string) store.OutboxMessage {
	e.t.Helper()
	m, err := e.st.Notification(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// notify runs the Notify activity and returns the outbox rows' IDs in recipient order.
func (e *env) notify(n activities.Notification) []string {
	e.t.Helper()
	sent, err := e.acts.Notify(context.Background(), n)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]string, len(sent))
	for i, p := range sent {
		ids[i] = n.Key + "/" + p
	}
	return ids
}

// addPerson registers one more person.
func (e *env) addPerson(p store.Person) {
	e.t.Helper()
	if _, err := e.st.UpsertPeople(context.Background(), []store.Person{p}); err != nil {
		e.t.Fatal(err)
	}
}

// stepKey is the read-model step of the notifications of these tests.
const stepKey = "cycle/H-01/1~run/self-evaluation-1/self-evaluation"

// note is a notification about H-01's year-1 self-evaluation, due 2027-03-01.
func note(kind activities.NotificationKind, level int, on domain.Date, to ...activities.Recipient) activities.Notification {
	return activities.Notification{
		Key: fmt.Sprintf("%s/%s/%d/%s", stepKey, kind, level, on), Kind: kind, To: to,
		InstitutionID: "H-01", Institution: "Bo- og aktivitetstilbuddet Lindevang", Region: domain.Hovedstaden, Cycle: 1,
		Step: "self-evaluation", Title: "Selvevaluering 2027 (år 1)", Due: domain.NewDate(2027, 3, 1), Level: level, On: on,
	}
}

func person(id string) activities.Recipient { return activities.Recipient{PersonID: id} }

var regionalSecretariat = activities.Recipient{Role: domain.RoleSecretariat, Region: domain.Hovedstaden}

var nationalSecretariat = activities.Recipient{Role: domain.RoleSecretariat, National: true}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func TestEachKindArrivesWhereItBelongs(t *testing.T) {
	e := newEnv(t, true)
	// A second person in Hovedstaden's secretariat: the channel gets one message for both.
	e.addPerson(store.Person{ID: "P-900", Name: "Bodil Holm", Email: "bodil.holm@regionh.dk", SlackUserID: "U0BODIL",
		Role: domain.RoleSecretariat, Region: domain.Hovedstaden})
	d := e.dispatcher("A")
	manager := "DU01D0BL37" // P-001's direct messages (people.csv has his Slack ID)

	task := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	reminder := e.notify(note(activities.KindReminder, 0, domain.NewDate(2027, 2, 15), person("P-001")))
	first := e.notify(note(activities.KindEscalation, 1, domain.NewDate(2027, 3, 8), person("P-001")))
	second := e.notify(note(activities.KindEscalation, 2, domain.NewDate(2027, 3, 15), regionalSecretariat))
	third := e.notify(note(activities.KindEscalation, 3, domain.NewDate(2027, 3, 22), regionalSecretariat, nationalSecretariat))
	extended := note(activities.KindExtended, 1, domain.NewDate(2027, 3, 22), person("P-001"))
	extended.Due = domain.NewDate(2027, 4, 12)
	ext := e.notify(extended)
	withdrawn := e.notify(note(activities.KindWithdrawn, 0, domain.NewDate(2027, 3, 23), person("P-001")))
	info := note(activities.KindInfo, 0, domain.NewDate(2027, 3, 23), person("P-001"))
	info.Text = "Besøget er aftalt til 2027-05-18."
	infos := e.notify(info)
	e.run(d)

	link := "https://akkreditering.example.dk/institutions/H-01/cycles/1/steps/self-evaluation"
	for _, c := range []struct {
		name, id, channel string
		wants             []string
	}{
		{"task", task[0], manager, []string{"Ny opgave: Selvevaluering 2027 (år 1)", "Bo- og aktivitetstilbuddet Lindevang (H-01)",
			"2027-03-01", link, notify.ActionOpenTask, notify.BlockActions}},
		{"reminder", reminder[0], manager, []string{"Påmindelse: Selvevaluering", "14 dage tilbage", link}},
		{"first escalation", first[0], manager, []string{"Eskalering (niveau 1)", "Overskredet med 7 dage", link}},
		{"second escalation", second[0], chanHovedstaden, []string{"Eskalering (niveau 2)", "Region Hovedstaden", link}},
		{"extension", ext[0], manager, []string{"Fristen er forlænget", "2027-04-12", "21 dage tilbage"}},
		{"withdrawal", withdrawn[0], manager, []string{"Opgaven er trukket tilbage"}},
		{"information", infos[0], manager, []string{"Besøget er aftalt til 2027-05-18."}},
	} {
		t.Run(c.name, func(t *testing.T) {
			row := e.row(c.id)
			if row.Status != store.OutboxDelivered || row.SlackChannel != c.channel {
				t.Fatalf("row %s is %s in %q (%s), want delivered in %s", c.id, row.Status, row.SlackChannel, row.LastError, c.channel)
			}
			msgs := e.ws.byKey(c.id)
			if len(msgs) != 1 {
				t.Fatalf("%d messages carry the key %s, want 1", len(msgs), c.id)
			}
			m := msgs[0]
			if m.Channel != c.channel || m.TS != row.SlackTS || m.Metadata.EventType != notify.MetadataEventType {
				t.Errorf("message %+v, row ts %s", m, row.SlackTS)
			}
			mustContain(t, "the blocks", m.Blocks, c.wants...)
			if m.Text == "" {
				t.Error("no fallback text for notifications")
			}
		})
	}
	if b := e.ws.byKey(withdrawn[0])[0].Blocks; strings.Contains(b, notify.BlockActions) {
		t.Errorf("a withdrawn task still has a button: %s", b)
	}

	// The second escalation reached both secretaries with one channel message.
	if len(second) != 2 || len(e.ws.postsIn(chanHovedstaden)) != 1 {
		t.Fatalf("second escalation rows %v, channel messages %d; want two rows, one message", second, len(e.ws.postsIn(chanHovedstaden)))
	}
	follower := e.row(second[1])
	if follower.LeaderID != second[0] || follower.Status != store.OutboxDelivered || follower.SlackTS != e.row(second[0]).SlackTS {
		t.Errorf("the other secretary's row = %+v, want delivered with the leader's message", follower)
	}
	// The third escalation is the digest's: logged, not posted.
	for _, id := range third {
		if r := e.row(id); r.Status != store.OutboxLogged || !strings.Contains(r.LastError, "digest") {
			t.Errorf("third escalation row %s is %s (%q), want logged as covered by the digest", id, r.Status, r.LastError)
		}
	}
	if n := len(e.ws.posts()); n != 7 {
		t.Errorf("%d messages posted, want 7", n)
	}
}

func TestWithoutDigestRepeatedEscalationsArePosted(t *testing.T) {
	e := newEnv(t, true)
	e.cfg.Slack.DigestAt = "off"
	third := e.notify(note(activities.KindEscalation, 3, domain.NewDate(2027, 3, 22), regionalSecretariat, nationalSecretariat))
	e.run(e.dispatcher("A"))
	if len(third) != 2 || len(e.ws.postsIn(chanHovedstaden)) != 1 || len(e.ws.postsIn(chanNational)) != 1 {
		t.Errorf("rows %v; regional channel %d, national channel %d messages; want one each", third,
			len(e.ws.postsIn(chanHovedstaden)), len(e.ws.postsIn(chanNational)))
	}
}

func TestSlackUserIsLookedUpByEmailOnce(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	const email = "kim.eriksen@regionh.dk" // P-002 has no slack_user_id in people.csv
	e.ws.member(email, "U0KIM")
	e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-002")))
	e.notify(note(activities.KindReminder, 0, domain.NewDate(2027, 2, 15), person("P-002")))
	e.run(e.dispatcher("A"))
	if n := e.ws.lookupsOf(email); n != 1 {
		t.Errorf("%d lookups for two messages, want 1", n)
	}
	if n := len(e.ws.postsIn("DU0KIM")); n != 2 {
		t.Errorf("%d messages in U0KIM's direct messages, want 2", n)
	}
	if id, forEmail, err := e.st.SlackFound(ctx, "P-002"); err != nil || id != "U0KIM" || forEmail != email {
		t.Errorf("SlackFound = %q, %q, %v; want the found ID kept for the address", id, forEmail, err)
	}
	// A new dispatcher (a restarted worker) reads it from the store.
	e.notify(note(activities.KindEscalation, 1, domain.NewDate(2027, 3, 1), person("P-002")))
	e.run(e.dispatcher("B"))
	if n := e.ws.lookupsOf(email); n != 1 {
		t.Errorf("%d lookups after a restart, want still 1", n)
	}
	// An ID found for another address is stale: the person is looked up again.
	if err := e.st.SetSlackFound(ctx, "P-002", "U0OLD", "old.address@regionh.dk"); err != nil {
		t.Fatal(err)
	}
	e.notify(note(activities.KindInfo, 0, domain.NewDate(2027, 3, 2), person("P-002")))
	e.run(e.dispatcher("C"))
	if n := e.ws.lookupsOf(email); n != 2 || len(e.ws.postsIn("DU0OLD")) != 0 {
		t.Errorf("%d lookups, %d messages to the stale ID; want a second lookup and none", n, len(e.ws.postsIn("DU0OLD")))
	}
}

func TestRateLimitWaitsForRetryAfter(t *testing.T) {
	e := newEnv(t, true)
	e.ws.fail("chat.postMessage", reply{status: http.StatusTooManyRequests, retryAfter: "1"})
	ids := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	d := e.dispatcher("A")
	e.run(d)
	r := e.row(ids[0])
	if r.Status != store.OutboxQueued || !strings.Contains(r.LastError, "Retry-After") || r.Attempts != 0 {
		t.Fatalf("after a 429 the row is %s, attempt %d (%q); want queued, the attempt given back, waiting for Retry-After", r.Status, r.Attempts, r.LastError)
	}
	if want := e.clock().Add(time.Second).UnixMilli(); r.NextAttemptMs != want {
		t.Errorf("next attempt at %d, want %d (now + Retry-After)", r.NextAttemptMs, want)
	}
	// Before Retry-After has passed nothing is posted, even if the row were due.
	e.advance(time.Second)
	e.run(d)
	if n := len(e.ws.posts()); n != 0 {
		t.Errorf("%d messages posted during Slack's pause, want none", n)
	}
	time.Sleep(1100 * time.Millisecond)
	e.run(d)
	if r := e.row(ids[0]); r.Status != store.OutboxDelivered || len(e.ws.posts()) != 1 {
		t.Errorf("after the pause the row is %s with %d messages posted, want delivered once", r.Status, len(e.ws.posts()))
	}
}

func TestServerErrorsBackOffAndPostOnce(t *testing.T) {
	e := newEnv(t, true)
	e.ws.fail("chat.postMessage", reply{status: http.StatusInternalServerError}, reply{status: http.StatusServiceUnavailable})
	ids := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	d := e.dispatcher("A")
	e.run(d)
	first := e.row(ids[0])
	if first.Status != store.OutboxQueued || first.Attempts != 1 || !strings.Contains(first.LastError, "500") {
		t.Fatalf("after a 500 the row is %+v, want queued after attempt 1 with the error", first)
	}
	wait := time.UnixMilli(first.NextAttemptMs).Sub(e.clock())
	if wait < 9*time.Second || wait > 12*time.Second {
		t.Errorf("first back-off %s, want about 10s", wait)
	}
	e.run(d) // not due yet
	if e.ws.count("chat.postMessage") != 1 {
		t.Fatalf("a row waiting for its back-off was tried again")
	}
	e.advance(wait)
	e.run(d)
	second := e.row(ids[0])
	if wait2 := time.UnixMilli(second.NextAttemptMs).Sub(e.clock()); second.Attempts != 2 || wait2 < 18*time.Second {
		t.Errorf("after a second error attempt %d waits %s, want 2 and about 20s", second.Attempts, wait2)
	}
	e.advance(time.Minute)
	e.run(d)
	if r := e.row(ids[0]); r.Status != store.OutboxDelivered || len(e.ws.byKey(ids[0])) != 1 {
		t.Errorf("row %s with %d messages, want delivered once", r.Status, len(e.ws.byKey(ids[0])))
	}
	// Before each retry the dispatcher looked for an earlier post of the row.
	if n := e.ws.count("conversations.history"); n != 2 {
		t.Errorf("%d history checks for two retries, want 2", n)
	}
}

func TestPermanentErrorsFailAndTheSecretariatIsTold(t *testing.T) {
	e := newEnv(t, true)
	ctx := context.Background()
	e.cfg.SecretariatChannels["sjaelland"] = "C0GONE" // configured, but no such channel
	e.ws.member("charlotte.kristensen@regionh.dk", "U0CHARLOTTE")
	e.ws.deactivate("U0CHARLOTTE")
	e.acts.Config = e.cfg

	unknown := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-003")))  // e-mail not in Slack
	inactive := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-005"))) // deactivated
	noChannel := note(activities.KindEscalation, 2, domain.NewDate(2027, 3, 15), activities.Recipient{Role: domain.RoleSecretariat, Region: domain.Sjaelland})
	noChannel.Key, noChannel.InstitutionID, noChannel.Region = "cycle/S-01/1~run/self-evaluation-1/self-evaluation/escalation/2/2027-03-15", "S-01", domain.Sjaelland
	gone := e.notify(noChannel)
	d := e.dispatcher("A")
	e.run(d)
	e.ws.fail("chat.postMessage", reply{err: "invalid_auth"})
	badToken := e.notify(note(activities.KindInfo, 0, domain.NewDate(2027, 3, 2), person("P-001")))
	e.run(d)

	for _, c := range []struct{ id, reason string }{
		{unknown[0], "user_not_found: no Slack user has the e-mail address kirsten.lassen@regionh.dk"},
		{inactive[0], "account_inactive"},
		{gone[0], "channel_not_found"},
		{badToken[0], "invalid_auth"},
	} {
		if r := e.row(c.id); r.Status != store.OutboxFailed || !strings.Contains(r.LastError, c.reason) {
			t.Errorf("%s is %s (%q), want failed with %q", c.id, r.Status, r.LastError, c.reason)
		}
	}
	// The next round told the secretariat of each failure, once: Hovedstaden's failures in its
	// channel, Sjælland's by direct message (its channel is what failed).
	e.run(d)
	e.run(d)
	for _, c := range []struct{ failed, report, channel string }{
		{unknown[0], "delivery-failure/" + unknown[0] + "/P-131", chanHovedstaden},
		{inactive[0], "delivery-failure/" + inactive[0] + "/P-131", chanHovedstaden},
		{badToken[0], "delivery-failure/" + badToken[0] + "/P-131", chanHovedstaden},
		{gone[0], "delivery-failure/" + gone[0] + "/P-132", "DU06NF2PHN"},
	} {
		msgs := e.ws.byKey(c.report)
		if len(msgs) != 1 || msgs[0].Channel != c.channel {
			t.Errorf("report %s: %d messages (%+v), want one in %s", c.report, len(msgs), msgs, c.channel)
			continue
		}
		mustContain(t, "the report", msgs[0].Blocks, "kunne ikke leveres", "starter outbox retry", c.failed)
	}
	failed, err := e.st.Outbox(ctx, store.OutboxFilter{Status: store.OutboxFailed})
	if err != nil || len(failed) != 4 {
		t.Errorf("%d failed rows (%v), want the 4 (the reports were delivered)", len(failed), err)
	}
	// Fixed and retried, the row is delivered.
	e.ws.member("kirsten.lassen@regionh.dk", "U0KIRSTEN")
	if _, err := e.st.RetryNotification(ctx, unknown[0], store.AuditEntry{ID: "retry", At: time.Now(), ActorID: "P-131",
		Action: "retry-notification", InstitutionID: "H-01"}); err != nil {
		t.Fatal(err)
	}
	e.run(d)
	if r := e.row(unknown[0]); r.Status != store.OutboxDelivered || len(e.ws.postsIn("DU0KIRSTEN")) != 1 {
		t.Errorf("the retried row is %s (%q), want delivered", r.Status, r.LastError)
	}
	if n := len(e.ws.byKey("delivery-failure/" + unknown[0] + "/P-131")); n != 1 {
		t.Errorf("the failure was reported %d times, want once", n)
	}
}

func TestRetriedNotifyQueuesOnce(t *testing.T) {
	e := newEnv(t, true)
	d := e.dispatcher("A")
	n := note(activities.KindEscalation, 1, domain.NewDate(2027, 3, 1), person("P-001"), person("P-131"), person("P-001"))
	for range 3 {
		e.notify(n)
	}
	e.run(d)
	e.notify(n) // a retry after the delivery
	e.run(d)
	rows, err := e.st.Outbox(context.Background(), store.OutboxFilter{InstitutionID: "H-01"})
	if err != nil || len(rows) != 2 || len(e.ws.posts()) != 2 {
		t.Errorf("%d rows, %d messages (%v); want 2 and 2", len(rows), len(e.ws.posts()), err)
	}
}

func TestCrashBetweenPostAndRecordPostsOnce(t *testing.T) {
	e := newEnv(t, true)
	ids := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	crashed := e.dispatcher("crashed")
	notify.SetAfterPost(crashed, func(store.OutboxMessage) error { return errors.New("killed") })
	e.run(crashed)
	if r := e.row(ids[0]); r.Status != store.OutboxSending || r.SlackTS != "" || len(e.ws.posts()) != 1 {
		t.Fatalf("after the crash the row is %s (ts %q) with %d messages; want sending, unrecorded, posted once", r.Status, r.SlackTS, len(e.ws.posts()))
	}
	// Another worker: the row is the dead one's until its lease expires, then it is checked
	// against the conversation and recorded, not posted again.
	other := e.dispatcher("other")
	e.run(other)
	if e.row(ids[0]).Status != store.OutboxSending {
		t.Fatal("a leased row was taken over before its lease expired")
	}
	e.advance(2 * time.Minute)
	e.run(other)
	r := e.row(ids[0])
	posts := e.ws.posts()
	if r.Status != store.OutboxDelivered || len(posts) != 1 || r.SlackTS != posts[0].TS || r.Attempts != 2 {
		t.Errorf("row %+v and %d messages; want delivered with the first post's ts, posted once", r, len(posts))
	}
	mustContain(t, "the log", e.logged(), "posted by an earlier attempt")
}

func TestCrashBeforePostPostsOnce(t *testing.T) {
	e := newEnv(t, true)
	// The post times out on the dispatcher's side but never reached Slack: the next attempt
	// looks, finds nothing, and posts.
	e.ws.fail("chat.postMessage", reply{status: http.StatusBadGateway})
	ids := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	d := e.dispatcher("A")
	e.run(d)
	e.advance(time.Minute)
	e.run(d)
	if r := e.row(ids[0]); r.Status != store.OutboxDelivered || len(e.ws.posts()) != 1 {
		t.Errorf("row %s with %d messages, want delivered once", r.Status, len(e.ws.posts()))
	}
}

func TestTwoDispatchersDeliverEachRowOnce(t *testing.T) {
	e := newEnv(t, true)
	e.batch = 5
	const n = 120
	for i := range n {
		e.notify(note(activities.KindInfo, 0, domain.NewDate(2027, 1, 1).AddDays(i), person("P-001")))
	}
	second := openStore(t, e.path) // the other worker process's own connection
	dispatchers := []*notify.Dispatcher{e.dispatcher("A"), e.dispatcher("B", second)}
	var wg sync.WaitGroup
	claimed := make([]int, len(dispatchers))
	for i, d := range dispatchers {
		wg.Go(func() {
			for range 50 {
				c, err := d.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				claimed[i] += c
				if c == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	posts := e.ws.posts()
	seen := map[string]int{}
	for _, p := range posts {
		seen[p.key()]++
	}
	for key, times := range seen {
		if times != 1 {
			t.Errorf("%s posted %d times", key, times)
		}
	}
	if len(seen) != n || len(posts) != n {
		t.Errorf("%d messages for %d notifications, want %d", len(posts), len(seen), n)
	}
	delivered, err := e.st.Outbox(context.Background(), store.OutboxFilter{Status: store.OutboxDelivered})
	if err != nil || len(delivered) != n {
		t.Errorf("%d rows delivered (%v), want %d", len(delivered), err, n)
	}
	t.Logf("dispatcher A claimed %d rows, B %d", claimed[0], claimed[1])
}

// openStep writes the read model's step of the tests' notifications, due dueOn.
func (e *env) openStep(status string, due domain.Date, revision int64) {
	e.t.Helper()
	if err := e.st.UpsertStep(context.Background(), store.StepRow{ID: stepKey, InstitutionID: "H-01", Cycle: 1,
		Step: "self-evaluation", Title: "Selvevaluering 2027 (år 1)", Region: domain.Hovedstaden, HolderID: "P-001",
		HolderRole: "institution-manager", Opened: domain.NewDate(2027, 1, 4), Due: due, Status: status,
		Revision: revision}); err != nil {
		e.t.Fatal(err)
	}
}

func TestMessagesAreUpdatedWhenTheStepMovesOn(t *testing.T) {
	e := newEnv(t, true)
	e.openStep("open", domain.NewDate(2027, 3, 1), 1)
	task := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	info := note(activities.KindInfo, 0, domain.NewDate(2027, 1, 5), person("P-001"))
	info.Text = "Til orientering"
	infos := e.notify(info)
	d := e.dispatcher("A")
	e.run(d)
	if e.ws.count("chat.update") != 0 {
		t.Fatal("a current message was updated")
	}
	// Extended: the task's button goes, and it points to the new date.
	e.openStep("open", domain.NewDate(2027, 4, 12), 2)
	e.run(d)
	m := e.ws.byKey(task[0])[0]
	if m.Updates != 1 || strings.Contains(m.Blocks, notify.BlockActions) {
		t.Fatalf("after the extension the task was updated %d times, blocks %s; want once, without buttons", m.Updates, m.Blocks)
	}
	mustContain(t, "the updated task", m.Blocks, "Fristen er flyttet (til 2027-04-12)")
	if r := e.row(task[0]); r.Superseded != "extended" || r.UpdateStatus != store.UpdateDone {
		t.Errorf("row superseded %q, update %q", r.Superseded, r.UpdateStatus)
	}
	if e.ws.byKey(infos[0])[0].Updates != 0 {
		t.Error("information without buttons was updated")
	}
	// The new task after the extension is current until the step is done.
	extended := note(activities.KindExtended, 1, domain.NewDate(2027, 3, 22), person("P-001"))
	extended.Due = domain.NewDate(2027, 4, 12)
	ext := e.notify(extended)
	e.run(d)
	e.openStep("done", domain.NewDate(2027, 4, 12), 3)
	e.run(d)
	m = e.ws.byKey(ext[0])[0]
	if m.Updates != 1 || strings.Contains(m.Blocks, notify.BlockActions) {
		t.Errorf("the extension's message after done: %d updates, %s", m.Updates, m.Blocks)
	}
	mustContain(t, "the updated extension", m.Blocks, "Opgaven er udført")
	e.run(d)
	if n := e.ws.count("chat.update"); n != 2 {
		t.Errorf("%d updates, want 2 (each message once)", n)
	}
}

func TestSupersedeHookUpdatesAtOnce(t *testing.T) {
	e := newEnv(t, true)
	e.openStep("open", domain.NewDate(2027, 3, 1), 1)
	task := e.notify(note(activities.KindTask, 0, domain.NewDate(2027, 1, 4), person("P-001")))
	d := e.dispatcher("A")
	e.run(d)
	n, err := d.Supersede(context.Background(), stepKey, "withdrawn")
	if err != nil || n != 1 {
		t.Fatalf("Supersede = %d, %v", n, err)
	}
	m := e.ws.byKey(task[0])[0]
	if m.Updates != 1 || strings.Contains(m.Blocks, notify.BlockActions) {
		t.Errorf("after Supersede: %d updates, %s", m.Updates, m.Blocks)
	}
	mustContain(t, "the withdrawn task", m.Blocks, "Opgaven er trukket tilbage.")
}

// overdueStep writes an open step of an institution's cycle, on a calendar whose today is
// daysOverdue days after its due date.
func (e *env) overdueStep(inst string, region domain.Region, key, holder string, daysOverdue, escalation int) {
	e.t.Helper()
	ctx := context.Background()
	today := domain.NewDate(2027, 3, 22)
	if err := e.st.UpsertCycle(ctx, store.CycleRow{InstitutionID: inst, Number: 1, WorkflowID: "cycle/" + inst,
		StartDate: domain.NewDate(2027, 1, 4), Status: "running", Generation: 1, AnchorDate: today,
		AnchorTime: time.Now().Add(-time.Hour), DayLengthMS: (24 * time.Hour).Milliseconds(), Revision: 1}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.UpsertStep(ctx, store.StepRow{ID: "cycle/" + inst + "/1~r/" + key, InstitutionID: inst, Cycle: 1, Step: key,
		Title: "Selvevaluering 2027 (år 1)", Region: region, HolderID: holder, Opened: domain.NewDate(2027, 1, 4),
		Due: today.AddDays(-daysOverdue), Status: "open", Escalation: escalation, Revision: 1}); err != nil {
		e.t.Fatal(err)
	}
}

func TestDigestOncePerWorkingDayPerChannel(t *testing.T) {
	e := newEnv(t, true)
	e.overdueStep("H-01", domain.Hovedstaden, "self-evaluation", "P-001", 21, 3)
	e.overdueStep("H-02", domain.Hovedstaden, "visit-date", "P-002", 3, 1)
	e.overdueStep("S-01", domain.Sjaelland, "self-evaluation", "P-009", 30, 4)
	e.overdueStep("H-03", domain.Hovedstaden, "report", "P-003", 0, 0) // due today: not overdue
	e.mu.Lock()
	e.now = copenhagen(t, 2027, 3, 22, 7, 59) // a Monday, before the digest's time
	e.mu.Unlock()
	d := e.dispatcher("A")
	e.run(d)
	if n := len(e.ws.posts()); n != 0 {
		t.Fatalf("%d messages before 08:00, want none", n)
	}
	e.advance(2 * time.Minute)
	other := e.dispatcher("B")
	e.run(d)
	e.run(other)
	e.run(d)

	regional := e.ws.postsIn(chanHovedstaden)
	if len(regional) != 1 {
		t.Fatalf("%d digests in Hovedstaden's channel, want 1", len(regional))
	}
	b := regional[0].Blocks
	mustContain(t, "the regional digest", b, "Overskredne frister Region Hovedstaden – 2027-03-22",
		"Bo- og aktivitetstilbuddet Lindevang", "H-01", "Simon Bruun", "21 dage", "H-02", "Kim Eriksen", "3 dage",
		"/institutions/H-01/cycles/1/steps/self-evaluation", notify.ActionOpenOverview)
	if strings.Contains(b, "H-03") || strings.Contains(b, "S-01") {
		t.Errorf("the regional digest lists a step that is not overdue, or another region's: %s", b)
	}
	if strings.Index(b, "H-01") > strings.Index(b, "H-02") {
		t.Error("the digest does not list the longest overdue first")
	}
	national := e.ws.postsIn(chanNational)
	if len(national) != 1 {
		t.Fatalf("%d national digests, want 1", len(national))
	}
	mustContain(t, "the national digest", national[0].Blocks, "på landsplan", "H-01", "S-01", "Region Sjælland")
	if strings.Contains(national[0].Blocks, "H-02") {
		t.Error("the national digest lists a step not escalated to the national secretariat")
	}
	if r := e.row("digest/hovedstaden/2027-03-22"); r.Status != store.OutboxDelivered || r.Kind != notify.KindDigest {
		t.Errorf("digest row = %s %s", r.Kind, r.Status)
	}
	// Saturday and Easter Monday: none. The Tuesday after: the next one (from a new
	// dispatcher, as after a restart).
	for _, day := range []int{27, 29} {
		e.mu.Lock()
		e.now = copenhagen(t, 2027, 3, day, 9, 0)
		e.mu.Unlock()
		e.run(e.dispatcher("C"))
		if n := len(e.ws.postsIn(chanHovedstaden)); n != 1 {
			t.Errorf("%d digests by 2027-03-%d, a day off, want still 1", n, day)
		}
	}
	e.mu.Lock()
	e.now = copenhagen(t, 2027, 3, 30, 9, 0)
	e.mu.Unlock()
	e.run(e.dispatcher("D"))
	if n := len(e.ws.postsIn(chanHovedstaden)); n != 2 {
		t.Errorf("%d digests by Tuesday 2027-03-30, want 2", n)
	}
}

func TestWithoutSlackEverythingIsLogged(t *testing.T) {
	e := newEnv(t, false)
	ids := e.notify(note(activities.KindEscalation, 2, domain.NewDate(2027, 3, 15), regionalSecretariat))
	e.overdueStep("H-01", domain.Hovedstaden, "self-evaluation", "P-001", 21, 3)
	d := e.dispatcher("A")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for e.row(ids[0]).Status != store.OutboxLogged && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
	if d.Mode() != "log" {
		t.Errorf("Mode = %s, want log", d.Mode())
	}
	if r := e.row(ids[0]); r.Status != store.OutboxLogged || !strings.Contains(r.LastError, "not configured") {
		t.Errorf("row %s (%q), want logged because Slack is not configured", r.Status, r.LastError)
	}
	mustContain(t, "the log", e.logged(), "Slack is not configured", "notifications are only written to the log", ids[0])
	if n := len(e.ws.posts()); n != 0 {
		t.Errorf("%d messages reached Slack without a token", n)
	}
	if rows, _ := e.st.Outbox(context.Background(), store.OutboxFilter{}); len(rows) != 1 {
		t.Errorf("%d rows; without Slack there is no digest", len(rows))
	}
}

func TestTaskPath(t *testing.T) {
	for _, c := range []struct {
		inst, step, want string
		cycle            int
	}{
		{"H-01", "self-evaluation", "/institutions/H-01/cycles/1/steps/self-evaluation", 1},
		{"H-01", "invitation/lead/1", "/institutions/H-01/cycles/2/steps/invitation/lead/1", 2},
		{"X Y", "a b/c?", "/institutions/X%20Y/cycles/1/steps/a%20b/c%3F", 1},
	} {
		if got := notify.TaskPath(c.inst, c.cycle, c.step); got != c.want {
			t.Errorf("TaskPath(%q, %d, %q) = %q, want %q", c.inst, c.cycle, c.step, got, c.want)
		}
	}
}

func TestKindsAreTheWorkflowsKinds(t *testing.T) {
	for _, k := range []struct {
		workflow activities.NotificationKind
		notify   string
	}{
		{activities.KindTask, notify.KindTask}, {activities.KindReminder, notify.KindReminder},
		{activities.KindEscalation, notify.KindEscalation}, {activities.KindExtended, notify.KindExtended},
		{activities.KindWithdrawn, notify.KindWithdrawn}, {activities.KindInfo, notify.KindInfo},
	} {
		if string(k.workflow) != k.notify {
			t.Errorf("activities kind %q is %q here", k.workflow, k.notify)
		}
	}
}
