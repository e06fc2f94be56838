package web

import (
	"errors"
	"html"
	"html/template"
	"strings"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Keys of the web app's own problems with fields the workflows' requests do not have.
const (
	fieldStartDate = "start_date"
	fieldRegion    = "region"
)

// refusal is a refused form's problems as its page shows them: each beside the form field it
// concerns, and at the top of the form the problems of the request as a whole and those of a
// field the form does not show, so that no message is lost.
type refusal struct {
	// General are shown at the top of the form.
	General []string
	byField map[string][]string
	// all is every message in order, for the log.
	all []string
}

// newRefusal sorts problems onto a form. fields maps the problems' field keys
// (workflows.Field*, or the web app's own) to the names of the form's fields.
func newRefusal(problems []workflows.Problem, fields map[string]string) *refusal {
	r := &refusal{byField: map[string][]string{}}
	for _, p := range problems {
		r.all = append(r.all, p.Message)
		if name, ok := fields[p.Field]; ok && p.Field != "" {
			r.byField[name] = append(r.byField[name], p.Message)
			continue
		}
		r.General = append(r.General, p.Message)
	}
	return r
}

// refusalOf is the refusal of an error that carries problems: the cycles client's refusal,
// or the web app's own reading of a form (a *workflows.Refusal). It is nil for any other error.
func refusalOf(err error, fields map[string]string) *refusal {
	var refused *cycles.RefusedError
	if errors.As(err, &refused) {
		problems := refused.Problems
		if len(problems) == 0 {
			problems = []workflows.Problem{{Message: refused.Reason}}
		}
		return newRefusal(problems, fields)
	}
	var own *workflows.Refusal
	if errors.As(err, &own) {
		return newRefusal(own.Problems, fields)
	}
	return nil
}

// generalRefusal is one problem of the form as a whole.
func generalRefusal(msg string) *refusal {
	return newRefusal([]workflows.Problem{{Message: msg}}, nil)
}

// fieldRefusal is one problem of one field, keyed like a workflow's.
func fieldRefusal(field, msg string, fields map[string]string) *refusal {
	return newRefusal([]workflows.Problem{{Field: field, Message: msg}}, fields)
}

// For is what is wrong with a form field.
func (r *refusal) For(name string) []string {
	if r == nil {
		return nil
	}
	return r.byField[name]
}

// OnFields reports whether any problem is shown beside a field.
func (r *refusal) OnFields() bool { return r != nil && len(r.byField) > 0 }

// String is every message, for the log.
func (r *refusal) String() string {
	if r == nil {
		return ""
	}
	return strings.Join(r.all, "; ")
}

// fieldError is what the "fielderror" partial shows beside a field: the messages, under an
// ID that the field's aria-describedby names.
type fieldError struct {
	ID       string
	Messages []string
}

// fieldErrorOf is a field's error for the partial, or nil when the field has none.
func fieldErrorOf(r *refusal, name, id string) *fieldError {
	msgs := r.For(name)
	if len(msgs) == 0 {
		return nil
	}
	return &fieldError{ID: id + "-error", Messages: msgs}
}

// invalidAttrs are a field's aria-describedby (its hints, and its error when it has one) and
// aria-invalid, so that a screen reader reads the problem with the field.
func invalidAttrs(r *refusal, name, id string, hints ...string) template.HTMLAttr {
	attrs := describedBy(r, name, id, hints)
	if len(r.For(name)) > 0 {
		attrs += ` aria-invalid="true"`
	}
	return template.HTMLAttr(attrs)
}

// groupAttrs are invalidAttrs for a fieldset of radio buttons or check boxes: aria-invalid
// belongs to the controls, not to the group, so the group's description carries the problem
// (and the template marks it for the eye with the class "invalid", see hasProblem).
func groupAttrs(r *refusal, name, id string, hints ...string) template.HTMLAttr {
	return template.HTMLAttr(describedBy(r, name, id, hints))
}

// hasProblem reports whether a form field has a problem.
func hasProblem(r *refusal, name string) bool { return len(r.For(name)) > 0 }

func describedBy(r *refusal, name, id string, hints []string) string {
	described := hints
	if len(r.For(name)) > 0 {
		described = append(described[:len(described):len(described)], id+"-error")
	}
	if len(described) == 0 {
		return ""
	}
	return ` aria-describedby="` + html.EscapeString(strings.Join(described, " ")) + `"`
}

// taskFields maps the field keys of a task's request to the names of its form's fields.
func taskFields(kind string, standards []domain.Standard) map[string]string {
	m := map[string]string{}
	switch kind {
	case workflows.StepInvitation, workflows.StepAppealWindow:
		m[workflows.FieldReason] = "reason"
	case workflows.StepSelfEvaluation:
		for _, st := range standards {
			m[workflows.FieldRating(st.Code)] = "rating-" + st.Code
			m[workflows.FieldNote(st.Code)] = "note-" + st.Code
			for _, ind := range st.ActiveIndicators() {
				m[workflows.FieldIndicator(ind.Code)] = "indicator-" + ind.Code
			}
		}
		m[workflows.FieldParticipants] = "participants"
	case workflows.StepVisitDate, workflows.StepRevisitDate:
		m[workflows.FieldVisitDate] = "date"
	case workflows.StepVisit, workflows.StepRevisit:
		m[workflows.FieldVisitNotes] = "notes"
	case workflows.StepReport, workflows.StepRevisitReport:
		for _, st := range standards {
			m[workflows.FieldAssessment(st.Code)] = "assessment-" + st.Code
		}
		m[workflows.FieldSummary] = "summary"
		m[workflows.FieldSuggestions] = "suggestions"
		m[workflows.FieldVerdict] = "verdict"
	case workflows.StepHearing:
		m[workflows.FieldComment] = "text"
	case workflows.StepActionPlan:
		m[workflows.FieldPlan] = "plan"
		m[workflows.FieldAreas] = "areas"
	case workflows.StepAppealDecision, workflows.StepVerdictDecision:
		m[workflows.FieldVerdict] = "verdict"
		m[workflows.FieldReason] = "reason"
	case workflows.StepManualAssignment:
		for k, v := range assignFields {
			if k != workflows.FieldSeat { // the task's seat is fixed, not a field of its form
				m[k] = v
			}
		}
	}
	return m
}

// Fields of the secretariat's forms on an institution, by the action that posts them.
var (
	assignFields = map[string]string{workflows.FieldPerson: "person", workflows.FieldReason: "reason",
		workflows.FieldOverrides: "override", workflows.FieldSeat: "seat"}
	manageFields = map[string]map[string]string{
		"start":  {fieldStartDate: "date"},
		"cancel": {workflows.FieldReason: "reason"},
		"extend": {workflows.FieldNewDue: "due", workflows.FieldReason: "reason"},
		"waive":  {workflows.FieldReason: "reason"},
		"assign": assignFields,
	}
	startRegionFields = map[string]string{fieldRegion: "region", fieldStartDate: "date"}
)
