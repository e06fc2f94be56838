package store

import (
	"context"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestPlannedAssignmentsReplacePerEvaluation(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		st := b.seeded(t)
		if _, err := st.UpsertInstitutions(ctx, nil, []Institution{{ID: "H-01", Name: "A", Region: domain.Hovedstaden,
			LegalBasis: domain.Section108, TargetGroups: []domain.TargetGroup{domain.Autism}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertPeople(ctx, []Person{{ID: "P-1", Name: "X", Email: "x@example.dk", Role: domain.RoleReviewer, Region: domain.Sjaelland},
			{ID: "P-2", Name: "Y", Email: "y@example.dk", Role: domain.RoleReviewer, Region: domain.Sjaelland}}); err != nil {
			t.Fatal(err)
		}
		on := domain.NewDate(2027, 3, 1)
		key := []EvaluationKey{{InstitutionID: "H-01", Cycle: 2}}
		if err := st.ReplacePlannedAssignments(ctx, key, []PlannedAssignment{{InstitutionID: "H-01", Cycle: 2,
			Seat: domain.SeatLead, PersonID: "P-1", On: on, Reasons: "a\nb", Cost: 7}}); err != nil {
			t.Fatal(err)
		}
		if err := st.ReplacePlannedAssignments(ctx, key, []PlannedAssignment{{InstitutionID: "H-01", Cycle: 2,
			Seat: domain.SeatProfessional, PersonID: "P-2", On: on, Reasons: "c", Cost: 3}}); err != nil {
			t.Fatal(err)
		}
		rows, err := st.PlannedAssignments(ctx, "H-01", 2)
		if err != nil || len(rows) != 1 || rows[0].PersonID != "P-2" || rows[0].On != on || len(rows[0].SplitReasons()) != 1 {
			t.Fatalf("rows %+v, %v", rows, err)
		}
	})
}
