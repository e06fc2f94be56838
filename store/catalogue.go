package store

// The standards catalogue (issue 9, point 8): generations imported from data files, never
// changed once imported, and read back whole for the cycles. A standard that recorded data
// refers to is never deleted: a new generation without it gets it back as retired.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// AuditImportCatalogue is the action of a catalogue import's audit entry, in the registry's
// trail (starter audit --registry).
const AuditImportCatalogue = "import-catalogue"

// CatalogueRefusedError is a generation the store refused to import: its number or date does
// not follow the generations stored, or its number is taken by a generation with other
// content. Reason says why and what to do.
type CatalogueRefusedError struct {
	Generation int
	Reason     string
}

func (e *CatalogueRefusedError) Error() string { return e.Reason }

// CatalogueImport is what an import did.
type CatalogueImport struct {
	Generation int `json:"generation"`
	// Unchanged is set when the store already held the generation with the same content:
	// nothing was written.
	Unchanged bool `json:"unchanged"`
	// CarriedStandards are the standards the file left out that recorded data refers to:
	// they were carried into the generation as retired, never deleted.
	CarriedStandards []string `json:"carried_standards"`
	// CarriedIndicators are the indicators carried the same way into standards the file has.
	CarriedIndicators []string        `json:"carried_indicators"`
	Counts            CatalogueCounts `json:"counts"`
}

// Summary says what the import did in one line, for the starter and the audit trail.
func (r CatalogueImport) Summary() string {
	if r.Unchanged {
		return fmt.Sprintf("generation %d is already imported with the same content: nothing changed", r.Generation)
	}
	s := fmt.Sprintf("generation %d imported: %d themes, %d standards, %d indicators", r.Generation,
		r.Counts.Themes, r.Counts.Standards, r.Counts.Indicators)
	if len(r.CarriedStandards) > 0 {
		s += "; carried as retired (recorded data refers to them): standards " + strings.Join(r.CarriedStandards, ", ")
	}
	if len(r.CarriedIndicators) > 0 {
		s += "; carried as retired: indicators " + strings.Join(r.CarriedIndicators, ", ")
	}
	return s
}

// ImportGeneration stores a new catalogue generation, in one transaction with its audit entry
// (unless audit is nil; its Subject names the file). It refuses, with a *CatalogueRefusedError:
// a number the store holds with other content (a generation never changes once imported), a
// number lower than the latest, and an effective date before the latest generation's. Importing
// a generation the store holds with the same content changes nothing and says so. A standard
// with recorded data (self-evaluation ratings and notes, indicator values, report
// assessments) that the new generation leaves out is carried into it as retired, and so is
// such an indicator of a standard it keeps. An invalid generation is refused with its
// *domain.ValidationError.
func (s *Store) ImportGeneration(ctx context.Context, gen domain.Generation, audit *RegistryAudit) (CatalogueImport, error) {
	var res CatalogueImport
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		source, actor := "", ""
		if audit != nil {
			source, actor = audit.Subject, audit.ActorID
		}
		var err error
		res, err = s.importGenerationTx(ctx, tx, gen, source, actor, false)
		if err != nil || audit == nil {
			return err
		}
		entry := *audit
		entry.Action = AuditImportCatalogue
		entry.Subject = strings.TrimPrefix(audit.Subject+": "+res.Summary(), ": ")
		return s.auditRegistryTx(ctx, tx, entry, nil, nil)
	})
	if err != nil {
		return CatalogueImport{}, err
	}
	return res, nil
}

// storedGeneration is a generation's own row.
type storedGeneration struct {
	Number        int          `db:"number"`
	NameDA        string       `db:"name_da"`
	NameEN        string       `db:"name_en"`
	EffectiveFrom domain.Date  `db:"effective_from"`
	Example       bool         `db:"example"`
	NoticeDA      string       `db:"notice_da"`
	NoticeEN      string       `db:"notice_en"`
	Document      string       `db:"document"`
	Source        string       `db:"source"`
	ImportedBy    string       `db:"imported_by"`
	ImportedAt    sql.NullTime `db:"imported_at"`
}

const generationColumns = `number, name_da, name_en, effective_from, example, notice_da, notice_en, document, source,
	imported_by, imported_at`

// importGenerationTx imports gen (see ImportGeneration). The seed (seed set) also rewrites a
// shipped generation whose stored rows are of an earlier version (no document) or were
// changed by hand.
func (s *Store) importGenerationTx(ctx context.Context, tx *sqlx.Tx, gen domain.Generation, source, actor string, seed bool) (CatalogueImport, error) {
	res := CatalogueImport{Generation: gen.Number}
	if err := gen.Validate(); err != nil {
		return res, err
	}
	// Imports (and the seeds of replicas that start together) read the stored generations
	// before they write one: one at a time.
	if err := s.serialize(ctx, tx, "catalogue"); err != nil {
		return res, err
	}
	given, err := json.Marshal(gen)
	if err != nil {
		return res, err
	}
	var stored storedGeneration
	err = tx.GetContext(ctx, &stored, tx.Rebind(`SELECT `+generationColumns+` FROM catalogue_generations WHERE number = ?`), gen.Number)
	switch {
	case err == nil:
		same := stored.Document == string(given)
		if !same && !(seed && stored.Document == "") {
			held, err := generationTx(ctx, tx, gen.Number)
			if err != nil {
				return res, err
			}
			if !held.Equal(gen) {
				return res, changedGeneration(stored, held, gen)
			}
			same = true
		}
		if same && !seed {
			res.Unchanged = true
			res.Counts, err = catalogueCountsTx(ctx, tx, gen.Number)
			return res, err
		}
		// The seed restores a shipped generation's rows: an earlier version's, or edited by hand.
		if err := s.writeGenerationTx(ctx, tx, gen, string(given), source, actor); err != nil {
			return res, err
		}
		res.Unchanged = same
		res.Counts, err = catalogueCountsTx(ctx, tx, gen.Number)
		return res, err
	case !errors.Is(err, sql.ErrNoRows):
		return res, err
	}

	var latest storedGeneration
	err = tx.GetContext(ctx, &latest, `SELECT `+generationColumns+` FROM catalogue_generations ORDER BY number DESC LIMIT 1`)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return res, err
	case gen.Number < latest.Number:
		return res, &CatalogueRefusedError{Generation: gen.Number, Reason: fmt.Sprintf(
			"generation %d is older than the latest generation in the store, %d: number a new generation %d or higher",
			gen.Number, latest.Number, latest.Number+1)}
	case gen.EffectiveFrom.Before(latest.EffectiveFrom):
		return res, &CatalogueRefusedError{Generation: gen.Number, Reason: fmt.Sprintf(
			"generation %d takes effect on %s, before generation %d (in force from %s): a new generation takes effect on or after the one before it",
			gen.Number, gen.EffectiveFrom, latest.Number, latest.EffectiveFrom)}
	}

	full := gen.Clone()
	res.CarriedStandards, res.CarriedIndicators, err = carryRecorded(ctx, tx, &full)
	if err != nil {
		return res, err
	}
	if err := full.Validate(); err != nil {
		return res, &CatalogueRefusedError{Generation: gen.Number, Reason: fmt.Sprintf(
			"generation %d leaves out what recorded data refers to (standards %s, indicators %s), which is carried into it as retired, "+
				"and with them it is not valid: %v; keep those standards in the file, marked retired: true, in a way that fits",
			gen.Number, listOrNone(res.CarriedStandards), listOrNone(res.CarriedIndicators), err)}
	}
	if err := s.writeGenerationTx(ctx, tx, full, string(given), source, actor); err != nil {
		return res, err
	}
	res.Counts, err = catalogueCountsTx(ctx, tx, gen.Number)
	return res, err
}

func listOrNone(codes []string) string {
	if len(codes) == 0 {
		return "none"
	}
	return strings.Join(codes, ", ")
}

// changedGeneration refuses to change a stored generation, saying how the new one differs.
func changedGeneration(stored storedGeneration, held, gen domain.Generation) error {
	from := ""
	if stored.Source != "" {
		from = " from " + stored.Source
	}
	if stored.ImportedBy != "" {
		from += " by " + stored.ImportedBy
	}
	if stored.ImportedAt.Valid {
		from += " on " + domain.DateOf(stored.ImportedAt.Time).String()
	}
	return &CatalogueRefusedError{Generation: gen.Number, Reason: fmt.Sprintf(
		"generation %d is already imported%s with other content (%s): a generation never changes once imported, so "+
			"that the cycles that use it read it as it was; import the changed catalogue as a new generation, with a higher number and an effective date "+
			"on or after %s",
		gen.Number, from, strings.Join(held.Differences(gen, 5), "; "), held.EffectiveFrom)}
}

// carryRecorded adds to gen, as retired, every standard and indicator that recorded data
// refers to and gen leaves out, as the latest stored generation had it. It returns the codes
// it carried.
func carryRecorded(ctx context.Context, tx *sqlx.Tx, gen *domain.Generation) (standards, indicators []string, err error) {
	present := map[string]bool{}
	for _, st := range gen.Standards() {
		present[st.Code] = true
	}
	var recorded []string
	if err := tx.SelectContext(ctx, &recorded, `SELECT standard FROM self_evaluation_ratings
		UNION SELECT standard FROM report_assessments
		UNION SELECT i.standard FROM indicators i JOIN indicator_values v ON v.indicator = i.code
		ORDER BY 1`); err != nil {
		return nil, nil, fmt.Errorf("find the standards with recorded data: %w", err)
	}
	for _, code := range recorded {
		if present[code] {
			continue
		}
		var from sql.NullInt64
		if err := tx.GetContext(ctx, &from, tx.Rebind(`SELECT MAX(generation) FROM standards WHERE code = ?`), code); err != nil {
			return nil, nil, err
		}
		if !from.Valid {
			continue // in no catalogue: nothing to carry
		}
		old, err := generationTx(ctx, tx, int(from.Int64))
		if err != nil {
			return nil, nil, err
		}
		st, _ := old.Standard(code)
		theme, _ := old.Theme(st.Theme)
		st.Retired = true
		placed := false
		for i := range gen.Themes {
			if gen.Themes[i].Code == st.Theme {
				gen.Themes[i].Standards = append(gen.Themes[i].Standards, st)
				placed = true
				break
			}
		}
		if !placed {
			theme.Standards = []domain.Standard{st}
			gen.Themes = append(gen.Themes, theme)
		}
		present[code] = true
		standards = append(standards, code)
	}

	has := map[string]bool{}
	for _, st := range gen.Standards() {
		for _, ind := range st.Indicators {
			has[ind.Code] = true
		}
	}
	var values []string
	if err := tx.SelectContext(ctx, &values, `SELECT DISTINCT indicator FROM indicator_values ORDER BY indicator`); err != nil {
		return nil, nil, fmt.Errorf("find the indicators with recorded values: %w", err)
	}
	for _, code := range values {
		if has[code] {
			continue
		}
		var row struct {
			Generation int    `db:"generation"`
			Standard   string `db:"standard"`
		}
		err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT generation, standard FROM indicators WHERE code = ?
			ORDER BY generation DESC LIMIT 1`), code)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		old, err := generationTx(ctx, tx, row.Generation)
		if err != nil {
			return nil, nil, err
		}
		oldStandard, _ := old.Standard(row.Standard)
		ind, _ := oldStandard.Indicator(code)
		ind.Retired = true
	themes:
		for i := range gen.Themes {
			for j := range gen.Themes[i].Standards {
				if st := &gen.Themes[i].Standards[j]; st.Code == row.Standard {
					st.Indicators = append(st.Indicators, ind)
					indicators = append(indicators, code)
					has[code] = true
					break themes
				}
			}
		}
	}
	return standards, indicators, nil
}

// writeGenerationTx writes (or, for the seed, rewrites) a generation's rows. It only inserts
// and updates: nothing of a catalogue is ever deleted. Who imported it, from where and when
// are kept from the first write.
func (s *Store) writeGenerationTx(ctx context.Context, tx *sqlx.Tx, gen domain.Generation, document, source, actor string) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO catalogue_generations (number, name_da, name_en, effective_from,
		example, notice_da, notice_en, document, source, imported_by, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET name_da = excluded.name_da, name_en = excluded.name_en,
			effective_from = excluded.effective_from, example = excluded.example, notice_da = excluded.notice_da,
			notice_en = excluded.notice_en, document = excluded.document,
			source = CASE WHEN catalogue_generations.source = '' THEN excluded.source ELSE catalogue_generations.source END,
			imported_at = COALESCE(catalogue_generations.imported_at, excluded.imported_at)`),
		gen.Number, gen.Name.DA, gen.Name.EN, gen.EffectiveFrom.String(), gen.Example, gen.Notice.DA, gen.Notice.EN,
		document, source, actor, s.stamp()); err != nil {
		return fmt.Errorf("catalogue generation %d: %w", gen.Number, err)
	}
	for _, l := range gen.Scale {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO catalogue_scale (generation, level, label_da, label_en)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (generation, level) DO UPDATE SET label_da = excluded.label_da, label_en = excluded.label_en`),
			gen.Number, int(l.Level), l.Label.DA, l.Label.EN); err != nil {
			return fmt.Errorf("scale level %d: %w", l.Level, err)
		}
	}
	standardPos := 0
	for themePos, theme := range gen.Themes {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO themes (generation, code, slug, name_da, name_en, position)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (generation, code) DO UPDATE SET slug = excluded.slug, name_da = excluded.name_da,
				name_en = excluded.name_en, position = excluded.position`),
			gen.Number, theme.Code, theme.Slug, theme.Name.DA, theme.Name.EN, themePos+1); err != nil {
			return fmt.Errorf("theme %s: %w", theme.Code, err)
		}
		for _, st := range theme.Standards {
			standardPos++
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO standards (generation, code, theme, kind,
				title_da, title_en, area_da, area_en, target_group_da, target_group_en, purpose_da, purpose_en,
				guideline_da, guideline_en, documentation_da, documentation_en, retired, position)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (generation, code) DO UPDATE SET theme = excluded.theme, kind = excluded.kind,
					title_da = excluded.title_da, title_en = excluded.title_en, area_da = excluded.area_da,
					area_en = excluded.area_en, target_group_da = excluded.target_group_da,
					target_group_en = excluded.target_group_en, purpose_da = excluded.purpose_da,
					purpose_en = excluded.purpose_en, guideline_da = excluded.guideline_da,
					guideline_en = excluded.guideline_en, documentation_da = excluded.documentation_da,
					documentation_en = excluded.documentation_en, retired = excluded.retired,
					position = excluded.position`),
				gen.Number, st.Code, theme.Code, string(st.Kind), st.Title.DA, st.Title.EN, st.Area.DA, st.Area.EN,
				st.TargetGroup.DA, st.TargetGroup.EN, st.Purpose.DA, st.Purpose.EN, st.Guideline.DA, st.Guideline.EN,
				st.Documentation.DA, st.Documentation.EN, st.Retired, standardPos); err != nil {
				return fmt.Errorf("standard %s: %w", st.Code, err)
			}
			for indPos, ind := range st.Indicators {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO indicators (generation, standard, code, kind,
					text_da, text_en, target, retired, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (generation, code) DO UPDATE SET standard = excluded.standard, kind = excluded.kind,
						text_da = excluded.text_da, text_en = excluded.text_en, target = excluded.target,
						retired = excluded.retired, position = excluded.position`),
					gen.Number, st.Code, ind.Code, string(ind.Kind), ind.Text.DA, ind.Text.EN, ind.Target, ind.Retired,
					indPos+1); err != nil {
					return fmt.Errorf("indicator %s: %w", ind.Code, err)
				}
			}
		}
	}
	return nil
}

// Generation reads a stored catalogue generation whole: what its import wrote, standards
// carried as retired included. An unknown number is ErrNotFound.
//
// Reads take no transaction: a generation's rows are written in one and never change after.
func (s *Store) Generation(ctx context.Context, number int) (domain.Generation, error) {
	return generationTx(ctx, s.db, number)
}

// GenerationInForce reads the generation that applies on a date: the latest whose effective
// date is on or before it (of two on the same day, the higher number). When none is in force
// yet, the error wraps ErrNotFound and says when the first takes effect.
func (s *Store) GenerationInForce(ctx context.Context, on domain.Date) (domain.Generation, error) {
	if !on.Valid() {
		return domain.Generation{}, fmt.Errorf("date %s is missing or not a calendar day: give the date the catalogue is wanted for, e.g. the day the self-evaluation opens", on)
	}
	var number int
	err := s.db.GetContext(ctx, &number, s.db.Rebind(`SELECT number FROM catalogue_generations WHERE effective_from <= ?
		ORDER BY effective_from DESC, number DESC LIMIT 1`), on.String())
	if errors.Is(err, sql.ErrNoRows) {
		var first sql.NullString
		if err := s.db.GetContext(ctx, &first, `SELECT MIN(effective_from) FROM catalogue_generations`); err != nil {
			return domain.Generation{}, err
		}
		if !first.Valid {
			return domain.Generation{}, &noCatalogueError{fmt.Sprintf(
				"no standards catalogue is in force on %s: the store holds no catalogue generation", on)}
		}
		return domain.Generation{}, &noCatalogueError{fmt.Sprintf(
			"no standards catalogue is in force on %s: the first generation takes effect on %s", on, first.String)}
	}
	if err != nil {
		return domain.Generation{}, err
	}
	return generationTx(ctx, s.db, number)
}

// noCatalogueError is a date without a catalogue generation in force; it is ErrNotFound.
type noCatalogueError struct{ msg string }

func (e *noCatalogueError) Error() string { return e.msg }
func (e *noCatalogueError) Unwrap() error { return ErrNotFound }

// generationTx reads a generation with its scale, themes, standards and indicators in order.
func generationTx(ctx context.Context, tx queryer, number int) (domain.Generation, error) {
	var row storedGeneration
	if err := tx.GetContext(ctx, &row, tx.Rebind(`SELECT `+generationColumns+` FROM catalogue_generations WHERE number = ?`), number); err != nil {
		return domain.Generation{}, notFound(err, fmt.Sprintf("catalogue generation %d", number))
	}
	g := domain.Generation{Number: row.Number, Name: domain.Text{DA: row.NameDA, EN: row.NameEN}, EffectiveFrom: row.EffectiveFrom,
		Example: row.Example, Notice: domain.Text{DA: row.NoticeDA, EN: row.NoticeEN}}

	var scale []struct {
		Level   int    `db:"level"`
		LabelDA string `db:"label_da"`
		LabelEN string `db:"label_en"`
	}
	if err := tx.SelectContext(ctx, &scale, tx.Rebind(`SELECT level, label_da, label_en FROM catalogue_scale
		WHERE generation = ? ORDER BY level`), number); err != nil {
		return domain.Generation{}, err
	}
	for _, l := range scale {
		g.Scale = append(g.Scale, domain.ScaleLevel{Level: domain.Rating(l.Level), Label: domain.Text{DA: l.LabelDA, EN: l.LabelEN}})
	}

	var themes []struct {
		Code   string `db:"code"`
		Slug   string `db:"slug"`
		NameDA string `db:"name_da"`
		NameEN string `db:"name_en"`
	}
	if err := tx.SelectContext(ctx, &themes, tx.Rebind(`SELECT code, slug, name_da, name_en FROM themes
		WHERE generation = ? ORDER BY position, code`), number); err != nil {
		return domain.Generation{}, err
	}
	var standards []struct {
		Code            string `db:"code"`
		Theme           string `db:"theme"`
		Kind            string `db:"kind"`
		TitleDA         string `db:"title_da"`
		TitleEN         string `db:"title_en"`
		AreaDA          string `db:"area_da"`
		AreaEN          string `db:"area_en"`
		TargetGroupDA   string `db:"target_group_da"`
		TargetGroupEN   string `db:"target_group_en"`
		PurposeDA       string `db:"purpose_da"`
		PurposeEN       string `db:"purpose_en"`
		GuidelineDA     string `db:"guideline_da"`
		GuidelineEN     string `db:"guideline_en"`
		DocumentationDA string `db:"documentation_da"`
		DocumentationEN string `db:"documentation_en"`
		Retired         bool   `db:"retired"`
	}
	if err := tx.SelectContext(ctx, &standards, tx.Rebind(`SELECT code, theme, kind, title_da, title_en, area_da, area_en,
		target_group_da, target_group_en, purpose_da, purpose_en, guideline_da, guideline_en, documentation_da,
		documentation_en, retired FROM standards WHERE generation = ? ORDER BY position, code`), number); err != nil {
		return domain.Generation{}, err
	}
	var indicators []struct {
		Standard string `db:"standard"`
		Code     string `db:"code"`
		Kind     string `db:"kind"`
		TextDA   string `db:"text_da"`
		TextEN   string `db:"text_en"`
		Target   string `db:"target"`
		Retired  bool   `db:"retired"`
	}
	if err := tx.SelectContext(ctx, &indicators, tx.Rebind(`SELECT standard, code, kind, text_da, text_en, target, retired
		FROM indicators WHERE generation = ? ORDER BY position, code`), number); err != nil {
		return domain.Generation{}, err
	}
	byStandard := map[string][]domain.Indicator{}
	for _, i := range indicators {
		byStandard[i.Standard] = append(byStandard[i.Standard], domain.Indicator{Code: i.Code, Kind: domain.IndicatorKind(i.Kind),
			Text: domain.Text{DA: i.TextDA, EN: i.TextEN}, Target: i.Target, Retired: i.Retired})
	}
	byTheme := map[string][]domain.Standard{}
	for _, st := range standards {
		byTheme[st.Theme] = append(byTheme[st.Theme], domain.Standard{Code: st.Code, Theme: st.Theme,
			Kind: domain.StandardKind(st.Kind), Retired: st.Retired, Indicators: byStandard[st.Code],
			Title: domain.Text{DA: st.TitleDA, EN: st.TitleEN}, Area: domain.Text{DA: st.AreaDA, EN: st.AreaEN},
			TargetGroup: domain.Text{DA: st.TargetGroupDA, EN: st.TargetGroupEN},
			Purpose:     domain.Text{DA: st.PurposeDA, EN: st.PurposeEN}, Guideline: domain.Text{DA: st.GuidelineDA, EN: st.GuidelineEN},
			Documentation: domain.Text{DA: st.DocumentationDA, EN: st.DocumentationEN}})
	}
	for _, t := range themes {
		g.Themes = append(g.Themes, domain.Theme{Code: t.Code, Slug: t.Slug, Name: domain.Text{DA: t.NameDA, EN: t.NameEN},
			Standards: byTheme[t.Code]})
	}
	return g, nil
}

// GenerationInfo describes one stored generation, for lists.
type GenerationInfo struct {
	Number        int         `json:"number"`
	Name          domain.Text `json:"name"`
	EffectiveFrom domain.Date `json:"effective_from"`
	Example       bool        `json:"example"`
	Themes        int         `json:"themes"`
	Standards     int         `json:"standards"`
	// Retired counts the standards that are no longer assessed.
	Retired    int        `json:"retired_standards"`
	Indicators int        `json:"indicators"`
	Source     string     `json:"source"`
	ImportedBy string     `json:"imported_by"`
	ImportedAt *time.Time `json:"imported_at"`
}

// Generations lists the stored generations, oldest first.
func (s *Store) Generations(ctx context.Context) ([]GenerationInfo, error) {
	var rows []struct {
		storedGeneration
		Themes     int `db:"themes"`
		Standards  int `db:"standards"`
		Retired    int `db:"retired"`
		Indicators int `db:"indicators"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+generationColumns+`,
		(SELECT COUNT(*) FROM themes t WHERE t.generation = g.number) AS themes,
		(SELECT COUNT(*) FROM standards s WHERE s.generation = g.number) AS standards,
		(SELECT COUNT(*) FROM standards s WHERE s.generation = g.number AND s.retired) AS retired,
		(SELECT COUNT(*) FROM indicators i WHERE i.generation = g.number) AS indicators
		FROM catalogue_generations g ORDER BY number`); err != nil {
		return nil, err
	}
	out := make([]GenerationInfo, 0, len(rows))
	for _, r := range rows {
		info := GenerationInfo{Number: r.Number, Name: domain.Text{DA: r.NameDA, EN: r.NameEN}, EffectiveFrom: r.EffectiveFrom,
			Example: r.Example, Themes: r.Themes, Standards: r.Standards, Retired: r.Retired, Indicators: r.Indicators,
			Source: r.Source, ImportedBy: r.ImportedBy}
		if r.ImportedAt.Valid {
			at := r.ImportedAt.Time.UTC()
			info.ImportedAt = &at
		}
		out = append(out, info)
	}
	return out, nil
}

// catalogueCountsTx counts a generation's stored themes, standards and indicators.
func catalogueCountsTx(ctx context.Context, tx *sqlx.Tx, generation int) (CatalogueCounts, error) {
	var c CatalogueCounts
	err := tx.GetContext(ctx, &c, tx.Rebind(`SELECT
		(SELECT COUNT(*) FROM themes WHERE generation = ?) AS themes,
		(SELECT COUNT(*) FROM standards WHERE generation = ?) AS standards,
		(SELECT COUNT(*) FROM indicators WHERE generation = ?) AS indicators`), generation, generation, generation)
	return c, err
}
