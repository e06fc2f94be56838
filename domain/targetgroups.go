package domain

import (
	"errors"
	"fmt"
	"strings"
)

// TargetGroup is a group of people an institution serves. An institution serves one or more,
// and an external evaluation team must come from a similar institution: one that shares at
// least one target group.
type TargetGroup string

// The seven target groups of the regional residential institutions (the English presentation
// of the model, slide 9), as stored codes.
const (
	IntellectualDisability TargetGroup = "intellectual-disability"
	PhysicalDisability     TargetGroup = "physical-disability"
	MentalIllness          TargetGroup = "mental-illness"
	Autism                 TargetGroup = "autism"
	AcquiredBrainInjury    TargetGroup = "acquired-brain-injury"
	// ChildPsychiatric is children and young people with psychiatric problems.
	ChildPsychiatric TargetGroup = "child-psychiatric"
	// SecureYouth is young people in secure institutions.
	SecureYouth TargetGroup = "secure-youth"
)

// targetGroupInfo holds the display names and extra spellings ParseTargetGroup accepts.
type targetGroupInfo struct {
	group   TargetGroup
	da, en  string
	aliases []string
}

// targetGroupTable is the single source of the groups' order, names and aliases. The Danish
// names use current, respectful wording ("personer med udviklingshæmning").
var targetGroupTable = [...]targetGroupInfo{
	{IntellectualDisability, "Personer med udviklingshæmning", "People with intellectual disabilities",
		[]string{"udviklingshæmning", "udviklingshæmmede", "intellectual disability", "intellectual disabilities"}},
	{PhysicalDisability, "Personer med fysisk funktionsnedsættelse", "People with physical disabilities",
		[]string{"fysisk funktionsnedsættelse", "physical disability", "physical disabilities"}},
	{MentalIllness, "Personer med sindslidelse", "People with mental illness",
		[]string{"sindslidelse", "sindslidende", "mental illness"}},
	{Autism, "Personer med autisme", "People with autism",
		[]string{"autisme"}},
	{AcquiredBrainInjury, "Personer med erhvervet hjerneskade", "People with acquired brain injury",
		[]string{"erhvervet hjerneskade", "acquired brain injury"}},
	{ChildPsychiatric, "Børn og unge med psykiatriske problemstillinger", "Children and young people with psychiatric problems",
		[]string{"børne- og ungdomspsykiatri", "child psychiatric"}},
	{SecureYouth, "Unge på sikrede institutioner", "Young people in secure institutions",
		[]string{"sikrede institutioner", "sikret institution", "secure institutions"}},
}

// TargetGroups lists the seven target groups in a fixed order, for seed data, forms and
// reports. The caller may modify the returned slice.
func TargetGroups() []TargetGroup {
	out := make([]TargetGroup, len(targetGroupTable))
	for i, info := range targetGroupTable {
		out[i] = info.group
	}
	return out
}

// info finds t's row, or nil when t is not a target group.
func (t TargetGroup) info() *targetGroupInfo {
	for i := range targetGroupTable {
		if targetGroupTable[i].group == t {
			return &targetGroupTable[i]
		}
	}
	return nil
}

// NameDA is the Danish name shown to users, e.g. "Personer med autisme". An unknown code is
// returned as it is.
func (t TargetGroup) NameDA() string {
	if i := t.info(); i != nil {
		return i.da
	}
	return string(t)
}

// NameEN is the English name, for the English interface and reports. An unknown code is
// returned as it is.
func (t TargetGroup) NameEN() string {
	if i := t.info(); i != nil {
		return i.en
	}
	return string(t)
}

// Valid reports whether t is one of the seven codes; check it on every value that did not come
// from ParseTargetGroup.
func (t TargetGroup) Valid() bool { return t.info() != nil }

// targetGroupCodes is the list shown in error messages.
func targetGroupCodes() string {
	names := make([]string, len(targetGroupTable))
	for i, info := range targetGroupTable {
		names[i] = string(info.group)
	}
	return strings.Join(names, ", ")
}

// ParseTargetGroup reads a target group from a registry file, command line or form: the code
// ("mental-illness", also with spaces or underscores), the Danish or English name, or a short
// Danish term ("autisme", "sindslidelse"), in any case.
func ParseTargetGroup(s string) (TargetGroup, error) {
	key := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if key == "" {
		return "", errors.New("target group is empty: use one of " + targetGroupCodes())
	}
	dashed := strings.NewReplacer(" ", "-", "_", "-").Replace(key)
	for _, info := range targetGroupTable {
		if dashed == string(info.group) || key == strings.ToLower(info.da) || key == strings.ToLower(info.en) {
			return info.group, nil
		}
		for _, alias := range info.aliases {
			if key == alias {
				return info.group, nil
			}
		}
	}
	return "", fmt.Errorf("unknown target group %q: use one of %s", s, targetGroupCodes())
}

// LegalBasis is the section of the Social Services Act (serviceloven) an institution is
// established under. The model covers residential offers under §67 (children and young people)
// and §107 and §108 (adults).
type LegalBasis string

// The three sections, stored as the bare number.
const (
	Section67  LegalBasis = "67"
	Section107 LegalBasis = "107"
	Section108 LegalBasis = "108"
)

// LegalBases lists the three sections in numeric order, for forms and seed data.
func LegalBases() []LegalBasis { return []LegalBasis{Section67, Section107, Section108} }

// Valid reports whether l is one of the three sections.
func (l LegalBasis) Valid() bool {
	switch l {
	case Section67, Section107, Section108:
		return true
	}
	return false
}

// String writes the section as Danish texts do, "§67". The empty value gives "".
func (l LegalBasis) String() string {
	if l == "" {
		return ""
	}
	return "§" + string(l)
}

// ForChildren reports whether the section is the one for children and young people (§67).
func (l LegalBasis) ForChildren() bool { return l == Section67 }

// ParseLegalBasis reads a section as people write it: "67", "§67", "§ 107", "SEL §108",
// "sel67" or "servicelovens § 107", in any case.
func ParseLegalBasis(s string) (LegalBasis, error) {
	key := strings.ToLower(strings.Join(strings.Fields(s), ""))
	for _, prefix := range []string{"servicelovens", "serviceloven", "sel"} {
		if strings.HasPrefix(key, prefix) {
			key = key[len(prefix):]
			break
		}
	}
	key = strings.TrimPrefix(key, "§")
	if l := LegalBasis(key); l.Valid() {
		return l, nil
	}
	return "", fmt.Errorf("unknown legal basis %q: use §67 (children and young people), §107 or §108 (adults) of the Social Services Act (serviceloven), e.g. \"§107\"", s)
}
