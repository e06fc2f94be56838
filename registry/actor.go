package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// NotAllowedError is a person refused an action that changes the registry or starts cycles:
// not in the registry, not the secretariat, or the secretariat of another region.
type NotAllowedError struct {
	// ActorID is the person as they named themselves.
	ActorID string
	// Role is their role in the store; empty when they are not in it.
	Role domain.Role
	// Reason names the person and their role, and says who may act instead.
	Reason string
}

// Error is the reason, which names the person and their role.
func (e *NotAllowedError) Error() string { return e.Reason }

// Reach is what an action touches, and so which secretariat may take it. The zero Reach is
// the registry itself, which every secretariat keeps (imports, reviewer plans).
type Reach struct {
	// Regions are the regions of the institutions the action touches: a regional secretariat
	// may act only when every one is its own.
	Regions []domain.Region
	// National is set for an action on every institution at once: only the national
	// secretariat may take it.
	National bool
}

// CheckActorID refuses an actor that cannot be a person ID (e.g. an SQL fragment), before it
// is looked up or written to the audit trail.
func CheckActorID(actor string) error {
	if reason := checkID(actor); reason != "" || len(actor) > domain.MaxIDLength {
		return &NotAllowedError{ActorID: actor, Reason: fmt.Sprintf(
			"--as %q is not a person ID: give your own ID from the registry (letters, digits, '.', '_' and '-', at most %d), e.g. P-131",
			shorten(actor), domain.MaxIDLength)}
	}
	return nil
}

// CheckSecretariat returns the person actor names if the store holds them as secretariat
// whose region covers reach; what says what they tried ("start cycles"). Roles are read from
// the store, never from a file being imported, so no file can promote its own importer.
func CheckSecretariat(ctx context.Context, st *store.Store, actor, what string, reach Reach) (store.Person, error) {
	if err := CheckActorID(actor); err != nil {
		return store.Person{}, err
	}
	p, err := st.Person(ctx, actor)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.Person{}, &NotAllowedError{ActorID: actor, Reason: fmt.Sprintf(
				"%s is not in the registry: only the secretariat may %s; give your own person ID with --as", actor, what)}
		}
		return store.Person{}, err
	}
	who := fmt.Sprintf("%s (%s)", p.ID, p.Name)
	if p.Role != domain.RoleSecretariat {
		return store.Person{}, &NotAllowedError{ActorID: actor, Role: p.Role, Reason: fmt.Sprintf(
			"%s is %s, not secretariat: only the secretariat may %s", who, article(p.Role), what)}
	}
	if p.Region == "" {
		return p, nil
	}
	if reach.National {
		return store.Person{}, &NotAllowedError{ActorID: actor, Role: p.Role, Reason: fmt.Sprintf(
			"%s is the secretariat of %s: only the national secretariat may %s for every institution; limit it to --region %s",
			who, p.Region.Name(), what, p.Region)}
	}
	var others []string
	for _, r := range reach.Regions {
		if r != p.Region && !slices.Contains(others, r.Name()) {
			others = append(others, r.Name())
		}
	}
	if len(others) > 0 {
		return store.Person{}, &NotAllowedError{ActorID: actor, Role: p.Role, Reason: fmt.Sprintf(
			"%s is the secretariat of %s: they may %s only for institutions in %s, not in %s; ask that region's secretariat or the national secretariat",
			who, p.Region.Name(), what, p.Region.Name(), strings.Join(others, ", "))}
	}
	return p, nil
}

// article reads a role in a sentence: "a reviewer", "an institution-manager".
func article(r domain.Role) string {
	if r == "" {
		return "without a role"
	}
	if strings.ContainsRune("aeiou", rune(string(r)[0])) {
		return "an " + string(r)
	}
	return "a " + string(r)
}
