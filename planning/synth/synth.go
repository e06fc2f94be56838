// Package synth generates realistic synthetic registries for tests and benchmarks of
// reviewer planning: institutions spread evenly over the five regions with one or two target
// groups weighted like examples/institutions.csv, one manager per institution, regional
// managers and secretariat, reviewers (about a quarter lead-trained, some trainees) working at
// institutions of their region, user and relative representatives (about a quarter of the
// people asked for; each with the target groups they speak for, a home institution, or both), a few declared conflicts and past employments, and a history of completed
// evaluations for experience. The same Config always gives the same registry.
package synth

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Config sizes a registry. Reviewers counts the people who can sit on teams: reviewers and
// representatives (about 25% representatives).
type Config struct {
	Institutions int
	Reviewers    int
	Seed         uint64
}

// Registry is a generated registry; Load is the experience history (completed seats and
// seats led), which the CSV import format cannot carry.
type Registry struct {
	Institutions []store.Institution
	People       []store.Person
	Load         map[string]store.Load
}

// groupWeights follow the frequencies in examples/institutions.csv.
var groupWeights = []struct {
	g domain.TargetGroup
	w int
}{
	{domain.IntellectualDisability, 12}, {domain.PhysicalDisability, 8}, {domain.MentalIllness, 9},
	{domain.Autism, 14}, {domain.AcquiredBrainInjury, 6}, {domain.ChildPsychiatric, 8}, {domain.SecureYouth, 5},
}

var prefix = map[domain.Region]string{domain.Hovedstaden: "H", domain.Sjaelland: "S", domain.Syddanmark: "Y",
	domain.Midtjylland: "M", domain.Nordjylland: "N"}

var firstNames = []string{"Anne", "Mette", "Lars", "Jens", "Kirsten", "Søren", "Hanne", "Peter", "Lone", "Henrik", "Camilla", "Martin", "Trine", "Anders", "Susanne", "Frederik"}
var lastNames = []string{"Hansen", "Jensen", "Nielsen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Poulsen", "Madsen", "Kristiansen"}

func pickGroup(r *rand.Rand) domain.TargetGroup {
	total := 0
	for _, gw := range groupWeights {
		total += gw.w
	}
	n := r.IntN(total)
	for _, gw := range groupWeights {
		if n < gw.w {
			return gw.g
		}
		n -= gw.w
	}
	return groupWeights[0].g
}

func date(r *rand.Rand, fromYear, toYear int) domain.Date {
	return domain.NewDate(fromYear+r.IntN(toYear-fromYear+1), time.Month(1+r.IntN(12)), 1+r.IntN(28))
}

// Generate builds the registry.
func Generate(cfg Config) Registry {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	regions := domain.Regions()
	width := len(fmt.Sprint(cfg.Institutions/len(regions) + 1))
	if width < 2 {
		width = 2
	}
	reg := Registry{Load: map[string]store.Load{}}
	byRegion := map[domain.Region][]int{}
	for i := 0; i < cfg.Institutions; i++ {
		region := regions[i%len(regions)]
		id := fmt.Sprintf("%s-%0*d", prefix[region], width, i/len(regions)+1)
		groups := []domain.TargetGroup{pickGroup(r)}
		if r.IntN(100) < 55 {
			if g := pickGroup(r); g != groups[0] {
				groups = append(groups, g)
			}
		}
		basis := domain.Section108
		switch {
		case groups[0] == domain.ChildPsychiatric || groups[0] == domain.SecureYouth:
			basis = domain.Section67
		case r.IntN(2) == 0:
			basis = domain.Section107
		}
		reg.Institutions = append(reg.Institutions, store.Institution{ID: id, Name: "Tilbuddet " + id, Region: region,
			LegalBasis: basis, TargetGroups: groups, Places: 8 + r.IntN(50),
			Email: strings.ToLower(id) + "@example.dk"})
		byRegion[region] = append(byRegion[region], i)
	}
	n := 0
	person := func(role domain.Role, region domain.Region) store.Person {
		n++
		name := firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
		id := fmt.Sprintf("P-%05d", n)
		return store.Person{ID: id, Name: name, Email: strings.ToLower(strings.ReplaceAll(id, "-", "")) + "@example.dk",
			Role: role, Region: region}
	}
	randomInstitution := func() store.Institution { return reg.Institutions[r.IntN(len(reg.Institutions))] }
	for _, in := range reg.Institutions {
		p := person(domain.RoleInstitutionManager, in.Region)
		p.HomeInstitution = in.ID
		p.Employments = []store.Employment{{InstitutionID: in.ID, From: date(r, 2005, 2020)}}
		reg.People = append(reg.People, p)
	}
	for _, region := range regions {
		reg.People = append(reg.People, person(domain.RoleManager, region), person(domain.RoleSecretariat, region))
	}
	reps := cfg.Reviewers / 4
	for i := 0; i < cfg.Reviewers-reps && len(reg.Institutions) > 0; i++ {
		region := regions[r.IntN(len(regions))]
		if len(byRegion[region]) == 0 {
			region = reg.Institutions[0].Region
		}
		home := reg.Institutions[byRegion[region][r.IntN(len(byRegion[region]))]]
		p := person(domain.RoleReviewer, region)
		p.HomeInstitution = home.ID
		from := date(r, 2008, 2024)
		if r.IntN(100) < 15 {
			if prev := randomInstitution(); prev.ID != home.ID {
				start := date(r, 2005, 2015)
				end := domain.NewDate(from.Year, from.Month, 1).AddDays(-1)
				if start.Before(end) {
					p.Employments = append(p.Employments, store.Employment{InstitutionID: prev.ID, From: start, To: end})
				}
			}
		}
		p.Employments = append(p.Employments, store.Employment{InstitutionID: home.ID, From: from})
		if r.IntN(100) < 92 { // the rest are trainees
			ev := date(r, 2015, 2025)
			p.Trainings = []store.Training{{Kind: domain.TrainingEvaluator, CompletedOn: ev}}
			if r.IntN(100) < 27 {
				p.Trainings = append(p.Trainings, store.Training{Kind: domain.TrainingLead, CompletedOn: ev.AddDays(200 + r.IntN(400))})
				if p.Trainings[1].CompletedOn.Year > 2025 {
					p.Trainings[1].CompletedOn = domain.NewDate(2025, 12, 1)
				}
			}
			if done := r.IntN(6); done > 0 {
				l := store.Load{Completed: done}
				if len(p.Trainings) > 1 {
					l.Led = r.IntN(done + 1)
				}
				reg.Load[p.ID] = l
			}
		}
		if r.IntN(100) < 5 {
			if c := randomInstitution(); c.ID != home.ID {
				p.Conflicts = []string{c.ID}
			}
		}
		reg.People = append(reg.People, p)
	}
	for i := 0; i < reps; i++ {
		role := domain.RoleUserRepresentative
		if i%2 == 1 {
			role = domain.RoleRelativeRepresentative
		}
		region := regions[r.IntN(len(regions))]
		p := person(role, region)
		if r.IntN(2) == 0 && len(byRegion[region]) > 0 {
			p.HomeInstitution = reg.Institutions[byRegion[region][r.IntN(len(byRegion[region]))]].ID
		}
		// The target groups they speak for: always without a home institution (the import
		// requires one or the other), and for a third of those with one.
		if p.HomeInstitution == "" || r.IntN(3) == 0 {
			p.TargetGroups = []domain.TargetGroup{pickGroup(r)}
			if g := pickGroup(r); r.IntN(2) == 0 && g != p.TargetGroups[0] {
				p.TargetGroups = append(p.TargetGroups, g)
			}
		}
		p.Trainings = []store.Training{{Kind: domain.TrainingRepresentative, CompletedOn: date(r, 2016, 2025)}}
		reg.People = append(reg.People, p)
	}
	return reg
}

// WriteCSV writes institutions.csv and people.csv in the import format of examples/.
func (reg Registry) WriteCSV(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var rows [][]string
	rows = append(rows, strings.Split("id,name,region,operator,target_groups,legal_basis,places,address,postcode,city,email", ","))
	for _, in := range reg.Institutions {
		groups := make([]string, len(in.TargetGroups))
		for i, g := range in.TargetGroups {
			groups[i] = string(g)
		}
		rows = append(rows, []string{in.ID, in.Name, string(in.Region), "region", strings.Join(groups, ";"),
			string(in.LegalBasis), fmt.Sprint(in.Places), "", "", "", in.Email})
	}
	if err := writeFile(filepath.Join(dir, "institutions.csv"), rows); err != nil {
		return err
	}
	rows = [][]string{strings.Split("id,name,email,slack_user_id,role,region,home_institution,training,conflicts,employment,target_groups", ",")}
	for _, p := range reg.People {
		var tr, emp, groups []string
		for _, g := range p.TargetGroups {
			groups = append(groups, string(g))
		}
		for _, t := range p.Trainings {
			tr = append(tr, fmt.Sprintf("%s:%s", t.Kind, t.CompletedOn))
		}
		for _, e := range p.Employments {
			to := ""
			if !e.To.IsZero() {
				to = e.To.String()
			}
			emp = append(emp, fmt.Sprintf("%s:%s..%s", e.InstitutionID, e.From, to))
		}
		rows = append(rows, []string{p.ID, p.Name, p.Email, "", string(p.Role), string(p.Region), p.HomeInstitution,
			strings.Join(tr, ";"), strings.Join(p.Conflicts, ";"), strings.Join(emp, ";"), strings.Join(groups, ";")})
	}
	return writeFile(filepath.Join(dir, "people.csv"), rows)
}

func writeFile(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
