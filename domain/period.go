package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Period is a calendar length as the product brief speaks of it: "8 weeks", "6 months",
// "3 years", "14 days". It is not a time.Duration, because a month or a year has no fixed
// length: adding one month to 31 January gives the end of February. Every duration of the
// cycle is configuration, and configuration is written as Periods ("8w", "P8W").
type Period struct {
	Years, Months, Weeks, Days int
}

// MaxPeriodNumber is the largest number ParsePeriod accepts for one unit. It is far beyond
// any real deadline and keeps date arithmetic clear of integer overflow.
const MaxPeriodNumber = 100000

// periodHelp is appended to every ParsePeriod error so the reader knows what to write instead.
const periodHelp = "write a number and a unit, y (years), mo (months), w (weeks) or d (days), such as 8w, 14d, 6mo, 3y or 1y6mo, or an ISO-8601 period such as P8W, P6M or P1Y2M10D"

// Days is a period of n days, for code that builds policies.
func Days(n int) Period { return Period{Days: n} }

// Weeks is a period of n weeks.
func Weeks(n int) Period { return Period{Weeks: n} }

// Months is a period of n months.
func Months(n int) Period { return Period{Months: n} }

// Years is a period of n years.
func Years(n int) Period { return Period{Years: n} }

// ParsePeriod reads a period from configuration, a command line or a form. It accepts the
// short form, one or more number and unit groups with units y, mo, w and d (also spelled out:
// "year", "months", "weeks", "day"), with or without spaces: "8w", "14d", "6mo", "3y",
// "1y6mo", "1y 6mo", "0d". It also accepts ISO-8601 periods: "P8W", "P1Y", "P6M", "P14D",
// "P1Y2M10D". Negative numbers, unknown units, repeated units, times of day and numbers above
// MaxPeriodNumber are rejected with a message that says what to write.
func ParsePeriod(s string) (Period, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Period{}, errors.New("period is empty: " + periodHelp)
	}
	if t[0] == 'P' || t[0] == 'p' {
		return parseISOPeriod(s, strings.ToUpper(t))
	}
	return parseShortPeriod(s, t)
}

// periodField names the four units for error messages and duplicate checks.
type periodField int

const (
	fieldYears periodField = iota
	fieldMonths
	fieldWeeks
	fieldDays
)

// String names the unit in error messages.
func (f periodField) String() string {
	return [...]string{"years", "months", "weeks", "days"}[f]
}

// set stores n in field f.
func (p *Period) set(f periodField, n int) {
	switch f {
	case fieldYears:
		p.Years = n
	case fieldMonths:
		p.Months = n
	case fieldWeeks:
		p.Weeks = n
	case fieldDays:
		p.Days = n
	}
}

// shortUnits maps the short form's unit words to fields.
var shortUnits = map[string]periodField{
	"y": fieldYears, "yr": fieldYears, "yrs": fieldYears, "year": fieldYears, "years": fieldYears,
	"mo": fieldMonths, "mon": fieldMonths, "month": fieldMonths, "months": fieldMonths,
	"w": fieldWeeks, "wk": fieldWeeks, "wks": fieldWeeks, "week": fieldWeeks, "weeks": fieldWeeks,
	"d": fieldDays, "day": fieldDays, "days": fieldDays,
}

// readNumber reads the decimal number at the start of t and returns it with the rest of t.
func readNumber(orig, t string) (int, string, error) {
	end := 0
	for end < len(t) && t[end] >= '0' && t[end] <= '9' {
		end++
	}
	if end == 0 {
		if t[0] == '-' {
			return 0, "", fmt.Errorf("invalid period %q: negative periods are not allowed, deadlines count forward; %s", orig, periodHelp)
		}
		return 0, "", fmt.Errorf("invalid period %q: expected a number at %q; %s", orig, t, periodHelp)
	}
	n, err := strconv.Atoi(t[:end])
	if err != nil || n > MaxPeriodNumber {
		return 0, "", fmt.Errorf("invalid period %q: the number %s is too large; the largest accepted is %d", orig, t[:end], MaxPeriodNumber)
	}
	return n, t[end:], nil
}

// parseShortPeriod reads "1y6mo", "8w", "14 d".
func parseShortPeriod(orig, t string) (Period, error) {
	var p Period
	var seen [4]bool
	for {
		t = strings.TrimLeftFunc(t, unicode.IsSpace)
		if t == "" {
			break
		}
		n, rest, err := readNumber(orig, t)
		if err != nil {
			return Period{}, err
		}
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		end := 0
		for end < len(rest) {
			r, size := utf8.DecodeRuneInString(rest[end:])
			if !unicode.IsLetter(r) {
				break
			}
			end += size
		}
		unit := strings.ToLower(rest[:end])
		t = rest[end:]
		if unit == "" {
			if rest == "" {
				return Period{}, fmt.Errorf("invalid period %q: the number %d has no unit; %s", orig, n, periodHelp)
			}
			return Period{}, fmt.Errorf("invalid period %q: unexpected %q after %d; %s", orig, rest, n, periodHelp)
		}
		f, ok := shortUnits[unit]
		if !ok {
			if unit == "m" {
				return Period{}, fmt.Errorf("invalid period %q: the unit \"m\" is ambiguous: write \"mo\" for months (minutes are not used for deadlines)", orig)
			}
			return Period{}, fmt.Errorf("invalid period %q: unknown unit %q; %s", orig, unit, periodHelp)
		}
		if seen[f] {
			return Period{}, fmt.Errorf("invalid period %q: %s are given twice; write each unit once, e.g. 1y6mo", orig, f)
		}
		seen[f] = true
		p.set(f, n)
	}
	return p, nil
}

// parseISOPeriod reads "P1Y2M10D" or "P8W"; upper is the trimmed input in upper case.
func parseISOPeriod(orig, upper string) (Period, error) {
	t := upper[1:]
	if t == "" {
		return Period{}, fmt.Errorf("invalid period %q: an ISO-8601 period needs at least one number and unit after P, e.g. P8W", orig)
	}
	if strings.ContainsRune(t, 'T') {
		return Period{}, fmt.Errorf("invalid period %q: times of day (the part from T) are not supported, deadlines are whole days; write e.g. P14D", orig)
	}
	var p Period
	last := periodField(-1)
	for t != "" {
		n, rest, err := readNumber(orig, t)
		if err != nil {
			return Period{}, err
		}
		if rest == "" {
			return Period{}, fmt.Errorf("invalid period %q: the number %d has no unit; ISO-8601 periods use Y, M, W and D, e.g. P1Y6M", orig, n)
		}
		var f periodField
		switch rest[0] {
		case 'Y':
			f = fieldYears
		case 'M':
			f = fieldMonths
		case 'W':
			f = fieldWeeks
		case 'D':
			f = fieldDays
		default:
			return Period{}, fmt.Errorf("invalid period %q: unknown ISO-8601 unit %q; use Y, M, W or D, e.g. P1Y6M or P8W", orig, string(rest[0]))
		}
		if f <= last {
			return Period{}, fmt.Errorf("invalid period %q: ISO-8601 periods give each unit once, in the order Y, M, W, D, e.g. P1Y2M10D", orig)
		}
		last = f
		p.set(f, n)
		t = rest[1:]
	}
	return p, nil
}

// IsZero reports whether p has no length at all.
func (p Period) IsZero() bool { return p == Period{} }

// hasNegative reports whether any unit is below zero (possible only for periods built in code).
func (p Period) hasNegative() bool {
	return p.Years < 0 || p.Months < 0 || p.Weeks < 0 || p.Days < 0
}

// positive reports whether p moves a date forward by at least one day.
func (p Period) positive() bool { return !p.hasNegative() && !p.IsZero() }

// scale multiplies every unit by n, so "every 1 month, 5 times" is computed from one starting
// date rather than by repeated addition (which would drift after a month-end clamp).
func (p Period) scale(n int) Period {
	return Period{Years: p.Years * n, Months: p.Months * n, Weeks: p.Weeks * n, Days: p.Days * n}
}

// add sums two periods unit by unit.
func (p Period) add(o Period) Period {
	return Period{Years: p.Years + o.Years, Months: p.Months + o.Months, Weeks: p.Weeks + o.Weeks, Days: p.Days + o.Days}
}

// Validate rejects periods with a negative unit, which only code (not ParsePeriod) can build.
func (p Period) Validate() error {
	if p.hasNegative() {
		return fmt.Errorf("period %s has a negative part: periods count forward; write e.g. 14d", p)
	}
	return nil
}

// AddTo is the date p after d. Years and months are added together as a number of months and
// the day is then clamped to the end of the resulting month, so 2024-02-29 + 1y is 2025-02-28
// and 31 January + 1mo is the last day of February; then weeks and days are added.
func (p Period) AddTo(d Date) Date { return p.shift(d, 1) }

// SubtractFrom is the date p before d, by the same rules run backwards: months (and years)
// first with the day clamped to the month's end, so 2024-03-31 - 1mo is 2024-02-29, then weeks
// and days. It is how reminder dates are found from a due date.
func (p Period) SubtractFrom(d Date) Date { return p.shift(d, -1) }

// shift moves d by p in the direction of sign (+1 or -1).
func (p Period) shift(d Date, sign int) Date {
	n := d.normalised()
	months := int(n.Month) - 1 + sign*(p.Years*12+p.Months)
	y := n.Year + months/12
	m := months % 12
	if m < 0 {
		m += 12
		y--
	}
	month := time.Month(m + 1)
	day := min(n.Day, daysIn(y, month))
	return Date{Year: y, Month: month, Day: day}.AddDays(sign * (p.Weeks*7 + p.Days))
}

// String writes the short form ParsePeriod reads: "8w", "1y6mo", "0d" for the zero period.
func (p Period) String() string {
	if p.IsZero() {
		return "0d"
	}
	var b strings.Builder
	for _, part := range []struct {
		n    int
		unit string
	}{{p.Years, "y"}, {p.Months, "mo"}, {p.Weeks, "w"}, {p.Days, "d"}} {
		if part.n != 0 {
			b.WriteString(strconv.Itoa(part.n))
			b.WriteString(part.unit)
		}
	}
	return b.String()
}

// ISO writes the ISO-8601 form, "P8W", "P1Y6M", "P0D" for the zero period, for systems that
// expect it.
func (p Period) ISO() string {
	if p.IsZero() {
		return "P0D"
	}
	var b strings.Builder
	b.WriteByte('P')
	for _, part := range []struct {
		n    int
		unit byte
	}{{p.Years, 'Y'}, {p.Months, 'M'}, {p.Weeks, 'W'}, {p.Days, 'D'}} {
		if part.n != 0 {
			b.WriteString(strconv.Itoa(part.n))
			b.WriteByte(part.unit)
		}
	}
	return b.String()
}

// MarshalText writes the short form, so a Period is a readable string in JSON, YAML and
// environment variables.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads either form ParsePeriod accepts. An empty value is an error, not zero:
// a deadline left blank in configuration is a mistake, and "0d" says zero on purpose.
func (p *Period) UnmarshalText(text []byte) error {
	parsed, err := ParsePeriod(string(text))
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}

// ApproxDays is an approximate length in days (a year counts 365, a month 30, a week 7), for
// sorting and plausibility checks only: never use it to compute a date.
func (p Period) ApproxDays() int {
	return p.Years*365 + p.Months*30 + p.Weeks*7 + p.Days
}

// maxDays is an upper bound of the days p can span from any date (a year at most 366 days,
// a month at most 31), used to jump ahead safely when walking a repeating sequence.
func (p Period) maxDays() int {
	return p.Years*366 + p.Months*31 + p.Weeks*7 + p.Days
}
