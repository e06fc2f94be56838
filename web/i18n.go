package web

// Danish and English. Danish is the default (the model's language); English is chosen by
// the switch in the header (a cookie) or, without one, by Accept-Language. The catalogue's
// own texts come in both languages (domain.Text.In); every text of the app is below.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// languages the app speaks, the default first.
var languages = []string{"da", "en"}

func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(langKey).(string); ok {
		return l
	}
	return "da"
}

// withLang picks the page's language: the switch's cookie, else the first of Danish and
// English that Accept-Language prefers, else Danish.
func (s *Server) withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := s.cookie(r, "lang")
		if lang != "da" && lang != "en" {
			lang = fromAcceptLanguage(r.Header.Get("Accept-Language"))
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// fromAcceptLanguage returns "en" when the header prefers English to Danish, "da" otherwise.
func fromAcceptLanguage(h string) string {
	best, bestQ := "da", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (base == "da" || base == "en" || base == "nb" || base == "no" || base == "sv") && q > bestQ {
			bestQ = q
			best = base
			if base != "en" {
				best = "da"
			}
		}
	}
	return best
}

// handleLang is the language switch: it remembers the choice for a year and goes back.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if lang != "da" && lang != "en" {
		s.refuse(w, r, http.StatusNotFound, "unknown language "+lang)
		return
	}
	s.setCookie(w, "lang", lang, 365*24*time.Hour)
	back := localPath(r.URL.Query().Get("back"))
	if back == "" {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// message is the text of key in lang, formatted with args; a missing key shows itself, so
// that it is seen (and TestEveryMessageInBothLanguages fails).
func message(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	text := m[0]
	if lang == "en" {
		text = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(text, args...)
	}
	return text
}

func regionLabel(lang string, r domain.Region) string {
	if r == "" {
		return message(lang, "region.national")
	}
	return r.Name()
}

func roleLabel(lang, role string) string {
	if _, ok := messages["role."+role]; ok {
		return message(lang, "role."+role)
	}
	return role
}

// stepLabel names a step key ("invitation/lead/2": the invitation of the lead reviewer).
func stepLabel(lang, key string) string {
	kind, rest, _ := strings.Cut(key, "/")
	label := message(lang, "step."+kind)
	if _, ok := messages["step."+kind]; !ok {
		label = kind
	}
	if seat, _, _ := strings.Cut(rest, "/"); seat != "" {
		label += " (" + roleLabel(lang, seat) + ")"
	}
	return label
}

func verdictLabel(lang string, v any) string {
	n, _ := strconv.Atoi(fmt.Sprint(v))
	if n == 0 {
		return ""
	}
	if lang == "en" {
		return fmt.Sprintf("%d: %s", n, domain.Verdict(n).LabelEN())
	}
	return fmt.Sprintf("%d: %s", n, domain.Verdict(n).LabelDA())
}

func ratingLabel(lang string, v any) string {
	n, _ := strconv.Atoi(fmt.Sprint(v))
	if n == 0 {
		return message(lang, "rating.none")
	}
	if lang == "en" {
		return fmt.Sprintf("%d: %s", n, domain.Rating(n).LabelEN())
	}
	return fmt.Sprintf("%d: %s", n, domain.Rating(n).LabelDA())
}

func targetGroupLabel(lang string, g domain.TargetGroup) string {
	if lang == "en" {
		return g.NameEN()
	}
	return g.NameDA()
}

// stepKinds are the step kinds the dashboard filters by, in the cycle's order.
var stepKinds = []string{"self-evaluation", "invitation", "manual-assignment", "visit-date", "visit", "report",
	"hearing", "revisit-date", "revisit", "revisit-report", "verdict-decision", "action-plan", "appeal-window",
	"appeal-decision"}

// messages are the app's texts: Danish, English. Formats take fmt verbs.
var messages = map[string][2]string{
	"app.name":            {"Akkreditering af sociale tilbud", "Accreditation of social-care institutions"},
	"layout.skip":         {"Gå til indholdet", "Skip to content"},
	"layout.signed-in-as": {"Logget ind som %s (%s)", "Signed in as %s (%s)"},
	"layout.signout":      {"Log ud", "Sign out"},
	"layout.footer": {"Kvalitetsmodellen for sociale tilbud: selvevaluering hvert år, ekstern evaluering hvert tredje år.",
		"The quality model for social-care institutions: self-evaluation every year, external evaluation every third year."},
	"nav.label":     {"Hovedmenu", "Main menu"},
	"nav.tasks":     {"Mine opgaver", "My tasks"},
	"nav.dashboard": {"Overblik", "Dashboard"},
	"nav.start":     {"Start cyklusser", "Start cycles"},
	"lang.label":    {"Sprog", "Language"},

	"status.title":        {"Det lykkedes ikke", "That did not work"},
	"status.home":         {"Til forsiden", "To the front page"},
	"status.401":          {"Du er ikke logget ind. Log ind og prøv igen.", "You are not signed in. Sign in and try again."},
	"status.403":          {"Du har ikke adgang til denne side eller handling.", "You may not see this page or take this action."},
	"status.csrf":         {"Formularens sikkerhedsnøgle mangler eller er forkert. Genindlæs siden og prøv igen.", "The form's security token is missing or wrong. Reload the page and try again."},
	"status.404":          {"Siden findes ikke.", "There is no such page."},
	"status.410":          {"Linket kan ikke bruges.", "The link cannot be used."},
	"status.link-used":    {"Dette login-link er allerede brugt: hvert link virker én gang. Bed sekretariatet om et nyt.", "This sign-in link has been used already: each link signs in once. Ask the secretariat for a new one."},
	"status.link-expired": {"Dette login-link er udløbet. Bed sekretariatet om et nyt.", "This sign-in link has expired. Ask the secretariat for a new one."},
	"status.link-unknown": {"Dette login-link kendes ikke. Tjek at hele linket er kopieret, eller bed sekretariatet om et nyt.", "This sign-in link is not known. Check that the whole link was copied, or ask the secretariat for a new one."},
	"status.400":          {"Formularen kunne ikke læses.", "The form could not be read."},
	"status.503":          {"Tjenesten kan ikke udføre handlinger lige nu. Prøv igen om lidt.", "The service cannot take actions right now. Try again in a moment."},
	"status.other":        {"Der opstod en fejl hos os. Prøv igen om lidt.", "Something went wrong on our side. Try again in a moment."},

	"signin.title":          {"Log ind", "Sign in"},
	"signin.oidc.heading":   {"Med din organisations login", "With your organisation's sign-in"},
	"signin.oidc.button":    {"Log ind", "Sign in"},
	"signin.link.heading":   {"Med et personligt link", "With a personal link"},
	"signin.link.explain":   {"Sekretariatet kan give dig et personligt login-link. Det virker én gang og udløber efter nogle dage.", "The secretariat can give you a personal sign-in link. It works once and expires after a few days."},
	"signin.link.greeting":  {"Log ind som %s (%s)?", "Sign in as %s (%s)?"},
	"signin.link.button":    {"Log ind", "Sign in"},
	"signin.link.once":      {"Linket kan bruges én gang.", "The link can be used once."},
	"signin.oidc.no-person": {"Din e-mailadresse findes ikke i registret. Kontakt sekretariatet.", "Your e-mail address is not in the registry. Contact the secretariat."},

	"dashboard.title":               {"Overblik over åbne trin", "Open steps"},
	"dashboard.summary":             {"%d åbne trin, heraf %d over fristen.", "%d open steps, %d of them overdue."},
	"dashboard.filters":             {"Filtre", "Filters"},
	"dashboard.region":              {"Region", "Region"},
	"dashboard.step":                {"Trin", "Step"},
	"dashboard.institution":         {"Tilbud", "Institution"},
	"dashboard.holder":              {"Ansvarlig", "Holder"},
	"dashboard.due":                 {"Frist", "Due"},
	"dashboard.days-overdue":        {"Dage over fristen", "Days overdue"},
	"dashboard.escalation":          {"Eskalering", "Escalation"},
	"dashboard.all":                 {"Alle", "All"},
	"dashboard.overdue-only":        {"Kun over fristen", "Overdue only"},
	"dashboard.apply":               {"Vis", "Show"},
	"dashboard.reset":               {"Nulstil", "Reset"},
	"dashboard.csv":                 {"Hent som CSV", "Download as CSV"},
	"dashboard.counts":              {"Antal pr. region og trin", "Counts per region and step"},
	"dashboard.counts.caption":      {"Åbne trin pr. region og trin, med antal over fristen", "Open steps per region and step, with the number overdue"},
	"dashboard.total":               {"I alt", "Total"},
	"dashboard.n-overdue":           {"%d over fristen", "%d overdue"},
	"dashboard.none":                {"ingen", "none"},
	"dashboard.steps":               {"Åbne trin, længst over fristen først", "Open steps, longest overdue first"},
	"dashboard.steps.caption":       {"Åbne trin med tilbud, region, ansvarlig, frist og dage over fristen", "Open steps with institution, region, holder, due date and days overdue"},
	"dashboard.empty":               {"Ingen åbne trin matcher.", "No open steps match."},
	"dashboard.pages":               {"Sider", "Pages"},
	"dashboard.page-of":             {"Side %d af %d", "Page %d of %d"},
	"dashboard.prev":                {"Forrige side", "Previous page"},
	"dashboard.next":                {"Næste side", "Next page"},
	"dashboard.scope.region":        {"(Du ser %s.)", "(You see %s.)"},
	"dashboard.scope.own":           {"(Du ser dit eget tilbud.)", "(You see your own institution.)"},
	"dashboard.scope.teams":         {"(Du ser de tilbud, hvis hold du er med på.)", "(You see the institutions whose teams you are on.)"},
	"dashboard.bad-filter":          {"Ukendt filter: %s", "Unknown filter: %s"},
	"region.national":               {"hele landet", "the whole country"},
	"institution.registry":          {"Registeroplysninger", "Registry data"},
	"institution.id":                {"ID", "ID"},
	"institution.region":            {"Region", "Region"},
	"institution.operator":          {"Driftsherre", "Operator"},
	"institution.operator.region":   {"Regionen", "The region"},
	"institution.legal-basis":       {"Lovgrundlag", "Legal basis"},
	"institution.legal-basis.value": {"Serviceloven %s", "Social Services Act %s"},
	"institution.target-groups":     {"Målgrupper", "Target groups"},
	"institution.places":            {"Pladser", "Places"},
	"institution.address":           {"Adresse", "Address"},
	"institution.email":             {"E-mail", "E-mail"},
	"institution.closed":            {"Lukket", "Closed"},
	"institution.manage":            {"Sekretariatets værktøjer", "Secretariat's tools"},
	"institution.my-tasks":          {"Dine opgaver her", "Your tasks here"},
	"institution.cycle":             {"Cyklus %d", "Cycle %d"},
	"institution.started":           {"Startet", "Started"},
	"institution.status":            {"Status", "Status"},
	"institution.stage":             {"Fase", "Stage"},
	"institution.phase":             {"Den eksterne evaluering", "The external evaluation"},
	"institution.visit":             {"Besøgsdato", "Visit date"},
	"institution.visit.recorded":    {"gennemført, registreret %s", "took place, recorded %s"},
	"institution.revisit":           {"Genbesøg", "Revisit"},
	"institution.verdict":           {"Vurdering", "Verdict"},
	"institution.today":             {"Dato i cyklussens kalender", "Date on the cycle's calendar"},
	"institution.timeline":          {"Tidslinje", "Timeline"},
	"institution.timeline.caption":  {"Trin i cyklussen: udførte, aktuelle og kommende", "The cycle's steps: done, current and to come"},
	"institution.team":              {"Evalueringshold", "Evaluation team"},
	"institution.documents":         {"Dokumenter", "Documents"},
	"institution.no-documents":      {"Der er endnu ikke afleveret dokumenter i denne cyklus.", "Nothing has been handed in during this cycle yet."},
	"institution.no-cycle":          {"Der er ikke startet en akkrediteringscyklus for tilbuddet.", "No accreditation cycle has been started for this institution."},

	"cycle.status.running":   {"i gang", "running"},
	"cycle.status.completed": {"afsluttet", "completed"},
	"cycle.status.cancelled": {"annulleret", "cancelled"},

	"phase.team":             {"holdet sammensættes", "the team is being assigned"},
	"phase.visit-planned":    {"besøget er planlagt", "the visit is planned"},
	"phase.visit":            {"besøget", "the visit"},
	"phase.report":           {"rapporten skrives", "the report is being written"},
	"phase.hearing":          {"høring", "hearing"},
	"phase.revisit-planned":  {"genbesøget er planlagt", "the revisit is planned"},
	"phase.revisit":          {"genbesøget", "the revisit"},
	"phase.revisit-report":   {"rapporten fra genbesøget skrives", "the revisit report is being written"},
	"phase.verdict-decision": {"sekretariatet afgør sagen", "the secretariat decides"},
	"phase.follow-up":        {"opfølgning", "follow-up"},
	"phase.appeal":           {"klagen behandles", "the appeal is being decided"},
	"phase.done":             {"afsluttet", "done"},

	"timeline.step":      {"Trin", "Step"},
	"timeline.state":     {"Status", "State"},
	"timeline.holder":    {"Ansvarlig / udført af", "Holder"},
	"timeline.opens":     {"Åbner", "Opens"},
	"timeline.due":       {"Frist", "Due"},
	"timeline.closed":    {"Afsluttet", "Closed"},
	"timeline.upcoming":  {"kommer", "to come"},
	"timeline.current":   {"åben nu", "open now"},
	"timeline.estimated": {"forventet", "expected"},
	"timeline.overdue":   {"%d dage over fristen", "%d days overdue"},
	"timeline.only-if":   {"kun ved vurdering %s", "only after verdict %s"},
	"timeline.year":      {"år %d", "year %d"},
	"timeline.explain": {"Kommende datoer følger cyklussens regler med de nuværende frister. \"Forventet\" betyder, at datoen afhænger af et trin, der ikke er afsluttet endnu.",
		"Dates to come follow the cycle's rules with today's durations. \"Expected\" means the date depends on a step that is not done yet."},

	"step.self-evaluation":     {"Selvevaluering", "Self-evaluation"},
	"step.invitation":          {"Invitation til holdet", "Invitation to the team"},
	"step.manual-assignment":   {"Udpegning ved sekretariatet", "Assignment by the secretariat"},
	"step.team":                {"Holdet sammensættes", "Team assignment"},
	"step.visit-date":          {"Aftal besøgsdato", "Agree the visit date"},
	"step.visit":               {"Besøg", "Visit"},
	"step.report":              {"Rapport", "Report"},
	"step.hearing":             {"Høring", "Hearing"},
	"step.revisit-date":        {"Aftal dato for genbesøg", "Agree the revisit date"},
	"step.revisit":             {"Genbesøg", "Revisit"},
	"step.revisit-report":      {"Rapport fra genbesøg", "Revisit report"},
	"step.verdict-decision":    {"Afgørelse efter genbesøg", "Decision after the revisit"},
	"step.action-plan":         {"Handleplan", "Action plan"},
	"step.appeal-window":       {"Klagefrist", "Appeal window"},
	"step.appeal-decision":     {"Afgørelse af klage", "Appeal decision"},
	"step.publication":         {"Offentliggørelse", "Publication"},
	"step.next-cycle":          {"Næste cyklus begynder", "Next cycle begins"},
	"step.self-evaluation-1":   {"Selvevaluering år 1", "Self-evaluation year 1"},
	"step.external-evaluation": {"Ekstern evaluering", "External evaluation"},
	"step.waiting":             {"Venter på næste trin", "Waiting for the next step"},

	"step.status.done":      {"udført", "done"},
	"step.status.waived":    {"frafaldet", "waived"},
	"step.status.expired":   {"ikke besvaret", "not answered"},
	"step.status.closed":    {"lukket", "closed"},
	"step.status.withdrawn": {"trukket tilbage", "withdrawn"},
	"step.status.open":      {"åben", "open"},

	"role.reviewer":                {"bedømmer", "reviewer"},
	"role.user-representative":     {"brugerrepræsentant", "user representative"},
	"role.relative-representative": {"pårørenderepræsentant", "relative representative"},
	"role.institution-manager":     {"leder af tilbud", "institution manager"},
	"role.manager":                 {"ledelse", "manager"},
	"role.secretariat":             {"sekretariat", "secretariat"},
	"role.lead":                    {"ledende bedømmer", "lead reviewer"},
	"role.professional":            {"faglig bedømmer", "professional reviewer"},
	"role.trainee":                 {"bedømmer under oplæring", "trainee"},

	"member.invited":   {"inviteret", "invited"},
	"member.accepted":  {"har sagt ja", "accepted"},
	"member.assigned":  {"udpeget", "assigned"},
	"member.declined":  {"har sagt nej", "declined"},
	"member.no-answer": {"svarede ikke", "no answer"},
	"member.expired":   {"svarede ikke", "no answer"},
	"member.replaced":  {"erstattet", "replaced"},
	"member.withdrawn": {"trukket tilbage", "withdrawn"},

	"team.seat":    {"Plads", "Seat"},
	"team.person":  {"Person", "Person"},
	"team.status":  {"Status", "Status"},
	"team.invited": {"Inviteret", "Invited"},
	"team.reasons": {"Begrundelse", "Reasons"},

	"doc.self-evaluation": {"Selvevaluering", "Self-evaluation"},
	"doc.report":          {"Rapport", "Report"},
	"doc.revisit-report":  {"Rapport fra genbesøg", "Revisit report"},
	"doc.comment":         {"Bemærkninger i høringen", "Comment in the hearing"},
	"doc.action-plan":     {"Handleplan", "Action plan"},
	"doc.appeal":          {"Klage", "Appeal"},
	"doc.decision":        {"Afgørelse", "Decision"},
	"doc.submitted":       {"afleveret %s af %s", "handed in %s by %s"},

	"document.title":        {"Dokument", "Document"},
	"document.back":         {"Tilbage til %s", "Back to %s"},
	"document.institution":  {"Tilbud", "Institution"},
	"document.cycle":        {"Cyklus", "Cycle"},
	"document.submitted-by": {"Afleveret af", "Handed in by"},
	"document.submitted-on": {"Afleveret", "Handed in"},

	"selfeval.rating":            {"Vurdering", "Rating"},
	"selfeval.note":              {"Bemærkning", "Note"},
	"selfeval.indicators":        {"Indikatorer for standard %s", "Indicators of standard %s"},
	"selfeval.indicator":         {"Indikator", "Indicator"},
	"selfeval.value":             {"Værdi", "Value"},
	"selfeval.target":            {"mål", "target"},
	"selfeval.participants":      {"Deltagere", "Participants"},
	"selfeval.participants.hint": {"Én pr. linje: ledelse, medarbejdere, evt. brugere og pårørende.", "One per line: management, staff, and users and relatives if any."},
	"selfeval.submit":            {"Aflever selvevalueringen", "Submit the self-evaluation"},
	"rating.none":                {"ikke vurderet", "not rated"},

	"report.verdict":            {"Samlet vurdering", "Verdict"},
	"report.summary":            {"Sammenfatning", "Summary"},
	"report.suggestions":        {"Forslag til forbedringer", "Suggestions for improvement"},
	"report.met":                {"Opfyldt", "Met"},
	"report.not-met":            {"Ikke opfyldt", "Not met"},
	"report.met-question":       {"Er standarden opfyldt?", "Is the standard met?"},
	"report.not-assessed":       {"Ikke vurderet.", "Not assessed."},
	"report.assessment":         {"Vurdering", "Assessment"},
	"report.save":               {"Gem kladde", "Save draft"},
	"report.submit":             {"Indsend rapporten", "Submit the report"},
	"report.draft-saved":        {"Kladden er gemt %s.", "The draft was saved %s."},
	"report.draft-done":         {"Kladden er gemt.", "The draft is saved."},
	"decision.verdict":          {"Vurdering", "Verdict"},
	"decision.uphold":           {"Fasthold vurderingen", "Uphold the verdict"},
	"decision.reason":           {"Begrundelse", "Reasons"},
	"decision.submit":           {"Træf afgørelsen", "Decide"},
	"plan.areas":                {"Områder planen dækker", "Areas the plan covers"},
	"plan.text":                 {"Handleplan", "Action plan"},
	"plan.submit":               {"Aflever handleplanen", "Submit the action plan"},
	"appeal.reason":             {"Begrundelse for klagen", "Grounds of the appeal"},
	"appeal.submit":             {"Indgiv klagen", "Lodge the appeal"},
	"hearing.comment":           {"Bemærkninger til faktuelle fejl", "Comments on factual errors"},
	"hearing.hint":              {"Læs rapporten ovenfor. Bemærkningerne kommer med i sagen.", "Read the report above. The comments are kept with the case."},
	"hearing.submit":            {"Send bemærkningerne", "Send the comments"},
	"visit.date":                {"Besøgsdato", "Visit date"},
	"visit.date.hint":           {"Tidligst %s (varsel).", "%s at the earliest (notice period)."},
	"visit.set":                 {"Gem besøgsdatoen", "Save the visit date"},
	"visit.notes":               {"Noter fra besøget", "Notes from the visit"},
	"visit.record":              {"Registrér at besøget har fundet sted", "Record that the visit took place"},
	"invitation.heading":        {"Invitation som %s", "Invitation as %s"},
	"invitation.accept":         {"Ja tak, jeg deltager", "Accept"},
	"invitation.decline":        {"Nej tak", "Decline"},
	"invitation.reason":         {"Begrundelse, hvis du siger nej", "Reason, if you decline"},
	"invitation.reason.hint":    {"Sekretariatet bruger begrundelsen, når de planlægger.", "The secretariat uses the reason when they plan."},
	"invitation.reason.missing": {"Giv en begrundelse, når du siger nej.", "Give a reason when you decline."},

	"assign.seat":              {"Plads", "Seat"},
	"assign.person":            {"Person-ID", "Person ID"},
	"assign.person.hint":       {"Fx P-050.", "E.g. P-050."},
	"assign.reason":            {"Begrundelse", "Reason"},
	"assign.overrides":         {"Tilsidesæt regler", "Override rules"},
	"assign.overrides.hint":    {"Kun hvis personen bryder en regel, og du har en begrundelse.", "Only when the person breaks a rule and you have a reason."},
	"assign.submit":            {"Udpeg", "Assign"},
	"rule.other-region":        {"Anden region", "Another region"},
	"rule.similar-institution": {"Lignende tilbud", "Similar institution"},
	"rule.trained-for-seat":    {"Uddannet til pladsen", "Trained for the seat"},
	"rule.no-conflict":         {"Ingen interessekonflikt", "No conflict of interest"},
	"rule.not-employed-there":  {"Ikke ansat der for nylig", "Not employed there recently"},
	"rule.rotation":            {"Rotation", "Rotation"},
	"rule.capacity":            {"Kapacitet", "Capacity"},

	"whynot.person":   {"Hvorfor ikke denne person?", "Why not this person?"},
	"whynot.hint":     {"Person-ID, fx P-050: reglerne for hver plads personens rolle kan have.", "A person ID, e.g. P-050: the rules for every seat the person's role can hold."},
	"whynot.button":   {"Tjek reglerne", "Check the rules"},
	"whynot.not":      {"%s kan ikke være %s:", "%s cannot be %s:"},
	"whynot.eligible": {"%s kan være %s.", "%s can be %s."},

	"tasks.title":        {"Mine opgaver", "My tasks"},
	"tasks.caption":      {"%d åbne opgaver", "%d open tasks"},
	"tasks.none":         {"Du har ingen åbne opgaver.", "You have no open tasks."},
	"tasks.due":          {"frist %s", "due %s"},
	"tasks.institutions": {"Tilbud du har adgang til", "Institutions you can see"},
	"task.title":         {"Opgave", "Task"},
	"task.institution":   {"%s (%s)", "%s (%s)"},
	"task.step":          {"Trin", "Step"},
	"task.opened":        {"Åbnet", "Opened"},
	"task.due":           {"Frist", "Due"},
	"task.read":          {"Læs før du handler", "Read before you act"},
	"task.done":          {"Tak. Det er registreret.", "Thank you. It is recorded."},
	"task.closed":        {"Opgaven er ikke længere åben.", "The task is no longer open."},
	"form.refused":       {"Det blev ikke modtaget", "This was not accepted"},
	"form.refused.fields": {"Se hvad der mangler ved de markerede felter nedenfor. Det, du har skrevet, er bevaret.",
		"See what is wrong at the marked fields below. What you typed is kept."},
	"form.bad-date":  {"Datoen skal skrives ÅÅÅÅ-MM-DD: %v", "Write the date as YYYY-MM-DD: %v"},
	"form.read-only": {"Tjenesten kører uden forbindelse til arbejdsgangene: handlinger er slået fra.", "The service runs without the workflows: actions are off."},

	"manage.title":          {"Sekretariatets værktøjer", "Secretariat's tools"},
	"manage.open-steps":     {"Åbne trin: forlæng eller frafald", "Open steps: extend or waive"},
	"manage.step-facts":     {"Frist %s, ansvarlig %s (%s)", "Due %s, held by %s (%s)"},
	"manage.new-due":        {"Ny frist", "New due date"},
	"manage.reason":         {"Begrundelse", "Reason"},
	"manage.extend":         {"Forlæng fristen", "Extend the deadline"},
	"manage.waive":          {"Frafald trinnet", "Waive the step"},
	"manage.no-open-steps":  {"Ingen åbne trin lige nu.", "No open steps right now."},
	"manage.assign":         {"Udpeg eller erstat et medlem af holdet", "Assign or replace a team member"},
	"manage.team-reasons":   {"Holdet og begrundelserne for forslaget", "The team and the reasons for the proposal"},
	"manage.cancel":         {"Annullér cyklussen", "Cancel the cycle"},
	"manage.cancel.hint":    {"Fx fordi tilbuddet er lukket. Åbne opgaver trækkes tilbage, og de ansvarlige får besked.", "E.g. because the institution closed. Open tasks are withdrawn and their holders told."},
	"manage.cancel.button":  {"Annullér cyklussen", "Cancel the cycle"},
	"manage.start":          {"Start en cyklus", "Start a cycle"},
	"manage.start-date":     {"Startdato", "Start date"},
	"manage.start.button":   {"Start cyklussen", "Start the cycle"},
	"manage.closed":         {"Tilbuddet lukkede %s og får ingen ny cyklus.", "The institution closed on %s and gets no new cycle."},
	"manage.started":        {"Cyklussen er startet.", "The cycle has started."},
	"manage.cancelled":      {"Cyklussen er annulleret.", "The cycle is cancelled."},
	"manage.extended":       {"Fristen er forlænget.", "The deadline is extended."},
	"manage.waived":         {"Trinnet er frafaldet.", "The step is waived."},
	"manage.assigned":       {"Personen er udpeget.", "The person is assigned."},
	"start.title":           {"Start cyklusser for en region", "Start the cycles of a region"},
	"start.hint":            {"Alle åbne tilbud i regionen uden kørende cyklus får en. Lukkede tilbud springes over.", "Every open institution of the region without a running cycle gets one. Closed institutions are skipped."},
	"start.button":          {"Start cyklusserne", "Start the cycles"},
	"start.results":         {"%d startet, %d sprunget over", "%d started, %d skipped"},
	"start.started":         {"startet", "started"},
	"start.skipped-closed":  {"sprunget over: lukket %s", "skipped: closed on %s"},
	"start.skipped-running": {"sprunget over: en cyklus kører allerede", "skipped: a cycle is already running"},
	"start.failed":          {"fejl: %s", "failed: %s"},
}
