package domain

import (
	"cmp"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date without a time of day or time zone. Deadlines in the model are
// calendar dates ("due 8 weeks after it opens"), and holding them as dates rather than
// instants avoids off-by-one-day errors around midnight, time zones and daylight saving.
// The zero Date means "no date". Build dates with NewDate, DateOf or ParseDate so they are
// normalised; the comparison methods assume normalised dates.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// dateLayout is the only textual form of a Date: ISO 8601, as in JSON, SQL and URLs.
const dateLayout = "2006-01-02"

var (
	_ sql.Scanner   = (*Date)(nil)
	_ driver.Valuer = Date{}
)

// NewDate builds a date and normalises it the way time.Date does, so NewDate(2025, 1, 32) is
// 2025-02-01. It is the way to build dates in code.
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf is the calendar date of t in t's own location. Convert t with t.In first when a
// particular zone (Europe/Copenhagen) decides which day it is.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// daysIn is the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseDate reads a date written as YYYY-MM-DD, e.g. "2027-03-01", the form used in forms,
// command lines, configuration and the store. It rejects days that do not exist and says why.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Date{}, errors.New("date is empty: write it as YYYY-MM-DD, e.g. 2027-03-01")
	}
	if len(t) != 10 || t[4] != '-' || t[7] != '-' || !allDigits(t[:4]) || !allDigits(t[5:7]) || !allDigits(t[8:]) {
		return Date{}, fmt.Errorf("invalid date %q: write it as YYYY-MM-DD, e.g. 2027-03-01", s)
	}
	y, _ := strconv.Atoi(t[:4])
	m, _ := strconv.Atoi(t[5:7])
	d, _ := strconv.Atoi(t[8:])
	switch {
	case y < 1:
		return Date{}, fmt.Errorf("invalid date %q: the year must be 0001 or later", s)
	case m < 1 || m > 12:
		return Date{}, fmt.Errorf("invalid date %q: there is no month %02d; use 01 to 12", s, m)
	case d < 1 || d > daysIn(y, time.Month(m)):
		return Date{}, fmt.Errorf("invalid date %q: %s %d has %d days", s, time.Month(m), y, daysIn(y, time.Month(m)))
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}

// String writes the date as YYYY-MM-DD; the zero Date gives "0000-00-00" so it stands out in logs.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// IsZero reports whether d is the zero Date ("no date"). It also makes `json:",omitzero"` work.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real calendar day in the years 0001-9999, the range the
// textual form can carry. The zero Date is not valid.
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// normalised rolls over out-of-range fields the way NewDate does.
func (d Date) normalised() Date { return NewDate(d.Year, d.Month, d.Day) }

// MarshalText writes YYYY-MM-DD, so a Date is a plain string in JSON, YAML and form values.
// The zero Date marshals to "" (no date).
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("date %s is not a calendar day in the years 0001-9999: build dates with NewDate or ParseDate", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads YYYY-MM-DD; "" gives the zero Date, so optional dates round-trip.
func (d *Date) UnmarshalText(text []byte) error {
	if len(strings.TrimSpace(string(text))) == 0 {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// Value stores a Date as TEXT "YYYY-MM-DD", which sorts correctly and reads the same in SQLite
// and PostgreSQL. The zero Date is stored as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	b, err := d.MarshalText()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan reads a Date stored by Value. It accepts a string or []byte "YYYY-MM-DD" (also with a
// time part after it, as some drivers write, which is ignored), a time.Time (its date in its
// own location) and NULL (the zero Date).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case []byte:
		return d.scanString(string(v))
	case string:
		return d.scanString(v)
	}
	return fmt.Errorf("cannot read a date from a %T: store dates as TEXT YYYY-MM-DD", src)
}

// scanString parses a stored date, tolerating "2027-03-01T00:00:00Z" and "2027-03-01 00:00:00".
func (d *Date) scanString(s string) error {
	s = strings.TrimSpace(s)
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:10]
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("stored date: %w", err)
	}
	*d = parsed
	return nil
}

// Time is the instant d begins in UTC (midnight), for APIs that need a time.Time.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// AddDays is the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	if c := cmp.Compare(d.Year, o.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, o.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, o.Day)
}

// Before reports whether d is an earlier day than o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is a later day than o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Equal reports whether d and o are the same day.
func (d Date) Equal(o Date) bool { return d.Compare(o) == 0 }

// DaysSince is the number of days from o to d (d - o): positive when d is later.
func (d Date) DaysSince(o Date) int {
	return int((d.Time().Unix() - o.Time().Unix()) / 86400)
}

// Weekday is the day of the week d falls on.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }
