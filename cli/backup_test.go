package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/internal/sqlitebackup"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// restoredStatus is what the acceptance test reads of `cycle status --json`.
type restoredStatus struct {
	Cycle struct {
		Cancelled bool                   `json:"cancelled"`
		Steps     []workflows.StepRecord `json:"steps"`
	} `json:"cycle"`
	Stage *struct {
		Steps []workflows.StepRecord `json:"steps"`
	} `json:"stage"`
}

func cycleStatus(t *testing.T, env []string, inst string) restoredStatus {
	t.Helper()
	var st restoredStatus
	// The restored worker first works off every timer that came due since the backup; a
	// query waits behind a cycle's pending task, so on a loaded machine it may take a few
	// of the starter's 15-second tries.
	var out string
	for try := 1; ; try++ {
		code, stdout, stderr := runStarter(t, env, "cycle", "status", inst, "--json")
		if code == ExitOK {
			out = stdout
			break
		}
		if try == 4 || !strings.Contains(stderr, "did not answer the status query") {
			t.Fatalf("starter cycle status %s --json: exit %d: %s", inst, code, stderr)
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("cycle status %s --json: %v", inst, err)
	}
	return st
}

func (s restoredStatus) steps() []workflows.StepRecord {
	steps := slices.Clone(s.Cycle.Steps)
	if s.Stage != nil {
		steps = append(steps, s.Stage.Steps...)
	}
	return steps
}

// TestBackupWhileCyclesRunRestoresIntoAWorkingService is issue 14's acceptance: a backup taken
// while the worker runs and cycles move (timers firing every 200ms day, self-evaluations
// submitted during the copy) restores into a fresh data directory, where a new worker finds
// the registry and every cycle, every document a workflow refers to is in the store, and the
// cycles still take actions.
func TestBackupWhileCyclesRunRestoresIntoAWorkingService(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server twice")
	}
	env := fixture.EmbeddedEnviron(t, "ACCREDIT_DAY_LENGTH=200ms")
	_, stopLive := startShortDayService(t, env)
	for _, what := range []string{"institutions", "people"} {
		mustStart(t, env, what, "import", filepath.Join("..", "examples", what+".csv"), "--as", nationalSecretariat)
	}
	mustStart(t, env, "cycle", "start", "--region", "hovedstaden", "--as", "P-131", "--wait-open")
	mustStart(t, env, "selfeval", "submit", "H-01", "--file", filepath.Join("..", "examples", "selfevaluation.json"), "--as", "P-001")

	// The managers of H-02..H-07 hand in their self-evaluations while the backup runs.
	var wg sync.WaitGroup
	submitted := make(chan struct{}, 1)
	errs := make(chan error, 6)
	wg.Go(func() {
		for i := 2; i <= 7; i++ {
			inst, manager := fmt.Sprintf("H-%02d", i), fmt.Sprintf("P-%03d", i)
			if code, _, stderr := runStarter(t, env, "selfeval", "submit", inst, "--file",
				filepath.Join("..", "examples", "selfevaluation.json"), "--as", manager); code != ExitOK {
				errs <- fmt.Errorf("selfeval submit %s during the backup: exit %d: %s", inst, code, stderr)
			}
			select {
			case submitted <- struct{}{}:
			default:
			}
		}
	})
	<-submitted
	out := filepath.Join(t.TempDir(), "backup")
	code, stdout, stderr := runStarter(t, env, "backup", "--out", out, "--json")
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if code != ExitOK {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	var view backupView
	if err := json.Unmarshal([]byte(stdout), &view); err != nil {
		t.Fatalf("backup --json: %v: %s", err, stdout)
	}
	if len(view.Manifest.Files) != 2 || view.Manifest.Files[0].Name != "temporal.db" || view.Manifest.Files[1].Name != "accredit.db" ||
		view.Manifest.Files[1].SchemaVersion == 0 || !view.Manifest.Temporal.Embedded {
		t.Fatalf("manifest %+v: want temporal.db, then accredit.db with its schema version", view.Manifest)
	}
	stopLive()

	// A new machine: a data directory that does not exist yet, another port.
	restoredDir := filepath.Join(t.TempDir(), "restored")
	env2 := fixture.EmbeddedEnviron(t, "ACCREDIT_DAY_LENGTH=200ms", "ACCREDIT_DATA_DIR="+restoredDir)
	code, stdout, stderr = runStarter(t, env2, "restore", "--from", out)
	if code != ExitOK {
		t.Fatalf("restore: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "temporal.db") || !strings.Contains(stdout, "accredit.db") {
		t.Errorf("restore output does not name the files: %s", stdout)
	}
	if fi, err := os.Stat(restoredDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("restored data directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	s2, _ := startShortDayService(t, env2)
	ctx := context.Background()

	insts, err := s2.Store.ListInstitutions(ctx, store.InstitutionFilter{})
	if err != nil || len(insts) != 40 {
		t.Fatalf("restored registry: %d institutions, %v; want the 40 of examples/", len(insts), err)
	}
	people, err := s2.Store.ListPeople(ctx, store.PersonFilter{})
	if err != nil || len(people) != 142 {
		t.Fatalf("restored registry: %d people, %v; want the 142 of examples/", len(people), err)
	}
	for i := 1; i <= 8; i++ {
		inst := fmt.Sprintf("H-%02d", i)
		st := cycleStatus(t, env2, inst)
		if st.Cycle.Cancelled {
			t.Errorf("%s: the restored cycle is cancelled", inst)
		}
		var docs int
		for _, step := range st.steps() {
			for _, d := range step.Documents {
				docs++
				if _, err := s2.Store.Submission(ctx, d.ID); err != nil {
					t.Errorf("%s: step %s refers to document %s, which the restored store lacks: %v", inst, step.Key, d.ID, err)
				}
			}
		}
		if inst == "H-01" && docs == 0 {
			t.Errorf("H-01: the self-evaluation submitted before the backup is not in the restored cycle: %+v", st.steps())
		}
	}

	// The restored cycles still act: H-01's next self-evaluation is taken, H-08 is cancelled,
	// and a workflow round-trips through the new worker to the restored store.
	mustStart(t, env2, "cycle", "wait", "H-01", "--step", "self-evaluation", "--timeout", "1m")
	mustStart(t, env2, "selfeval", "submit", "H-01", "--file", filepath.Join("..", "examples", "selfevaluation.json"), "--as", "P-001")
	mustStart(t, env2, "cycle", "cancel", "H-08", "--reason", "Lukket efter gendannelsen", "--as", "P-131")
	if st := cycleStatus(t, env2, "H-08"); !st.Cycle.Cancelled {
		t.Error("H-08 is not cancelled after the restore's cancellation")
	}
	if out := mustStart(t, env2, "ping"); !strings.Contains(out, "40 institutions") {
		t.Errorf("ping on the restored service: %s", out)
	}
}

// offlineEnviron is a data directory with the example registry and a stand-in for the
// embedded server's temporal.db (any SQLite database: backup and restore copy it whole), for
// the tests that need no worker. The Temporal address is a closed port, as in testEnviron.
func offlineEnviron(t *testing.T) []string {
	t.Helper()
	env := append(importedExamples(t), "TEMPORAL_CONFIG_FILE="+os.DevNull)
	path := filepath.Join(envValue(env, "ACCREDIT_DATA_DIR"), "temporal.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitebackup.Open(sqlitebackup.Modernc, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`PRAGMA journal_mode=WAL`, `CREATE TABLE executions (id TEXT PRIMARY KEY)`, `INSERT INTO executions VALUES ('cycle/H-01')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// freshEnviron is a data directory that does not exist yet, for restore.
func freshEnviron(t *testing.T, extra ...string) []string {
	t.Helper()
	return append([]string{"ACCREDIT_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:1", "TEMPORAL_CONFIG_FILE=" + os.DevNull}, extra...)
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	if fi, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	} else if err == nil && !fi.IsDir() {
		return []string{"(a file)"}
	}
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestBackupRefusals(t *testing.T) {
	env := offlineEnviron(t)
	full := filepath.Join(t.TempDir(), "full")
	if err := os.MkdirAll(full, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	aFile := writeFile(t, "backup", "not a directory")
	noTemporal := append(importedExamples(t), "TEMPORAL_CONFIG_FILE="+os.DevNull)
	cases := []struct {
		name string
		env  []string
		out  string
		want []string
	}{
		{"the directory is not empty", env, full, []string{"--out " + full + " is not empty", "notes.txt"}},
		{"the directory is a file", env, aFile, []string{"is a file, not a directory"}},
		{"the store is in PostgreSQL", append(slices.Clone(env), "ACCREDIT_DATABASE_URL=postgres://accredit:s3cret@db.example.org:5432/accredit"),
			filepath.Join(t.TempDir(), "pg"), []string{"PostgreSQL", "pg_dump"}},
		{"no embedded Temporal database", noTemporal, filepath.Join(t.TempDir(), "none"), []string{"has no temporal.db", "nothing to back up"}},
		{"no data directory", freshEnviron(t), filepath.Join(t.TempDir(), "nodata"), []string{"does not exist"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := entries(t, tc.out)
			code, stdout, stderr := runStarter(t, tc.env, "backup", "--out", tc.out)
			assertRejected(t, code, stdout, stderr, tc.want...)
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("the refusal shows the database password: %s", stderr)
			}
			if after := entries(t, tc.out); !slices.Equal(before, after) {
				t.Errorf("the refused backup wrote into %s: %v, before %v", tc.out, after, before)
			}
		})
	}
	if data, _ := os.ReadFile(aFile); string(data) != "not a directory" {
		t.Errorf("the file given as --out was changed: %q", data)
	}
}

// TestBackupAgainstAClusterCopiesTheStoreOnly: with TEMPORAL_ADDRESS the cycles' state is
// the cluster's, so the backup holds the domain store and says where the rest is.
func TestBackupAgainstAClusterCopiesTheStoreOnly(t *testing.T) {
	env := append(offlineEnviron(t), "TEMPORAL_ADDRESS=temporal.example.org:7233")
	out := filepath.Join(t.TempDir(), "b")
	code, stdout, stderr := runStarter(t, env, "backup", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "Temporal cluster at temporal.example.org:7233") || !strings.Contains(stderr, "temporal_visibility") {
		t.Errorf("stderr does not say where the cycles' state is: %q", stderr)
	}
	if got := entries(t, out); !slices.Equal(got, []string{"accredit.db", "backup.json"}) {
		t.Errorf("backup holds %v, want the store and the manifest", got)
	}
	if !strings.Contains(stdout, "accredit.db") || strings.Contains(stdout, "temporal.db") {
		t.Errorf("summary: %s", stdout)
	}
	m, err := readManifest(out)
	if err != nil || m.Temporal.Embedded || m.Temporal.Address != "temporal.example.org:7233" {
		t.Errorf("manifest %+v, %v: want the cluster's address", m.Temporal, err)
	}
	// It restores against a cluster, and not with the embedded server, which would run
	// without the cycles.
	code, stdout, stderr = runStarter(t, freshEnviron(t), "restore", "--from", out)
	assertRejected(t, code, stdout, stderr, "domain store only", "TEMPORAL_ADDRESS")
	target := freshEnviron(t, "TEMPORAL_ADDRESS=temporal.example.org:7233")
	if code, _, stderr := runStarter(t, target, "restore", "--from", out); code != ExitOK {
		t.Fatalf("restore against the cluster: exit %d: %s", code, stderr)
	}
	if got := entries(t, envValue(target, "ACCREDIT_DATA_DIR")); !slices.Equal(got, []string{"accredit.db"}) {
		t.Errorf("restored data directory holds %v, want the store alone", got)
	}
}

// copyDir copies a backup so that a test may damage its copy.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// editManifest rewrites backup.json in dir through edit.
func editManifest(t *testing.T, dir string, edit func(m *backupManifest)) {
	t.Helper()
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	edit(&m)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRestore(t *testing.T) {
	env := offlineEnviron(t)
	out := filepath.Join(t.TempDir(), "b")
	mustStart(t, env, "backup", "--out", out)
	dataDir := envValue(env, "ACCREDIT_DATA_DIR")
	liveSum := fileSum(t, filepath.Join(dataDir, "accredit.db"))

	damagedFile := copyDir(t, out)
	f, err := os.OpenFile(filepath.Join(damagedFile, "accredit.db"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff}, 5000); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()

	changedSum := copyDir(t, out)
	editManifest(t, changedSum, func(m *backupManifest) {
		s := []byte(m.Files[1].SHA256)
		if s[0] == '0' {
			s[0] = '1'
		} else {
			s[0] = '0'
		}
		m.Files[1].SHA256 = string(s)
	})

	// A damaged store whose manifest was brought in line: only SQLite's check finds it.
	corrupt := copyDir(t, out)
	path := filepath.Join(corrupt, "accredit.db")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 4; i < len(data)*3/4; i++ {
		data[i] = byte(i)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	editManifest(t, corrupt, func(m *backupManifest) { m.Files[1].SHA256 = hex.EncodeToString(sum[:]) })

	elsewhere := copyDir(t, out)
	editManifest(t, elsewhere, func(m *backupManifest) { m.Files[1].Name = "../accredit.db" })
	newer := copyDir(t, out)
	editManifest(t, newer, func(m *backupManifest) { m.Files[1].SchemaVersion = 9999 })
	unfinished := copyDir(t, out)
	if err := os.Remove(filepath.Join(unfinished, manifestName)); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		env  []string
		from string
		want []string
	}{
		{"the data directory holds databases", env, out, []string{"already holds accredit.db", "without databases"}},
		{"a byte of the store changed", freshEnviron(t), damagedFile, []string{"accredit.db does not match the backup's manifest", "nothing was restored"}},
		{"the manifest's checksum changed", freshEnviron(t), changedSum, []string{"does not match the backup's manifest"}},
		{"a damaged store with a matching checksum", freshEnviron(t), corrupt, []string{"integrity check", "nothing was restored"}},
		{"the manifest names another file", freshEnviron(t), elsewhere, []string{`must be "accredit.db"`}},
		{"a store newer than this release", freshEnviron(t), newer, []string{"schema v9999, newer than this release's"}},
		{"no manifest", freshEnviron(t), unfinished, []string{"has no backup.json"}},
		{"no backup there", freshEnviron(t), filepath.Join(t.TempDir(), "nothing"), []string{"does not exist"}},
		{"the store is in PostgreSQL", freshEnviron(t, "ACCREDIT_DATABASE_URL=postgres://accredit:s3cret@db.example.org:5432/accredit"), out,
			[]string{"PostgreSQL", "pg_restore"}},
		{"a cluster is configured", freshEnviron(t, "TEMPORAL_ADDRESS=temporal.example.org:7233"), out, []string{"unset TEMPORAL_ADDRESS"}},
		{"another namespace", freshEnviron(t, "TEMPORAL_NAMESPACE=accreditation"), out, []string{`namespace "default"`, "TEMPORAL_NAMESPACE=default"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := envValue(tc.env, "ACCREDIT_DATA_DIR")
			before := entries(t, dir)
			code, stdout, stderr := runStarter(t, tc.env, "restore", "--from", tc.from)
			assertRejected(t, code, stdout, stderr, tc.want...)
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("the refusal shows the database password: %s", stderr)
			}
			if after := entries(t, dir); !slices.Equal(before, after) {
				t.Errorf("the refused restore changed the data directory: %v, before %v", after, before)
			}
		})
	}
	if got := fileSum(t, filepath.Join(dataDir, "accredit.db")); got != liveSum {
		t.Error("the refused restore changed the store it would have overwritten")
	}

	// Restored into a new directory: the files are the backup's, private, and the starter
	// reads the registry from them.
	target := freshEnviron(t)
	dir := envValue(target, "ACCREDIT_DATA_DIR")
	code, stdout, stderr := runStarter(t, target, "restore", "--from", out, "--json")
	if code != ExitOK {
		t.Fatalf("restore: exit %d: %s", code, stderr)
	}
	var view backupView
	if err := json.Unmarshal([]byte(stdout), &view); err != nil || view.Directory != dir || len(view.Manifest.Files) != 2 {
		t.Errorf("restore --json: %v: %s", err, stdout)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"accredit.db", "temporal.db"}) {
		t.Fatalf("restored data directory holds %v", got)
	}
	for _, name := range []string{"accredit.db", "temporal.db"} {
		p := filepath.Join(dir, name)
		if fileSum(t, p) != fileSum(t, filepath.Join(out, name)) {
			t.Errorf("%s differs from the backup's", name)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", name, err, fi.Mode().Perm())
		}
	}
	if out := mustStart(t, target, "institutions", "list", "--region", "hovedstaden"); !strings.Contains(out, "H-08") {
		t.Errorf("the restored registry lacks H-08: %s", out)
	}
	code, stdout, stderr = runStarter(t, target, "restore", "--from", out)
	assertRejected(t, code, stdout, stderr, "already holds")
}
