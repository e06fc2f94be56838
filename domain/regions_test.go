package domain

import (
	"strings"
	"testing"
)

func TestRegionsOrderAndNames(t *testing.T) {
	want := []struct {
		r    Region
		name string
	}{
		{Hovedstaden, "Region Hovedstaden"},
		{Sjaelland, "Region Sjælland"},
		{Syddanmark, "Region Syddanmark"},
		{Midtjylland, "Region Midtjylland"},
		{Nordjylland, "Region Nordjylland"},
	}
	got := Regions()
	if len(got) != len(want) {
		t.Fatalf("Regions() has %d regions, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i] != w.r {
			t.Errorf("Regions()[%d] = %q, want %q", i, got[i], w.r)
		}
		if got[i].Name() != w.name {
			t.Errorf("%q.Name() = %q, want %q", got[i], got[i].Name(), w.name)
		}
		if !got[i].Valid() {
			t.Errorf("%q.Valid() = false", got[i])
		}
	}
	got[0] = "changed"
	if Regions()[0] != Hovedstaden {
		t.Error("modifying the slice from Regions() changed the next call's result")
	}
	if Region("jylland").Valid() || Region("").Valid() {
		t.Error("unknown regions must not be valid")
	}
}

func TestParseRegion(t *testing.T) {
	good := []struct {
		in   string
		want Region
	}{
		{"hovedstaden", Hovedstaden},
		{"Hovedstaden", Hovedstaden},
		{"Region Hovedstaden", Hovedstaden},
		{"region sjælland", Sjaelland},
		{"Region Sjaelland", Sjaelland},
		{"SJÆLLAND", Sjaelland},
		{"  Region   Midtjylland ", Midtjylland},
		{"syddanmark", Syddanmark},
		{"REGION NORDJYLLAND", Nordjylland},
	}
	for _, c := range good {
		got, err := ParseRegion(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRegion(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"jylland", `unknown region "jylland": use one of hovedstaden, sjaelland, syddanmark, midtjylland, nordjylland`},
		{"Region", `unknown region "Region": use one of hovedstaden, sjaelland, syddanmark, midtjylland, nordjylland`},
		{"  ", "region is empty: use one of hovedstaden, sjaelland, syddanmark, midtjylland, nordjylland"},
	}
	for _, c := range bad {
		_, err := ParseRegion(c.in)
		if err == nil || err.Error() != c.msg {
			t.Errorf("ParseRegion(%q) error = %v; want %q", c.in, err, c.msg)
		}
	}
}

func TestTravelDistance(t *testing.T) {
	cases := []struct {
		a, b Region
		want int
	}{
		{Hovedstaden, Hovedstaden, 0},
		{Hovedstaden, Sjaelland, 1},
		{Sjaelland, Syddanmark, 1},
		{Syddanmark, Midtjylland, 1},
		{Midtjylland, Nordjylland, 1},
		{Hovedstaden, Syddanmark, 2},
		{Sjaelland, Nordjylland, 3},
		{Hovedstaden, Nordjylland, 4},
		{Hovedstaden, "jylland", UnknownTravelDistance},
	}
	for _, c := range cases {
		if got := TravelDistance(c.a, c.b); got != c.want {
			t.Errorf("TravelDistance(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := TravelDistance(c.b, c.a); got != c.want {
			t.Errorf("TravelDistance(%s, %s) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
	if UnknownTravelDistance <= TravelDistance(Hovedstaden, Nordjylland) {
		t.Error("an unknown region must be farther than any real pair")
	}
}

func TestTargetGroups(t *testing.T) {
	want := []struct {
		g      TargetGroup
		da, en string
	}{
		{IntellectualDisability, "Personer med udviklingshæmning", "People with intellectual disabilities"},
		{PhysicalDisability, "Personer med fysisk funktionsnedsættelse", "People with physical disabilities"},
		{MentalIllness, "Personer med sindslidelse", "People with mental illness"},
		{Autism, "Personer med autisme", "People with autism"},
		{AcquiredBrainInjury, "Personer med erhvervet hjerneskade", "People with acquired brain injury"},
		{ChildPsychiatric, "Børn og unge med psykiatriske problemstillinger", "Children and young people with psychiatric problems"},
		{SecureYouth, "Unge på sikrede institutioner", "Young people in secure institutions"},
	}
	got := TargetGroups()
	if len(got) != len(want) {
		t.Fatalf("TargetGroups() has %d groups, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i] != w.g || !got[i].Valid() || got[i].NameDA() != w.da || got[i].NameEN() != w.en {
			t.Errorf("TargetGroups()[%d] = %q (%q, %q, valid %v); want %q (%q, %q)",
				i, got[i], got[i].NameDA(), got[i].NameEN(), got[i].Valid(), w.g, w.da, w.en)
		}
	}
	if TargetGroup("elderly").Valid() {
		t.Error(`TargetGroup("elderly") must not be valid`)
	}
}

func TestParseTargetGroup(t *testing.T) {
	good := []struct {
		in   string
		want TargetGroup
	}{
		{"mental-illness", MentalIllness},
		{"Mental Illness", MentalIllness},
		{"acquired_brain_injury", AcquiredBrainInjury},
		{"Personer med autisme", Autism},
		{"autisme", Autism},
		{"UNGE PÅ SIKREDE INSTITUTIONER", SecureYouth},
		{"Children and young people with psychiatric problems", ChildPsychiatric},
		{"udviklingshæmning", IntellectualDisability},
		{" physical-disability ", PhysicalDisability},
	}
	for _, c := range good {
		got, err := ParseTargetGroup(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseTargetGroup(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	const list = "intellectual-disability, physical-disability, mental-illness, autism, acquired-brain-injury, child-psychiatric, secure-youth"
	bad := []struct{ in, msg string }{
		{"elderly", `unknown target group "elderly": use one of ` + list},
		{"", "target group is empty: use one of " + list},
	}
	for _, c := range bad {
		_, err := ParseTargetGroup(c.in)
		if err == nil || err.Error() != c.msg {
			t.Errorf("ParseTargetGroup(%q) error = %v; want %q", c.in, err, c.msg)
		}
	}
}

func TestParseLegalBasis(t *testing.T) {
	good := []struct {
		in   string
		want LegalBasis
	}{
		{"67", Section67},
		{"§67", Section67},
		{"§ 107", Section107},
		{"sel67", Section67},
		{"SEL §108", Section108},
		{"Servicelovens § 107", Section107},
		{" 108 ", Section108},
	}
	for _, c := range good {
		got, err := ParseLegalBasis(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseLegalBasis(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "66", "§", "sel", "107a", "§§107"} {
		_, err := ParseLegalBasis(in)
		if err == nil || !strings.Contains(err.Error(), "use §67 (children and young people), §107 or §108 (adults)") {
			t.Errorf("ParseLegalBasis(%q) error = %v; want a message listing the sections", in, err)
		}
	}
	for l, want := range map[LegalBasis]string{Section67: "§67", Section107: "§107", Section108: "§108", "": ""} {
		if got := l.String(); got != want {
			t.Errorf("LegalBasis(%q).String() = %q, want %q", string(l), got, want)
		}
	}
	if !Section67.ForChildren() || Section107.ForChildren() {
		t.Error("only §67 is for children")
	}
}
