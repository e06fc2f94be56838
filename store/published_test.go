package store

import (
	"context"
	"errors"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestPublishRecordVersions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.registry(t)
		rec := PublishedRecord{InstitutionID: "inst-a", InstitutionName: "A", Region: domain.Hovedstaden, Cycle: 1,
			PublishedOn: date(2030, 3, 1), Verdict: 2, Generation: 1, Summary: "Tilbuddet arbejder med kvalitet.",
			AreasToImprove: []string{"5.1"}, Themes: []PublishedTheme{{Code: "5", Standards: []PublishedStandard{
				{Code: "5.1", Met: false, Assessment: "Handleplanerne er ikke opdaterede."}}}}}
		first, err := s.PublishRecord(ctx, rec)
		if err != nil || first.Version != 1 {
			t.Fatalf("first publication: version %d, %v; want 1", first.Version, err)
		}
		// A retried publication, even on a later day, publishes nothing new.
		retry := rec
		retry.PublishedOn = date(2030, 3, 2)
		if got, err := s.PublishRecord(ctx, retry); !errors.Is(err, ErrSameRecord) || got.Version != 1 {
			t.Fatalf("retry: version %d, %v; want ErrSameRecord at version 1", got.Version, err)
		}
		// A correction is version 2, and version 1 stays, superseded.
		corrected := rec
		corrected.PublishedOn, corrected.Verdict, corrected.Correction = date(2030, 5, 1), 1, "the appeal changed the verdict to 1"
		corrected.AreasToImprove = []string{}
		second, err := s.PublishRecord(ctx, corrected)
		if err != nil || second.Version != 2 {
			t.Fatalf("correction: version %d, %v; want 2", second.Version, err)
		}
		current, err := s.PublishedRecords(ctx, PublishedFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(current) != 1 || current[0].Version != 2 || current[0].Verdict != 1 {
			t.Errorf("current records = %+v, want version 2 with verdict 1", current)
		}
		all, err := s.PublishedRecords(ctx, PublishedFilter{InstitutionID: "inst-a", WithSuperseded: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[1].Version != 1 || !all[1].SupersededOn.Equal(date(2030, 5, 1)) || all[0].SupersededOn.Valid() {
			t.Errorf("all versions = %+v, want v2 current and v1 superseded on 2030-05-01", all)
		}
		pubs, err := s.Publications(ctx, "inst-a")
		if err != nil || len(pubs) != 1 || pubs[0].Verdict != 1 {
			t.Errorf("publications = %+v, %v; want one row with the corrected verdict", pubs, err)
		}
		inRange, err := s.PublishedRecords(ctx, PublishedFilter{Region: domain.Hovedstaden, From: date(2030, 1, 1), To: date(2030, 4, 1), WithSuperseded: true})
		if err != nil || len(inRange) != 1 || inRange[0].Version != 1 {
			t.Errorf("records published in Q1 2030 = %+v, %v; want version 1", inRange, err)
		}
	})
}
