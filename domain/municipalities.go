package domain

import (
	"fmt"
	"strings"
)

// Municipality is one of the 98 Danish municipalities (kommuner). A municipality may run an
// institution in the model, also one that lies in another region than its own.
type Municipality struct {
	// Name is the official name, e.g. "Københavns Kommune" or "Bornholms Regionskommune".
	Name string
	// Region is the region the municipality lies in.
	Region Region
}

// Code is the municipality's stored code: its official name in lower-case ASCII with words
// joined by '-', e.g. "koebenhavns-kommune".
func (m Municipality) Code() string { return MunicipalityCode(m.Name) }

// municipalityTable lists the 98 municipalities since the 2007 reform, by region. The names
// are the official ones, including the genitive forms ("Københavns", "Nordfyns",
// "Vesthimmerlands") and Bornholm's "Regionskommune".
var municipalityTable = func() []Municipality {
	byRegion := []struct {
		region Region
		names  []string
	}{
		{Hovedstaden, []string{
			"Albertslund Kommune", "Allerød Kommune", "Ballerup Kommune", "Bornholms Regionskommune",
			"Brøndby Kommune", "Dragør Kommune", "Egedal Kommune", "Fredensborg Kommune",
			"Frederiksberg Kommune", "Frederikssund Kommune", "Furesø Kommune", "Gentofte Kommune",
			"Gladsaxe Kommune", "Glostrup Kommune", "Gribskov Kommune", "Halsnæs Kommune",
			"Helsingør Kommune", "Herlev Kommune", "Hillerød Kommune", "Hvidovre Kommune",
			"Høje-Taastrup Kommune", "Hørsholm Kommune", "Ishøj Kommune", "Københavns Kommune",
			"Lyngby-Taarbæk Kommune", "Rudersdal Kommune", "Rødovre Kommune", "Tårnby Kommune",
			"Vallensbæk Kommune",
		}},
		{Sjaelland, []string{
			"Faxe Kommune", "Greve Kommune", "Guldborgsund Kommune", "Holbæk Kommune",
			"Kalundborg Kommune", "Køge Kommune", "Lejre Kommune", "Lolland Kommune",
			"Næstved Kommune", "Odsherred Kommune", "Ringsted Kommune", "Roskilde Kommune",
			"Slagelse Kommune", "Solrød Kommune", "Sorø Kommune", "Stevns Kommune",
			"Vordingborg Kommune",
		}},
		{Syddanmark, []string{
			"Assens Kommune", "Billund Kommune", "Esbjerg Kommune", "Faaborg-Midtfyn Kommune",
			"Fanø Kommune", "Fredericia Kommune", "Haderslev Kommune", "Kerteminde Kommune",
			"Kolding Kommune", "Langeland Kommune", "Middelfart Kommune", "Nordfyns Kommune",
			"Nyborg Kommune", "Odense Kommune", "Svendborg Kommune", "Sønderborg Kommune",
			"Tønder Kommune", "Varde Kommune", "Vejen Kommune", "Vejle Kommune",
			"Ærø Kommune", "Aabenraa Kommune",
		}},
		{Midtjylland, []string{
			"Favrskov Kommune", "Hedensted Kommune", "Herning Kommune", "Holstebro Kommune",
			"Horsens Kommune", "Ikast-Brande Kommune", "Lemvig Kommune", "Norddjurs Kommune",
			"Odder Kommune", "Randers Kommune", "Ringkøbing-Skjern Kommune", "Samsø Kommune",
			"Silkeborg Kommune", "Skanderborg Kommune", "Skive Kommune", "Struer Kommune",
			"Syddjurs Kommune", "Viborg Kommune", "Aarhus Kommune",
		}},
		{Nordjylland, []string{
			"Brønderslev Kommune", "Frederikshavn Kommune", "Hjørring Kommune", "Jammerbugt Kommune",
			"Læsø Kommune", "Mariagerfjord Kommune", "Morsø Kommune", "Rebild Kommune",
			"Thisted Kommune", "Vesthimmerlands Kommune", "Aalborg Kommune",
		}},
	}
	var out []Municipality
	for _, r := range byRegion {
		for _, name := range r.names {
			out = append(out, Municipality{Name: name, Region: r.region})
		}
	}
	return out
}()

// municipalityKeys maps every accepted spelling, as MunicipalityCode reduces it, to its
// municipality: the official name, the name without "Kommune" ("Aarhus"), and for the four
// genitive names the plain place name as well ("København", "Bornholm").
var municipalityKeys = func() map[string]Municipality {
	keys := make(map[string]Municipality, 3*len(municipalityTable))
	for _, m := range municipalityTable {
		keys[m.Code()] = m
		short := strings.TrimSuffix(strings.TrimSuffix(m.Name, " Kommune"), " Regionskommune")
		keys[MunicipalityCode(short)] = m
		if genitive[short] {
			keys[MunicipalityCode(strings.TrimSuffix(short, "s"))] = m
		}
	}
	return keys
}()

// genitive names the municipalities whose official name puts the place name in the genitive.
var genitive = map[string]bool{"Københavns": true, "Bornholms": true, "Nordfyns": true, "Vesthimmerlands": true}

// Municipalities lists the 98 municipalities by region (in the order of Regions), then by
// name. The caller may modify the returned slice.
func Municipalities() []Municipality {
	return append([]Municipality(nil), municipalityTable...)
}

// ParseMunicipality reads a municipality as people write it: the official name in any case
// and spacing ("aarhus  kommune"), without the word "Kommune" ("Aarhus"), the plain place
// name for the genitive names ("København" for "Københavns Kommune"), with "ae", "oe" and
// "aa" for "æ", "ø" and "å" ("Koege Kommune"), or the code ("koege-kommune").
func ParseMunicipality(s string) (Municipality, error) {
	key := MunicipalityCode(s)
	if key == "" {
		return Municipality{}, fmt.Errorf("municipality %q is not a name: write the municipality's name, e.g. Aarhus Kommune", s)
	}
	if m, ok := municipalityKeys[key]; ok {
		return m, nil
	}
	return Municipality{}, fmt.Errorf("unknown municipality %q: write the official name of one of the 98 Danish municipalities, e.g. Aarhus Kommune, Københavns Kommune or Bornholms Regionskommune", s)
}

// MunicipalityCode reduces a municipality's name to lower-case ASCII words joined by '-', e.g.
// "Københavns Kommune" -> "koebenhavns-kommune"; it is the stored code of a municipality, and
// how ParseMunicipality compares spellings. Århus and Aarhus give the same code.
func MunicipalityCode(name string) string {
	name = strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa", "Æ", "ae", "Ø", "oe", "Å", "aa",
		"é", "e", "É", "e", "ü", "u", "Ü", "u", "ö", "oe", "Ö", "oe", "ä", "ae", "Ä", "ae").Replace(name)
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
			continue
		}
		dash = true
	}
	return b.String()
}
