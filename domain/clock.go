package domain

import "time"

// Clock maps calendar dates to instants and back. With a day length of 24 hours it is the
// real calendar; for demos and tests a shorter day length runs the same three-year cycle in
// minutes, and every deadline rule still works on dates. Workflows turn a due date into a
// timer with TimeOf, and the current instant into "today" with DateAt.
type Clock struct {
	// AnchorDate is the calendar date that begins at AnchorTime.
	AnchorDate Date `json:"anchor_date"`
	// AnchorTime is the instant AnchorDate begins.
	AnchorTime time.Time `json:"anchor_time"`
	// DayLength is how long each date lasts; the next date begins DayLength after the previous.
	DayLength time.Duration `json:"day_length"`
}

// NewClock builds a clock and validates it, for callers that take the parts from configuration.
func NewClock(anchorDate Date, anchorTime time.Time, dayLength time.Duration) (Clock, error) {
	c := Clock{AnchorDate: anchorDate, AnchorTime: anchorTime, DayLength: dayLength}
	return c, c.Validate()
}

// Validate lists every problem that would make the clock meaningless: a day length that is not
// positive, and a missing or impossible anchor.
func (c Clock) Validate() error {
	v := &ValidationError{What: "clock"}
	if c.DayLength <= 0 {
		v.addf("day length is %s: it must be positive, 24h for real dates or e.g. 2s for a fast demo", c.DayLength)
	}
	switch {
	case c.AnchorDate.IsZero():
		v.addf("anchor date is not set: give the calendar date that begins at the anchor time, e.g. the cycle's start date")
	case !c.AnchorDate.Valid():
		v.addf("anchor date %s is not a calendar day: build it with NewDate or ParseDate", c.AnchorDate)
	}
	if c.AnchorTime.IsZero() {
		v.addf("anchor time is not set: give the instant the anchor date begins, e.g. the moment the demo starts")
	}
	return v.err()
}

// TimeOf is the instant date d begins: AnchorTime plus DayLength for every day from
// AnchorDate to d (negative for dates before the anchor).
func (c Clock) TimeOf(d Date) time.Time {
	return c.AnchorTime.Add(time.Duration(d.DaysSince(c.AnchorDate)) * c.DayLength)
}

// DateAt is the date whose day contains t: days are counted from AnchorTime by floor division,
// so an instant just before the anchor belongs to the day before AnchorDate. A clock whose
// DayLength is not positive (see Validate) gives AnchorDate for every instant.
func (c Clock) DateAt(t time.Time) Date {
	if c.DayLength <= 0 {
		return c.AnchorDate
	}
	elapsed := t.Sub(c.AnchorTime)
	days := elapsed / c.DayLength
	if elapsed%c.DayLength != 0 && elapsed < 0 {
		days--
	}
	return c.AnchorDate.AddDays(int(days))
}
