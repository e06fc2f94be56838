package workflows_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// publishedRecord is the one current published record of the test institution.
func (h *harness) publishedRecord() store.PublishedRecord {
	h.t.Helper()
	recs, err := h.store.PublishedRecords(h.t.Context(), store.PublishedFilter{InstitutionID: institution, WithSuperseded: true})
	if err != nil || len(recs) != 1 {
		h.t.Fatalf("published records = %+v, %v; want one", recs, err)
	}
	return recs[0]
}

func TestThePublishedRecordIsTheFinalResult(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictSomeAreas)
	h.actions[workflows.StepHearing] = func(h *harness, stage string, st workflows.StepRecord, today domain.Date) bool {
		h.mustUpdate(stage, workflows.UpdateCommentReport, workflows.Comment{Action: workflows.Action{Actor: manager},
			Text: "Rapporten nævner 12 pladser; tilbuddet har 14. Spørg " + managerName(h) + " (" + manager + ")."})
		return true
	}
	h.run()
	next := h.continuedAs()

	rec := h.publishedRecord()
	var final int
	var visitOn domain.Date
	if err := h.store.DB().GetContext(t.Context(), &final, `SELECT final_verdict FROM reports WHERE institution_id = ? AND cycle_number = 1`, institution); err != nil {
		t.Fatal(err)
	}
	if err := h.store.DB().GetContext(t.Context(), &visitOn, `SELECT visit_on FROM visits WHERE institution_id = ? AND kind = 'visit'`, institution); err != nil {
		t.Fatal(err)
	}
	if rec.Verdict != final || rec.Verdict != int(domain.VerdictSomeAreas) || rec.Version != 1 || rec.Cycle != 1 {
		t.Errorf("record verdict %d, version %d, cycle %d; want the final verdict %d, version 1, cycle 1", rec.Verdict, rec.Version, rec.Cycle, final)
	}
	if !rec.VisitOn.Equal(visitOn) || rec.InstitutionName == "" || rec.Region != domain.Hovedstaden || len(rec.TargetGroups) == 0 {
		t.Errorf("record institution and visit = %+v, want the registry's and the visit of %s", rec, visitOn)
	}
	var standards []string
	for _, theme := range rec.Themes {
		for _, st := range theme.Standards {
			standards = append(standards, st.Code)
		}
	}
	want := []string{}
	for _, st := range domain.FirstGeneration().ActiveStandards() {
		want = append(want, st.Code)
	}
	if !slices.Equal(standards, want) || !slices.Equal(rec.AreasToImprove, want) {
		t.Errorf("assessed %v and areas to improve %v; want every standard %v (the fixture's verdict-2 report meets none)", standards, rec.AreasToImprove, want)
	}
	if len(rec.Comments) != 1 || !strings.Contains(rec.Comments[0].Text, "14") {
		t.Errorf("institution comments = %+v, want the hearing comment", rec.Comments)
	}

	// Nobody is named: no person of the registry (ID or name), and not the visit notes.
	body, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	people, err := h.store.ListPeople(t.Context(), store.PersonFilter{})
	if err != nil || len(people) == 0 {
		t.Fatalf("people: %v", err)
	}
	for _, p := range people {
		if strings.Contains(string(body), `"`+p.ID+`"`) || strings.Contains(string(body), p.Name) {
			t.Errorf("the published record names %s (%s)", p.ID, p.Name)
		}
	}
	for _, private := range []string{"Interview med ledelse", manager, next.PreviousTeam[0]} {
		if strings.Contains(string(body), private) {
			t.Errorf("the published record holds %q", private)
		}
	}
}

// managerName is the test institution's manager's name in the registry.
func managerName(h *harness) string {
	h.t.Helper()
	p, err := h.store.Person(h.t.Context(), manager)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.Name
}

func TestTheRevisitReportIsWhatIsPublished(t *testing.T) {
	h := newHarness(t)
	h.actions[workflows.StepReport] = submitReport(domain.VerdictImportantAreas)
	h.run()
	h.continuedAs()
	rec := h.publishedRecord()
	if rec.Verdict != int(domain.VerdictMeets) || rec.RevisitOn.IsZero() || len(rec.AreasToImprove) != 0 {
		t.Errorf("record after a revisit that met the standards = verdict %d, revisit %s, areas %v; want 1, the revisit date, none",
			rec.Verdict, rec.RevisitOn, rec.AreasToImprove)
	}
}
