package registry

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// ImportInstitutions reads institutions.csv at path and upserts its municipalities and
// institutions in one transaction, keyed by ID. When any row (or the header) is bad it
// returns an *ImportError listing every problem and writes nothing. Institutions missing from
// the file are left as they are. Importing the same file again counts every row as unchanged.
func ImportInstitutions(ctx context.Context, st *store.Store, path string) (store.UpsertCounts, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.UpsertCounts{}, err
	}
	defer f.Close()
	munis, insts, bad, err := ParseInstitutions(f)
	if err := importError(path, bad, err); err != nil {
		return store.UpsertCounts{}, err
	}
	counts, err := st.UpsertInstitutions(ctx, munis, insts)
	if err != nil {
		return store.UpsertCounts{}, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	return counts, nil
}

// ImportPeople reads people.csv at path and upserts the people with their trainings,
// conflicts and employments in one transaction, keyed by ID. References are checked against
// the institutions in st, and a person with both a region and a home institution must be in
// the home institution's region. today decides which dates lie in the future. When any row
// (or the header) is bad it returns an *ImportError listing every problem and writes nothing.
// People missing from the file are left as they are.
func ImportPeople(ctx context.Context, st *store.Store, path string, today domain.Date) (store.UpsertCounts, error) {
	insts, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		return store.UpsertCounts{}, fmt.Errorf("import %s: read institutions: %w", path, err)
	}
	regions := make(map[string]domain.Region, len(insts))
	for _, in := range insts {
		regions[in.ID] = in.Region
	}
	f, err := os.Open(path)
	if err != nil {
		return store.UpsertCounts{}, err
	}
	defer f.Close()
	people, bad, err := parsePeople(f, regions, today)
	if err := importError(path, bad, err); err != nil {
		return store.UpsertCounts{}, err
	}
	counts, err := st.UpsertPeople(ctx, people)
	if err != nil {
		return store.UpsertCounts{}, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	return counts, nil
}

// importError turns what a Parse function found into the error an import returns, or nil.
func importError(path string, bad []RowError, err error) error {
	if err != nil {
		var rows rowErrors
		if errors.As(err, &rows) {
			return &ImportError{File: path, Rows: rows}
		}
		return fmt.Errorf("read %s: %w", path, err)
	}
	if len(bad) > 0 {
		return &ImportError{File: path, Rows: bad}
	}
	return nil
}
