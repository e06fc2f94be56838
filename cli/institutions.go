package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

// knownInstitution returns the institution id names, or refuses an ID that is not in the
// registry with exit code 2, as every command that takes an institution ID does.
func knownInstitution(ctx context.Context, st *store.Store, id string) (store.Institution, error) {
	in, err := st.Institution(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return in, rejected("institution %s is not in the registry: check the ID with starter institutions list, or import it with starter institutions import FILE.csv", id)
	}
	return in, err
}

// checkInstitution is knownInstitution on its own store, for the commands that otherwise only
// talk to Temporal: an unknown ID is refused before the starter dials.
func (a *app) checkInstitution(ctx context.Context, id string) error {
	if err := a.requireDataDir(); err != nil {
		return err
	}
	// Reading needs no seed: skip its write transaction, which would wait for a busy worker.
	st, err := store.OpenSQLite(ctx, a.cfg.StorePath())
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = knownInstitution(ctx, st, id)
	return err
}

// checkInstitutionFilter refuses an --institution filter that names no institution, so that
// a mistyped ID is not answered with an empty list.
func checkInstitutionFilter(ctx context.Context, st *store.Store, id string) error {
	if strings.TrimSpace(id) == "" {
		return nil
	}
	_, err := knownInstitution(ctx, st, strings.TrimSpace(id))
	return err
}

// notAllowed turns the registry's refusal of an actor into the starter's exit code 2.
func notAllowed(err error) error {
	var denied *registry.NotAllowedError
	if errors.As(err, &denied) {
		return &RejectedError{Err: err}
	}
	return err
}
