package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// The secretariat's tools on one institution (start, extend, waive, assign, cancel) and the
// start of a region's cycles. Only the secretariat of the institution's region (or the
// national secretariat) gets them.

// steerable loads the institution of the path and checks that the viewer may steer it.
func (s *Server) steerable(w http.ResponseWriter, r *http.Request) (store.Institution, bool) {
	in, ok := s.institutionFor(w, r, r.PathValue("id"))
	if !ok {
		return in, false
	}
	if !viewerOf(r).CanSteer(in) {
		s.refuse(w, r, http.StatusForbidden, "only the secretariat of "+string(in.Region)+" may steer "+in.ID)
		return in, false
	}
	return in, true
}

func (s *Server) handleManage(w http.ResponseWriter, r *http.Request) {
	in, ok := s.steerable(w, r)
	if !ok {
		return
	}
	done := ""
	if key := r.URL.Query().Get("done"); key != "" && strings.HasPrefix(key, "manage.") {
		done = message(langOf(r), key)
	}
	s.renderManage(w, r, http.StatusOK, in, "", formValues{}, nil, done)
}

// renderManage shows the secretariat's tools on an institution; after a refused action, the
// form that posted it comes back as typed, with the problems beside its fields.
func (s *Server) renderManage(w http.ResponseWriter, r *http.Request, status int, in store.Institution, posted string,
	form formValues, ref *refusal, done string) {
	p, err := s.loadCycle(r.Context(), in.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var open []store.StepRow
	for _, st := range p.Steps {
		if st.Status == "open" {
			open = append(open, st)
		}
	}
	names, err := s.names(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := p.Today
	if today.IsZero() {
		today = domain.DateOf(s.now())
	}
	assignForm := formValues{}
	if posted == "assign" {
		assignForm = form
	}
	seats := append(domain.RequiredSeats(), domain.SeatTrainee)
	var why *WhyNot
	if id := whyNotPerson(r.URL.Query().Get("whynot")); id != "" {
		wn, err := s.whyNot(r.Context(), in, id, today)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		why = &wn
	}
	s.render(w, r, status, "manage", "manage.title", map[string]any{
		"WhyNot":      why,
		"Title":       message(langOf(r), "manage.title") + " · " + in.Name,
		"Institution": in,
		"Running":     p.Cycle != nil && p.Cycle.Status == "running",
		"Open":        open,
		"Team":        p.Team,
		"Names":       names,
		"Today":       today,
		"Posted":      posted,
		"Form":        form,
		"AssignForm":  assignForm,
		// Refusals holds the refusal under the form that posted it (see posted), so that
		// each form of the page looks up its own.
		"Refusals": map[string]*refusal{posted: ref},
		"Done":     done,
		"Seats":    seats,
		"Rules":    ruleNames(),
	})
}

// handleManageAction takes one of the secretariat's actions on an institution.
func (s *Server) handleManageAction(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		in, ok := s.steerable(w, r)
		if !ok {
			return
		}
		form := formValues(r.PostForm)
		lang := langOf(r)
		posted := what
		if what == "extend" || what == "waive" {
			posted = what + ":" + form.Get("step")
		}
		fields := manageFields[what]
		again := func(status int, ref *refusal) {
			s.log.Info("action refused", "person", v.ID, "institution", in.ID, "action", what, "reason", ref.String())
			s.renderManage(w, r, status, in, posted, form, ref, "")
		}
		if s.cycles == nil {
			again(http.StatusServiceUnavailable, generalRefusal(message(lang, "form.read-only")))
			return
		}
		ctx := r.Context()
		actor := workflows.Action{Actor: v.ID}
		reason := form.Get("reason")
		var err error
		var doneKey string
		switch what {
		case "start":
			if in.Closed() {
				again(http.StatusUnprocessableEntity, generalRefusal(message(lang, "manage.closed", in.ClosedOn)))
				return
			}
			d, perr := domain.ParseDate(strings.TrimSpace(form.Get("date")))
			if perr != nil {
				again(http.StatusUnprocessableEntity, fieldRefusal(fieldStartDate, message(lang, "form.bad-date", perr), fields))
				return
			}
			_, err = s.cycles.Start(ctx, cycles.StartRequest{InstitutionID: in.ID, Region: in.Region, StartDate: d, Actor: v.ID})
			doneKey = "manage.started"
		case "cancel":
			_, err = s.cycles.Cancel(ctx, in.ID, workflows.Cancellation{Action: actor, Reason: reason})
			doneKey = "manage.cancelled"
		case "extend":
			d, perr := domain.ParseDate(strings.TrimSpace(form.Get("due")))
			if perr != nil {
				again(http.StatusUnprocessableEntity, fieldRefusal(workflows.FieldNewDue, message(lang, "form.bad-date", perr), fields))
				return
			}
			_, err = s.cycles.ExtendDeadline(ctx, in.ID, workflows.Extension{Action: actor, Step: form.Get("step"), NewDue: d, Reason: reason})
			doneKey = "manage.extended"
		case "waive":
			_, err = s.cycles.WaiveStep(ctx, in.ID, workflows.Waiver{Action: actor, Step: form.Get("step"), Reason: reason})
			doneKey = "manage.waived"
		case "assign":
			seat, perr := domain.ParseTeamRole(form.Get("seat"))
			if perr != nil {
				again(http.StatusUnprocessableEntity, fieldRefusal(workflows.FieldSeat, perr.Error(), fields))
				return
			}
			_, err = s.cycles.AssignReviewer(ctx, in.ID, workflows.ReviewerAssignment{Action: actor, Seat: seat,
				PersonID: strings.TrimSpace(form.Get("person")), Reason: reason, Overrides: form["override"]})
			doneKey = "manage.assigned"
		}
		if err != nil {
			if ref := refusalOf(err, fields); ref != nil {
				again(http.StatusUnprocessableEntity, ref)
				return
			}
			s.log.Error("action failed", "person", v.ID, "institution", in.ID, "action", what, "error", err)
			again(http.StatusServiceUnavailable, generalRefusal(message(lang, "status.503")))
			return
		}
		s.log.Info("action taken", "person", v.ID, "institution", in.ID, "action", what)
		http.Redirect(w, r, "/institutions/"+url.PathEscape(in.ID)+"/manage?done="+doneKey, http.StatusSeeOther)
	}
}

// startResult is one institution's line after a region's start.
type startResult struct {
	Institution string
	Outcome     string
}

// handleStartRegion shows (GET) and takes (POST) the start of every open institution's cycle
// in a region: the regional secretariat for its own region, the national one for any.
func (s *Server) handleStartRegion(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if !v.IsSecretariat() {
		s.refuse(w, r, http.StatusForbidden, "only the secretariat starts cycles")
		return
	}
	lang := langOf(r)
	regions := domain.Regions()
	if v.Region != "" {
		regions = []domain.Region{v.Region}
	}
	data := map[string]any{"Regions": regions, "Today": domain.DateOf(s.now()), "Form": formValues{}, "Refusal": (*refusal)(nil)}
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "start", "start.title", data)
		return
	}
	form := formValues(r.PostForm)
	data["Form"] = form
	again := func(status int, ref *refusal) {
		s.log.Info("action refused", "person", v.ID, "action", "start-region", "reason", ref.String())
		data["Refusal"] = ref
		s.render(w, r, status, "start", "start.title", data)
	}
	region, err := domain.ParseRegion(form.Get("region"))
	if err != nil {
		again(http.StatusUnprocessableEntity, fieldRefusal(fieldRegion, err.Error(), startRegionFields))
		return
	}
	if !v.SecretariatOf(region) {
		s.refuse(w, r, http.StatusForbidden, "the secretariat of "+string(v.Region)+" may not start the cycles of "+string(region))
		return
	}
	start, err := domain.ParseDate(strings.TrimSpace(form.Get("date")))
	if err != nil {
		again(http.StatusUnprocessableEntity, fieldRefusal(fieldStartDate, message(lang, "form.bad-date", err), startRegionFields))
		return
	}
	if s.cycles == nil {
		again(http.StatusServiceUnavailable, generalRefusal(message(lang, "form.read-only")))
		return
	}
	insts, err := s.store.ListInstitutions(r.Context(), store.InstitutionFilter{Region: region})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var results []startResult
	started, skipped := 0, 0
	for _, in := range insts {
		res := startResult{Institution: in.ID + " " + in.Name}
		if in.Closed() {
			res.Outcome = message(lang, "start.skipped-closed", in.ClosedOn)
			skipped++
			results = append(results, res)
			continue
		}
		_, err := s.cycles.Start(r.Context(), cycles.StartRequest{InstitutionID: in.ID, Region: in.Region, StartDate: start, Actor: v.ID})
		switch {
		case err == nil:
			res.Outcome = message(lang, "start.started")
			started++
		case errors.Is(err, cycles.ErrAlreadyRunning):
			res.Outcome = message(lang, "start.skipped-running")
			skipped++
		default:
			res.Outcome = message(lang, "start.failed", err.Error())
		}
		results = append(results, res)
	}
	s.log.Info("action taken", "person", v.ID, "action", "start-region", "region", region, "started", started, "skipped", skipped)
	data["Results"] = results
	data["Started"] = started
	data["Skipped"] = skipped
	s.render(w, r, http.StatusOK, "start", "start.title", data)
}
