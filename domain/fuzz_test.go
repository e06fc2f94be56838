package domain

// Fuzz targets of the two parsers every configuration, form and command line goes through
// (issue 8, point 6): ParsePeriod (the short form "1y6mo" and ISO 8601 "P1Y6M") and ParseDate
// (ISO 8601 "YYYY-MM-DD"). Every input gives an error that reads as text, or a value that is
// internally consistent: it formats back to text that parses to the same value, in every form
// it has (String, ISO, MarshalText, JSON, the store's Value and Scan), and its arithmetic
// stays in step with the calendar.
//
// go test -run '^$' -fuzz '^FuzzParsePeriod$' -fuzztime 60s ./domain
// go test -run '^$' -fuzz '^FuzzParseDate$' -fuzztime 60s ./domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzDates are the dates an accepted period is added to and subtracted from: a leap day,
// the end of a 31-day month, the day of the recorded run, and the ends of the range.
var fuzzDates = []Date{
	NewDate(2024, 2, 29), NewDate(2027, 1, 31), NewDate(2026, 11, 22), NewDate(1, 1, 1), NewDate(9999, 12, 31),
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{
		"8w", "14d", "6mo", "3y", "1y6mo", " 1y 6mo ", "14 d", "2W3D", "8 weeks", "0d", "1 year 2 months",
		"P8W", "P1Y", "P6M", "P14D", "P1Y2M10D", "p2w", "P0D", "P1Y2M3W4D", "PT1H", "P1D2Y", "P", "P1",
		"", "  ", "-1d", "1m", "1", "w", "1d1d", "100000y", "100001d", "99999999999999999999d", "1y!",
		"1\u00a0d", "1ǅ", "Pİ", "1ﬃ", "\xff", "8w\x00", "14dage",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			checkMessage(t, err)
			if p != (Period{}) {
				t.Fatalf("ParsePeriod(%q) gave %+v with its error", s, p)
			}
			var u Period
			if u.UnmarshalText([]byte(s)) == nil {
				t.Fatalf("UnmarshalText(%q) accepts what ParsePeriod refuses: %v", s, err)
			}
			return
		}
		for _, n := range []int{p.Years, p.Months, p.Weeks, p.Days} {
			if n < 0 || n > MaxPeriodNumber {
				t.Fatalf("ParsePeriod(%q) = %+v: a unit outside 0-%d", s, p, MaxPeriodNumber)
			}
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("ParsePeriod(%q) = %+v, which does not validate: %v", s, p, err)
		}
		for _, form := range []string{p.String(), p.ISO()} {
			if again, err := ParsePeriod(form); err != nil || again != p {
				t.Fatalf("ParsePeriod(%q) = %+v, written %q, reads back as %+v, %v", s, p, form, again, err)
			}
		}
		text, err := p.MarshalText()
		if err != nil {
			t.Fatalf("%+v does not marshal: %v", p, err)
		}
		var u Period
		if err := u.UnmarshalText(text); err != nil || u != p {
			t.Fatalf("%+v marshals to %q, which reads back as %+v, %v", p, text, u, err)
		}
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("%+v: json: %v", p, err)
		}
		var j Period
		if err := json.Unmarshal(data, &j); err != nil || j != p {
			t.Fatalf("%+v is %s in JSON, which reads back as %+v, %v", p, data, j, err)
		}
		if p.ApproxDays() < 0 || p.maxDays() < p.ApproxDays() {
			t.Fatalf("%+v: approximately %d days, at most %d", p, p.ApproxDays(), p.maxDays())
		}
		for _, d := range fuzzDates {
			later, earlier := p.AddTo(d), p.SubtractFrom(d)
			switch {
			case later != later.normalised() || earlier != earlier.normalised():
				t.Fatalf("%s ± %s gives a date that is not a calendar day: %+v, %+v", d, p, later, earlier)
			case p.IsZero() && (later != d || earlier != d):
				t.Fatalf("%s ± the zero period is %s, %s", d, later, earlier)
			case !p.IsZero() && (!later.After(d) || !earlier.Before(d)):
				t.Fatalf("%s + %s = %s and - %s = %s: a period moves a date", d, p, later, p, earlier)
			case later.DaysSince(d) > p.maxDays() || d.DaysSince(earlier) > p.maxDays():
				t.Fatalf("%s + %s = %s, - %s = %s: more than the %d days a period can span", d, p, later, p, earlier, p.maxDays())
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2027-03-01", " 2026-11-22 ", "2024-02-29", "2025-02-29", "2100-02-29", "2000-02-29", "0001-01-01", "9999-12-31",
		"0000-01-01", "2027-13-01", "2027-00-10", "2027-04-31", "2027-3-1", "2027/03/01", "27-03-01", "",
		"2027-03-01T10:00:00Z", "2027-03-01 00:00:00", "+027-03-01", "-027-03-01", "２０２７-03-01", "2027-03-01\x00",
		"2027-03-0１", "\xff\xfe", "\t2027-03-01\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The store's reader tolerates a time after the date; whatever it accepts is a real day.
		var scanned Date
		if err := scanned.Scan(s); err != nil {
			checkMessage(t, err)
		} else if !scanned.IsZero() && !scanned.Valid() {
			t.Fatalf("Scan(%q) = %+v, not a calendar day", s, scanned)
		}

		d, err := ParseDate(s)
		if err != nil {
			checkMessage(t, err)
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) gave %+v with its error", s, d)
			}
			var u Date
			if u.UnmarshalText([]byte(s)) == nil && strings.TrimSpace(s) != "" {
				t.Fatalf("UnmarshalText(%q) accepts what ParseDate refuses: %v", s, err)
			}
			return
		}
		switch {
		case !d.Valid():
			t.Fatalf("ParseDate(%q) = %+v, not a calendar day", s, d)
		case d.String() != strings.TrimSpace(s):
			t.Fatalf("ParseDate(%q) = %+v, written %q", s, d, d.String())
		case d != d.normalised() || d != DateOf(d.Time()):
			t.Fatalf("ParseDate(%q) = %+v, not normalised", s, d)
		case scanned != d:
			t.Fatalf("ParseDate(%q) = %s, but Scan reads %s", s, d, scanned)
		}
		if again, err := ParseDate(d.String()); err != nil || again != d {
			t.Fatalf("%s reads back as %+v, %v", d, again, err)
		}
		text, err := d.MarshalText()
		if err != nil {
			t.Fatalf("%s does not marshal: %v", d, err)
		}
		var u Date
		if err := u.UnmarshalText(text); err != nil || u != d {
			t.Fatalf("%s marshals to %q, which reads back as %+v, %v", d, text, u, err)
		}
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("%s: json: %v", d, err)
		}
		var j Date
		if err := json.Unmarshal(data, &j); err != nil || j != d {
			t.Fatalf("%s is %s in JSON, which reads back as %+v, %v", d, data, j, err)
		}
		v, err := d.Value()
		if err != nil || v != d.String() {
			t.Fatalf("%s is stored as %v, %v", d, v, err)
		}
		var back Date
		if err := back.Scan([]byte(d.String() + "T00:00:00Z")); err != nil || back != d {
			t.Fatalf("%s is read from the store as %+v, %v", d, back, err)
		}
		next, prev := d.AddDays(1), d.AddDays(-1)
		switch {
		case next.AddDays(-1) != d || prev.AddDays(1) != d:
			t.Fatalf("%s: a day later is %s, a day earlier %s, and back %s, %s", d, next, prev, next.AddDays(-1), prev.AddDays(1))
		case next.DaysSince(d) != 1 || d.DaysSince(prev) != 1 || d.DaysSince(d) != 0:
			t.Fatalf("%s: %s is %d days later, %s %d days earlier", d, next, next.DaysSince(d), prev, d.DaysSince(prev))
		case !next.After(d) || !prev.Before(d) || !d.Equal(d) || d.Compare(next) != -1:
			t.Fatalf("%s does not order between %s and %s", d, prev, next)
		case d.Weekday() != time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday():
			t.Fatalf("%s: weekday %s", d, d.Weekday())
		}
	})
}

// checkMessage checks that an error says something, as text.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" || !utf8.ValidString(msg) {
		t.Fatalf("error message %q is empty or not UTF-8", msg)
	}
}
