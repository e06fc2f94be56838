package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// LoadGeneration reads, from the domain store, the catalogue generation in force on a date:
// the one a self-evaluation uses when it opens (issue 9, point 8). The shipped generations
// are seeded into the store and the regions' own are imported into it (starter catalogue
// import), so this is what every worker sees alike.
//
// Its payloads are domain.Date (YYYY-MM-DD) and domain.Generation, whose JSON names are a
// contract fixed in domain/catalogue.go (TestGenerationJSON). A date with no generation in
// force, or that is not a calendar day, is a non-retryable ApplicationError of type
// NoCatalogue: retrying cannot help until someone imports a catalogue.
func (a *Activities) LoadGeneration(ctx context.Context, on domain.Date) (domain.Generation, error) {
	if !on.Valid() {
		err := fmt.Errorf("the catalogue was asked for on %s, which is not a calendar day", on)
		return domain.Generation{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrNoCatalogue, err)
	}
	gen, err := a.Store.GenerationInForce(ctx, on)
	if errors.Is(err, store.ErrNotFound) {
		msg := fmt.Sprintf("%v; import a catalogue generation in force on %s (starter catalogue import FILE --as NATIONAL-SECRETARIAT-ID)", err, on)
		return domain.Generation{}, temporal.NewNonRetryableApplicationError(msg, ErrNoCatalogue, err)
	}
	if err != nil {
		return domain.Generation{}, err
	}
	return gen, nil
}

// LoadGenerationNumber reads one catalogue generation from the domain store by its number:
// the external evaluation works on the generation its year-3 self-evaluation used. An
// unknown number is a non-retryable ApplicationError of type NoCatalogue.
func (a *Activities) LoadGenerationNumber(ctx context.Context, number int) (domain.Generation, error) {
	gen, err := a.Store.Generation(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		msg := fmt.Sprintf("catalogue generation %d is not in the domain store: import it (starter catalogue import FILE)", number)
		return domain.Generation{}, temporal.NewNonRetryableApplicationError(msg, ErrNoCatalogue, err)
	}
	return gen, err
}

// ErrNoCatalogue is the ApplicationError type of a date without a catalogue generation in
// force (LoadGeneration, LoadInstitution).
const ErrNoCatalogue = "NoCatalogue"
