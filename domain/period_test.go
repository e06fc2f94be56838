package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParsePeriodGood(t *testing.T) {
	cases := []struct {
		in   string
		want Period
	}{
		{"8w", Period{Weeks: 8}},
		{"14d", Period{Days: 14}},
		{"6mo", Period{Months: 6}},
		{"3y", Period{Years: 3}},
		{"1y6mo", Period{Years: 1, Months: 6}},
		{" 1y 6mo ", Period{Years: 1, Months: 6}},
		{"14 d", Period{Days: 14}},
		{"2W3D", Period{Weeks: 2, Days: 3}},
		{"8 weeks", Period{Weeks: 8}},
		{"0d", Period{}},
		{"P8W", Period{Weeks: 8}},
		{"P1Y", Period{Years: 1}},
		{"P6M", Period{Months: 6}},
		{"P14D", Period{Days: 14}},
		{"P1Y2M10D", Period{Years: 1, Months: 2, Days: 10}},
		{"p2w", Period{Weeks: 2}},
		{"P0D", Period{}},
		{"100000d", Period{Days: 100000}},
	}
	for _, c := range cases {
		got, err := ParsePeriod(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParsePeriodBad(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"", "period is empty: " + periodHelp},
		{"   ", "period is empty: " + periodHelp},
		{"8", `invalid period "8": the number 8 has no unit; ` + periodHelp},
		{"w", `invalid period "w": expected a number at "w"; ` + periodHelp},
		{"-8w", `invalid period "-8w": negative periods are not allowed, deadlines count forward; ` + periodHelp},
		{"8w-2d", `invalid period "8w-2d": negative periods are not allowed, deadlines count forward; ` + periodHelp},
		{"8x", `invalid period "8x": unknown unit "x"; ` + periodHelp},
		{"8h", `invalid period "8h": unknown unit "h"; ` + periodHelp},
		{"6m", `invalid period "6m": the unit "m" is ambiguous: write "mo" for months (minutes are not used for deadlines)`},
		{"1y2y", `invalid period "1y2y": years are given twice; write each unit once, e.g. 1y6mo`},
		{"1.5y", `invalid period "1.5y": unexpected ".5y" after 1; ` + periodHelp},
		{"99999999999999999999d", `invalid period "99999999999999999999d": the number 99999999999999999999 is too large; the largest accepted is 100000`},
		{"100001d", `invalid period "100001d": the number 100001 is too large; the largest accepted is 100000`},
		{"P", `invalid period "P": an ISO-8601 period needs at least one number and unit after P, e.g. P8W`},
		{"PT5H", `invalid period "PT5H": times of day (the part from T) are not supported, deadlines are whole days; write e.g. P14D`},
		{"P1Y-2M", `invalid period "P1Y-2M": negative periods are not allowed, deadlines count forward; ` + periodHelp},
		{"P2D1M", `invalid period "P2D1M": ISO-8601 periods give each unit once, in the order Y, M, W, D, e.g. P1Y2M10D`},
		{"P5X", `invalid period "P5X": unknown ISO-8601 unit "X"; use Y, M, W or D, e.g. P1Y6M or P8W`},
		{"P5", `invalid period "P5": the number 5 has no unit; ISO-8601 periods use Y, M, W and D, e.g. P1Y6M`},
	}
	for _, c := range cases {
		got, err := ParsePeriod(c.in)
		if err == nil {
			t.Errorf("ParsePeriod(%q) = %+v, want an error", c.in, got)
			continue
		}
		if err.Error() != c.msg {
			t.Errorf("ParsePeriod(%q) error\n got %q\nwant %q", c.in, err.Error(), c.msg)
		}
	}
	if !strings.Contains(periodHelp, "8w") || !strings.Contains(periodHelp, "P8W") || !strings.Contains(periodHelp, "mo (months)") {
		t.Errorf("the help text must list the accepted forms: %q", periodHelp)
	}
}

func TestPeriodStringRoundTrip(t *testing.T) {
	cases := []struct {
		p        Period
		str, iso string
	}{
		{Period{}, "0d", "P0D"},
		{Period{Weeks: 8}, "8w", "P8W"},
		{Period{Years: 1, Months: 6}, "1y6mo", "P1Y6M"},
		{Period{Years: 1, Months: 2, Weeks: 3, Days: 4}, "1y2mo3w4d", "P1Y2M3W4D"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.str {
			t.Errorf("%+v.String() = %q, want %q", c.p, got, c.str)
		}
		if got := c.p.ISO(); got != c.iso {
			t.Errorf("%+v.ISO() = %q, want %q", c.p, got, c.iso)
		}
		for _, s := range []string{c.str, c.iso} {
			back, err := ParsePeriod(s)
			if err != nil || back != c.p {
				t.Errorf("ParsePeriod(%q) = %+v, %v; want %+v", s, back, err, c.p)
			}
		}
	}
}

func TestPeriodJSON(t *testing.T) {
	type cfg struct {
		Due       Period   `json:"due"`
		Reminders []Period `json:"reminders"`
	}
	b, err := json.Marshal(cfg{Due: Weeks(8), Reminders: []Period{Days(14), Days(7), Days(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"due":"8w","reminders":["14d","7d","1d"]}`; string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var c cfg
	if err := json.Unmarshal([]byte(`{"due":"P6M","reminders":["2w","1d"]}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Due != Months(6) || len(c.Reminders) != 2 || c.Reminders[0] != Weeks(2) || c.Reminders[1] != Days(1) {
		t.Errorf("json.Unmarshal gave %+v", c)
	}
	if err := json.Unmarshal([]byte(`{"due":""}`), &c); err == nil || !strings.Contains(err.Error(), "period is empty") {
		t.Errorf("an empty period in configuration must be rejected, got %v", err)
	}
	if err := json.Unmarshal([]byte(`{"due":"8x"}`), &c); err == nil || !strings.Contains(err.Error(), `unknown unit "x"`) {
		t.Errorf("a bad unit in configuration must be rejected, got %v", err)
	}
}

func TestPeriodAddTo(t *testing.T) {
	cases := []struct {
		from string
		p    Period
		want string
	}{
		{"2024-02-29", Years(1), "2025-02-28"},
		{"2024-02-29", Years(4), "2028-02-29"},
		{"2024-02-29", Period{Years: 1, Months: 1}, "2025-03-29"},
		{"2024-01-31", Months(1), "2024-02-29"},
		{"2025-01-31", Months(1), "2025-02-28"},
		{"2025-01-31", Months(2), "2025-03-31"},
		{"2025-08-31", Months(6), "2026-02-28"},
		{"2025-11-15", Months(3), "2026-02-15"},
		{"2024-02-01", Weeks(8), "2024-03-28"},
		{"2025-02-01", Weeks(8), "2025-03-29"},
		{"2024-01-10", Weeks(8), "2024-03-06"},
		{"2024-12-20", Days(14), "2025-01-03"},
		{"2025-01-31", Period{Months: 1, Days: 1}, "2025-03-01"},
		{"2027-03-01", Period{}, "2027-03-01"},
	}
	for _, c := range cases {
		from, _ := ParseDate(c.from)
		if got := c.p.AddTo(from).String(); got != c.want {
			t.Errorf("%s + %s = %s, want %s", c.from, c.p, got, c.want)
		}
	}
}

func TestPeriodSubtractFrom(t *testing.T) {
	cases := []struct {
		from string
		p    Period
		want string
	}{
		{"2025-02-28", Years(1), "2024-02-28"},
		{"2028-02-29", Years(1), "2027-02-28"},
		{"2024-03-31", Months(1), "2024-02-29"},
		{"2025-03-31", Months(1), "2025-02-28"},
		{"2025-01-15", Months(1), "2024-12-15"},
		{"2025-01-15", Months(13), "2023-12-15"},
		{"2024-03-28", Weeks(8), "2024-02-01"},
		{"2025-03-03", Days(14), "2025-02-17"},
		{"2025-03-01", Days(1), "2025-02-28"},
		{"2024-03-01", Days(1), "2024-02-29"},
	}
	for _, c := range cases {
		from, _ := ParseDate(c.from)
		if got := c.p.SubtractFrom(from).String(); got != c.want {
			t.Errorf("%s - %s = %s, want %s", c.from, c.p, got, c.want)
		}
	}
}

func TestPeriodHelpers(t *testing.T) {
	if got := (Period{Years: 1, Months: 2, Weeks: 3, Days: 4}).ApproxDays(); got != 365+60+21+4 {
		t.Errorf("ApproxDays = %d, want 450", got)
	}
	if !(Period{}).IsZero() || Days(1).IsZero() {
		t.Error("IsZero is wrong")
	}
	if err := (Period{Days: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("Validate of a negative period = %v", err)
	}
	if err := Weeks(8).Validate(); err != nil {
		t.Errorf("Validate(8w) = %v", err)
	}
	if got := Months(3).scale(4); got != Years(1).scale(0).add(Months(12)) {
		t.Errorf("scale = %+v", got)
	}
	if d := NewDate(2025, time.January, 31); Months(1).scale(2).AddTo(d) != NewDate(2025, 3, 31) {
		t.Error("a scaled month period must not drift after a month-end clamp")
	}
}
