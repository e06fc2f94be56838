package web_test

// End-to-end tests in headless Chromium (Debian's chromium, driven from Go by chromedp)
// against a real worker on the embedded Temporal server: people sign in with their links
// and complete their tasks through the forms, and axe-core checks every page they see.

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/web"
	"github.com/kvalitetsmodel/accredit/workflows"
)

var screenshots = flag.Bool("screenshots", false, "save screenshots of the dashboard, a task page and a document page to docs/")

//go:embed testdata/axe/axe.min.js
var axeSource string

// chromiumPath finds Debian's chromium. Outside CI a machine without it skips the browser
// tests; in CI (CI=true) it fails them, as .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: .ci/run installs it (apt-get install -y chromium chromium-driver)")
	}
	t.Skip("browser tests skipped: chromium is not installed (apt-get install -y chromium)")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// app is a worker with its web app, as go run ./worker starts them.
type app struct {
	t      *testing.T
	cfg    config.Config
	svc    *service.Service
	cycles *cycles.Client
	base   string
}

// startApp runs the service on the embedded server with a fast calendar (a day is 300ms,
// self-evaluations a week apart, invitations answered within 20 weeks, a week's notice of
// the visit, and 20 weeks for each later step) and the web app.
func startApp(t *testing.T) *app {
	t.Helper()
	webPort := freePort(t)
	cfg, err := config.Load(config.Source{Environ: []string{
		"ACCREDIT_DATA_DIR=" + t.TempDir(),
		"ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:" + strconv.Itoa(freePort(t)),
		"ACCREDIT_HTTP_ADDR=127.0.0.1:" + strconv.Itoa(webPort),
		"ACCREDIT_PUBLIC_BASE_URL=http://127.0.0.1:" + strconv.Itoa(webPort),
		"ACCREDIT_LOG_LEVEL=warn",
		"ACCREDIT_DAY_LENGTH=300ms",
		"ACCREDIT_SELF_EVALUATION_INTERVAL=1w",
		"ACCREDIT_CYCLE_LENGTH=1y",
		"ACCREDIT_INVITATION_ANSWER=20w",
		// The visit's notice is short, so that the visit day comes soon; the steps after it
		// last long enough for the forms (the hearing, closed at its due date otherwise,
		// is waived by the secretariat once the institution has commented).
		"ACCREDIT_VISIT_NOTICE=1w",
		"ACCREDIT_VISIT_RECORD_GRACE=20w",
		"ACCREDIT_REPORT_DUE=20w",
		"ACCREDIT_HEARING_PERIOD=20w",
		"ACCREDIT_ACTION_PLAN_DUE=20w",
		"ACCREDIT_APPEAL_WINDOW=20w",
		"ACCREDIT_DECISION_DUE=20w",
		"TEMPORAL_CONFIG_FILE=" + os.DevNull,
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	svc, err := service.Start(ctx, cfg, logger)
	if err != nil {
		cancel()
		t.Fatalf("start the service: %v", err)
	}
	fixture.ExampleRegistry(t, svc.Store)
	srv, ln, err := web.Open(ctx, cfg, svc.Store, svc.Client, logger)
	if err != nil {
		cancel()
		svc.Stop()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("the web app did not shut down cleanly: %v", err)
		}
		svc.Stop()
	})
	return &app{t: t, cfg: cfg, svc: svc, cycles: cycles.New(svc.Client, cycles.Options{TaskQueue: cfg.TaskQueue}),
		base: cfg.PublicBaseURL}
}

// link issues a sign-in link as the national secretariat would.
func (a *app) link(person string) string {
	a.t.Helper()
	token, _, err := a.svc.Store.IssueSignInLink(context.Background(), person, "P-136", time.Hour)
	if err != nil {
		a.t.Fatal(err)
	}
	return web.SignInLinkURL(a.base, token)
}

// waitOpen waits until the read model holds open steps of an institution whose key starts
// with prefix, and returns them.
func (a *app) waitOpen(ctx context.Context, inst, prefix string) []store.DashboardRow {
	a.t.Helper()
	for {
		rows, err := a.svc.Store.Dashboard(ctx, store.DashboardFilter{InstitutionID: inst, Step: prefix})
		if err != nil {
			a.t.Fatal(err)
		}
		if len(rows) > 0 {
			return rows
		}
		select {
		case <-ctx.Done():
			a.t.Fatalf("no open %s step of %s: %v", prefix, inst, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// browser is one headless Chromium tab.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T, ctx context.Context, lang string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath(t)),
		chromedp.WindowSize(1280, 900), chromedp.NoSandbox, chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: bctx}
}

// open loads a page and waits for its main landmark.
func (b *browser) open(u string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		b.t.Fatalf("open %s: %v", u, err)
	}
}

// click presses a button or follows a link and waits for the page it leads to.
func (b *browser) click(selector string) {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		b.t.Fatalf("click %s: %v", selector, err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		b.t.Fatalf("after clicking %s: %v", selector, err)
	}
}

func (b *browser) text(selector string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", selector, err)
	}
	return s
}

func (b *browser) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// signIn uses a sign-in link: the page behind it, then its button.
func (b *browser) signIn(link, name string) {
	b.t.Helper()
	b.open(link)
	b.checkAccessibility("the sign-in link's page")
	if got := b.text("main"); !strings.Contains(got, name) {
		b.t.Fatalf("the link's page does not name %s: %q", name, got)
	}
	b.click("main form button[type=submit]")
}

// violation is one finding of axe-core.
type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (WCAG 2.x A and AA rules and best practices) in the
// page, and fails on every serious or critical violation.
func (b *browser) checkAccessibility(page string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		b.t.Fatalf("load axe-core into %s: %v", page, err)
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe-core in %s: %v", page, err)
	}
	var found []violation
	if err := json.Unmarshal([]byte(raw), &found); err != nil {
		b.t.Fatal(err)
	}
	for _, v := range found {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target...))
			}
			b.t.Errorf("%s: axe %s violation %s (%s) at %s", page, v.Impact, v.ID, v.Help, strings.Join(where, ", "))
		} else {
			b.t.Logf("%s: axe %s finding %s (%s)", page, v.Impact, v.ID, v.Help)
		}
	}
	if len(found) == 0 {
		b.t.Logf("%s: axe found nothing", page)
	}
}

// screenshot saves the whole page to docs/ when the test runs with -screenshots.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	if !*screenshots {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join("..", "docs", name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("saved %s", path)
}

// TestBrowserCycle: the regional secretariat starts Region Hovedstaden's cycles through its
// form; H-01's manager submits the year-1 self-evaluation through the form; once the
// external evaluation invites the team, each invited person signs in with a personal link,
// reads the institution's self-evaluation and accepts; the cycle moves on to the visit date,
// whose deadline the secretariat extends through its tools; the lead proposes a date inside
// the notice period, finds the refusal beside the date field with the date kept, and sets a
// later one; a manager reads the dashboard. Then the external evaluation runs to its end
// through the forms (browserFollowUp): the visit, the report (a draft, then verdict 2), the
// hearing, the action plan, an appeal and its decision. axe-core checks every page on the
// way, in Danish, and the dashboard in English.
func TestBrowserCycle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server and Chromium")
	}
	chromiumPath(t)
	started := time.Now()
	a := startApp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b := newBrowser(t, ctx, "da")
	t.Logf("service, web app and chromium up in %s", time.Since(started).Round(time.Millisecond))

	// The secretariat of Region Hovedstaden starts its region's cycles.
	b.signIn(a.link("P-131"), "Anders Mathiesen")
	b.open(a.base + "/cycles/start")
	b.checkAccessibility("the region start")
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.ID("region"), "hovedstaden")); err != nil {
		t.Fatal(err)
	}
	b.click("main form button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, "8 startet") {
		t.Fatalf("the region start says: %s", got)
	}

	// H-01's manager submits the year-1 self-evaluation through the form.
	se := a.waitOpen(ctx, "H-01", "self-evaluation")
	b.signIn(a.link("P-001"), "Simon Bruun")
	b.open(a.base + "/tasks")
	b.checkAccessibility("the manager's tasks")
	b.open(a.base + "/task?step=" + url.QueryEscape(se[0].StepID))
	b.checkAccessibility("the self-evaluation form")
	fill := `(() => {
		for (const fs of document.querySelectorAll('fieldset.rating')) { fs.querySelector('input[value="2"]').checked = true; }
		for (const i of document.querySelectorAll('input[name^="indicator-"]')) { i.value = 'ja'; }
		document.querySelector('textarea[name="note-1.1"]').value = 'Ledelsen holder månedlige møder.';
		document.querySelector('#participants').value = 'Simon Bruun\nMedarbejderrepræsentant';
	})()`
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](fill)); err != nil {
		t.Fatal(err)
	}
	b.click("main form.long button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, "Tak. Det er registreret.") {
		t.Fatalf("after the self-evaluation: %s", got)
	}

	// Years 2 and 3 are submitted through the client, as they open.
	for year := 2; year <= 3; year++ {
		for {
			rows := a.waitOpen(ctx, "H-01", "self-evaluation")
			if rows[0].Opened.After(se[0].Opened) {
				se = rows
				break
			}
			select {
			case <-ctx.Done():
				// Once seen in CI: what the read model showed instead of the new year.
				status, err := a.cycles.Status(context.Background(), "H-01")
				t.Fatalf("the year-%d self-evaluation of H-01 did not open after %s: the dashboard shows %+v; the cycle's status %+v (%v)",
					year, se[0].Opened, rows, status, err)
			case <-time.After(100 * time.Millisecond):
			}
		}
		if _, err := a.cycles.SubmitSelfEvaluation(ctx, "H-01", fixture.SelfEvaluation("P-001")); err != nil {
			t.Fatalf("self-evaluation year %d: %v", year, err)
		}
	}

	// The external evaluation invites the team: each invited person signs in and accepts.
	invitations := a.waitOpen(ctx, "H-01", "invitation")
	for len(invitations) < 4 {
		time.Sleep(200 * time.Millisecond)
		invitations = a.waitOpen(ctx, "H-01", "invitation")
	}
	var lead, leadName string
	for _, inv := range invitations {
		p, err := a.svc.Store.Person(ctx, inv.HolderID)
		if err != nil {
			t.Fatal(err)
		}
		b.signIn(a.link(p.ID), p.Name)
		if !strings.HasSuffix(b.location(), "/tasks") {
			t.Fatalf("%s landed on %s, want their tasks", p.ID, b.location())
		}
		if strings.HasPrefix(inv.Step, "invitation/lead/") {
			lead, leadName = p.ID, p.Name
			b.checkAccessibility("the reviewer's tasks")
			b.open(a.base + "/institutions/H-01")
			b.checkAccessibility("the institution's page")
			b.click(`main ul.documents a`)
			if got := b.text("main"); !strings.Contains(got, "Ledelsen holder månedlige møder.") {
				t.Errorf("the reviewer's view of the self-evaluation lacks its note: %s", got)
			}
			b.checkAccessibility("the self-evaluation document")
			b.screenshot("web-document.png")
		}
		b.open(a.base + "/tasks")
		b.click(`main table a[href^="/task?step="]`)
		if strings.HasPrefix(inv.Step, "invitation/lead/") {
			b.checkAccessibility("the invitation")
			b.screenshot("web-task.png")
		}
		b.click(`main input[value="accept"] ~ button`)
		if got := b.text("main"); !strings.Contains(got, "Tak. Det er registreret.") {
			t.Fatalf("%s accepting: %s", p.ID, got)
		}
	}
	if lead == "" {
		t.Fatal("no lead was invited")
	}

	// The cycle moves on: the lead agrees the visit date next.
	vd := a.waitOpen(ctx, "H-01", "visit-date")
	if vd[0].HolderID != lead {
		t.Errorf("the visit date is held by %s, want the lead %s", vd[0].HolderID, lead)
	}

	// The secretariat extends the visit date's deadline through its tools.
	b.signIn(a.link("P-131"), "Anders Mathiesen")
	b.open(a.base + "/institutions/H-01/manage")
	b.checkAccessibility("the secretariat's tools")
	newDue := vd[0].Due.AddDays(14)
	pick := fmt.Sprintf(`(() => {
		const f = [...document.querySelectorAll('form[action$="/extend"]')].find(f => f.querySelector('input[name=step]').value === %q);
		f.id = 'extend-visit-date';
		f.querySelector('input[name=due]').value = %q;
		f.querySelector('textarea[name=reason]').value = 'Lederen er syg i to uger';
	})()`, vd[0].Step, newDue.String())
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](pick)); err != nil {
		t.Fatal(err)
	}
	b.click("#extend-visit-date button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, "Fristen er forlænget") {
		t.Fatalf("after extending the visit date: %s", got)
	}

	b.signIn(a.link(lead), "")
	if got := b.text("main"); !strings.Contains(got, "Aftal besøgsdato") {
		t.Errorf("the lead's tasks lack the visit date: %s", got)
	}

	// The lead proposes a date inside the notice period: the validator's refusal stands
	// beside the date field, which keeps the date typed; then a date far enough ahead.
	b.open(a.base + "/task?step=" + url.QueryEscape(vd[0].StepID))
	b.checkAccessibility("the visit date form")
	tooSoon := vd[0].Opened.AddDays(1).String()
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.ID("date"), tooSoon)); err != nil {
		t.Fatal(err)
	}
	b.click("main form button[type=submit]")
	if got := b.text("#date-error"); !strings.Contains(got, "inside the notice period") {
		t.Errorf("beside the date field: %q, want the notice period", got)
	}
	kept, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById('date').value + ' ' +
		document.getElementById('date').getAttribute('aria-invalid') + ' ' + document.getElementById('date').getAttribute('aria-describedby')`))
	if err != nil {
		t.Fatal(err)
	}
	if want := tooSoon + " true date-hint date-error"; kept != want {
		t.Errorf("the refused date field is %q, want %q", kept, want)
	}
	b.checkAccessibility("the refused visit date form")
	// The hint names the earliest date; days pass quickly here, so leave a margin (and
	// not much more: the visit opens on its day).
	earliest, err := domain.ParseDate(regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).FindString(b.text("#date-hint")))
	if err != nil {
		t.Fatalf("the hint names no earliest date: %v", err)
	}
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.ID("date"), earliest.AddDays(12).String())); err != nil {
		t.Fatal(err)
	}
	b.click("main form button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, "Tak. Det er registreret.") {
		t.Fatalf("after setting the visit date: %s", got)
	}
	// Every action is in the audit trail as the person who signed in.
	trail, err := a.svc.Store.AuditTrail(ctx, "H-01")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"start-cycle P-131": false, "submit-self-evaluation P-001": false,
		"extend-deadline P-131": false, "set-visit-date " + lead: false}
	for _, inv := range invitations {
		want["answer-invitation "+inv.HolderID] = false
	}
	for _, e := range trail {
		if _, ok := want[e.Action+" "+e.ActorID]; ok {
			want[e.Action+" "+e.ActorID] = true
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("the audit trail lacks %s", k)
		}
	}

	// A manager reads the dashboard, in Danish and in English.
	b.signIn(a.link("P-142"), "Erik Nissen")
	b.open(a.base + "/dashboard")
	if got := b.text("main"); !strings.Contains(got, "Aftal besøgsdato") || !strings.Contains(got, "Region Hovedstaden") {
		t.Errorf("the dashboard lacks H-01's visit date: %s", got)
	}
	b.checkAccessibility("the dashboard")
	b.screenshot("web-dashboard.png")
	b.open(a.base + "/lang/en?back=%2Fdashboard")
	if got := b.text("h1"); got != "Open steps" {
		t.Errorf("the English dashboard is titled %q", got)
	}
	b.checkAccessibility("the dashboard in English")
	b.open(a.base + "/lang/da?back=%2Fdashboard")
	t.Logf("up to the visit: %s", time.Since(started).Round(time.Millisecond))

	browserFollowUp(t, ctx, a, b, lead, leadName)
	t.Logf("whole browser test: %s", time.Since(started).Round(time.Millisecond))
}

// fillIn runs a script that types into the page's form.
func (b *browser) fillIn(script string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](script)); err != nil {
		b.t.Fatalf("fill in the form: %v", err)
	}
}

// task opens the page of a task and checks it with axe-core.
func (b *browser) task(a *app, row store.DashboardRow, page string) {
	b.t.Helper()
	b.open(a.base + "/task?step=" + url.QueryEscape(row.StepID))
	b.checkAccessibility(page)
}

// registered fails unless the page thanks the person for what they sent.
func (b *browser) registered(what string) {
	b.t.Helper()
	if got := b.text("main"); !strings.Contains(got, "Tak. Det er registreret.") {
		b.t.Fatalf("after %s: %s", what, got)
	}
}

// answerTask answers a task through its form: the person's tasks list it under label, its
// page passes axe-core, script fills the form in, and the submission is registered.
func (b *browser) answerTask(a *app, label string, row store.DashboardRow, page, script, what string) {
	b.t.Helper()
	b.listsTask(a, label)
	b.task(a, row, page)
	b.fillIn(script)
	b.click("main form button[type=submit]")
	b.registered(what)
}

// listsTask fails unless the person's tasks list a step of the label.
func (b *browser) listsTask(a *app, label string) {
	b.t.Helper()
	b.open(a.base + "/tasks")
	if got := b.text("main"); !strings.Contains(got, label) {
		b.t.Errorf("the tasks lack %q: %s", label, got)
	}
}

// browserFollowUp continues TestBrowserCycle from the agreed visit date to the end of the
// external evaluation, each step through its form: on the visit day the lead records the
// visit, saves a draft of the report, comes back to it and submits it with verdict 2; the
// institution manager reads it and comments in the hearing, which the secretariat then
// waives through its tools; the manager submits the action plan and appeals; the
// secretariat upholds the verdict. After each form the next step opens for its holder, and
// the audit trail names everyone who acted.
func browserFollowUp(t *testing.T, ctx context.Context, a *app, b *browser, lead, leadName string) {
	const manager, managerName, secretariat, secretariatName = "P-001", "Simon Bruun", "P-131", "Anders Mathiesen"
	since := time.Now()
	mark := func(what string) {
		t.Logf("%s: %s after the visit date", what, time.Since(since).Round(time.Millisecond))
	}
	holds := func(row store.DashboardRow, person string) {
		t.Helper()
		if row.HolderID != person {
			t.Errorf("%s is held by %s, want %s", row.Step, row.HolderID, person)
		}
	}

	// On the visit day the lead records the visit.
	visit := a.waitOpen(ctx, "H-01", "visit")[0]
	mark("the visit opens")
	holds(visit, lead)
	b.signIn(a.link(lead), leadName)
	b.task(a, visit, "the visit record form")
	b.fillIn(`document.getElementById('notes').value = 'Vi talte med ledelsen, tre medarbejdere og to beboere.'`)
	b.click("main form button[type=submit]")
	b.registered("recording the visit")
	mark("the visit")

	// The lead writes the report: a draft first, kept when the lead comes back to it.
	report := a.waitOpen(ctx, "H-01", "report")[0]
	holds(report, lead)
	b.listsTask(a, "Rapport")
	b.task(a, report, "the report form")
	b.fillIn(`(() => {
		document.getElementById('m-1.1-n').checked = true;
		document.getElementById('a-1.1').value = 'Der føres ikke referat af ledelsesmøderne.';
		document.getElementById('summary').value = 'Foreløbig sammenfatning';
		document.getElementById('v-2').checked = true;
	})()`)
	b.click(`main form button[value="save"]`)
	if got := b.text("main"); !strings.Contains(got, "Kladden er gemt") {
		t.Errorf("after saving the draft: %s", got)
	}
	kept, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`[document.getElementById('m-1.1-n').checked,
		document.getElementById('a-1.1').value, document.getElementById('summary').value, document.getElementById('v-2').checked].join('|')`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "true|Der føres ikke referat af ledelsesmøderne.|Foreløbig sammenfatning|true"; kept != want {
		t.Errorf("the saved draft shows %q, want %q", kept, want)
	}
	b.checkAccessibility("the report form with its draft")
	b.fillIn(`(() => {
		for (const a of document.querySelectorAll('textarea[name^="assessment-"]')) {
			if (a.value) { continue; }
			const code = a.name.slice('assessment-'.length);
			document.querySelector('input[name="met-' + code + '"][value="yes"]').checked = true;
			a.value = 'Standarden er opfyldt.';
		}
		document.getElementById('summary').value = 'Tilbuddet opfylder standarderne på nær referater af ledelsesmøderne.';
	})()`)
	b.click(`main form button[value="submit"]`)
	b.registered("submitting the report")
	mark("the report")

	// The institution manager reads the report and comments in the hearing.
	hearing := a.waitOpen(ctx, "H-01", "hearing")[0]
	holds(hearing, manager)
	b.signIn(a.link(manager), managerName)
	b.listsTask(a, "Høring")
	b.task(a, hearing, "the hearing form")
	b.click(`main ul.documents a`)
	if got := b.text("main"); !strings.Contains(got, "på nær referater af ledelsesmøderne") {
		t.Errorf("the manager's view of the report lacks its summary: %s", got)
	}
	b.checkAccessibility("the report document")
	b.open(a.base + "/task?step=" + url.QueryEscape(hearing.StepID))
	b.fillIn(`document.getElementById('text').value = 'Referaterne findes i intranettets mødemappe.'`)
	b.click("main form button[type=submit]")
	b.registered("commenting in the hearing")
	mark("the hearing")

	// The hearing would last until its due date: the secretariat waives the rest of it.
	b.signIn(a.link(secretariat), secretariatName)
	b.open(a.base + "/institutions/H-01/manage")
	b.fillIn(fmt.Sprintf(`(() => {
		const f = [...document.querySelectorAll('form[action$="/waive"]')].find(f => f.querySelector('input[name=step]').value === %q);
		f.id = 'waive-hearing';
		f.querySelector('textarea[name=reason]').value = 'Institutionen har afgivet sine bemærkninger';
	})()`, hearing.Step))
	b.click("#waive-hearing button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, "Trinnet er frafaldet") {
		t.Fatalf("after waiving the hearing: %s", got)
	}

	// Verdict 2: the manager submits an action plan and appeals the verdict.
	plan := a.waitOpen(ctx, "H-01", "action-plan")[0]
	holds(plan, manager)
	window := a.waitOpen(ctx, "H-01", "appeal-window")[0]
	holds(window, manager)
	b.signIn(a.link(manager), managerName)
	b.answerTask(a, "Handleplan", plan, "the action plan form", `(() => {
		document.getElementById('area-1.1').checked = true;
		document.getElementById('plan').value = 'Fra næste måned skrives referat af hvert ledelsesmøde.';
	})()`, "submitting the action plan")
	mark("the action plan")
	b.answerTask(a, "Klagefrist", window, "the appeal form",
		`document.getElementById('reason').value = 'Referaterne findes; rapporten overser dem.'`, "appealing")
	mark("the appeal")

	// The secretariat decides the appeal: the verdict is upheld.
	decision := a.waitOpen(ctx, "H-01", "appeal-decision")[0]
	b.signIn(a.link(secretariat), secretariatName)
	b.answerTask(a, "Afgørelse af klage", decision, "the appeal decision form", `(() => {
		document.getElementById('d-0').checked = true;
		document.getElementById('reason').value = 'Referaterne blev ikke fremlagt ved besøget.';
	})()`, "deciding the appeal")
	mark("the decision")

	// The external evaluation ends with verdict 2, and the cycle moves on.
	// (The read model's row of cycle 1: at this pace the next cycle may soon begin.)
	for {
		row, err := a.svc.Store.Cycle(ctx, "H-01", 1)
		if err == nil && row.Verdict == int(domain.VerdictSomeAreas) && row.CurrentStep != string(workflows.StageExternalEvaluation) {
			t.Logf("H-01's cycle 1 is %s (%s) with verdict %d", row.Status, row.CurrentStep, row.Verdict)
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the cycle did not move on after the appeal decision: %+v %v", row, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	mark("the end of the evaluation")

	// Each form's action is in the audit trail as the person who sent it.
	want := map[string]bool{"record-visit " + lead: false, "submit-report " + lead: false,
		"comment-report " + manager: false, "waive-step " + secretariat: false, "submit-action-plan " + manager: false,
		"appeal " + manager: false, "decide " + secretariat: false}
	trail, err := a.svc.Store.AuditTrail(ctx, "H-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range trail {
		if _, ok := want[e.Action+" "+e.ActorID]; ok {
			want[e.Action+" "+e.ActorID] = true
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("the audit trail lacks %s", k)
		}
	}
}
