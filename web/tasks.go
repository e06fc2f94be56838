package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/web/timeline"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// formValues is a form as it was typed, so that a refused form comes back with everything in it.
type formValues url.Values

// Get is the value of a field.
func (f formValues) Get(name string) string { return url.Values(f).Get(name) }

// Has reports whether a field (a radio button, a check box) holds a value.
func (f formValues) Has(name, value string) bool { return slices.Contains(f[name], value) }

// myTasks lists the open steps the viewer may act on, the longest overdue first.
func (s *Server) myTasks(ctx context.Context, v *Viewer) ([]store.DashboardRow, error) {
	if v.IsManager() {
		return nil, nil
	}
	if !v.IsSecretariat() {
		return s.store.Dashboard(ctx, store.DashboardFilter{HolderID: v.ID})
	}
	rows, err := s.store.Dashboard(ctx, store.DashboardFilter{ScopeRegion: v.Region})
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if r.HolderID == v.ID || r.HolderRole == string(domain.RoleSecretariat) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Server) handleTasks(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	rows, err := s.myTasks(r.Context(), v)
	if err == nil {
		err = s.store.FillNames(r.Context(), rows)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var ids []string
	switch {
	case v.Role == domain.RoleInstitutionManager && v.HomeInstitution != "":
		ids = []string{v.HomeInstitution}
	case !v.IsManager() && !v.IsSecretariat():
		for id := range v.Teams {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	var insts []store.Institution
	for _, id := range ids {
		if in, err := s.store.Institution(r.Context(), id); err == nil {
			insts = append(insts, in)
		}
	}
	done := ""
	if r.URL.Query().Get("done") != "" {
		done = message(langOf(r), "task.done")
	}
	s.render(w, r, http.StatusOK, "tasks", "tasks.title", map[string]any{"Rows": rows, "Institutions": insts, "Done": done})
}

// stepFor loads the step named by ?step= and checks that the viewer may act on it. It
// answers the request itself (404, 403) and returns false when not.
func (s *Server) stepFor(w http.ResponseWriter, r *http.Request) (store.StepRow, store.Institution, bool) {
	v := viewerOf(r)
	id := r.URL.Query().Get("step")
	st, err := s.store.StepByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.refuse(w, r, http.StatusNotFound, "no step "+id)
		return st, store.Institution{}, false
	}
	if err != nil {
		s.fail(w, r, err)
		return st, store.Institution{}, false
	}
	in, err := s.store.Institution(r.Context(), st.InstitutionID)
	if err != nil {
		s.fail(w, r, err)
		return st, in, false
	}
	if st.Status != "open" {
		if v.CanRead(in) && (st.HolderID == v.ID || v.CanSteer(in)) {
			// The person's own task, done meanwhile: say so, on their institution's page.
			http.Redirect(w, r, "/institutions/"+url.PathEscape(in.ID), http.StatusSeeOther)
			return st, in, false
		}
		s.refuse(w, r, http.StatusForbidden, "step "+id+" is not the person's task")
		return st, in, false
	}
	if !v.HoldsStep(st) {
		s.refuse(w, r, http.StatusForbidden, "step "+id+" is held by "+st.HolderID+" ("+st.HolderRole+"), not by the person")
		return st, in, false
	}
	return st, in, true
}

func (s *Server) handleTask(w http.ResponseWriter, r *http.Request) {
	st, in, ok := s.stepFor(w, r)
	if !ok {
		return
	}
	form := formValues{}
	saved := ""
	if kind := timeline.Kind(st.Step); kind == workflows.StepReport || kind == workflows.StepRevisitReport {
		draft, err := s.store.ReportDraftOf(r.Context(), st.InstitutionID, st.Cycle, st.Step, viewerOf(r).ID)
		switch {
		case err == nil:
			var vals url.Values
			if json.Unmarshal([]byte(draft.Content), &vals) == nil {
				form = formValues(vals)
			}
			saved = draft.Saved.In(copenhagen).Format("2006-01-02 15:04")
		case !errors.Is(err, store.ErrNotFound):
			s.fail(w, r, err)
			return
		}
	}
	s.renderTask(w, r, http.StatusOK, st, in, form, nil, saved)
}

// renderTask shows a task's page: what it is about, what to read first, and its form, with
// the values typed and a refusal's problems beside the fields they concern.
func (s *Server) renderTask(w http.ResponseWriter, r *http.Request, status int, st store.StepRow, in store.Institution,
	form formValues, ref *refusal, draftSaved string) {
	ctx := r.Context()
	p, err := s.loadCycle(ctx, in.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kind := timeline.Kind(st.Step)
	today := p.Today
	if today.IsZero() {
		today = domain.DateOf(s.now())
	}
	data := map[string]any{
		"Title":       stepLabel(langOf(r), st.Step) + " · " + in.Name,
		"Step":        st,
		"Institution": in,
		"Kind":        kind,
		"Form":        form,
		"Refusal":     ref,
		"DaysOverdue": domain.DaysOverdue(st.Due, today),
		"Verdicts":    []int{1, 2, 3},
		"DraftSaved":  draftSaved,
	}
	var docs []docRef
	for _, d := range p.Documents {
		switch kind {
		case workflows.StepInvitation, workflows.StepVisitDate, workflows.StepVisit, workflows.StepReport:
			if d.Kind == "self-evaluation" {
				docs = append(docs, d)
			}
		case workflows.StepRevisitDate, workflows.StepRevisit, workflows.StepRevisitReport:
			if d.Kind == "self-evaluation" || d.Kind == workflows.StepReport || d.Kind == "action-plan" {
				docs = append(docs, d)
			}
		default:
			if d.Kind != "self-evaluation" {
				docs = append(docs, d)
			}
		}
	}
	data["Documents"] = docs
	if p.Visit != nil && !p.Visit.VisitOn.IsZero() {
		data["Visit"] = p.Visit.VisitOn
	}
	switch kind {
	case workflows.StepSelfEvaluation, workflows.StepReport, workflows.StepRevisitReport, workflows.StepActionPlan:
		gen, err := s.generationOf(ctx, in.ID, st.Cycle)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Generation"] = gen
		data["Standards"] = gen.ActiveStandards()
		data["Scale"] = gen.Scale
	case workflows.StepVisitDate:
		data["Earliest"] = s.cfg.Cycle.VisitNotice.AddTo(today)
	case workflows.StepRevisitDate:
		data["Earliest"] = s.cfg.Cycle.RevisitNotice.AddTo(today)
	case workflows.StepManualAssignment:
		_, seat, _ := strings.Cut(st.Step, "/")
		data["Seat"] = seat
		data["Rules"] = ruleNames()
	}
	s.render(w, r, status, "task", "task.title", data)
}

func ruleNames() []string {
	var out []string
	for _, r := range domain.HardRules() {
		out = append(out, r.Name)
	}
	return out
}

// handleTaskAction takes the action of a task's form through the cycles client, as the
// signed-in person. A refusal comes back on the same page, with what was typed and each
// problem beside the field it concerns.
func (s *Server) handleTaskAction(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	st, in, ok := s.stepFor(w, r)
	if !ok {
		return
	}
	form := formValues(r.PostForm)
	lang := langOf(r)
	kind := timeline.Kind(st.Step)
	action := form.Get("action")
	fields, err := s.taskFieldsOf(r.Context(), kind, in.ID, st.Cycle)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	again := func(status int, ref *refusal) {
		s.log.Info("action refused", "person", v.ID, "institution", in.ID, "step", st.Step, "action", action, "reason", ref.String())
		s.renderTask(w, r, status, st, in, form, ref, "")
	}
	if kind == workflows.StepReport || kind == workflows.StepRevisitReport {
		if action == "save" {
			content, _ := json.Marshal(url.Values(form.withoutSecrets()))
			if err := s.store.SaveReportDraft(r.Context(), in.ID, st.Cycle, st.Step, v.ID, string(content)); err != nil {
				s.fail(w, r, err)
				return
			}
			s.log.Info("report draft saved", "person", v.ID, "institution", in.ID, "step", st.Step)
			http.Redirect(w, r, "/task?step="+url.QueryEscape(st.ID), http.StatusSeeOther)
			return
		}
	}
	if s.cycles == nil {
		again(http.StatusServiceUnavailable, generalRefusal(message(lang, "form.read-only")))
		return
	}
	ctx := r.Context()
	actor := workflows.Action{Actor: v.ID}
	switch {
	case kind == workflows.StepInvitation && action == "accept":
		_, err = s.cycles.AnswerInvitation(ctx, in.ID, workflows.InvitationAnswer{Action: actor, Accept: true})
	case kind == workflows.StepInvitation && action == "decline":
		if strings.TrimSpace(form.Get("reason")) == "" {
			again(http.StatusUnprocessableEntity, fieldRefusal(workflows.FieldReason, message(lang, "invitation.reason.missing"), fields))
			return
		}
		_, err = s.cycles.AnswerInvitation(ctx, in.ID, workflows.InvitationAnswer{Action: actor, Reason: form.Get("reason")})
	case kind == workflows.StepSelfEvaluation && action == "submit":
		var sub workflows.SelfEvaluationSubmission
		if sub, err = s.selfEvaluationFrom(ctx, in.ID, st.Cycle, form); err != nil {
			s.refusedForm(w, r, err, fields, again)
			return
		}
		sub.Action = actor
		_, err = s.cycles.SubmitSelfEvaluation(ctx, in.ID, sub)
	case (kind == workflows.StepVisitDate || kind == workflows.StepRevisitDate) && action == "set":
		d, perr := domain.ParseDate(strings.TrimSpace(form.Get("date")))
		if perr != nil {
			again(http.StatusUnprocessableEntity, fieldRefusal(workflows.FieldVisitDate, message(lang, "form.bad-date", perr), fields))
			return
		}
		_, err = s.cycles.SetVisitDate(ctx, in.ID, workflows.VisitDate{Action: actor, Date: d})
	case (kind == workflows.StepVisit || kind == workflows.StepRevisit) && action == "record":
		_, err = s.cycles.RecordVisit(ctx, in.ID, workflows.VisitRecord{Action: actor, Notes: form.Get("notes")})
	case (kind == workflows.StepReport || kind == workflows.StepRevisitReport) && action == "submit":
		var rep workflows.Report
		if rep, err = s.reportFrom(ctx, in.ID, st.Cycle, form); err != nil {
			s.refusedForm(w, r, err, fields, again)
			return
		}
		rep.Action = actor
		if _, err = s.cycles.SubmitReport(ctx, in.ID, rep); err == nil {
			if derr := s.store.DeleteReportDraft(ctx, in.ID, st.Cycle, st.Step, v.ID); derr != nil {
				s.log.Warn("delete the report draft", "error", derr)
			}
		}
	case kind == workflows.StepHearing && action == "comment":
		_, err = s.cycles.CommentReport(ctx, in.ID, workflows.Comment{Action: actor, Text: form.Get("text")})
	case kind == workflows.StepActionPlan && action == "plan":
		_, err = s.cycles.SubmitActionPlan(ctx, in.ID, workflows.ActionPlan{Action: actor, Plan: form.Get("plan"), Areas: form["areas"]})
	case kind == workflows.StepAppealWindow && action == "appeal":
		_, err = s.cycles.Appeal(ctx, in.ID, workflows.Appeal{Action: actor, Reason: form.Get("reason")})
	case (kind == workflows.StepAppealDecision || kind == workflows.StepVerdictDecision) && action == "decide":
		n, _ := strconv.Atoi(form.Get("verdict"))
		_, err = s.cycles.Decide(ctx, in.ID, workflows.Decision{Action: actor, Verdict: domain.Verdict(n), Reason: form.Get("reason")})
	case kind == workflows.StepManualAssignment && action == "assign":
		_, seat, _ := strings.Cut(st.Step, "/")
		_, err = s.cycles.AssignReviewer(ctx, in.ID, workflows.ReviewerAssignment{Action: actor, Seat: domain.TeamRole(seat),
			PersonID: strings.TrimSpace(form.Get("person")), Reason: form.Get("reason"), Overrides: form["override"]})
	default:
		s.refuse(w, r, http.StatusBadRequest, "action "+action+" does not fit step "+st.Step)
		return
	}
	if err != nil {
		if ref := refusalOf(err, fields); ref != nil {
			again(http.StatusUnprocessableEntity, ref)
			return
		}
		s.log.Error("action failed", "person", v.ID, "institution", in.ID, "step", st.Step, "error", err)
		again(http.StatusServiceUnavailable, generalRefusal(message(lang, "status.503")))
		return
	}
	s.log.Info("action taken", "person", v.ID, "institution", in.ID, "step", st.Step, "action", action)
	http.Redirect(w, r, "/tasks?done=1", http.StatusSeeOther)
}

// taskFieldsOf maps the field keys of a task's request to its form's fields; the forms of
// self-evaluations and reports have fields per standard of the cycle's generation.
func (s *Server) taskFieldsOf(ctx context.Context, kind, institutionID string, cycle int) (map[string]string, error) {
	switch kind {
	case workflows.StepSelfEvaluation, workflows.StepReport, workflows.StepRevisitReport:
		gen, err := s.generationOf(ctx, institutionID, cycle)
		if err != nil {
			return nil, err
		}
		return taskFields(kind, gen.ActiveStandards()), nil
	}
	return taskFields(kind, nil), nil
}

// refusedForm answers a form the web app could not read: its problems beside the fields
// (the form comes back as typed), or a failure when reading it failed on the service's side.
func (s *Server) refusedForm(w http.ResponseWriter, r *http.Request, err error, fields map[string]string, again func(int, *refusal)) {
	if ref := refusalOf(err, fields); ref != nil {
		again(http.StatusUnprocessableEntity, ref)
		return
	}
	s.fail(w, r, err)
}

// withoutSecrets drops the CSRF token before a form is kept as a draft.
func (f formValues) withoutSecrets() formValues {
	out := formValues{}
	for k, v := range f {
		if k != "csrf" && k != "action" {
			out[k] = v
		}
	}
	return out
}

// selfEvaluationFrom reads the self-evaluation form: a rating, indicator values and a note
// per active standard of the cycle's generation. What the form leaves out is left to the
// workflow's validator, which names every missing standard at once.
func (s *Server) selfEvaluationFrom(ctx context.Context, institutionID string, cycle int, f formValues) (workflows.SelfEvaluationSubmission, error) {
	gen, err := s.generationOf(ctx, institutionID, cycle)
	if err != nil {
		return workflows.SelfEvaluationSubmission{}, err
	}
	sub := workflows.SelfEvaluationSubmission{Ratings: map[string]domain.Rating{}, Indicators: map[string]string{}, Notes: map[string]string{}}
	for _, std := range gen.ActiveStandards() {
		if v := f.Get("rating-" + std.Code); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return sub, &workflows.Refusal{Problems: []workflows.Problem{{Field: workflows.FieldRating(std.Code),
					Message: "the rating of standard " + std.Code + " is not a number: choose one of the scale's levels"}}}
			}
			sub.Ratings[std.Code] = domain.Rating(n)
		}
		if note := f.Get("note-" + std.Code); strings.TrimSpace(note) != "" {
			sub.Notes[std.Code] = note
		}
		for _, ind := range std.ActiveIndicators() {
			if v := f.Get("indicator-" + ind.Code); strings.TrimSpace(v) != "" {
				sub.Indicators[ind.Code] = v
			}
		}
	}
	for _, line := range strings.Split(f.Get("participants"), "\n") {
		if p := strings.TrimSpace(line); p != "" {
			sub.Participants = append(sub.Participants, p)
		}
	}
	return sub, nil
}

// reportFrom reads the report form: met or not and an assessment per active standard, the
// summary, the suggestions and the verdict.
func (s *Server) reportFrom(ctx context.Context, institutionID string, cycle int, f formValues) (workflows.Report, error) {
	gen, err := s.generationOf(ctx, institutionID, cycle)
	if err != nil {
		return workflows.Report{}, err
	}
	rep := workflows.Report{Summary: f.Get("summary"), Suggestions: f.Get("suggestions")}
	for _, std := range gen.ActiveStandards() {
		met := f.Get("met-" + std.Code)
		text := f.Get("assessment-" + std.Code)
		if met == "" && strings.TrimSpace(text) == "" {
			continue
		}
		rep.Assessments = append(rep.Assessments, workflows.Assessment{Standard: std.Code, Met: met == "yes", Assessment: text})
	}
	if v := f.Get("verdict"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return rep, &workflows.Refusal{Problems: []workflows.Problem{{Field: workflows.FieldVerdict,
				Message: "the verdict is not a number: choose 1, 2 or 3"}}}
		}
		rep.Verdict = domain.Verdict(n)
	}
	return rep, nil
}
