package domain

import (
	"sync"
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	cases := map[int]string{
		2017: "2017-04-16",
		2019: "2019-04-21",
		2023: "2023-04-09",
		2024: "2024-03-31",
		2025: "2025-04-20",
		2026: "2026-04-05",
		2027: "2027-03-28",
		2038: "2038-04-25", // as late as Easter gets
		2285: "2285-03-22", // as early as Easter gets
	}
	for year, want := range cases {
		if got := Easter(year).String(); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
		if Easter(year).Weekday() != time.Sunday {
			t.Errorf("Easter(%d) is not a Sunday", year)
		}
	}
}

func TestDanishHolidays(t *testing.T) {
	type h struct{ date, name string }
	fixedTail := func(y string) []h {
		return []h{{y + "-12-24", "Juleaftensdag"}, {y + "-12-25", "Juledag"}, {y + "-12-26", "2. juledag"}, {y + "-12-31", "Nytårsaftensdag"}}
	}
	cases := map[int][]h{
		2023: append([]h{
			{"2023-01-01", "Nytårsdag"},
			{"2023-04-06", "Skærtorsdag"},
			{"2023-04-07", "Langfredag"},
			{"2023-04-09", "Påskedag"},
			{"2023-04-10", "2. påskedag"},
			{"2023-05-05", "Store bededag"},
			{"2023-05-18", "Kristi himmelfartsdag"},
			{"2023-05-28", "Pinsedag"},
			{"2023-05-29", "2. pinsedag"},
			{"2023-06-05", "Grundlovsdag"},
		}, fixedTail("2023")...),
		2024: append([]h{
			{"2024-01-01", "Nytårsdag"},
			{"2024-03-28", "Skærtorsdag"},
			{"2024-03-29", "Langfredag"},
			{"2024-03-31", "Påskedag"},
			{"2024-04-01", "2. påskedag"},
			{"2024-05-09", "Kristi himmelfartsdag"},
			{"2024-05-19", "Pinsedag"},
			{"2024-05-20", "2. pinsedag"},
			{"2024-06-05", "Grundlovsdag"},
		}, fixedTail("2024")...),
		2025: append([]h{
			{"2025-01-01", "Nytårsdag"},
			{"2025-04-17", "Skærtorsdag"},
			{"2025-04-18", "Langfredag"},
			{"2025-04-20", "Påskedag"},
			{"2025-04-21", "2. påskedag"},
			{"2025-05-29", "Kristi himmelfartsdag"},
			{"2025-06-05", "Grundlovsdag"},
			{"2025-06-08", "Pinsedag"},
			{"2025-06-09", "2. pinsedag"},
		}, fixedTail("2025")...),
		2026: append([]h{
			{"2026-01-01", "Nytårsdag"},
			{"2026-04-02", "Skærtorsdag"},
			{"2026-04-03", "Langfredag"},
			{"2026-04-05", "Påskedag"},
			{"2026-04-06", "2. påskedag"},
			{"2026-05-14", "Kristi himmelfartsdag"},
			{"2026-05-24", "Pinsedag"},
			{"2026-05-25", "2. pinsedag"},
			{"2026-06-05", "Grundlovsdag"},
		}, fixedTail("2026")...),
	}
	for year, want := range cases {
		got := DanishHolidays(year)
		if len(got) != len(want) {
			t.Errorf("DanishHolidays(%d) has %d days, want %d: %v", year, len(got), len(want), got)
			continue
		}
		for i, w := range want {
			if got[i].Date.String() != w.date || got[i].NameDA != w.name || got[i].NameEN == "" {
				t.Errorf("DanishHolidays(%d)[%d] = %s %q (%q), want %s %q", year, i, got[i].Date, got[i].NameDA, got[i].NameEN, w.date, w.name)
			}
			d, _ := ParseDate(w.date)
			if name, ok := HolidayName(d); !ok || name != w.name {
				t.Errorf("HolidayName(%s) = %q, %v; want %q", w.date, name, ok, w.name)
			}
			if IsWorkingDay(d) {
				t.Errorf("IsWorkingDay(%s, %s) = true", w.date, w.name)
			}
		}
	}
}

func TestStoreBededagAbolished(t *testing.T) {
	has := func(year int) bool {
		for _, h := range DanishHolidays(year) {
			if h.NameDA == "Store bededag" {
				return true
			}
		}
		return false
	}
	if !has(2023) {
		t.Error("Store bededag must be a holiday in 2023")
	}
	for _, y := range []int{2024, 2025, 2030} {
		if has(y) {
			t.Errorf("Store bededag must not be a holiday in %d", y)
		}
	}
	// Store bededag 2024 would have been Friday 26 April; it is a working day now.
	if d := NewDate(2024, 4, 26); !IsWorkingDay(d) {
		t.Errorf("%s should be a working day after Store bededag was abolished", d)
	}
}

func TestHolidaysShareADay(t *testing.T) {
	// In 2017 Whit Monday fell on Constitution Day.
	name, ok := HolidayName(NewDate(2017, 6, 5))
	if !ok || name != "2. pinsedag / Grundlovsdag" {
		t.Errorf("HolidayName(2017-06-05) = %q, %v", name, ok)
	}
	if n := len(DanishHolidays(2017)); n != 14 {
		t.Errorf("2017 lists %d holidays, want 14 (both days of 5 June kept)", n)
	}
}

func TestIsWorkingDay(t *testing.T) {
	cases := []struct {
		date string
		want bool
	}{
		{"2025-03-01", false}, // Saturday
		{"2025-03-02", false}, // Sunday
		{"2025-03-03", true},  // Monday
		{"2025-04-16", true},  // Wednesday before Easter
		{"2025-04-22", true},  // Tuesday after Easter
		{"2025-06-04", true},
		{"2025-12-23", true},
		{"2026-01-02", true},
	}
	for _, c := range cases {
		d, _ := ParseDate(c.date)
		if got := IsWorkingDay(d); got != c.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", c.date, got, c.want)
		}
	}
	if _, ok := HolidayName(NewDate(2025, 3, 3)); ok {
		t.Error("HolidayName of an ordinary Monday must report false")
	}
}

func TestNextWorkingDay(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2025-03-03", "2025-03-03"}, // already a working day
		{"2025-03-01", "2025-03-03"}, // Saturday -> Monday
		{"2025-03-02", "2025-03-03"}, // Sunday -> Monday
		{"2025-04-17", "2025-04-22"}, // Skærtorsdag -> Tuesday after Easter
		{"2026-04-02", "2026-04-07"}, // Skærtorsdag -> Tuesday after Easter
		{"2025-12-24", "2025-12-29"}, // Wed 24 -> 25, 26, weekend -> Monday 29
		{"2024-12-24", "2024-12-27"}, // Tue 24 -> Friday 27
		{"2026-12-24", "2026-12-28"}, // Thu 24 -> Fri 25, weekend -> Monday 28
		{"2025-12-31", "2026-01-02"}, // Nytårsaftensdag, Nytårsdag -> Friday 2 January
		{"2025-06-05", "2025-06-06"}, // Grundlovsdag
		{"2025-06-07", "2025-06-10"}, // Saturday before Whitsun -> Tuesday
		{"2023-05-05", "2023-05-08"}, // Store bededag 2023 -> Monday
	}
	for _, c := range cases {
		d, _ := ParseDate(c.in)
		if got := NextWorkingDay(d).String(); got != c.want {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestDanishHolidaysIsACopyAndConcurrent(t *testing.T) {
	list := DanishHolidays(2025)
	list[0].NameDA = "changed"
	if DanishHolidays(2025)[0].NameDA != "Nytårsdag" {
		t.Error("modifying the returned slice changed the cached holidays")
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			year := 2030 + i%4
			if n := len(DanishHolidays(year)); n != 13 {
				t.Errorf("DanishHolidays(%d) has %d days, want 13", year, n)
			}
			_ = IsWorkingDay(NewDate(year, 12, 24))
		}()
	}
	wg.Wait()
	// Years outside the cached range still work.
	if n := len(DanishHolidays(3000)); n != 13 {
		t.Errorf("DanishHolidays(3000) has %d days", n)
	}
}
