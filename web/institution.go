package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/web/timeline"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// institutionFor loads the institution of the path and checks that the viewer may read it;
// it answers the request itself (404, 403) and returns false when not.
func (s *Server) institutionFor(w http.ResponseWriter, r *http.Request, id string) (store.Institution, bool) {
	in, err := s.store.Institution(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.refuse(w, r, http.StatusNotFound, "no institution "+id)
		return in, false
	}
	if err != nil {
		s.fail(w, r, err)
		return in, false
	}
	if !viewerOf(r).CanRead(in) {
		s.refuse(w, r, http.StatusForbidden, "may not read institution "+id+" ("+string(in.Region)+")")
		return in, false
	}
	return in, true
}

// docRef is a document in a list.
type docRef struct {
	store.Submission
	Year int
}

// cyclePage is what the institution page and the task pages read about the current cycle.
type cyclePage struct {
	Cycle     *store.CycleRow
	Steps     []store.StepRow
	Visit     *store.VisitRow
	Revisit   *store.VisitRow
	Team      []store.AssignmentRow
	Documents []docRef
	Today     domain.Date
}

func (s *Server) loadCycle(ctx context.Context, institutionID string) (cyclePage, error) {
	var p cyclePage
	c, err := s.store.LatestCycle(ctx, institutionID)
	if errors.Is(err, store.ErrNotFound) {
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.Cycle = &c
	p.Today = domain.DateOf(s.now().UTC())
	if c.DayLengthMS > 0 {
		p.Today = c.Clock().DateAt(s.now())
	}
	if p.Steps, err = s.store.Steps(ctx, institutionID, c.Number); err != nil {
		return p, err
	}
	visits, err := s.store.Visits(ctx, institutionID, c.Number)
	if err != nil {
		return p, err
	}
	for i := range visits {
		if visits[i].Kind == "revisit" {
			p.Revisit = &visits[i]
		} else {
			p.Visit = &visits[i]
		}
	}
	if p.Team, err = s.store.Assignments(ctx, institutionID, c.Number); err != nil {
		return p, err
	}
	subs, err := s.store.Submissions(ctx, institutionID, c.Number)
	if err != nil {
		return p, err
	}
	for _, sub := range subs {
		p.Documents = append(p.Documents, docRef{Submission: sub, Year: timeline.Year(sub.ID)})
	}
	return p, nil
}

// timelineInput turns the read model into the timeline's input.
func (s *Server) timelineInput(p cyclePage) timeline.Input {
	d := s.cfg.Cycle
	in := timeline.Input{
		Start: p.Cycle.StartDate, Today: p.Today, Verdict: p.Cycle.Verdict, Ended: p.Cycle.Status != "running",
		Durations: timeline.Durations{CycleLength: d.CycleLength, SelfEvaluationInterval: d.SelfEvaluationInterval,
			SelfEvaluationDue: d.SelfEvaluationDue, InvitationAnswer: d.InvitationAnswer, VisitDateDue: d.VisitDateDue,
			VisitNotice: d.VisitNotice, VisitRecordGrace: d.VisitRecordGrace, ReportDue: d.ReportDue,
			HearingPeriod: d.HearingPeriod, ActionPlanDue: d.ActionPlanDue, RevisitWithin: d.RevisitWithin,
			AppealWindow: d.AppealWindow},
	}
	if p.Visit != nil {
		in.Visit, in.VisitRecorded = p.Visit.VisitOn, p.Visit.RecordedOn
	}
	if p.Revisit != nil {
		in.Revisit = p.Revisit.VisitOn
	}
	for _, st := range p.Steps {
		in.Steps = append(in.Steps, timeline.Step{ID: st.ID, Key: st.Step, HolderID: st.HolderID, HolderRole: st.HolderRole,
			Opened: st.Opened, Due: st.Due, Status: st.Status, Closed: st.Closed, ClosedBy: st.ClosedBy, Escalation: st.Escalation})
	}
	if in.Verdict == 0 {
		// The report's verdict, before it is final.
		for _, doc := range p.Documents {
			if doc.Kind == workflows.StepReport {
				var rep workflows.Report
				if json.Unmarshal([]byte(doc.Payload), &rep) == nil {
					in.Verdict = int(rep.Verdict)
				}
			}
		}
	}
	return in
}

// names maps every person a page mentions to their name.
func (s *Server) names(ctx context.Context, p cyclePage, extra ...string) (map[string]string, error) {
	ids := append([]string{}, extra...)
	for _, st := range p.Steps {
		ids = append(ids, st.HolderID, st.ClosedBy)
	}
	for _, a := range p.Team {
		ids = append(ids, a.PersonID)
	}
	for _, d := range p.Documents {
		ids = append(ids, d.SubmittedBy)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > 0 && ids[0] == "" {
		ids = ids[1:]
	}
	return s.store.PersonNames(ctx, ids)
}

func (s *Server) handleInstitution(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	in, ok := s.institutionFor(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	p, err := s.loadCycle(r.Context(), in.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	groups := make([]string, len(in.TargetGroups))
	for i, g := range in.TargetGroups {
		groups[i] = targetGroupLabel(lang, g)
	}
	data := map[string]any{
		"Title":        in.Name,
		"Institution":  in,
		"TargetGroups": groups,
		"Operator":     in.Municipality,
		"CanSteer":     v.CanSteer(in),
	}
	if p.Cycle != nil {
		names, err := s.names(r.Context(), p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ti := s.timelineInput(p)
		var mine []store.StepRow
		for _, st := range p.Steps {
			if v.HoldsStep(st) {
				mine = append(mine, st)
			}
		}
		phase := ""
		if ph := timeline.Phase(ti); ph != "" {
			phase = message(lang, "phase."+ph)
		}
		data["Cycle"] = p.Cycle
		data["Timeline"] = timeline.Build(ti)
		data["Phase"] = phase
		data["Visit"] = p.Visit
		data["Revisit"] = p.Revisit
		data["Team"] = p.Team
		data["Documents"] = p.Documents
		data["Names"] = names
		data["MyTasks"] = mine
		data["Today"] = p.Today
	}
	s.render(w, r, http.StatusOK, "institution", "", data)
}

// handleDocument shows one document of an institution: a self-evaluation or report per
// standard of its catalogue generation, or a comment, plan, appeal or decision.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request) {
	in, ok := s.institutionFor(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	docID := r.URL.Query().Get("id")
	doc, err := s.store.Submission(r.Context(), docID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && doc.InstitutionID != in.ID) {
		s.refuse(w, r, http.StatusNotFound, "no document "+docID+" of "+in.ID)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.documentData(r.Context(), in, doc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	title := message(lang, "doc."+doc.Kind)
	if y := timeline.Year(doc.ID); y > 0 {
		title += " " + message(lang, "timeline.year", y)
	}
	data["Title"] = title + " · " + in.Name
	s.render(w, r, http.StatusOK, "document", "document.title", data)
}

// documentData decodes a stored document for its page.
func (s *Server) documentData(ctx context.Context, in store.Institution, doc store.Submission) (map[string]any, error) {
	names, err := s.store.PersonNames(ctx, []string{doc.SubmittedBy})
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Institution": in, "Doc": doc, "SubmittedBy": names[doc.SubmittedBy]}
	gen, err := s.generationOf(ctx, in.ID, doc.Cycle)
	if err != nil {
		return nil, err
	}
	data["Generation"] = gen
	switch doc.Kind {
	case "self-evaluation":
		var sub workflows.SelfEvaluationSubmission
		if err := json.Unmarshal([]byte(doc.Payload), &sub); err != nil {
			return nil, err
		}
		ratings := map[string]int{}
		for code, r := range sub.Ratings {
			ratings[code] = int(r)
		}
		data["SelfEvaluation"] = sub
		data["Ratings"] = ratings
		data["Notes"] = sub.Notes
		data["Values"] = sub.Indicators
		data["Standards"] = standardsWith(gen, func(code string) bool { _, ok := sub.Ratings[code]; return ok })
	case workflows.StepReport, workflows.StepRevisitReport:
		var rep workflows.Report
		if err := json.Unmarshal([]byte(doc.Payload), &rep); err != nil {
			return nil, err
		}
		assessed := map[string]workflows.Assessment{}
		for _, a := range rep.Assessments {
			assessed[a.Standard] = a
		}
		data["Report"] = rep
		data["Assessments"] = assessed
		data["Standards"] = standardsWith(gen, func(code string) bool { _, ok := assessed[code]; return ok })
	default:
		var body struct {
			Text    string         `json:"text"`
			Plan    string         `json:"plan"`
			Reason  string         `json:"reason"`
			Areas   []string       `json:"areas"`
			Verdict domain.Verdict `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(doc.Payload), &body); err != nil {
			return nil, err
		}
		data["Text"] = cmp.Or(body.Text, body.Plan, body.Reason)
		data["Areas"] = body.Areas
		if body.Verdict != 0 {
			data["Verdict"] = int(body.Verdict)
		}
	}
	return data, nil
}

// standardsWith lists the generation's active standards, and any retired one the document
// speaks of, in catalogue order.
func standardsWith(gen domain.Generation, has func(code string) bool) []domain.Standard {
	var out []domain.Standard
	for _, st := range gen.Standards() {
		if !st.Retired || has(st.Code) {
			out = append(out, st)
		}
	}
	return out
}

// generationOf is the catalogue generation of a cycle, or the one in force today when the
// cycle is not in the read model.
func (s *Server) generationOf(ctx context.Context, institutionID string, cycle int) (domain.Generation, error) {
	if c, err := s.store.Cycle(ctx, institutionID, cycle); err == nil && c.Generation > 0 {
		return s.store.Generation(ctx, c.Generation)
	}
	return s.store.GenerationInForce(ctx, domain.DateOf(s.now()))
}
