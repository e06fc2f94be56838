package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestClockFast(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	c := Clock{AnchorDate: NewDate(2027, 3, 1), AnchorTime: t0, DayLength: 2 * time.Second}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	timeOf := []struct {
		date string
		want time.Duration
	}{
		{"2027-03-01", 0},
		{"2027-03-02", 2 * time.Second},
		{"2027-03-04", 6 * time.Second},
		{"2027-02-28", -2 * time.Second},
		{"2026-03-01", -365 * 2 * time.Second},
		{"2030-03-01", (365*3 + 1) * 2 * time.Second}, // 2028 is a leap year
	}
	for _, c2 := range timeOf {
		d, _ := ParseDate(c2.date)
		if got := c.TimeOf(d); !got.Equal(t0.Add(c2.want)) {
			t.Errorf("TimeOf(%s) = anchor %+v, want anchor %+v", c2.date, got.Sub(t0), c2.want)
		}
		if back := c.DateAt(c.TimeOf(d)); back != d {
			t.Errorf("DateAt(TimeOf(%s)) = %s", c2.date, back)
		}
		if back := c.DateAt(c.TimeOf(d).Add(2*time.Second - time.Nanosecond)); back != d {
			t.Errorf("the last instant of %s gives %s", c2.date, back)
		}
	}
	dateAt := []struct {
		offset time.Duration
		want   string
	}{
		{0, "2027-03-01"},
		{time.Second, "2027-03-01"},
		{2*time.Second - time.Nanosecond, "2027-03-01"},
		{2 * time.Second, "2027-03-02"},
		{5900 * time.Millisecond, "2027-03-03"},
		{-time.Nanosecond, "2027-02-28"},
		{-2 * time.Second, "2027-02-28"},
		{-2*time.Second - time.Nanosecond, "2027-02-27"},
	}
	for _, c2 := range dateAt {
		if got := c.DateAt(t0.Add(c2.offset)).String(); got != c2.want {
			t.Errorf("DateAt(anchor %+v) = %s, want %s", c2.offset, got, c2.want)
		}
	}
}

func TestClockRealDays(t *testing.T) {
	anchor := NewDate(2027, 3, 1)
	c := Clock{AnchorDate: anchor, AnchorTime: anchor.Time(), DayLength: 24 * time.Hour}
	for _, d := range []Date{NewDate(2024, 2, 29), NewDate(2027, 3, 1), NewDate(2031, 12, 31)} {
		if got := c.TimeOf(d); !got.Equal(d.Time()) {
			t.Errorf("with real days TimeOf(%s) = %s, want %s", d, got, d.Time())
		}
	}
	instant := time.Date(2029, 7, 14, 18, 30, 0, 0, time.UTC)
	if got := c.DateAt(instant); got != DateOf(instant) {
		t.Errorf("with real days DateAt(%s) = %s", instant, got)
	}
}

func TestClockValidate(t *testing.T) {
	err := Clock{}.Validate()
	var v *ValidationError
	if !errors.As(err, &v) || len(v.Problems) != 3 {
		t.Fatalf("Validate of the zero clock = %v; want 3 problems", err)
	}
	for _, want := range []string{"day length is 0s", "anchor date is not set", "anchor time is not set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate message %q lacks %q", err, want)
		}
	}
	_, err = NewClock(Date{2027, 2, 30}, time.Now(), -time.Second)
	if err == nil || !strings.Contains(err.Error(), "anchor date 2027-02-30 is not a calendar day") || !strings.Contains(err.Error(), "day length is -1s") {
		t.Errorf("NewClock with a bad anchor and day length: %v", err)
	}
	// An invalid clock must not panic.
	bad := Clock{AnchorDate: NewDate(2027, 3, 1)}
	if got := bad.DateAt(time.Now()); got != bad.AnchorDate {
		t.Errorf("DateAt on a clock with no day length = %s, want the anchor date", got)
	}
}
