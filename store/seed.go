package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Seed writes the fixed reference data of the model: the five regions, the seven target
// groups and every catalogue generation. It only inserts and updates, never deletes: a
// standard with recorded data is retired, not removed. Running it again changes nothing.
func (s *Store) Seed(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, r := range domain.Regions() {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO regions (code, name) VALUES (?, ?)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name`), string(r), r.Name()); err != nil {
				return fmt.Errorf("seed region %s: %w", r, err)
			}
		}
		for _, g := range domain.TargetGroups() {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO target_groups (code, name_da, name_en) VALUES (?, ?, ?)
				ON CONFLICT (code) DO UPDATE SET name_da = excluded.name_da, name_en = excluded.name_en`),
				string(g), g.NameDA(), g.NameEN()); err != nil {
				return fmt.Errorf("seed target group %s: %w", g, err)
			}
		}
		for _, gen := range domain.Catalogue() {
			if err := seedGeneration(ctx, tx, gen); err != nil {
				return fmt.Errorf("seed catalogue generation %d: %w", gen.Number, err)
			}
		}
		return nil
	})
}

func seedGeneration(ctx context.Context, tx *sqlx.Tx, gen domain.Generation) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO catalogue_generations (number, name_da, name_en, effective_from)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET name_da = excluded.name_da, name_en = excluded.name_en,
			effective_from = excluded.effective_from`),
		gen.Number, gen.Name.DA, gen.Name.EN, gen.EffectiveFrom.String()); err != nil {
		return err
	}
	standardPos := 0
	for themePos, theme := range gen.Themes {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO themes (generation, code, slug, name_da, name_en, position)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (generation, code) DO UPDATE SET slug = excluded.slug, name_da = excluded.name_da,
				name_en = excluded.name_en, position = excluded.position`),
			gen.Number, theme.Code, theme.Slug, theme.Name.DA, theme.Name.EN, themePos+1); err != nil {
			return err
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
				return err
			}
			for indPos, ind := range st.Indicators {
				if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO indicators (generation, standard, code, kind,
					text_da, text_en, target, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (generation, code) DO UPDATE SET standard = excluded.standard, kind = excluded.kind,
						text_da = excluded.text_da, text_en = excluded.text_en, target = excluded.target,
						position = excluded.position`),
					gen.Number, st.Code, ind.Code, string(ind.Kind), ind.Text.DA, ind.Text.EN, ind.Target, indPos+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// CatalogueCounts is how many themes, standards and indicators a generation has in the store.
type CatalogueCounts struct {
	Themes     int `db:"themes" json:"themes"`
	Standards  int `db:"standards" json:"standards"`
	Indicators int `db:"indicators" json:"indicators"`
}

// CatalogueCounts counts the stored catalogue of one generation.
func (s *Store) CatalogueCounts(ctx context.Context, generation int) (CatalogueCounts, error) {
	var c CatalogueCounts
	err := s.db.GetContext(ctx, &c, s.db.Rebind(`SELECT
		(SELECT COUNT(*) FROM themes WHERE generation = ?) AS themes,
		(SELECT COUNT(*) FROM standards WHERE generation = ?) AS standards,
		(SELECT COUNT(*) FROM indicators WHERE generation = ?) AS indicators`), generation, generation, generation)
	return c, err
}
