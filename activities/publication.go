package activities

import (
	"context"
	"fmt"
	"slices"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publication"
	"github.com/kvalitetsmodel/accredit/store"
)

// publishedRecord composes what the public may read about a cycle's final result from the
// store: the institution's public registry data, the visit dates, the final verdict, the
// final report's assessment of each standard by theme, the areas to improve, its summary and
// suggestions, and the institution's hearing comments. No person is named in it.
func (a *Activities) publishedRecord(ctx context.Context, p PublicationWrite) (store.PublishedRecord, error) {
	in, err := a.Store.Institution(ctx, p.InstitutionID)
	if err != nil {
		return store.PublishedRecord{}, fmt.Errorf("institution %s: %w", p.InstitutionID, err)
	}
	src, err := a.Store.PublicationSourceOf(ctx, p.InstitutionID, p.Cycle)
	if err != nil {
		return store.PublishedRecord{}, err
	}
	number := p.Generation
	if number == 0 {
		number = 1
	}
	gen, err := a.Store.Generation(ctx, number)
	if err != nil {
		return store.PublishedRecord{}, fmt.Errorf("catalogue generation %d: %w", number, err)
	}
	// What people wrote (the report, the comments) may name someone: every person of the
	// registry is taken out before anything is published, not only when it is shown.
	people, err := a.Store.ListPeople(ctx, store.PersonFilter{})
	if err != nil {
		return store.PublishedRecord{}, err
	}
	return publication.PeopleRedactor(people).Record(composeRecord(in, p, src, gen)), nil
}

// composeRecord is the pure part of publishedRecord.
func composeRecord(in store.Institution, p PublicationWrite, src store.PublicationSource, gen domain.Generation) store.PublishedRecord {
	rec := store.PublishedRecord{
		InstitutionID: in.ID, InstitutionName: in.Name, Region: in.Region, Municipality: in.Municipality,
		TargetGroups: slices.Clone(in.TargetGroups), Cycle: p.Cycle, PublishedOn: p.PublishedOn,
		VisitOn: src.VisitOn, RevisitOn: src.RevisitOn, Verdict: p.Verdict, FinalOn: src.FinalOn, Generation: gen.Number,
		Summary: src.Report.Summary, Suggestions: src.Report.Suggestions, Comments: src.Comments,
		AreasToImprove: []string{},
	}
	assessed := map[string]store.ReportAssessment{}
	for _, a := range src.Assessments {
		assessed[a.Standard] = a
	}
	for _, t := range gen.Themes {
		theme := store.PublishedTheme{Code: t.Code, Name: t.Name}
		for _, st := range t.Standards {
			a, ok := assessed[st.Code]
			if !ok {
				continue // retired, or not assessed
			}
			theme.Standards = append(theme.Standards, store.PublishedStandard{Code: st.Code, Title: st.Title,
				Met: a.Met, Assessment: a.Assessment})
			if !a.Met {
				rec.AreasToImprove = append(rec.AreasToImprove, st.Code)
			}
		}
		if len(theme.Standards) > 0 {
			rec.Themes = append(rec.Themes, theme)
		}
	}
	return rec
}
