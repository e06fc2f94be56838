package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/kvalitetsmodel/accredit/domain"
)

// Seed writes the fixed reference data of the model: the five regions, the seven target
// groups and the catalogue generations shipped with the service (domain.Catalogue), each
// imported as ImportGeneration would. It only inserts and updates, never deletes: a standard
// with recorded data is retired, not removed. Running it again changes nothing.
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
			if err := s.seedGeneration(ctx, tx, gen); err != nil {
				return fmt.Errorf("seed catalogue generation %d: %w", gen.Number, err)
			}
		}
		return nil
	})
}

// seedGeneration writes a generation shipped with the service, as an import would, and
// restores its rows when they are of an earlier version or were changed by hand. A shipped
// generation whose number the store holds with other content is an error: a generation never
// changes once imported.
func (s *Store) seedGeneration(ctx context.Context, tx *sqlx.Tx, gen domain.Generation) error {
	source := fmt.Sprintf("shipped with the service (generation-%d.yaml)", gen.Number)
	if name, _, ok := domain.ShippedCatalogueFile(gen.Number); ok {
		source = "shipped with the service (" + name + ")"
	}
	_, err := s.importGenerationTx(ctx, tx, gen, source, "", true)
	return err
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
