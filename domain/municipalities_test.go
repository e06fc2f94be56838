package domain

import (
	"strings"
	"testing"
)

func TestMunicipalitiesAreTheNinetyEight(t *testing.T) {
	all := Municipalities()
	if len(all) != 98 {
		t.Fatalf("%d municipalities, want 98", len(all))
	}
	perRegion := map[Region]int{}
	codes := map[string]string{}
	for _, m := range all {
		perRegion[m.Region]++
		if !m.Region.Valid() {
			t.Errorf("%s is in unknown region %q", m.Name, m.Region)
		}
		if !strings.HasSuffix(m.Name, " Kommune") && m.Name != "Bornholms Regionskommune" {
			t.Errorf("%q is not an official name (X Kommune)", m.Name)
		}
		if prev, dup := codes[m.Code()]; dup {
			t.Errorf("%s and %s share the code %s", prev, m.Name, m.Code())
		}
		codes[m.Code()] = m.Name
	}
	// Danmarks Statistik: 29 in Hovedstaden, 17 in Sjælland, 22 in Syddanmark, 19 in
	// Midtjylland, 11 in Nordjylland.
	want := map[Region]int{Hovedstaden: 29, Sjaelland: 17, Syddanmark: 22, Midtjylland: 19, Nordjylland: 11}
	for r, n := range want {
		if perRegion[r] != n {
			t.Errorf("%s has %d municipalities, want %d", r, perRegion[r], n)
		}
	}
	// Every accepted spelling leads to one municipality: no short form is another's name.
	seen := map[string]string{}
	for _, m := range all {
		short := strings.TrimSuffix(strings.TrimSuffix(m.Name, " Kommune"), " Regionskommune")
		for _, key := range []string{m.Code(), MunicipalityCode(short)} {
			if prev, ok := seen[key]; ok && prev != m.Name {
				t.Errorf("spelling %s means both %s and %s", key, prev, m.Name)
			}
			seen[key] = m.Name
		}
	}
}

func TestParseMunicipality(t *testing.T) {
	for in, want := range map[string]Municipality{
		"Aarhus Kommune":           {"Aarhus Kommune", Midtjylland},
		"århus kommune":            {"Aarhus Kommune", Midtjylland},
		"AARHUS":                   {"Aarhus Kommune", Midtjylland},
		"  Københavns   Kommune ":  {"Københavns Kommune", Hovedstaden},
		"København":                {"Københavns Kommune", Hovedstaden},
		"koebenhavns-kommune":      {"Københavns Kommune", Hovedstaden},
		"Frederiksberg Kommune":    {"Frederiksberg Kommune", Hovedstaden},
		"Bornholms Regionskommune": {"Bornholms Regionskommune", Hovedstaden},
		"Bornholm":                 {"Bornholms Regionskommune", Hovedstaden},
		"Ærø Kommune":              {"Ærø Kommune", Syddanmark},
		"Aeroe":                    {"Ærø Kommune", Syddanmark},
		"Læsø Kommune":             {"Læsø Kommune", Nordjylland},
		"Lyngby-Taarbæk Kommune":   {"Lyngby-Taarbæk Kommune", Hovedstaden},
		"Ringkøbing-Skjern":        {"Ringkøbing-Skjern Kommune", Midtjylland},
		"Nordfyn":                  {"Nordfyns Kommune", Syddanmark},
		"Vesthimmerlands Kommune":  {"Vesthimmerlands Kommune", Nordjylland},
	} {
		got, err := ParseMunicipality(in)
		if err != nil || got != want {
			t.Errorf("ParseMunicipality(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, reason := range map[string]string{
		"Atlantis Kommune": `unknown municipality "Atlantis Kommune"`,
		"Aarhus Amt":       `unknown municipality "Aarhus Amt"`,
		"Kommune":          `unknown municipality "Kommune"`,
		"Region":           `unknown municipality "Region"`,
		" -- ":             "is not a name",
	} {
		if _, err := ParseMunicipality(in); err == nil || !strings.Contains(err.Error(), reason) {
			t.Errorf("ParseMunicipality(%q) = %v, want an error containing %q", in, err, reason)
		}
	}
}

func TestMunicipalityCode(t *testing.T) {
	for name, want := range map[string]string{
		"Aarhus Kommune":      "aarhus-kommune",
		"Københavns Kommune":  "koebenhavns-kommune",
		"Ærø Kommune":         "aeroe-kommune",
		"Lyngby-Taarbæk  Kom": "lyngby-taarbaek-kom",
		"  --  ":              "",
	} {
		if got := MunicipalityCode(name); got != want {
			t.Errorf("MunicipalityCode(%q) = %q, want %q", name, got, want)
		}
	}
}
