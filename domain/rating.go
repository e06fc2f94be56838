package domain

import "fmt"

// Rating is the self-evaluation's assessment of one standard on the model's four-point scale.
// Management and staff rate every standard each year; the ratings are input to the external
// evaluation. Lower is better: 1 is met, 4 is not met.
type Rating int

// The four points of the scale.
const (
	RatingMet        Rating = 1 // Opfyldt
	RatingLargelyMet Rating = 2 // Overvejende opfyldt
	RatingPartlyMet  Rating = 3 // Delvist opfyldt
	RatingNotMet     Rating = 4 // Ikke opfyldt

	// MinRating and MaxRating bound the scale, for forms and validation.
	MinRating = RatingMet
	MaxRating = RatingNotMet
)

// Ratings lists the scale from best to worst, for forms.
func Ratings() []Rating { return []Rating{RatingMet, RatingLargelyMet, RatingPartlyMet, RatingNotMet} }

// Valid reports whether r is on the scale; the zero Rating (not yet rated) is not.
func (r Rating) Valid() bool { return r >= MinRating && r <= MaxRating }

// LabelDA is the Danish label shown in the self-evaluation form, e.g. "Delvist opfyldt".
func (r Rating) LabelDA() string {
	switch r {
	case RatingMet:
		return "Opfyldt"
	case RatingLargelyMet:
		return "Overvejende opfyldt"
	case RatingPartlyMet:
		return "Delvist opfyldt"
	case RatingNotMet:
		return "Ikke opfyldt"
	}
	return fmt.Sprintf("ugyldig vurdering %d", int(r))
}

// LabelEN is the English label, e.g. "Partly met".
func (r Rating) LabelEN() string {
	switch r {
	case RatingMet:
		return "Met"
	case RatingLargelyMet:
		return "Largely met"
	case RatingPartlyMet:
		return "Partly met"
	case RatingNotMet:
		return "Not met"
	}
	return fmt.Sprintf("invalid rating %d", int(r))
}

// ParseRating checks a rating given as a number, e.g. from a form or an API call.
func ParseRating(n int) (Rating, error) {
	if r := Rating(n); r.Valid() {
		return r, nil
	}
	return 0, fmt.Errorf("rating must be 1, 2, 3 or 4 (1 met, 2 largely met, 3 partly met, 4 not met); got %d", n)
}

// Verdict is the external evaluation's overall conclusion in the report. It decides the
// follow-up: nothing, an action plan, or a revisit by the same team.
type Verdict int

// The three verdicts of the model text.
const (
	// VerdictMeets: the institution meets the standards (approved).
	VerdictMeets Verdict = 1
	// VerdictSomeAreas: some areas do not fully meet the standards and must improve; the
	// institution submits an action plan.
	VerdictSomeAreas Verdict = 2
	// VerdictImportantAreas: important areas do not meet the standards; they must improve and
	// the evaluators revisit.
	VerdictImportantAreas Verdict = 3
)

// Verdicts lists the three verdicts in order, for forms.
func Verdicts() []Verdict { return []Verdict{VerdictMeets, VerdictSomeAreas, VerdictImportantAreas} }

// Valid reports whether v is one of the three verdicts; the zero Verdict (none yet) is not.
func (v Verdict) Valid() bool { return v >= VerdictMeets && v <= VerdictImportantAreas }

// LabelDA is the Danish label used in reports and publication.
func (v Verdict) LabelDA() string {
	switch v {
	case VerdictMeets:
		return "Standarderne er opfyldt"
	case VerdictSomeAreas:
		return "Enkelte områder skal forbedres"
	case VerdictImportantAreas:
		return "Væsentlige områder skal forbedres – genbesøg"
	}
	return fmt.Sprintf("ugyldig konklusion %d", int(v))
}

// LabelEN is the English label.
func (v Verdict) LabelEN() string {
	switch v {
	case VerdictMeets:
		return "Meets the standards"
	case VerdictSomeAreas:
		return "Some areas must improve"
	case VerdictImportantAreas:
		return "Important areas must improve – revisit"
	}
	return fmt.Sprintf("invalid verdict %d", int(v))
}

// RequiresActionPlan reports whether the institution must submit an action plan (verdict 2).
func (v Verdict) RequiresActionPlan() bool { return v == VerdictSomeAreas }

// RequiresRevisit reports whether the team must revisit the institution (verdict 3).
func (v Verdict) RequiresRevisit() bool { return v == VerdictImportantAreas }

// ParseVerdict checks a verdict given as a number, e.g. from the report form or an appeal
// decision.
func ParseVerdict(n int) (Verdict, error) {
	if v := Verdict(n); v.Valid() {
		return v, nil
	}
	return 0, fmt.Errorf("verdict must be 1, 2 or 3 (1 meets the standards, 2 some areas must improve, 3 important areas must improve and the team revisits); got %d", n)
}
