package registry

import (
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// peopleColumns is the format of people.csv.
var peopleColumns = []column{
	{"id", true, domain.MaxIDLength}, {"name", true, domain.MaxNameLength}, {"email", true, domain.MaxEmailLength},
	{"slack_user_id", false, domain.MaxIDLength}, {"role", true, codeLimit}, {"region", true, codeLimit},
	{"home_institution", false, domain.MaxIDLength}, {"training", false, listLimit}, {"conflicts", false, listLimit},
	{"employment", false, listLimit}, {"target_groups", false, listLimit},
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// ParsePeople reads people.csv. known is the set of institution IDs in the registry (the IDs
// store.Store.ListInstitutions returns); home institutions, conflicts and employments must name one of
// them. today decides which training and employment dates lie in the future. It returns the
// people in file order and one RowError per problem found in the rows. The error is only for
// I/O failures, a bad header or malformed CSV; then nothing else is returned.
func ParsePeople(r io.Reader, known map[string]bool, today domain.Date) ([]store.Person, []RowError, error) {
	regions := make(map[string]domain.Region, len(known))
	for id, ok := range known {
		if ok {
			regions[id] = ""
		}
	}
	return parsePeople(r, regions, today)
}

// parsePeople is ParsePeople with the region of each known institution; a non-empty region is
// checked against the region of the people who work or live there.
func parsePeople(r io.Reader, institutions map[string]domain.Region, today domain.Date) ([]store.Person, []RowError, error) {
	t, bad, err := readTable(r, peopleColumns)
	if err != nil {
		return nil, nil, err
	}
	fold := make(map[string]string, len(institutions))
	for id := range institutions {
		fold[strings.ToLower(id)] = id
	}
	isKnown := func(id string) bool { _, ok := institutions[id]; return ok }

	seen := ids{}
	slackSeen := map[string]idSeen{}
	var out []store.Person
	for _, row := range t.rows {
		p := problems{line: row.line}
		person := store.Person{
			ID:              row.get("id"),
			Name:            row.get("name"),
			Email:           row.get("email"),
			SlackUserID:     row.get("slack_user_id"),
			HomeInstitution: row.get("home_institution"),
		}
		if reason := checkID(person.ID); reason != "" {
			p.addf("id", "%s", reason)
		} else if reason := seen.add(person.ID, row.line); reason != "" {
			p.addf("id", "%s", reason)
		}
		if person.Name == "" {
			p.addf("name", "name is empty: write the person's full name")
		}
		if person.Email == "" {
			p.addf("email", "email is empty: every person needs an e-mail address, e.g. navn@rm.dk")
		} else if reason := checkEmail(person.Email); reason != "" {
			p.addf("email", "%s", reason)
		}
		if s := person.SlackUserID; s != "" {
			if !slackUserID.MatchString(s) {
				p.addf("slack_user_id", "slack_user_id %q is not a Slack member ID: it is U or W followed by capital letters and digits, e.g. U04ABCD12 (in Slack: profile, ⋮, Copy member ID)", s)
			} else if prev, dup := slackSeen[s]; dup {
				p.addf("slack_user_id", "slack_user_id %s is already used by %s on line %d: one Slack user is one person", s, prev.id, prev.line)
			} else {
				slackSeen[s] = idSeen{id: person.ID, line: row.line}
			}
		}

		roleKnown := false
		if s := row.get("role"); s == "" {
			p.addf("role", "role is empty: use one of %s", roleNames())
		} else if person.Role, err = domain.ParseRole(s); err != nil {
			p.addf("role", "%s", err)
		} else {
			roleKnown = true
		}

		if s := row.get("region"); s != "" {
			if person.Region, err = domain.ParseRegion(s); err != nil {
				p.addf("region", "%s", err)
			}
		} else if roleKnown && !person.Role.MayBeNational() {
			p.addf("region", "region is empty: role %s needs a region; only secretariat and manager may be national (empty region)", person.Role)
		}

		if home := person.HomeInstitution; home != "" {
			homeRegion, ok := institutions[home]
			switch {
			case !ok:
				p.addf("home_institution", "%s", unknownInstitution(home, fold))
			case homeRegion != "" && person.Region != "" && homeRegion != person.Region:
				p.addf("home_institution", "home institution %s is in region %s, but the person's region is %s: a person belongs to the region of their home institution",
					home, homeRegion, person.Region)
			}
		} else if roleKnown {
			switch person.Role {
			case domain.RoleReviewer:
				p.addf("home_institution", "home_institution is empty: a reviewer comes from an institution, which decides the similar institutions they may review")
			case domain.RoleInstitutionManager:
				p.addf("home_institution", "home_institution is empty: an institution manager needs the id of the institution they manage")
			}
		}

		if field := row.get("target_groups"); field != "" {
			switch {
			case roleKnown && person.Role == domain.RoleReviewer:
				p.addf("target_groups", "target_groups is only for user and relative representatives (the groups they speak for); a reviewer is compared by their home institution's target groups: leave it empty")
			case roleKnown && !person.Role.IsRepresentative():
				p.addf("target_groups", "target_groups is only for user and relative representatives (the groups they speak for); a %s sits on no team: leave it empty",
					person.Role)
			default:
				person.TargetGroups = parsePersonTargetGroups(&p, field)
			}
		}
		if roleKnown && person.Role.IsRepresentative() && person.HomeInstitution == "" && len(person.TargetGroups) == 0 &&
			len(splitList(row.get("target_groups"))) == 0 {
			p.addf("target_groups", "target_groups and home_institution are both empty: a %s sits on teams only at similar institutions, so give the target groups they speak for (one or more of %s, separated by ';') or the id of their home institution",
				person.Role, targetGroupCodes())
		}

		person.Trainings = parseTrainings(&p, row.get("training"), today)

		for _, id := range splitList(row.get("conflicts")) {
			if !isKnown(id) {
				p.addf("conflicts", "%s", unknownInstitution(id, fold))
				continue
			}
			if !slices.Contains(person.Conflicts, id) {
				person.Conflicts = append(person.Conflicts, id)
			}
		}

		person.Employments = parseEmployments(&p, row.get("employment"), today, isKnown, fold)

		if len(p.list) > 0 {
			bad = append(bad, p.list...)
			continue
		}
		out = append(out, person)
	}
	sortRowErrors(bad)
	return out, bad, nil
}

// parsePersonTargetGroups reads the `;`-separated target groups a representative speaks for,
// as institutions.csv writes them; a group listed twice is kept once.
func parsePersonTargetGroups(p *problems, field string) []domain.TargetGroup {
	var out []domain.TargetGroup
	for _, item := range splitList(field) {
		g, err := domain.ParseTargetGroup(item)
		if err != nil {
			p.addf("target_groups", "%s", err)
			continue
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// parseTrainings reads `kind:YYYY-MM-DD;...`.
func parseTrainings(p *problems, field string, today domain.Date) []store.Training {
	var out []store.Training
	for _, item := range splitList(field) {
		kindText, dateText, ok := strings.Cut(item, ":")
		if !ok {
			p.addf("training", "training item %q must be kind:YYYY-MM-DD, e.g. evaluator:2023-03-01", item)
			continue
		}
		kind, err := domain.ParseTrainingKind(kindText)
		if err != nil {
			p.addf("training", "training item %q: %s", item, err)
			continue
		}
		date, err := domain.ParseDate(dateText)
		if err != nil {
			p.addf("training", "training item %q: %s", item, err)
			continue
		}
		if date.After(today) {
			p.addf("training", "training item %q is in the future (today is %s): list only completed courses", item, today)
			continue
		}
		if slices.ContainsFunc(out, func(t store.Training) bool { return t.Kind == kind }) {
			p.addf("training", "training %s is listed twice: give one completion date per kind", kind)
			continue
		}
		out = append(out, store.Training{Kind: kind, CompletedOn: date})
	}
	return out
}

// parseEmployments reads `INSTITUTION-ID:FROM..TO;INSTITUTION-ID:FROM..;...`.
func parseEmployments(p *problems, field string, today domain.Date, known func(string) bool, fold map[string]string) []store.Employment {
	const form = "write INSTITUTION-ID:FROM..TO, or INSTITUTION-ID:FROM.. while still employed, with dates as YYYY-MM-DD, e.g. H-01:2019-08-01..2023-01-31"
	var out []store.Employment
	for _, item := range splitList(field) {
		id, period, ok := strings.Cut(item, ":")
		fromText, toText, ok2 := strings.Cut(period, "..")
		if !ok || !ok2 {
			p.addf("employment", "employment item %q is malformed: %s", item, form)
			continue
		}
		id, fromText, toText = strings.TrimSpace(id), strings.TrimSpace(fromText), strings.TrimSpace(toText)
		good := true
		if !known(id) {
			p.addf("employment", "employment item %q: %s", item, unknownInstitution(id, fold))
			good = false
		}
		from, err := domain.ParseDate(fromText)
		if err != nil {
			p.addf("employment", "employment item %q: start: %s", item, err)
			good = false
		}
		var to domain.Date
		if toText != "" {
			if to, err = domain.ParseDate(toText); err != nil {
				p.addf("employment", "employment item %q: end: %s", item, err)
				good = false
			}
		}
		if !good {
			continue
		}
		switch {
		case !to.IsZero() && from.After(to):
			p.addf("employment", "employment item %q ends before it starts: FROM must be on or before TO", item)
		case from.After(today):
			p.addf("employment", "employment item %q starts in the future (today is %s): list only past and current employment", item, today)
		case slices.ContainsFunc(out, func(e store.Employment) bool { return e.InstitutionID == id && e.From.Equal(from) }):
			p.addf("employment", "employment at %s from %s is listed twice", id, from)
		default:
			out = append(out, store.Employment{InstitutionID: id, From: from, To: to})
		}
	}
	return out
}

func roleNames() string {
	var names []string
	for _, r := range domain.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
