package registry

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

func TestParsePeopleReadsEveryColumn(t *testing.T) {
	in := peopleHeader + ",target_groups\n" +
		"P-001,Mette Kjær,mette.kjaer@regionh.dk,U04ABCD12,Reviewer,Region Hovedstaden,H-01," +
		"lead:2024-09-12; evaluator:2023-03-01,M-01;M-01,M-01:2015-01-01..2019-12-31;H-01:2020-01-01..,\n" +
		"P-002,Rikke Madsen,rikke.madsen@regioner.dk,,secretariat,,,,,,\n" +
		"P-003,Per Knudsen,per.knudsen@mail.dk,W0123,user-representative,midtjylland,,representative:2026-11-22,,," +
		"Intellectual-Disability; udviklingshæmning;autism\n"
	people, bad, err := ParsePeople(strings.NewReader(in), knownIDs, testToday)
	if err != nil || len(bad) > 0 {
		t.Fatalf("ParsePeople: err %v, bad rows %v", err, bad)
	}
	want := []store.Person{{
		ID: "P-001", Name: "Mette Kjær", Email: "mette.kjaer@regionh.dk", SlackUserID: "U04ABCD12",
		Role: domain.RoleReviewer, Region: domain.Hovedstaden, HomeInstitution: "H-01",
		Trainings: []store.Training{
			{Kind: domain.TrainingLead, CompletedOn: domain.NewDate(2024, 9, 12)},
			{Kind: domain.TrainingEvaluator, CompletedOn: domain.NewDate(2023, 3, 1)},
		},
		Conflicts: []string{"M-01"},
		Employments: []store.Employment{
			{InstitutionID: "M-01", From: domain.NewDate(2015, 1, 1), To: domain.NewDate(2019, 12, 31)},
			{InstitutionID: "H-01", From: domain.NewDate(2020, 1, 1)},
		},
	}, {
		ID: "P-002", Name: "Rikke Madsen", Email: "rikke.madsen@regioner.dk", Role: domain.RoleSecretariat,
	}, {
		ID: "P-003", Name: "Per Knudsen", Email: "per.knudsen@mail.dk", SlackUserID: "W0123",
		Role: domain.RoleUserRepresentative, Region: domain.Midtjylland,
		TargetGroups: []domain.TargetGroup{domain.IntellectualDisability, domain.Autism},
		Trainings:    []store.Training{{Kind: domain.TrainingRepresentative, CompletedOn: testToday}},
	}}
	if !reflect.DeepEqual(people, want) {
		t.Errorf("people =\n%+v\nwant\n%+v", people, want)
	}
}

// TestParsePeopleBadRows has one case per kind of bad row; the bad row is on line 4, after the
// header, a good row and a blank line.
func TestParsePeopleBadRows(t *testing.T) {
	const base = "P-002,Lars Holm,lars.holm@rm.dk,"
	cases := []struct {
		name, row, col, reason string
	}{
		{"unknown role", base + ",reviwer,midtjylland,M-01,,,", "role", `unknown role "reviwer": use one of reviewer,`},
		{"empty role", base + ",,midtjylland,M-01,,,", "role", "role is empty"},
		{"missing region for a reviewer", base + ",reviewer,,M-01,,,", "region",
			"region is empty: role reviewer needs a region"},
		{"missing region for a representative", base + ",relative-representative,,M-01,,,", "region",
			"role relative-representative needs a region"},
		{"unknown region", base + ",manager,jylland,,,,", "region", `unknown region "jylland"`},
		{"unknown home institution", base + ",reviewer,midtjylland,M-99,,,", "home_institution",
			`unknown institution "M-99": it must be an id in the registry`},
		{"home institution in the wrong case", base + ",reviewer,midtjylland,m-01,,,", "home_institution",
			`did you mean "M-01"?`},
		{"reviewer without home institution", base + ",reviewer,midtjylland,,,,", "home_institution",
			"a reviewer comes from an institution"},
		{"institution manager without home institution", base + ",institution-manager,midtjylland,,,,", "home_institution",
			"an institution manager needs"},
		{"training item without date", base + ",reviewer,midtjylland,M-01,evaluator-2023-03-01,,", "training",
			`training item "evaluator-2023-03-01" must be kind:YYYY-MM-DD`},
		{"unknown training kind", base + ",reviewer,midtjylland,M-01,coach:2023-03-01,,", "training", `unknown training "coach"`},
		{"training twice", base + ",reviewer,midtjylland,M-01,evaluator:2021-03-01;evaluator:2023-03-01,,", "training",
			"training evaluator is listed twice"},
		{"future training date", base + ",reviewer,midtjylland,M-01,lead:2026-11-23,,", "training",
			`training item "lead:2026-11-23" is in the future (today is 2026-11-22)`},
		{"malformed training date", base + ",reviewer,midtjylland,M-01,evaluator:2023-02-30,,", "training",
			`invalid date "2023-02-30": February 2023 has 28 days`},
		{"unknown conflict institution", base + ",reviewer,midtjylland,M-01,,H-01;X-01,", "conflicts",
			`unknown institution "X-01"`},
		{"employment FROM after TO", base + ",reviewer,midtjylland,M-01,,,H-01:2022-05-01..2021-04-30", "employment",
			`employment item "H-01:2022-05-01..2021-04-30" ends before it starts`},
		{"employment with malformed date", base + ",reviewer,midtjylland,M-01,,,H-01:2022-5-1..", "employment",
			`start: invalid date "2022-5-1": write it as YYYY-MM-DD`},
		{"employment with malformed end date", base + ",reviewer,midtjylland,M-01,,,H-01:2022-05-01..2023-31-12", "employment",
			`end: invalid date "2023-31-12": there is no month 31`},
		{"employment without range", base + ",reviewer,midtjylland,M-01,,,H-01:2022-05-01", "employment",
			`employment item "H-01:2022-05-01" is malformed`},
		{"employment at unknown institution", base + ",reviewer,midtjylland,M-01,,,Z-01:2022-05-01..", "employment",
			`unknown institution "Z-01"`},
		{"employment starting in the future", base + ",reviewer,midtjylland,M-01,,,H-01:2027-01-01..", "employment",
			"starts in the future"},
		{"employment twice", base + ",reviewer,midtjylland,M-01,,,H-01:2020-01-01..2020-12-31;H-01:2020-01-01..", "employment",
			"listed twice"},
		{"duplicate id", "P-001,Lars Holm,lars.holm@rm.dk,,reviewer,midtjylland,M-01,,,", "id",
			`duplicate id "P-001": it is already used on line 2`},
		{"bad id", "P 2,Lars Holm,lars.holm@rm.dk,,reviewer,midtjylland,M-01,,,", "id", "may only contain"},
		{"empty name", "P-002,,lars.holm@rm.dk,,reviewer,midtjylland,M-01,,,", "name", "name is empty"},
		{"empty email", "P-002,Lars Holm,,,reviewer,midtjylland,M-01,,,", "email", "email is empty"},
		{"bad email", "P-002,Lars Holm,lars.holm.rm.dk,,reviewer,midtjylland,M-01,,,", "email", "exactly one @"},
		{"bad slack id", "P-002,Lars Holm,lars.holm@rm.dk,u04abcd12,reviewer,midtjylland,M-01,,,", "slack_user_id",
			`slack_user_id "u04abcd12" is not a Slack member ID`},
		{"slack id of another person", "P-002,Lars Holm,lars.holm@rm.dk,U04ABCD12,reviewer,midtjylland,M-01,,,", "slack_user_id",
			"already used by P-001 on line 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := peopleHeader + "\n" + goodPersonRow + "\n\n" + c.row + "\n"
			people, bad, err := ParsePeople(strings.NewReader(in), knownIDs, testToday)
			if err != nil {
				t.Fatalf("ParsePeople: %v", err)
			}
			if len(bad) != 1 {
				t.Errorf("want exactly 1 problem, got %v", bad)
			}
			wantRowError(t, bad, 4, c.col, c.reason)
			if len(people) != 1 || people[0].ID != "P-001" {
				t.Errorf("want the good row back, got %+v", people)
			}
		})
	}
}

func TestParsePeopleReportsEveryProblem(t *testing.T) {
	in := peopleHeader + "\n" +
		"P-001,Mette Kjær,mette.kjaer,,reviewer,,H-99,lead:2030-01-01,X-01,H-01:2022-01-01..2021-01-01\n" +
		goodPersonRow + "\n" +
		"P-003,Per Knudsen,per.knudsen@mail.dk,,chairman,hovedstaden,,,,\n"
	_, bad, err := ParsePeople(strings.NewReader(in), knownIDs, testToday)
	if err != nil {
		t.Fatal(err)
	}
	wantRowError(t, bad, 2, "email", "exactly one @")
	wantRowError(t, bad, 2, "region", "region is empty")
	wantRowError(t, bad, 2, "home_institution", `unknown institution "H-99"`)
	wantRowError(t, bad, 2, "training", "in the future")
	wantRowError(t, bad, 2, "conflicts", `unknown institution "X-01"`)
	wantRowError(t, bad, 2, "employment", "ends before it starts")
	wantRowError(t, bad, 3, "id", `duplicate id "P-001": it is already used on line 2`)
	wantRowError(t, bad, 4, "role", `unknown role "chairman"`)
	if len(bad) != 8 {
		t.Errorf("want 8 problems, got %d: %v", len(bad), bad)
	}
}

func TestParsePeopleHeaderErrors(t *testing.T) {
	cases := []struct {
		name, header, col, reason string
	}{
		{"unknown column", peopleHeader + ",phone", "phone", `unknown column "phone"`},
		{"missing required column", strings.Replace(peopleHeader, ",role", "", 1), "role", "required column role is missing"},
		{"nameless column", peopleHeader + ", ", "", "header column 11 has no name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row := goodPersonRow
			if strings.Count(c.header, ",") == 10 {
				row += ","
			}
			_, _, err := ParsePeople(strings.NewReader(c.header+"\n"+row+"\n"), knownIDs, testToday)
			if err == nil {
				t.Fatal("want an error")
			}
			wantRowError(t, headerErrors(t, err), 1, c.col, c.reason)
		})
	}
}

func TestRowAndImportErrorMessages(t *testing.T) {
	e := RowError{Line: 7, Column: "region", Reason: `unknown region "jylland": use one of hovedstaden`}
	if got, want := e.Error(), `line 7, column region: unknown region "jylland": use one of hovedstaden`; got != want {
		t.Errorf("RowError.Error() = %q, want %q", got, want)
	}
	ie := &ImportError{File: "people.csv", Rows: []RowError{
		{Line: 3, Column: "role", Reason: "a"}, {Line: 3, Column: "region", Reason: "b"}, {Line: 9, Reason: "c"},
	}}
	want := "people.csv: 2 bad row(s), nothing was imported\n" +
		"  line 3, column role: a\n" +
		"  line 3, column region: b\n" +
		"  line 9: c"
	if got := ie.Error(); got != want {
		t.Errorf("ImportError.Error() =\n%s\nwant\n%s", got, want)
	}
}

// TestParsePeopleTargetGroupsOfRepresentatives: a user or relative representative gives the
// target groups they speak for, a home institution, or both (PRODUCT.md §4's similar
// institution); with neither, or with target groups on another role, the row is refused with
// its line and reason. The file's header may leave target_groups out.
func TestParsePeopleTargetGroupsOfRepresentatives(t *testing.T) {
	header := peopleHeader + ",target_groups"
	const rep = "P-010,Inge Lund,inge.lund@lev.dk,,"
	accepted := []struct {
		name, row string
		home      string
		groups    []domain.TargetGroup
	}{
		{"groups without a home institution", rep + "relative-representative,midtjylland,,representative:2022-01-01,,,intellectual-disability",
			"", []domain.TargetGroup{domain.IntellectualDisability}},
		{"a home institution without groups", rep + "user-representative,midtjylland,M-01,representative:2022-01-01,,,",
			"M-01", nil},
		{"both, a group named twice and in Danish", rep + "user-representative,midtjylland,M-01,,,,autisme; autism;secure-youth",
			"M-01", []domain.TargetGroup{domain.Autism, domain.SecureYouth}},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			people, bad, err := ParsePeople(strings.NewReader(header+"\n"+c.row+"\n"), knownIDs, testToday)
			if err != nil || len(bad) > 0 || len(people) != 1 {
				t.Fatalf("err %v, bad %v, %d people", err, bad, len(people))
			}
			if p := people[0]; p.HomeInstitution != c.home || !reflect.DeepEqual(p.TargetGroups, c.groups) {
				t.Errorf("home %q, target groups %v; want %q, %v", p.HomeInstitution, p.TargetGroups, c.home, c.groups)
			}
		})
	}
	refused := []struct {
		name, header, row, reason string
	}{
		{"a user representative with neither", header, rep + "user-representative,midtjylland,,representative:2022-01-01,,,",
			"target_groups and home_institution are both empty: a user-representative sits on teams only at similar institutions"},
		{"a relative representative with only separators", header, rep + "relative-representative,midtjylland,,,,,; ;",
			"target_groups and home_institution are both empty: a relative-representative"},
		{"neither, in a file without the column", peopleHeader, rep + "relative-representative,midtjylland,,,,",
			"give the target groups they speak for (one or more of intellectual-disability,"},
		{"an unknown target group", header, rep + "relative-representative,midtjylland,,,,,autism;dementia",
			`unknown target group "dementia": use one of intellectual-disability,`},
		{"target groups on a reviewer", header, "P-010,Lars Holm,lars.holm@rm.dk,,reviewer,midtjylland,M-01,evaluator:2023-03-01,,,autism",
			"target_groups is only for user and relative representatives (the groups they speak for); a reviewer is compared by their home institution's target groups"},
		{"target groups on an institution manager", header, "P-010,Lars Holm,lars.holm@rm.dk,,institution-manager,midtjylland,M-01,,,,autism",
			"target_groups is only for user and relative representatives"},
		{"target groups on the secretariat", header, "P-010,Lars Holm,lars.holm@rm.dk,,secretariat,,,,,,mental-illness",
			"a secretariat sits on no team: leave it empty"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			good := goodPersonRow
			if c.header == header {
				good += ","
			}
			people, bad, err := ParsePeople(strings.NewReader(c.header+"\n"+good+"\n"+c.row+"\n"), knownIDs, testToday)
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != 1 {
				t.Errorf("want exactly 1 problem, got %v", bad)
			}
			wantRowError(t, bad, 3, "target_groups", c.reason)
			if len(people) != 1 || people[0].ID != "P-001" {
				t.Errorf("want the good row back, got %+v", people)
			}
		})
	}
}
