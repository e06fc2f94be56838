package registry

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// institutionColumns is the format of institutions.csv.
var institutionColumns = []column{
	{"id", true, domain.MaxIDLength}, {"name", true, domain.MaxNameLength}, {"region", true, codeLimit},
	{"operator", false, domain.MaxNameLength}, {"target_groups", true, listLimit}, {"legal_basis", true, codeLimit},
	{"places", false, codeLimit}, {"address", false, domain.MaxAddressLength}, {"postcode", false, codeLimit},
	{"city", false, domain.MaxNameLength}, {"email", false, domain.MaxEmailLength},
	{"closed_on", false, codeLimit},
}

// ParseInstitutions reads institutions.csv. It returns the municipalities that run
// institutions (in order of first mention), the institutions (in file order), and one RowError
// per problem found in the rows. today decides which closing dates (closed_on) lie in the
// future. The error is only for I/O failures, a bad header or malformed CSV; then nothing else
// is returned.
func ParseInstitutions(r io.Reader, today domain.Date) ([]store.Municipality, []store.Institution, []RowError, error) {
	return parseInstitutions(r, today, nil)
}

// parseInstitutions is ParseInstitutions against the institutions in the store, by ID: a row
// may not reopen a closed one (closed_on left empty) nor move the day it closed.
func parseInstitutions(r io.Reader, today domain.Date, stored map[string]store.Institution) ([]store.Municipality, []store.Institution, []RowError, error) {
	t, bad, err := readTable(r, institutionColumns)
	if err != nil {
		return nil, nil, nil, err
	}
	_, hasClosedOn := t.index["closed_on"]
	munis := map[string]store.Municipality{}
	var muniOrder []string
	seen := ids{}
	var out []store.Institution
	for _, row := range t.rows {
		p := problems{line: row.line}
		in := store.Institution{
			ID:      row.get("id"),
			Name:    row.get("name"),
			Address: row.get("address"),
			City:    row.get("city"),
			Email:   row.get("email"),
		}
		if reason := checkID(in.ID); reason != "" {
			p.addf("id", "%s", reason)
		} else if reason := seen.add(in.ID, row.line); reason != "" {
			p.addf("id", "%s", reason)
		}
		if in.Name == "" {
			p.addf("name", "name is empty: write the institution's name, e.g. Bostedet Solhøj")
		}
		region, err := domain.ParseRegion(row.get("region"))
		if err != nil {
			p.addf("region", "%s", err)
		}
		in.Region = region

		if op := row.get("operator"); op != "" && !strings.EqualFold(op, "region") {
			if opRegion, err := domain.ParseRegion(op); err == nil {
				// A region named as operator: the region runs it, if it is the same region.
				if region != "" && opRegion != region {
					p.addf("operator", "operator %q is another region than the institution's region (%s): leave operator empty or write region when the region runs it, or write the name of the municipality that runs it",
						op, region)
				}
			} else if m, err := domain.ParseMunicipality(op); err != nil {
				p.addf("operator", "%s; or leave operator empty (or write region) when the region runs the institution", err)
			} else {
				// A municipality may run an institution in another region than its own: it is
				// stored with its own region, and the institution keeps the row's region.
				code := m.Code()
				if _, ok := munis[code]; !ok {
					munis[code] = store.Municipality{Code: code, Name: m.Name, Region: m.Region}
					muniOrder = append(muniOrder, code)
				}
				in.Municipality = code
			}
		}

		groups := splitList(row.get("target_groups"))
		if len(groups) == 0 {
			p.addf("target_groups", "target_groups is empty: list at least one of %s, separated by ';'", targetGroupCodes())
		}
		for _, g := range groups {
			tg, err := domain.ParseTargetGroup(g)
			if err != nil {
				p.addf("target_groups", "%s", err)
				continue
			}
			if !slices.Contains(in.TargetGroups, tg) {
				in.TargetGroups = append(in.TargetGroups, tg)
			}
		}

		if lb := row.get("legal_basis"); lb == "" {
			p.addf("legal_basis", "legal_basis is empty: use 67 (children and young people), 107 or 108 (adults)")
		} else if in.LegalBasis, err = domain.ParseLegalBasis(lb); err != nil {
			p.addf("legal_basis", "%s", err)
		}

		if s := row.get("places"); s != "" {
			n, err := strconv.Atoi(s)
			switch {
			case err != nil:
				p.addf("places", "places %q is not a whole number: write the number of residents, e.g. 24 (empty means 0)", s)
			case n < 0:
				p.addf("places", "places %d is negative: write the number of residents, 0 or more", n)
			default:
				in.Places = n
			}
		}

		if pc := row.get("postcode"); pc != "" {
			if len(pc) != 4 || strings.Trim(pc, "0123456789") != "" {
				p.addf("postcode", "postcode %q is not a Danish postcode: write 4 digits, e.g. 8000", pc)
			} else {
				in.Postcode = pc
			}
		}

		if in.Email != "" {
			if reason := checkEmail(in.Email); reason != "" {
				p.addf("email", "%s", reason)
			}
		}

		parseClosedOn(&p, &in, row.get("closed_on"), today)
		if old, ok := stored[in.ID]; ok && old.Closed() {
			checkStillClosed(&p, in, old, hasClosedOn)
		}

		if len(p.list) > 0 {
			bad = append(bad, p.list...)
			continue
		}
		out = append(out, in)
	}
	sortRowErrors(bad)
	municipalities := make([]store.Municipality, 0, len(muniOrder))
	for _, code := range muniOrder {
		municipalities = append(municipalities, munis[code])
	}
	return municipalities, out, bad, nil
}

// parseClosedOn reads the day an institution closed: empty while it is open, never in the
// future (a closure is recorded once it has happened, so a cycle is never cancelled ahead of it).
func parseClosedOn(p *problems, in *store.Institution, field string, today domain.Date) {
	if field == "" {
		return
	}
	d, err := domain.ParseDate(field)
	switch {
	case err != nil:
		p.addf("closed_on", "closed_on: %s; leave it empty while the institution is open", err)
	case !today.IsZero() && d.After(today):
		p.addf("closed_on", "closed_on %s is in the future (today is %s): record the closure once the institution has closed, and leave closed_on empty until then", d, today)
	default:
		in.ClosedOn = d
	}
}

// checkStillClosed refuses a row that would reopen old, which the store holds as closed, or
// move the day it closed: closing is one-way, and an old copy of the file must not undo it.
func checkStillClosed(p *problems, in, old store.Institution, hasClosedOn bool) {
	if in.ClosedOn.Equal(old.ClosedOn) {
		return
	}
	for _, e := range p.list {
		if e.Column == "closed_on" {
			return // the field itself is bad: that is the problem to fix first
		}
	}
	when := "closed on " + old.ClosedOn.String()
	if old.ClosedBy != "" {
		when += " by " + old.ClosedBy
	}
	if old.ClosedReason != "" {
		when += " (" + shorten(old.ClosedReason) + ")"
	}
	reopen := fmt.Sprintf("if it was closed by mistake, reopen it first with starter institutions reopen %s --reason TEXT --as SECRETARIAT-ID", old.ID)
	switch {
	case !hasClosedOn:
		p.addf("closed_on", "the file has no closed_on column, but %s was %s, and an import never reopens an institution: add the column with %s for %s; %s",
			old.ID, when, old.ClosedOn, old.ID, reopen)
	case in.ClosedOn.IsZero():
		p.addf("closed_on", "closed_on is empty, but %s was %s, and an import never reopens an institution: write closed_on %s; %s",
			old.ID, when, old.ClosedOn, reopen)
	default:
		p.addf("closed_on", "closed_on %s differs from the day %s closed: it was %s, and an import does not move that day: write closed_on %s; to correct the day, reopen it with starter institutions reopen %s --reason TEXT --as SECRETARIAT-ID and close it again with starter institutions close",
			in.ClosedOn, old.ID, when, old.ClosedOn, old.ID)
	}
}

func targetGroupCodes() string {
	var names []string
	for _, g := range domain.TargetGroups() {
		names = append(names, string(g))
	}
	return strings.Join(names, ", ")
}

// sortRowErrors orders problems by line, keeping the order within a line.
func sortRowErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) })
}
