package domain

import (
	"slices"
	"sync"
	"time"
)

// Holiday is a day on which Danish public-sector offices are closed, so no deadline may fall
// on it. Both names are kept so notifications can say why a due date moved.
type Holiday struct {
	Date   Date
	NameDA string
	NameEN string
}

// LastStoreBededag is the last year with Store bededag (General Prayer Day) as a public
// holiday: the Folketing abolished it from 2024.
const LastStoreBededag = 2023

// Easter is Easter Sunday of the given Gregorian year, by the anonymous Gregorian algorithm
// (Meeus/Jones/Butcher). Most Danish moving holidays are counted from it.
func Easter(year int) Date {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(year, time.Month(month), day)
}

// holidayYear is one year's holidays, as a sorted list and as a lookup by date.
type holidayYear struct {
	list   []Holiday
	byDate map[Date]string
}

// holidayCache holds computed years (int -> *holidayYear). Entries are never modified after
// they are stored, so concurrent readers are safe; only years in a plausible range are kept,
// so odd inputs cannot grow it without bound.
var holidayCache sync.Map

// holidaysFor returns the (shared, read-only) holidays of year.
func holidaysFor(year int) *holidayYear {
	if v, ok := holidayCache.Load(year); ok {
		return v.(*holidayYear)
	}
	h := computeHolidays(year)
	if year >= 1900 && year <= 2300 {
		v, _ := holidayCache.LoadOrStore(year, h)
		return v.(*holidayYear)
	}
	return h
}

// computeHolidays builds one year's list.
//
// Grundlovsdag (5 June), Juleaftensdag (24 December) and Nytårsaftensdag (31 December) are not
// statutory public holidays, but they are days off under the public-sector agreements, so
// regional offices and institutions' administrations are closed and deadlines must not fall
// on them. They are therefore listed here with the statutory holidays.
func computeHolidays(year int) *holidayYear {
	easter := Easter(year)
	list := []Holiday{
		{NewDate(year, time.January, 1), "Nytårsdag", "New Year's Day"},
		{easter.AddDays(-3), "Skærtorsdag", "Maundy Thursday"},
		{easter.AddDays(-2), "Langfredag", "Good Friday"},
		{easter, "Påskedag", "Easter Sunday"},
		{easter.AddDays(1), "2. påskedag", "Easter Monday"},
	}
	if year <= LastStoreBededag {
		// The fourth Friday after Easter.
		list = append(list, Holiday{easter.AddDays(26), "Store bededag", "General Prayer Day"})
	}
	list = append(list,
		Holiday{easter.AddDays(39), "Kristi himmelfartsdag", "Ascension Day"},
		Holiday{easter.AddDays(49), "Pinsedag", "Whit Sunday"},
		Holiday{easter.AddDays(50), "2. pinsedag", "Whit Monday"},
		Holiday{NewDate(year, time.June, 5), "Grundlovsdag", "Constitution Day"},
		Holiday{NewDate(year, time.December, 24), "Juleaftensdag", "Christmas Eve"},
		Holiday{NewDate(year, time.December, 25), "Juledag", "Christmas Day"},
		Holiday{NewDate(year, time.December, 26), "2. juledag", "Boxing Day"},
		Holiday{NewDate(year, time.December, 31), "Nytårsaftensdag", "New Year's Eve"},
	)
	// Stable, so when two holidays share a day (2. pinsedag was Grundlovsdag in 2017) the
	// statutory one comes first.
	slices.SortStableFunc(list, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	byDate := make(map[Date]string, len(list))
	for _, h := range list {
		if prev, ok := byDate[h.Date]; ok {
			byDate[h.Date] = prev + " / " + h.NameDA
		} else {
			byDate[h.Date] = h.NameDA
		}
	}
	return &holidayYear{list: list, byDate: byDate}
}

// DanishHolidays lists the days in year on which no deadline may fall besides weekends,
// sorted by date: Nytårsdag, Skærtorsdag, Langfredag, Påskedag, 2. påskedag, Store bededag
// (up to and including 2023), Kristi himmelfartsdag, Pinsedag, 2. pinsedag, Grundlovsdag,
// Juleaftensdag, Juledag, 2. juledag and Nytårsaftensdag. The caller may modify the result.
func DanishHolidays(year int) []Holiday {
	return slices.Clone(holidaysFor(year).list)
}

// HolidayName is the Danish name of the holiday on d, e.g. "Langfredag", and whether d is one.
// When two fall on the same day both are named, "2. pinsedag / Grundlovsdag".
func HolidayName(d Date) (string, bool) {
	n := d.normalised()
	name, ok := holidaysFor(n.Year).byDate[n]
	return name, ok
}

// IsWorkingDay reports whether d is a day on which a deadline may fall: not a Saturday, not a
// Sunday and not one of DanishHolidays.
func IsWorkingDay(d Date) bool {
	n := d.normalised()
	switch n.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	_, holiday := holidaysFor(n.Year).byDate[n]
	return !holiday
}

// NextWorkingDay is d itself when it is a working day, otherwise the first working day after
// it. It is how a due date that falls on a weekend or holiday is moved (PRODUCT.md §3).
func NextWorkingDay(d Date) Date {
	n := d.normalised()
	for !IsWorkingDay(n) {
		n = n.AddDays(1)
	}
	return n
}
