package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Summary is what an import did, for its output and its audit entry.
type Summary struct {
	// File is the path of the file as it was given.
	File string `json:"file"`
	// Actor is the person who imported it.
	Actor string `json:"actor"`
	store.UpsertCounts
	// RoleChanges lists the people whose role the import changed.
	RoleChanges []store.RoleChange `json:"role_changes,omitempty"`
	// Closed lists the institutions the import closed (rows whose closed_on the store did not
	// have yet).
	Closed []ClosedInstitution `json:"closed,omitempty"`
	// Bootstrap is set when the registry had no secretariat yet, so the actor's role could
	// not be checked against the store (see ImportPeopleAs).
	Bootstrap bool `json:"bootstrap,omitempty"`
}

// ClosedInstitution is an institution an import closed, and what became of its cycle.
type ClosedInstitution struct {
	store.Closure
	// Cycle says what became of the institution's running cycle: the starter cancels it
	// after the import, and says so here ("cancelled", "none", ...). The registry, which does
	// not talk to Temporal, leaves it empty.
	Cycle string `json:"cycle,omitempty"`
	// Error says why the cycle could not be checked or cancelled, and what to do.
	Error string `json:"error,omitempty"`
}

// bootstrapNote is the audit trail's word on an import whose actor could not be checked.
const bootstrapNote = "bootstrap: the registry had no secretariat yet"

// ImportInstitutions reads institutions.csv at path and upserts its municipalities and
// institutions in one transaction, keyed by ID. When any row (or the header) is bad it
// returns an *ImportError listing every problem and writes nothing. Institutions missing from
// the file are left as they are. Importing the same file again counts every row as unchanged.
// A closed_on in the future (after today's date) is a bad row, and so is a row that would
// reopen an institution the store holds as closed, or move the day it closed.
// It checks no actor and writes no audit entry: the starter imports through
// ImportInstitutionsAs; this is for fixtures and tests that set up a store.
func ImportInstitutions(ctx context.Context, st *store.Store, path string) (store.UpsertCounts, error) {
	s, err := importInstitutions(ctx, st, path, domain.DateOf(time.Now()), nil, false)
	return s.UpsertCounts, err
}

// ImportInstitutionsAs is ImportInstitutions on behalf of actor, who must be the secretariat
// in the store (a *NotAllowedError otherwise), and records the import in the audit trail in
// the same transaction. While the registry has no secretariat, anyone may import the
// institutions (there is nobody to ask), and the actor is recorded as given. today decides
// which closing dates lie in the future.
//
// A row that closes an institution of the store (closed_on set, where the store has it open)
// is the actor's closure of it: the actor must then be the secretariat of its region or the
// national secretariat, as for starter institutions close, and the closure is recorded with
// the actor and the file's name as its reason, in the institution's audit trail too. The
// Summary lists every closure; cancelling the cycles of the institutions closed is the
// caller's (the starter's) part, as the registry does not talk to Temporal.
func ImportInstitutionsAs(ctx context.Context, st *store.Store, path string, today domain.Date, actor string) (Summary, error) {
	bootstrap, err := checkImporter(ctx, st, actor, "import institutions")
	if err != nil {
		return Summary{}, err
	}
	audit := &store.RegistryAudit{ActorID: actor, Action: store.AuditImportInstitutions, Subject: path}
	if bootstrap {
		audit.Note = bootstrapNote
	}
	s, err := importInstitutions(ctx, st, path, today, audit, bootstrap)
	s.Actor, s.Bootstrap = actor, bootstrap
	return s, err
}

func importInstitutions(ctx context.Context, st *store.Store, path string, today domain.Date, audit *store.RegistryAudit, bootstrap bool) (Summary, error) {
	current, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		return Summary{}, fmt.Errorf("import %s: read institutions: %w", path, err)
	}
	stored := make(map[string]store.Institution, len(current))
	for _, in := range current {
		stored[in.ID] = in
	}
	f, err := openCSV(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	munis, insts, bad, err := parseInstitutions(f, today, stored)
	if err := importError(path, bad, err); err != nil {
		return Summary{}, err
	}
	// Who closed an institution, and why: the importer, by the file. The store keeps what it
	// has for an institution that was closed already.
	var closing []domain.Region
	for i := range insts {
		in := &insts[i]
		if !in.Closed() {
			continue
		}
		old, known := stored[in.ID]
		if known && old.Closed() {
			continue
		}
		in.ClosedReason = "closed_on in " + filepath.Base(path)
		if audit != nil {
			in.ClosedBy = audit.ActorID
		}
		if known {
			closing = append(closing, old.Region, in.Region)
		}
	}
	if audit != nil && !bootstrap && len(closing) > 0 {
		if _, err := CheckSecretariat(ctx, st, audit.ActorID, "close an institution", Reach{Regions: closing}); err != nil {
			return Summary{}, err
		}
	}
	counts, closures, err := st.ImportInstitutions(ctx, munis, insts, audit)
	if err != nil {
		var closed *store.ClosedError
		if errors.As(err, &closed) {
			// Closed by someone else between the check of the rows and the write.
			return Summary{}, &RefusedError{File: path, Reason: fmt.Sprintf(
				"%s: nothing was imported: an institution was closed while the file was checked (%v): import the file again to see every row that must keep its closed_on",
				path, err)}
		}
		return Summary{}, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	s := Summary{File: path, UpsertCounts: counts}
	for _, c := range closures {
		s.Closed = append(s.Closed, ClosedInstitution{Closure: c})
	}
	return s, nil
}

// ImportPeople reads people.csv at path and upserts the people with their trainings,
// conflicts and employments in one transaction, keyed by ID. References are checked against
// the institutions in st, and a person with both a region and a home institution must be in
// the home institution's region. today decides which dates lie in the future. When any row
// (or the header) is bad it returns an *ImportError listing every problem and writes nothing.
// People missing from the file are left as they are. It checks no actor and writes no audit
// entry: the starter imports through ImportPeopleAs; this is for fixtures and tests.
func ImportPeople(ctx context.Context, st *store.Store, path string, today domain.Date) (store.UpsertCounts, error) {
	people, err := parsePeopleFile(ctx, st, path, today)
	if err != nil {
		return store.UpsertCounts{}, err
	}
	counts, _, err := st.ImportPeople(ctx, people, nil)
	if err != nil {
		return store.UpsertCounts{}, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	return counts, nil
}

// ImportPeopleAs is ImportPeople on behalf of actor, who must be the secretariat in the store
// (a *NotAllowedError otherwise); it lists the people whose role changed, and records the
// import, with those changes, in the audit trail in the same transaction.
//
// The first import sets the secretariat up: while the store has none, the actor must be a
// secretariat person in the file itself. An import that would leave the registry without a
// secretariat is refused (a *RefusedError), because the next import would then be a first
// one again, open to whoever names themselves in a file.
func ImportPeopleAs(ctx context.Context, st *store.Store, path string, today domain.Date, actor string) (Summary, error) {
	bootstrap, err := checkImporter(ctx, st, actor, "import people")
	if err != nil {
		return Summary{}, err
	}
	people, err := parsePeopleFile(ctx, st, path, today)
	if err != nil {
		return Summary{}, err
	}
	current, err := st.Secretariat(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("import %s: read the secretariat: %w", path, err)
	}
	secretariat := map[string]bool{}
	for _, p := range current {
		secretariat[p.ID] = true
	}
	var demoted []string
	for _, p := range people {
		switch {
		case p.Role == domain.RoleSecretariat:
			secretariat[p.ID] = true
		case secretariat[p.ID]:
			delete(secretariat, p.ID)
			demoted = append(demoted, p.ID)
		}
	}
	if bootstrap {
		i := indexPerson(people, actor)
		switch {
		case i < 0:
			return Summary{}, &NotAllowedError{ActorID: actor, Reason: fmt.Sprintf(
				"the registry has no secretariat yet, so the first people import must be made by a secretariat person in the file, and %s is not in %s: give --as the ID of one of its secretariat rows",
				actor, path)}
		case people[i].Role != domain.RoleSecretariat:
			return Summary{}, &NotAllowedError{ActorID: actor, Role: people[i].Role, Reason: fmt.Sprintf(
				"the registry has no secretariat yet, so the first people import must be made by a secretariat person in the file, and %s (%s) is %s there: give --as the ID of one of its secretariat rows",
				actor, people[i].Name, article(people[i].Role))}
		}
	}
	if len(secretariat) == 0 {
		return Summary{}, &RefusedError{File: path, Reason: fmt.Sprintf(
			"%s would leave the registry without a secretariat (it gives %s another role): keep at least one person with the role secretariat",
			path, strings.Join(demoted, ", "))}
	}
	audit := &store.RegistryAudit{ActorID: actor, Action: store.AuditImportPeople, Subject: path}
	if bootstrap {
		audit.Note = bootstrapNote + ", so the importer's row in the file was trusted"
	}
	counts, changes, err := st.ImportPeople(ctx, people, audit)
	if err != nil {
		return Summary{}, fmt.Errorf("import %s: nothing was imported: %w", path, err)
	}
	return Summary{File: path, Actor: actor, UpsertCounts: counts, RoleChanges: changes, Bootstrap: bootstrap}, nil
}

func indexPerson(people []store.Person, id string) int {
	for i, p := range people {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// checkImporter decides whether actor may import: the secretariat may, and while the store
// has no secretariat anyone may (bootstrap is then true).
func checkImporter(ctx context.Context, st *store.Store, actor, what string) (bootstrap bool, err error) {
	if err := CheckActorID(actor); err != nil {
		return false, err
	}
	current, err := st.Secretariat(ctx)
	if err != nil {
		return false, fmt.Errorf("read the secretariat: %w", err)
	}
	if len(current) == 0 {
		return true, nil
	}
	_, err = CheckSecretariat(ctx, st, actor, what, Reach{})
	return false, err
}

// parsePeopleFile reads people.csv against the institutions in st.
func parsePeopleFile(ctx context.Context, st *store.Store, path string, today domain.Date) ([]store.Person, error) {
	insts, err := st.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil {
		return nil, fmt.Errorf("import %s: read institutions: %w", path, err)
	}
	regions := make(map[string]domain.Region, len(insts))
	for _, in := range insts {
		regions[in.ID] = in.Region
	}
	f, err := openCSV(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	people, bad, err := parsePeople(f, regions, today)
	if err := importError(path, bad, err); err != nil {
		return nil, err
	}
	return people, nil
}

// RefusedError is a file refused as a whole, before any row is written: too large, or an
// import that would leave the registry without a secretariat.
type RefusedError struct {
	// File is the path of the file as it was given.
	File string
	// Reason says what is wrong and what to do.
	Reason string
}

// Error is the reason, which names the file.
func (e *RefusedError) Error() string { return e.Reason }

// tooLarge says how large a file is and what the limit is; size < 0 is unknown (a pipe).
func tooLarge(path string, size int64) *RefusedError {
	what := "more than " + domain.SizeInBytes(domain.MaxInputFileBytes)
	if size >= 0 {
		// In bytes as well: a file just over the limit rounds to the limit in MiB.
		what = fmt.Sprintf("%s (%s bytes)", domain.SizeInBytes(size), domain.Thousands(int(size)))
	}
	return &RefusedError{File: path, Reason: fmt.Sprintf(
		"%s is %s; the limit for a registry file is %s: split it into several files and import each", path, what,
		domain.SizeInBytes(domain.MaxInputFileBytes))}
}

// openCSV opens a registry file, refusing one larger than domain.MaxInputFileBytes before a
// byte of it is parsed; a file that grows while it is read (or a pipe, whose size is not
// known) is cut off at the limit with the same refusal.
func openCSV(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if fi.Mode().IsRegular() && fi.Size() > domain.MaxInputFileBytes {
		_ = f.Close()
		return nil, tooLarge(path, fi.Size())
	}
	return &cappedFile{f: f, path: path, left: domain.MaxInputFileBytes}, nil
}

// cappedFile reads at most left bytes, then fails with the file's refusal. It has no other
// method of *os.File, so nothing can copy the file past the cap.
type cappedFile struct {
	f    *os.File
	path string
	left int64
}

func (c *cappedFile) Close() error { return c.f.Close() }

func (c *cappedFile) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a file of exactly the limit from a longer one.
		var one [1]byte
		if n, err := c.f.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, tooLarge(c.path, -1)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.f.Read(p)
	c.left -= int64(n)
	return n, err
}

// importError turns what a Parse function found into the error an import returns, or nil.
func importError(path string, bad []RowError, err error) error {
	if err != nil {
		var rows rowErrors
		if errors.As(err, &rows) {
			return &ImportError{File: path, Rows: rows}
		}
		var refused *RefusedError
		if errors.As(err, &refused) {
			return refused
		}
		return fmt.Errorf("read %s: %w", path, err)
	}
	if len(bad) > 0 {
		return &ImportError{File: path, Rows: bad}
	}
	return nil
}
