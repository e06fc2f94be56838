package embedded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/sql"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/common/resolver"
	dbschemas "go.temporal.io/server/schema"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/kvalitetsmodel/accredit/internal/pgurl"
)

// PostgreSQL puts the server's persistence in two PostgreSQL databases instead of a SQLite
// file. SQLite holds one writer and lives beside one process; on PostgreSQL the server's state
// is shared and durable, which is what several worker processes against one Temporal server
// (issue 14, replicas) are tested on, with Temporal's own PostgreSQL plugin and schema.
type PostgreSQL struct {
	// URL is the database of histories, task queues and namespaces:
	// postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=...]. It must exist; Start
	// creates Temporal's schema in it, or brings an older one up to date.
	URL string
	// VisibilityURL is the database the server lists and searches workflows in (custom search
	// attributes included), kept apart as Temporal's schema tool expects.
	VisibilityURL string
}

// Temporal's PostgreSQL schemas, as shipped (embedded) in the server module: a directory of
// versioned changes each, applied in order, as temporal-sql-tool's update-schema does.
const (
	postgresSchema           = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
)

// preparePersistence readies the store the options name, its schema and the namespace, and
// returns the server's persistence configuration.
func preparePersistence(opts Options) (config.Persistence, error) {
	if opts.PostgreSQL == nil {
		sqlConf, err := prepareDatabase(opts)
		if err != nil {
			return config.Persistence{}, err
		}
		return config.Persistence{DefaultStore: "sqlite", VisibilityStore: "sqlite", NumHistoryShards: 1,
			DataStores: map[string]config.DataStore{"sqlite": {SQL: sqlConf}}}, nil
	}
	if opts.Namespace == "" {
		return config.Persistence{}, errors.New("embedded Temporal needs a namespace")
	}
	histories, err := postgresConfig("the Temporal database", opts.PostgreSQL.URL)
	if err != nil {
		return config.Persistence{}, err
	}
	visibility, err := postgresConfig("the Temporal visibility database", opts.PostgreSQL.VisibilityURL)
	if err != nil {
		return config.Persistence{}, err
	}
	if histories.ConnectAddr == visibility.ConnectAddr && histories.DatabaseName == visibility.DatabaseName {
		return config.Persistence{}, fmt.Errorf("the Temporal database and its visibility database are both %s on %s: give each a database of its own",
			histories.DatabaseName, histories.ConnectAddr)
	}
	if err := upgradeSchema(histories, sqlplugin.DbKindMain, postgresSchema); err != nil {
		return config.Persistence{}, err
	}
	if err := upgradeSchema(visibility, sqlplugin.DbKindVisibility, postgresVisibilitySchema); err != nil {
		return config.Persistence{}, err
	}
	// The namespace row, with the search attributes mapped to visibility's columns, is the
	// same on every SQL store: the server would refuse RegisterNamespace until its own
	// namespace cache has caught up, while a row written before it starts is simply there.
	ns, err := sqliteschema.NewNamespaceConfig("active", opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return config.Persistence{}, fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	if opts.Retention > 0 {
		ns.Detail.Config.Retention = durationpb.New(opts.Retention)
	}
	if err := sqliteschema.CreateNamespaces(histories, ns); err != nil {
		return config.Persistence{}, fmt.Errorf("create namespace %q in %s: %w", opts.Namespace, histories.DatabaseName, err)
	}
	return config.Persistence{DefaultStore: "default", VisibilityStore: "visibility", NumHistoryShards: 1,
		DataStores: map[string]config.DataStore{"default": {SQL: histories}, "visibility": {SQL: visibility}}}, nil
}

// postgresConfig is the server's SQL configuration of the database at raw, through the pgx
// driver (the one the domain store uses too).
func postgresConfig(what, raw string) (*config.SQL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%s has no URL: give %s", what, pgurl.Form)
	}
	if err := pgurl.Check(raw); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, pgurl.Redact(raw), err)
	}
	u, _ := url.Parse(raw)
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "5432"
	}
	password, _ := u.User.Password()
	attrs := map[string]string{}
	for k, v := range u.Query() {
		attrs[k] = v[len(v)-1]
	}
	return &config.SQL{
		PluginName:        postgresplugin.PluginNamePGX,
		DatabaseName:      strings.Trim(u.Path, "/"),
		ConnectAddr:       net.JoinHostPort(host, port),
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		Password:          password,
		ConnectAttributes: attrs,
		// Each of the four services opens a pool per store: 5 connections each (40 in all)
		// leaves room, under PostgreSQL's default of 100, for the domain store's replicas.
		MaxConns:        5,
		MaxIdleConns:    5,
		MaxConnLifetime: time.Hour,
	}, nil
}

// manifest is a versioned directory's manifest.json in Temporal's schema.
type manifest struct {
	CurrVersion          string
	MinCompatibleVersion string
	Description          string
	SchemaUpdateCqlFiles []string
}

// upgradeSchema applies every versioned change of schemaName newer than the database's
// schema version, in order, recording each as temporal-sql-tool does, so an empty database
// gets the whole schema and one made by an older server is brought up to this one's.
func upgradeSchema(cfg *config.SQL, kind sqlplugin.DbKind, schemaName string) error {
	db, err := sql.NewSQLAdminDB(kind, cfg, resolver.NewNoopResolver(), log.NewNoopLogger(), metrics.NoopMetricsHandler)
	if err != nil {
		return fmt.Errorf("connect to %s on %s: %w", cfg.DatabaseName, cfg.ConnectAddr, err)
	}
	defer func() { _ = db.Close() }()
	if err := db.CreateSchemaVersionTables(); err != nil {
		return fmt.Errorf("create the schema version tables in %s (does the database exist, and may %s create tables in it?): %w",
			cfg.DatabaseName, cfg.User, err)
	}
	current, err := db.ReadSchemaVersion(cfg.DatabaseName)
	if err != nil || current == "" {
		current = "0.0" // no version recorded: an empty database
	}
	have, err := parseVersion(current)
	if err != nil {
		return fmt.Errorf("%s records schema version %q: %w", cfg.DatabaseName, current, err)
	}
	assets := dbschemas.Assets()
	dir := path.Join(schemaName, "versioned")
	entries, err := fs.ReadDir(assets, dir)
	if err != nil {
		return fmt.Errorf("Temporal's schema %s: %w", dir, err)
	}
	type step struct {
		version [2]int
		dir     string
	}
	var steps []step
	for _, e := range entries {
		v, err := parseVersion(strings.TrimPrefix(e.Name(), "v"))
		if !e.IsDir() || err != nil {
			continue
		}
		if compareVersions(v, have) > 0 {
			steps = append(steps, step{v, path.Join(dir, e.Name())})
		}
	}
	slices.SortFunc(steps, func(a, b step) int { return compareVersions(a.version, b.version) })
	for _, s := range steps {
		raw, err := fs.ReadFile(assets, path.Join(s.dir, "manifest.json"))
		if err != nil {
			return fmt.Errorf("Temporal's schema %s: %w", s.dir, err)
		}
		var m manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("Temporal's schema %s/manifest.json: %w", s.dir, err)
		}
		for _, file := range m.SchemaUpdateCqlFiles {
			text, err := fs.ReadFile(assets, path.Join(s.dir, file))
			if err != nil {
				return fmt.Errorf("Temporal's schema %s: %w", s.dir, err)
			}
			stmts, err := persistence.LoadAndSplitQueryFromReaders([]io.Reader{bytes.NewReader(text)})
			if err != nil {
				return fmt.Errorf("Temporal's schema %s/%s: %w", s.dir, file, err)
			}
			for _, stmt := range stmts {
				if err := db.Exec(stmt); err != nil {
					return fmt.Errorf("schema %s in %s (%s): %w", m.CurrVersion, cfg.DatabaseName, file, err)
				}
			}
		}
		if err := db.UpdateSchemaVersion(cfg.DatabaseName, m.CurrVersion, m.MinCompatibleVersion); err != nil {
			return fmt.Errorf("record schema version %s in %s: %w", m.CurrVersion, cfg.DatabaseName, err)
		}
		if err := db.WriteSchemaUpdateLog(current, m.CurrVersion, "", m.Description); err != nil {
			return fmt.Errorf("record the update to schema %s in %s: %w", m.CurrVersion, cfg.DatabaseName, err)
		}
		current = m.CurrVersion
	}
	// The server runs the same check at start, deep in its fx graph: here it says which database.
	if err := db.VerifyVersion(); err != nil {
		return fmt.Errorf("%s after the schema update: %w", cfg.DatabaseName, err)
	}
	return nil
}

// parseVersion reads a schema version, MAJOR.MINOR.
func parseVersion(s string) ([2]int, error) {
	major, minor, ok := strings.Cut(s, ".")
	a, err1 := strconv.Atoi(major)
	b, err2 := strconv.Atoi(minor)
	if !ok || err1 != nil || err2 != nil {
		return [2]int{}, fmt.Errorf("%q is not a MAJOR.MINOR version", s)
	}
	return [2]int{a, b}, nil
}

func compareVersions(a, b [2]int) int {
	if a[0] != b[0] {
		return a[0] - b[0]
	}
	return a[1] - b[1]
}
