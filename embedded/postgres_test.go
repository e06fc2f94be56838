package embedded

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	pgschema "go.temporal.io/server/schema/postgresql/v12"

	"github.com/kvalitetsmodel/accredit/internal/pgtest"
)

// TestPostgreSQLSchema: on two empty databases, Start's preparation creates Temporal's
// schema at the versions this server expects (it refuses to start on an older one), records
// every versioned step once, and registers the namespace; a second start changes nothing.
func TestPostgreSQLSchema(t *testing.T) {
	histories, visibility := pgtest.Database(t), pgtest.Database(t)
	opts := Options{Namespace: "accredit-test", Retention: 72 * time.Hour,
		SearchAttributes: map[string]enumspb.IndexedValueType{"InstitutionID": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
		PostgreSQL:       &PostgreSQL{URL: histories, VisibilityURL: visibility}}

	type state struct {
		version    string
		updates    int
		namespaces int
	}
	read := func(url string, withNamespaces bool) state {
		t.Helper()
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		ctx := context.Background()
		var s state
		if err := db.QueryRowContext(ctx, `SELECT curr_version FROM schema_version`).Scan(&s.version); err != nil {
			t.Fatalf("schema version: %v", err)
		}
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_update_history`).Scan(&s.updates); err != nil {
			t.Fatalf("schema updates: %v", err)
		}
		if withNamespaces {
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM namespaces WHERE name = $1`, opts.Namespace).Scan(&s.namespaces); err != nil {
				t.Fatalf("namespaces: %v", err)
			}
		}
		return s
	}

	conf, err := preparePersistence(opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := conf.DataStores[conf.DefaultStore].SQL.DatabaseName; !strings.Contains(histories, "/"+got+"?") {
		t.Errorf("the default store is database %q, want the one of %s", got, histories)
	}
	if got := conf.DataStores[conf.VisibilityStore].SQL.DatabaseName; !strings.Contains(visibility, "/"+got+"?") {
		t.Errorf("the visibility store is database %q, want the one of %s", got, visibility)
	}
	first, firstVis := read(histories, true), read(visibility, false)
	if first.version != pgschema.Version || firstVis.version != pgschema.VisibilityVersion {
		t.Errorf("schema versions %s and %s, want %s and %s", first.version, firstVis.version, pgschema.Version, pgschema.VisibilityVersion)
	}
	if first.updates < 2 || firstVis.updates < 2 {
		t.Errorf("%d and %d schema updates recorded, want one per versioned step from 1.0", first.updates, firstVis.updates)
	}
	if first.namespaces != 1 {
		t.Errorf("%d namespaces named %s, want 1", first.namespaces, opts.Namespace)
	}

	if _, err := preparePersistence(opts); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if again, againVis := read(histories, true), read(visibility, false); again != first || againVis != firstVis {
		t.Errorf("a second start changed the databases: %+v %+v, then %+v %+v", first, firstVis, again, againVis)
	}
}

// TestPostgreSQLOptions: what is wrong with the databases given is said before anything
// connects.
func TestPostgreSQLOptions(t *testing.T) {
	for name, tc := range map[string]struct {
		pg   PostgreSQL
		want string
	}{
		"no visibility": {PostgreSQL{URL: "postgres://u@db.example.org/temporal"}, "visibility database has no URL"},
		"not postgres":  {PostgreSQL{URL: "mysql://u@db/t", VisibilityURL: "postgres://u@db/v"}, `the scheme is "mysql"`},
		"the same database": {PostgreSQL{URL: "postgres://u@db.example.org/temporal", VisibilityURL: "postgres://v@db.example.org:5432/temporal?sslmode=require"},
			"give each a database of its own"},
	} {
		_, err := preparePersistence(Options{Namespace: "default", PostgreSQL: &tc.pg})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", name, err, tc.want)
		}
	}
}

func TestParseVersion(t *testing.T) {
	a, err := parseVersion("1.9")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseVersion("1.10")
	if err != nil {
		t.Fatal(err)
	}
	if compareVersions(a, b) >= 0 || compareVersions(b, a) <= 0 || compareVersions(a, a) != 0 {
		t.Errorf("1.9 and 1.10 compare as %d: versions are numbers, not text", compareVersions(a, b))
	}
	for _, bad := range []string{"", "1", "v1.0", "1.x"} {
		if _, err := parseVersion(bad); err == nil {
			t.Errorf("parseVersion(%q) accepted it", bad)
		}
	}
}
