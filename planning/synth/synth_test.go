package synth

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestGenerateIsDeterministicAndShaped(t *testing.T) {
	cfg := Config{Institutions: 100, Reviewers: 400, Seed: 4}
	a, b := Generate(cfg), Generate(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different registries")
	}
	roles := map[domain.Role]int{}
	leads, regions := 0, map[domain.Region]int{}
	for _, p := range a.People {
		roles[p.Role]++
		for _, tr := range p.Trainings {
			if tr.Kind == domain.TrainingLead {
				leads++
			}
		}
	}
	for _, in := range a.Institutions {
		regions[in.Region]++
	}
	reps := roles[domain.RoleUserRepresentative] + roles[domain.RoleRelativeRepresentative]
	if len(a.Institutions) != 100 || roles[domain.RoleInstitutionManager] != 100 || reps != 100 || roles[domain.RoleReviewer] != 300 {
		t.Errorf("institutions %d, roles %v", len(a.Institutions), roles)
	}
	if leads < 40 || leads > 110 || len(regions) != 5 || roles[domain.RoleSecretariat] != 5 {
		t.Errorf("%d leads, regions %v, roles %v", leads, regions, roles)
	}
	dir := t.TempDir()
	if err := a.WriteCSV(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"institutions.csv", "people.csv"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}
