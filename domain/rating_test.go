package domain

import (
	"strconv"
	"testing"
)

func TestRatings(t *testing.T) {
	want := []struct {
		r      Rating
		da, en string
	}{
		{1, "Opfyldt", "Met"},
		{2, "Overvejende opfyldt", "Largely met"},
		{3, "Delvist opfyldt", "Partly met"},
		{4, "Ikke opfyldt", "Not met"},
	}
	got := Ratings()
	if len(got) != len(want) || MinRating != 1 || MaxRating != 4 {
		t.Fatalf("Ratings() = %v, bounds %d-%d", got, MinRating, MaxRating)
	}
	for i, w := range want {
		if got[i] != w.r || !w.r.Valid() || w.r.LabelDA() != w.da || w.r.LabelEN() != w.en {
			t.Errorf("rating %d: got %d %q %q valid=%v, want %q %q", i, got[i], w.r.LabelDA(), w.r.LabelEN(), w.r.Valid(), w.da, w.en)
		}
	}
	for _, r := range []Rating{0, 5, -1} {
		if r.Valid() {
			t.Errorf("Rating(%d).Valid() = true", r)
		}
	}
	if _, err := ParseRating(5); err == nil || err.Error() != "rating must be 1, 2, 3 or 4 (1 met, 2 largely met, 3 partly met, 4 not met); got 5" {
		t.Errorf("ParseRating(5) error = %v", err)
	}
	if r, err := ParseRating(3); err != nil || r != RatingPartlyMet {
		t.Errorf("ParseRating(3) = %d, %v", r, err)
	}
}

func TestVerdicts(t *testing.T) {
	want := []struct {
		v             Verdict
		da, en        string
		plan, revisit bool
	}{
		{VerdictMeets, "Standarderne er opfyldt", "Meets the standards", false, false},
		{VerdictSomeAreas, "Enkelte områder skal forbedres", "Some areas must improve", true, false},
		{VerdictImportantAreas, "Væsentlige områder skal forbedres – genbesøg", "Important areas must improve – revisit", false, true},
	}
	for i, w := range want {
		if int(w.v) != i+1 {
			t.Errorf("verdict %q is %d, want %d", w.en, w.v, i+1)
		}
		if !w.v.Valid() || w.v.LabelDA() != w.da || w.v.LabelEN() != w.en || w.v.RequiresActionPlan() != w.plan || w.v.RequiresRevisit() != w.revisit {
			t.Errorf("verdict %d: %q %q plan=%v revisit=%v", w.v, w.v.LabelDA(), w.v.LabelEN(), w.v.RequiresActionPlan(), w.v.RequiresRevisit())
		}
		got, err := ParseVerdict(i + 1)
		if err != nil || got != w.v {
			t.Errorf("ParseVerdict(%d) = %d, %v", i+1, got, err)
		}
	}
	for _, n := range []int{0, 4, 5, -1} {
		want := "verdict must be 1, 2 or 3 (1 meets the standards, 2 some areas must improve, 3 important areas must improve and the team revisits); got " + strconv.Itoa(n)
		if _, err := ParseVerdict(n); err == nil || err.Error() != want {
			t.Errorf("ParseVerdict(%d) error = %v, want %q", n, err, want)
		}
		if Verdict(n).Valid() {
			t.Errorf("Verdict(%d).Valid() = true", n)
		}
	}
	if len(Verdicts()) != 3 {
		t.Errorf("Verdicts() = %v", Verdicts())
	}
}
