package publicweb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publication"
	"github.com/kvalitetsmodel/accredit/store"
)

// snapshot is everything the public pages show, as of one public state of the store. It is
// read-only once built, apart from its caches.
type snapshot struct {
	state store.PublicState
	tag   string
	// records are every version of every published record, redacted, newest first.
	records []store.PublishedRecord
	// entries are the institutions with a published result, by name.
	entries []*entry
	byID    map[string]*entry
	// municipalities and groups are those the entries have, for the search form.
	municipalities []string
	groups         []domain.TargetGroup
	evals          []store.PublishedSelfEvaluation
	gen            domain.Generation

	comparisons sync.Map // "group|region" -> publication.Comparison
	// pages holds rendered pages (cache key -> *response); when it reaches pageLimit it is
	// replaced by an empty one, so pages in use are soon kept again.
	pages     atomic.Pointer[sync.Map]
	pageCount atomic.Int64
	pageLimit int64
}

// entry is one institution as published: the registry facts of its latest record, and every
// version of every cycle's record.
type entry struct {
	ID           string
	Name         string
	Region       domain.Region
	Municipality string
	TargetGroups []domain.TargetGroup
	// Latest is the current record of the latest published cycle.
	Latest store.PublishedRecord
	// Versions are all records, newest cycle first, then newest version first.
	Versions []store.PublishedRecord
	// key is what a search by name matches: the folded name and the ID.
	key string
}

// fold lowers s and spells æ, ø and å (and ä, ö, é, ü) the ASCII way, so that "Aeblehaven"
// finds "Æblehaven".
func fold(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.NewReplacer("æ", "ae", "ø", "oe", "å", "aa", "ä", "ae", "ö", "oe", "é", "e", "ü", "u").Replace(s)
}

// buildSnapshot reads what is published and everything the pages need with it.
func buildSnapshot(ctx context.Context, st *store.Store, state store.PublicState, pageLimit int) (*snapshot, error) {
	records, err := st.PublishedRecords(ctx, store.PublishedFilter{WithSuperseded: true})
	if err != nil {
		return nil, fmt.Errorf("published records: %w", err)
	}
	people, err := st.ListPeople(ctx, store.PersonFilter{})
	if err != nil {
		return nil, fmt.Errorf("people (for redaction): %w", err)
	}
	redact := publication.PeopleRedactor(people)
	for i := range records {
		records[i] = redact.Record(records[i])
	}
	evals, err := st.PublishedSelfEvaluations(ctx)
	if err != nil {
		return nil, fmt.Errorf("self-evaluations of published cycles: %w", err)
	}
	gen, err := publication.LabelGeneration(ctx, st, records)
	if err != nil {
		return nil, err
	}
	s := &snapshot{state: state, tag: tagOf(state), records: records, evals: evals, gen: gen,
		byID: map[string]*entry{}, pageLimit: int64(pageLimit)}
	s.pages.Store(&sync.Map{})
	for _, r := range records {
		e := s.byID[r.InstitutionID]
		if e == nil {
			e = &entry{ID: r.InstitutionID}
			s.byID[r.InstitutionID] = e
			s.entries = append(s.entries, e)
		}
		e.Versions = append(e.Versions, r)
	}
	municipalities, groups := map[string]bool{}, map[domain.TargetGroup]bool{}
	for _, e := range s.entries {
		slices.SortFunc(e.Versions, func(a, b store.PublishedRecord) int {
			return cmp.Or(cmp.Compare(b.Cycle, a.Cycle), cmp.Compare(b.Version, a.Version))
		})
		e.Latest = e.Versions[0]
		for _, v := range e.Versions {
			if v.Cycle == e.Latest.Cycle && v.SupersededOn.IsZero() {
				e.Latest = v
				break
			}
		}
		e.Name, e.Region, e.Municipality, e.TargetGroups = e.Latest.InstitutionName, e.Latest.Region,
			e.Latest.Municipality, e.Latest.TargetGroups
		e.key = fold(e.Name) + " " + strings.ToLower(e.ID)
		if e.Municipality != "" {
			municipalities[e.Municipality] = true
		}
		for _, g := range e.TargetGroups {
			groups[g] = true
		}
	}
	slices.SortFunc(s.entries, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(fold(a.Name), fold(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	for m := range municipalities {
		s.municipalities = append(s.municipalities, m)
	}
	slices.SortFunc(s.municipalities, func(a, b string) int {
		return cmp.Compare(fold(publication.Danish.Municipality(a)), fold(publication.Danish.Municipality(b)))
	})
	for _, g := range domain.TargetGroups() {
		if groups[g] {
			s.groups = append(s.groups, g)
		}
	}
	return s, nil
}

// cached is a page rendered earlier from this snapshot.
func (s *snapshot) cached(key string) (*response, bool) {
	if v, ok := s.pages.Load().Load(key); ok {
		return v.(*response), true
	}
	return nil, false
}

// keep keeps a rendered page; at the snapshot's limit, the pages kept so far are let go.
func (s *snapshot) keep(key string, res *response) {
	if s.pageLimit <= 0 {
		return
	}
	if s.pageCount.Load() >= s.pageLimit {
		s.pages.Store(&sync.Map{})
		s.pageCount.Store(0)
	}
	if _, loaded := s.pages.Load().LoadOrStore(key, res); !loaded {
		s.pageCount.Add(1)
	}
}

// comparison is the comparison of a group in a region, computed once per snapshot.
func (s *snapshot) comparison(group domain.TargetGroup, region domain.Region) publication.Comparison {
	key := string(group) + "|" + string(region)
	if v, ok := s.comparisons.Load(key); ok {
		return v.(publication.Comparison)
	}
	c := publication.Compare(s.records, s.evals, s.gen, group, region)
	s.comparisons.Store(key, c)
	return c
}

// current lists the current version of every cycle's record, newest publication first.
func (s *snapshot) current() []store.PublishedRecord {
	return publication.Current(s.records)
}

// filter is a search of the institutions.
type filter struct {
	Name         string
	Region       domain.Region
	Municipality string
	Group        domain.TargetGroup
}

// search lists the institutions that match f, by name.
func (s *snapshot) search(f filter) []*entry {
	name := fold(f.Name)
	var out []*entry
	for _, e := range s.entries {
		if f.Region != "" && e.Region != f.Region ||
			f.Municipality != "" && e.Municipality != f.Municipality ||
			f.Group != "" && !slices.Contains(e.TargetGroups, f.Group) ||
			name != "" && !strings.Contains(e.key, name) {
			continue
		}
		out = append(out, e)
	}
	return out
}
