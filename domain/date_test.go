package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestNewDateNormalises(t *testing.T) {
	cases := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2025, time.January, 32, "2025-02-01"},
		{2024, time.February, 30, "2024-03-01"},
		{2025, time.February, 29, "2025-03-01"},
		{2025, 13, 1, "2026-01-01"},
		{2025, time.March, 0, "2025-02-28"},
	}
	for _, c := range cases {
		if got := NewDate(c.y, c.m, c.d).String(); got != c.want {
			t.Errorf("NewDate(%d, %d, %d) = %s, want %s", c.y, c.m, c.d, got, c.want)
		}
	}
}

func TestDateOfUsesLocation(t *testing.T) {
	cph := time.FixedZone("CEST", 2*60*60)
	instant := time.Date(2027, 2, 28, 23, 30, 0, 0, time.UTC)
	if got := DateOf(instant); got != NewDate(2027, 2, 28) {
		t.Errorf("DateOf(UTC) = %s, want 2027-02-28", got)
	}
	if got := DateOf(instant.In(cph)); got != NewDate(2027, 3, 1) {
		t.Errorf("DateOf(+02:00) = %s, want 2027-03-01", got)
	}
}

func TestParseDate(t *testing.T) {
	good := map[string]Date{
		"2027-03-01":   NewDate(2027, 3, 1),
		" 2024-02-29 ": NewDate(2024, 2, 29),
		"0001-01-01":   {1, 1, 1},
	}
	for in, want := range good {
		got, err := ParseDate(in)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	bad := []struct{ in, msg string }{
		{"", "date is empty: write it as YYYY-MM-DD, e.g. 2027-03-01"},
		{"1/3/2027", `invalid date "1/3/2027": write it as YYYY-MM-DD, e.g. 2027-03-01`},
		{"2027-3-1", `invalid date "2027-3-1": write it as YYYY-MM-DD, e.g. 2027-03-01`},
		{"2027-13-01", `invalid date "2027-13-01": there is no month 13; use 01 to 12`},
		{"2023-02-29", `invalid date "2023-02-29": February 2023 has 28 days`},
		{"2024-04-31", `invalid date "2024-04-31": April 2024 has 30 days`},
		{"0000-01-01", `invalid date "0000-01-01": the year must be 0001 or later`},
	}
	for _, c := range bad {
		_, err := ParseDate(c.in)
		if err == nil || err.Error() != c.msg {
			t.Errorf("ParseDate(%q) error = %v; want %q", c.in, err, c.msg)
		}
	}
}

func TestDateJSONRoundTrip(t *testing.T) {
	type doc struct {
		Due   Date   `json:"due"`
		None  Date   `json:"none"`
		Dates []Date `json:"dates"`
	}
	in := doc{Due: NewDate(2027, 3, 1), Dates: []Date{NewDate(2024, 2, 29), NewDate(1999, 12, 31)}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"due":"2027-03-01","none":"","dates":["2024-02-29","1999-12-31"]}`
	if string(b) != want {
		t.Errorf("json.Marshal = %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Due != in.Due || !out.None.IsZero() || len(out.Dates) != 2 || out.Dates[0] != in.Dates[0] || out.Dates[1] != in.Dates[1] {
		t.Errorf("round trip gave %+v, want %+v", out, in)
	}
	err = json.Unmarshal([]byte(`{"due":"2027-02-30"}`), &out)
	if err == nil || !strings.Contains(err.Error(), "February 2027 has 28 days") {
		t.Errorf("unmarshalling an impossible date: error = %v", err)
	}
	if _, err := json.Marshal(doc{Due: Date{2024, 2, 30}}); err == nil {
		t.Error("marshalling a non-calendar date must fail")
	}
}

func TestDateArithmeticAndComparison(t *testing.T) {
	a := NewDate(2024, 2, 28)
	if got := a.AddDays(1); got != NewDate(2024, 2, 29) {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := a.AddDays(2); got != NewDate(2024, 3, 1) {
		t.Errorf("AddDays(2) = %s", got)
	}
	if got := a.AddDays(-59); got != NewDate(2023, 12, 31) {
		t.Errorf("AddDays(-59) = %s", got)
	}
	b := NewDate(2025, 2, 28)
	if got := b.DaysSince(a); got != 366 {
		t.Errorf("DaysSince across a leap day = %d, want 366", got)
	}
	if got := a.DaysSince(b); got != -366 {
		t.Errorf("DaysSince backwards = %d, want -366", got)
	}
	if got := NewDate(1960, 1, 1).DaysSince(NewDate(1959, 12, 31)); got != 1 {
		t.Errorf("DaysSince before 1970 = %d, want 1", got)
	}
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Equal(b) || !a.Equal(NewDate(2024, 2, 28)) {
		t.Error("Before/After/Equal disagree with the calendar")
	}
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("Compare disagrees with the calendar")
	}
	if NewDate(2027, 3, 1).Weekday() != time.Monday {
		t.Errorf("2027-03-01 is a Monday, got %s", NewDate(2027, 3, 1).Weekday())
	}
	if tm := NewDate(2027, 3, 1).Time(); !tm.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %s", tm)
	}
	if !(Date{}).IsZero() || NewDate(2027, 3, 1).IsZero() {
		t.Error("IsZero is wrong")
	}
	if (Date{}).Valid() || (Date{2024, 2, 30}).Valid() || !NewDate(2024, 2, 29).Valid() {
		t.Error("Valid is wrong")
	}
}

func TestDateSQL(t *testing.T) {
	v, err := NewDate(2027, 3, 1).Value()
	if err != nil || v != "2027-03-01" {
		t.Errorf("Value() = %v, %v; want \"2027-03-01\"", v, err)
	}
	if v, err := (Date{}).Value(); err != nil || v != nil {
		t.Errorf("zero Value() = %v, %v; want nil (NULL)", v, err)
	}
	want := NewDate(2027, 3, 1)
	for _, src := range []any{"2027-03-01", []byte("2027-03-01"), "2027-03-01T00:00:00Z", "2027-03-01 00:00:00",
		time.Date(2027, 3, 1, 23, 59, 0, 0, time.UTC)} {
		var d Date
		if err := d.Scan(src); err != nil || d != want {
			t.Errorf("Scan(%#v) = %s, %v; want %s", src, d, err, want)
		}
	}
	d := want
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Errorf("Scan(nil) = %s, %v; want zero", d, err)
	}
	if err := d.Scan(42); err == nil || !strings.Contains(err.Error(), "store dates as TEXT") {
		t.Errorf("Scan(42) error = %v", err)
	}
	if err := d.Scan("01-03-2027"); err == nil {
		t.Error("Scan of a malformed string must fail")
	}
}
