package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Region is one of the five Danish regions. Every institution belongs to one (directly, or
// through a municipality that has joined the model), and the external evaluation team must
// come from another region than the institution it visits.
type Region string

// The five regions, as stored codes. They are ASCII so they work in URLs, file names and
// Temporal search attributes; Name gives the Danish name.
const (
	Hovedstaden Region = "hovedstaden"
	Sjaelland   Region = "sjaelland"
	Syddanmark  Region = "syddanmark"
	Midtjylland Region = "midtjylland"
	Nordjylland Region = "nordjylland"
)

// regionOrder is the fixed order of Regions, which is also the order of the path
// Hovedstaden–Sjælland–Syddanmark–Midtjylland–Nordjylland used by TravelDistance.
var regionOrder = [...]Region{Hovedstaden, Sjaelland, Syddanmark, Midtjylland, Nordjylland}

// UnknownTravelDistance is what TravelDistance returns when a region is not one of the five:
// farther than any two real regions, so an unknown region sorts last when preferring short travel.
const UnknownTravelDistance = len(regionOrder)

// Regions lists the five regions in a fixed order (east to north-west), so lists, seed data
// and reports come out the same every time. The caller may modify the returned slice.
func Regions() []Region {
	out := make([]Region, len(regionOrder))
	copy(out, regionOrder[:])
	return out
}

// index is r's position in regionOrder, or -1 when r is not a region.
func (r Region) index() int {
	for i, known := range regionOrder {
		if r == known {
			return i
		}
	}
	return -1
}

// Name is the Danish name shown to users, e.g. "Region Sjælland". An unknown code is
// returned as it is, so a bad value is visible rather than silently blank.
func (r Region) Name() string {
	switch r {
	case Hovedstaden:
		return "Region Hovedstaden"
	case Sjaelland:
		return "Region Sjælland"
	case Syddanmark:
		return "Region Syddanmark"
	case Midtjylland:
		return "Region Midtjylland"
	case Nordjylland:
		return "Region Nordjylland"
	}
	return string(r)
}

// Valid reports whether r is one of the five region codes; check it on every value that did
// not come from ParseRegion.
func (r Region) Valid() bool { return r.index() >= 0 }

// regionCodes is the list shown in error messages.
func regionCodes() string {
	names := make([]string, len(regionOrder))
	for i, r := range regionOrder {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// ParseRegion reads a region as people write it: the code ("sjaelland") or the Danish name
// with or without "Region " ("Region Sjælland", "sjælland"), in any case, with "æ" or "ae".
// Registry files, command lines and forms all go through it.
func ParseRegion(s string) (Region, error) {
	key := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if key == "" {
		return "", errors.New("region is empty: use one of " + regionCodes())
	}
	key = strings.ReplaceAll(key, "æ", "ae")
	for _, prefix := range []string{"region ", "region-", "region_"} {
		if strings.HasPrefix(key, prefix) {
			key = strings.TrimSpace(key[len(prefix):])
			break
		}
	}
	if r := Region(key); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("unknown region %q: use one of %s", s, regionCodes())
}

// TravelDistance is a coarse measure of how far reviewers from region a travel to an
// institution in region b, used to "keep travel sensible" when proposing a team. The regions
// form a path of land and bridge neighbours, Hovedstaden–Sjælland–Syddanmark (over
// Storebælt)–Midtjylland–Nordjylland, and the distance is the number of hops on it: 0 for the
// same region, 1 for neighbours, up to 4 (Hovedstaden–Nordjylland). It is symmetric. An
// unknown region gives UnknownTravelDistance.
func TravelDistance(a, b Region) int {
	i, j := a.index(), b.index()
	if i < 0 || j < 0 {
		return UnknownTravelDistance
	}
	if i > j {
		return i - j
	}
	return j - i
}
