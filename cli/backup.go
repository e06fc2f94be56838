package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/internal/sqlitebackup"
	"github.com/kvalitetsmodel/accredit/store"
)

// manifestName is the file a backup directory is described by; written last, so a directory
// without it is a backup that did not finish.
const manifestName = "backup.json"

// manifestFormat is the version of backup.json that this starter writes and reads.
const manifestFormat = 1

// maxManifestSize bounds what restore reads as the manifest: a real one is under 2 KiB.
const maxManifestSize = 1 << 20

// backupManifest is backup.json: what a backup holds, and how restore checks it.
type backupManifest struct {
	Format int `json:"format"`
	// TakenAt is when the first copy began, FinishedAt when the last one ended: the domain
	// store is a snapshot of a moment between the two, after Temporal's.
	TakenAt    time.Time      `json:"taken_at"`
	FinishedAt time.Time      `json:"finished_at"`
	App        backupApp      `json:"app"`
	DataDir    string         `json:"data_dir"`
	Temporal   backupTemporal `json:"temporal"`
	// Files are in the order they were copied: Temporal's database first.
	Files []backupFile `json:"files"`
}

// backupApp is the build that took the backup, as Go recorded it in the binary.
type backupApp struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// backupTemporal says where the cycles' Temporal state was: in the backup (the embedded
// server's temporal.db) or in a cluster, which is backed up with the cluster's own tools.
type backupTemporal struct {
	Embedded  bool   `json:"embedded"`
	Address   string `json:"address,omitempty"`
	Namespace string `json:"namespace"`
}

// backupFile is one database of the backup.
type backupFile struct {
	Name     string `json:"name"`
	Database string `json:"database"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Pages    int    `json:"pages"`
	// SchemaVersion is the domain store's newest applied migration; restore refuses a store
	// newer than this starter knows.
	SchemaVersion int64 `json:"schema_version,omitempty"`
}

// database is one of the two SQLite databases of the embedded default.
type database struct {
	// kind is "store" or "temporal", as the manifest names it.
	kind string
	// name is the file's name in the data directory and in a backup.
	name string
	// lib is the SQLite library the worker opens the file with (see sqlitebackup).
	lib  sqlitebackup.Library
	what string
}

func (a *app) storeDatabase() database {
	return database{kind: "store", name: filepath.Base(a.cfg.StorePath()), lib: sqlitebackup.Mattn, what: "domain store"}
}

func (a *app) temporalDatabase() database {
	return database{kind: "temporal", name: filepath.Base(a.cfg.TemporalDatabasePath()), lib: sqlitebackup.Modernc, what: "embedded Temporal server"}
}

// databases are the files a backup of this configuration holds, in the order they are
// copied. Temporal's goes first: a document is saved in the store before the update that
// names it reaches its workflow, and an activity writes the read model after the workflow
// decided to, so a store copied after Temporal's database holds everything the restored
// workflows refer to; what it holds beyond that, they write again, idempotently, as they go on.
func (a *app) databases() []database {
	if a.cfg.Embedded() {
		return []database{a.temporalDatabase(), a.storeDatabase()}
	}
	return []database{a.storeDatabase()}
}

func (a *app) backupCommand() *cobra.Command {
	var (
		out    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "backup --out DIR",
		Short: "Copy the domain store and the embedded Temporal database, while the worker runs",
		Long: `backup copies the SQLite databases of the data directory into DIR, which must be new or
empty, through SQLite's online backup API: the worker keeps running and the cycles keep moving.
The embedded Temporal server's temporal.db is copied first, then the domain store accredit.db,
each a consistent snapshot; each copy passes SQLite's integrity check, and backup.json, written
last, lists them with their sizes and SHA-256 sums. "starter restore --from DIR" restores it.

With TEMPORAL_ADDRESS (a Temporal cluster) only the domain store is copied: the cycles' state is
in the cluster's databases, which are backed up with the cluster's own tools, before this.
With ACCREDIT_DATABASE_URL (the store in PostgreSQL) it refuses: use pg_dump (README, Backups).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(out) == "" {
				return rejected("--out is empty: give a new or empty directory for the backup")
			}
			m, err := a.backup(cmd.Context(), out)
			if err != nil {
				return err
			}
			if !a.cfg.Embedded() {
				fmt.Fprintf(a.stderr, "note: the cycles' state is in the Temporal cluster at %s, not in this backup: back up its databases "+
					"(temporal, temporal_visibility) with the cluster's tools, before the store (README, Backups)\n", a.cfg.TemporalAddress())
			}
			if asJSON {
				return a.printJSON(backupView{Directory: out, Manifest: m})
			}
			fmt.Fprintf(a.stdout, "backup of %s in %s, taken %s in %s:\n", a.cfg.DataDir, out,
				m.TakenAt.Format(time.RFC3339), m.FinishedAt.Sub(m.TakenAt).Round(time.Millisecond))
			a.printFiles(m)
			fmt.Fprintf(a.stdout, "restore it into an empty data directory with: starter restore --from %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the directory to write the backup to: new, or empty (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the backup's manifest as JSON")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func (a *app) restoreCommand() *cobra.Command {
	var (
		from   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "restore --from DIR",
		Short: "Restore a backup into an empty data directory",
		Long: `restore copies the databases of a backup made by "starter backup" into the configured data
directory (ACCREDIT_DATA_DIR), which is created when missing and must hold no database: restore
never overwrites one. Before anything is put in place, every file must match the size and
SHA-256 sum that backup.json gives it and pass SQLite's integrity check; the files then appear
under their names at once. Start the worker on the data directory afterwards: the cycles go on
from where the backup found them.

A backup that holds Temporal's database is restored with the embedded server (no
TEMPORAL_ADDRESS), and one taken against a Temporal cluster (the domain store only) with
TEMPORAL_ADDRESS set, after the cluster's databases were restored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(from) == "" {
				return rejected("--from is empty: give the directory of a backup made by starter backup")
			}
			m, err := a.restore(cmd.Context(), from)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(backupView{Directory: a.cfg.DataDir, Manifest: m})
			}
			fmt.Fprintf(a.stdout, "restored the backup of %s taken %s into %s:\n", from, m.TakenAt.Format(time.RFC3339), a.cfg.DataDir)
			a.printFiles(m)
			fmt.Fprintln(a.stdout, "start the worker on this data directory: the cycles go on from where the backup found them")
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the directory of the backup (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the restored backup's manifest as JSON")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// backupView is what backup and restore print with --json: the backup's directory (restore:
// the data directory) and the manifest.
type backupView struct {
	Directory string         `json:"directory"`
	Manifest  backupManifest `json:"manifest"`
}

func (a *app) printFiles(m backupManifest) {
	for _, f := range m.Files {
		what := "embedded Temporal server"
		if f.Database == "store" {
			what = fmt.Sprintf("domain store, schema v%d", f.SchemaVersion)
		}
		fmt.Fprintf(a.stdout, "  %-12s %10s  sha256 %s  (%s)\n", f.Name, byteSize(f.Size), f.SHA256, what)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// refusePostgres refuses a backup or restore when the domain store is in PostgreSQL: its
// consistent copy is pg_dump's job, and the SQLite copy here would miss it entirely.
func (a *app) refusePostgres(verb string) error {
	if a.cfg.DatabaseURL == "" {
		return nil
	}
	how := "back it up with pg_dump --format=custom, and Temporal's databases with the cluster's tools (README, Backups)"
	if verb == "restore" {
		how = "restore it with pg_restore, after Temporal's databases (README, Backups)"
	}
	return rejected("the domain store is in PostgreSQL (ACCREDIT_DATABASE_URL %s), not in the data directory: %s; "+
		"starter %s handles the SQLite files of the default deployment only", a.cfg.StoreDisplay(), how, verb)
}

// backup copies the databases of the data directory into out and writes the manifest. On
// error it removes whatever it wrote (and out, when it made it).
func (a *app) backup(ctx context.Context, out string) (m backupManifest, err error) {
	if err := a.refusePostgres("backup"); err != nil {
		return m, err
	}
	if err := a.requireDataDir(); err != nil {
		return m, err
	}
	dbs := a.databases()
	for _, db := range dbs {
		src := filepath.Join(a.cfg.DataDir, db.name)
		if fi, err := os.Stat(src); err != nil || !fi.Mode().IsRegular() {
			return m, rejected("the data directory %s has no %s (%s): nothing to back up; set ACCREDIT_DATA_DIR to the worker's data directory",
				a.cfg.DataDir, db.name, db.what)
		}
	}
	made, err := prepareBackupDir(out)
	if err != nil {
		return m, err
	}
	var written []string
	defer func() {
		if err == nil {
			return
		}
		for _, p := range written {
			sqlitebackup.RemoveFiles(p)
		}
		if made {
			_ = os.Remove(out)
		}
	}()

	m = backupManifest{Format: manifestFormat, TakenAt: a.now().UTC(), App: buildApp(), DataDir: absPath(a.cfg.DataDir),
		Temporal: backupTemporal{Embedded: a.cfg.Embedded(), Namespace: a.cfg.Namespace()}}
	if !a.cfg.Embedded() {
		m.Temporal.Address = a.cfg.TemporalAddress()
	}
	for _, db := range dbs {
		src := filepath.Join(a.cfg.DataDir, db.name)
		dst := filepath.Join(out, db.name)
		partial := dst + ".partial"
		written = append(written, partial)
		res, err := sqlitebackup.Copy(ctx, db.lib, src, partial, sqlitebackup.Options{})
		if err != nil {
			return m, fmt.Errorf("back up the %s: %w", db.what, err)
		}
		if err := sqlitebackup.IntegrityCheck(ctx, db.lib, partial); err != nil {
			return m, fmt.Errorf("the copy of the %s is not sound, so the worker's %s may be damaged: %w", db.what, src, err)
		}
		f := backupFile{Name: db.name, Database: db.kind, Pages: res.Pages}
		if db.kind == "store" {
			if f.SchemaVersion, err = storeSchemaVersion(ctx, partial); err != nil {
				return m, fmt.Errorf("read the schema version of the copied %s: %w", db.what, err)
			}
		}
		// The sum is taken last, of the file as it will stay.
		if f.Size, f.SHA256, err = hashFile(partial); err != nil {
			return m, err
		}
		written = append(written, dst)
		if err := os.Rename(partial, dst); err != nil {
			return m, err
		}
		m.Files = append(m.Files, f)
	}
	m.FinishedAt = a.now().UTC()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	manifest := filepath.Join(out, manifestName)
	written = append(written, manifest+".partial", manifest)
	if err := writeFileSynced(manifest+".partial", append(data, '\n')); err != nil {
		return m, err
	}
	if err := os.Rename(manifest+".partial", manifest); err != nil {
		return m, err
	}
	return m, syncDir(out)
}

// prepareBackupDir makes out when missing (0700: the copies hold personal data) and refuses
// one that is not an empty directory, so that a backup never mixes with or overwrites another.
// made says whether it made out.
func prepareBackupDir(out string) (made bool, err error) {
	fi, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(out, 0o700); err != nil {
			return false, fmt.Errorf("create the backup directory %s: %w", out, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("backup directory %s: %w", out, err)
	case !fi.IsDir():
		return false, rejected("--out %s is a file, not a directory: give a new or empty directory for the backup", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return false, fmt.Errorf("backup directory %s: %w", out, err)
	}
	if len(entries) > 0 {
		return false, rejected("--out %s is not empty (it holds %s): give a new or empty directory; a backup never overwrites files",
			out, entries[0].Name())
	}
	return false, nil
}

// restore puts the backup in from into the data directory, checked, or refuses and writes
// nothing.
func (a *app) restore(ctx context.Context, from string) (backupManifest, error) {
	if err := a.refusePostgres("restore"); err != nil {
		return backupManifest{}, err
	}
	all := []database{a.storeDatabase(), a.temporalDatabase()}
	for _, db := range all {
		for _, side := range []string{"", "-wal", "-shm", "-journal"} {
			p := filepath.Join(a.cfg.DataDir, db.name+side)
			if _, err := os.Lstat(p); err == nil {
				return backupManifest{}, rejected("the data directory %s already holds %s: restore only into a data directory without databases "+
					"(stop the worker, move the directory aside, and restore into a new one)", a.cfg.DataDir, db.name+side)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return backupManifest{}, fmt.Errorf("data directory %s: %w", a.cfg.DataDir, err)
			}
		}
	}
	m, err := readManifest(from)
	if err != nil {
		return m, err
	}
	dbs, err := a.restoredDatabases(m)
	if err != nil {
		return m, err
	}
	if err := checkStoreSchema(ctx, m); err != nil {
		return m, err
	}
	if err := os.MkdirAll(a.cfg.DataDir, 0o700); err != nil {
		return m, fmt.Errorf("create the data directory %s: %w", a.cfg.DataDir, err)
	}

	// Every file is copied under a temporary name and checked before any appears under its
	// own: a refusal leaves the data directory as it was.
	temps := make([]string, len(dbs))
	defer func() {
		for _, t := range temps {
			if t != "" {
				sqlitebackup.RemoveFiles(t)
			}
		}
	}()
	for i, db := range dbs {
		f := m.file(db.kind)
		tmp, err := os.CreateTemp(a.cfg.DataDir, "."+db.name+".restoring-*")
		if err != nil {
			return m, fmt.Errorf("restore into %s: %w", a.cfg.DataDir, err)
		}
		temps[i] = tmp.Name()
		if err := copyVerified(filepath.Join(from, db.name), tmp, f); err != nil {
			return m, err
		}
		if err := sqlitebackup.IntegrityCheck(ctx, db.lib, temps[i]); err != nil {
			var corrupt *sqlitebackup.CorruptError
			if errors.As(err, &corrupt) {
				return m, &RejectedError{Err: fmt.Errorf("%s of the backup in %s: %w; nothing was restored", db.name, from, err)}
			}
			return m, err
		}
	}
	// A link fails where a file exists, so a worker that started on the directory meanwhile
	// keeps its databases; the ones linked before are removed again.
	var placed []string
	for i, db := range dbs {
		final := filepath.Join(a.cfg.DataDir, db.name)
		if err := os.Link(temps[i], final); err != nil {
			for _, p := range placed {
				_ = os.Remove(p)
			}
			if errors.Is(err, fs.ErrExist) {
				return m, rejected("%s appeared in the data directory %s during the restore (is a worker running on it?): nothing was restored", db.name, a.cfg.DataDir)
			}
			return m, fmt.Errorf("restore %s: %w", final, err)
		}
		placed = append(placed, final)
	}
	return m, syncDir(a.cfg.DataDir)
}

// restoredDatabases are the databases of m, checked against this configuration: a backup
// with Temporal's database restores with the embedded server, one without it against a cluster.
func (a *app) restoredDatabases(m backupManifest) ([]database, error) {
	hasTemporal := m.file("temporal") != nil
	switch {
	case hasTemporal && !a.cfg.Embedded():
		return nil, rejected("the backup holds the embedded Temporal server's database, but TEMPORAL_ADDRESS names the cluster at %s, "+
			"where the restored cycles would not be: unset TEMPORAL_ADDRESS to restore it", a.cfg.TemporalAddress())
	case !hasTemporal && a.cfg.Embedded():
		return nil, rejected("the backup holds the domain store only (it was taken against the Temporal cluster at %s): "+
			"restore the cluster's databases, then restore this with TEMPORAL_ADDRESS set to the cluster", m.Temporal.Address)
	}
	if m.Temporal.Namespace != a.cfg.Namespace() {
		return nil, rejected("the backup's cycles are in the Temporal namespace %q, but this configuration uses %q: set TEMPORAL_NAMESPACE=%s",
			m.Temporal.Namespace, a.cfg.Namespace(), m.Temporal.Namespace)
	}
	dbs := []database{a.storeDatabase()}
	if hasTemporal {
		dbs = []database{a.temporalDatabase(), a.storeDatabase()}
	}
	return dbs, nil
}

func (m backupManifest) file(kind string) *backupFile {
	for i := range m.Files {
		if m.Files[i].Database == kind {
			return &m.Files[i]
		}
	}
	return nil
}

// readManifest reads and checks backup.json in dir. It trusts nothing in it: the file names
// must be the two known ones, so a changed manifest cannot make restore read or write
// anywhere else.
func readManifest(dir string) (backupManifest, error) {
	var m backupManifest
	path := filepath.Join(dir, manifestName)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, dirErr := os.Stat(dir); dirErr != nil {
			return m, rejected("there is no backup at %s: the directory does not exist", dir)
		}
		return m, rejected("%s has no %s: it is not a backup made by starter backup, or one that did not finish", dir, manifestName)
	}
	if err != nil {
		return m, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return m, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxManifestSize {
		return m, rejected("%s is larger than %d bytes: it is not a backup's manifest", path, maxManifestSize)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, rejected("%s cannot be read as a backup's manifest: %v", path, err)
	}
	if m.Format != manifestFormat {
		return m, rejected("%s is of format %d; this starter reads format %d: restore it with the release that took it", path, m.Format, manifestFormat)
	}
	known := map[string]string{"store": "accredit.db", "temporal": "temporal.db"}
	seen := map[string]bool{}
	for _, file := range m.Files {
		name, ok := known[file.Database]
		switch {
		case !ok:
			return m, rejected("%s lists a database %q; a backup holds only the store and temporal", path, file.Database)
		case file.Name != name:
			return m, rejected("%s names the %s's file %q; it must be %q", path, file.Database, file.Name, name)
		case seen[file.Database]:
			return m, rejected("%s lists the %s twice", path, file.Database)
		case len(file.SHA256) != sha256.Size*2 || file.Size <= 0:
			return m, rejected("%s gives %s no valid size and SHA-256 sum", path, file.Name)
		}
		seen[file.Database] = true
	}
	if !seen["store"] {
		return m, rejected("%s lists no domain store (accredit.db)", path)
	}
	return m, nil
}

// checkStoreSchema refuses a store migrated further than this starter's migrations go: the
// worker of this release would run on tables it does not know.
func checkStoreSchema(ctx context.Context, m backupManifest) error {
	newest, err := newestStoreSchema(ctx)
	if err != nil {
		return err
	}
	if v := m.file("store").SchemaVersion; v > newest {
		return rejected("the backup's domain store has schema v%d, newer than this release's v%d: restore it with the release that took it (%s)",
			v, newest, m.App.Version)
	}
	return nil
}

// newestStoreSchema is the schema version of a store this release creates: its newest
// migration, found by migrating an empty store in a temporary directory.
func newestStoreSchema(ctx context.Context) (int64, error) {
	dir, err := os.MkdirTemp("", "accredit-schema-*")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "accredit.db"))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.SchemaVersion(ctx)
}

// storeSchemaVersion reads the newest applied migration of the store copy at path without
// opening it as a store, which would migrate it.
func storeSchemaVersion(ctx context.Context, path string) (int64, error) {
	db, err := sqlitebackup.Open(sqlitebackup.Mattn, path)
	if err != nil {
		return 0, err
	}
	var v int64
	err = db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	sqlitebackup.RemoveSideFiles(path)
	return v, err
}

// copyVerified copies the backup's file at src into dst (an open new file, closed here),
// refusing when its size or SHA-256 sum is not the manifest's.
func copyVerified(src string, dst *os.File, want *backupFile) error {
	defer dst.Close()
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return rejected("the backup lacks %s, which its manifest lists: nothing was restored", src)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	defer in.Close()
	h := sha256.New()
	// One byte beyond the manifest's size is enough to tell a longer file.
	n, err := io.Copy(io.MultiWriter(dst, h), io.LimitReader(in, want.Size+1))
	if err != nil {
		return fmt.Errorf("copy %s into %s: %w", src, dst.Name(), err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if n != want.Size || !strings.EqualFold(sum, want.SHA256) {
		return rejected("%s does not match the backup's manifest (%s, sha256 %s; the manifest says %d bytes, sha256 %s): "+
			"the backup is damaged or was changed; nothing was restored", src, sizeText(n, want.Size), sum, want.Size, want.SHA256)
	}
	if err := dst.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", dst.Name(), err)
	}
	return dst.Close()
}

func sizeText(n, want int64) string {
	if n > want {
		return fmt.Sprintf("more than %d bytes", want)
	}
	return fmt.Sprintf("%d bytes", n)
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func writeFileSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the renames and links in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return d.Close()
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// buildApp is the build of this binary, from what the Go toolchain embedded in it.
func buildApp() backupApp {
	app := backupApp{Module: "github.com/kvalitetsmodel/accredit", Version: "(unknown)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return app
	}
	app.Go = info.GoVersion
	if info.Main.Path != "" {
		app.Module = info.Main.Path
	}
	if info.Main.Version != "" {
		app.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			app.Revision = s.Value
		case "vcs.modified":
			app.Modified = s.Value == "true"
		}
	}
	return app
}
