package embedded

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTemporalDatabaseIsPrivate: histories hold every payload, so the database the embedded
// server creates is 0600 in a 0700 directory, and an existing one is tightened at start.
func TestTemporalDatabaseIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(dir, "temporal.db")
	opts := Options{DatabaseFile: file, Namespace: "default"}
	if _, err := prepareDatabase(opts); err != nil {
		t.Fatal(err)
	}
	mode := func(p string) os.FileMode {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(dir); m != 0o700 {
		t.Errorf("data directory %#o, want 0700", m)
	}
	if m := mode(file); m != 0o600 {
		t.Errorf("temporal.db %#o, want 0600", m)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(file + suffix); err == nil && fi.Mode().Perm() != 0o600 {
			t.Errorf("temporal.db%s %#o, want 0600", suffix, fi.Mode().Perm())
		}
	}

	for _, p := range []string{file, file + "-wal", file + "-shm"} {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := prepareDatabase(opts); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, file + "-wal", file + "-shm"} {
		if m := mode(p); m != 0o600 {
			t.Errorf("%s %#o after a restart, want 0600", filepath.Base(p), m)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7233":     true,
		"127.0.0.2:7233":     true,
		"[::1]:7233":         true,
		"localhost:7233":     true,
		"LOCALHOST:7233":     true,
		":7233":              true, // Start binds an empty host to 127.0.0.1
		"0.0.0.0:7233":       false,
		"[::]:7233":          false,
		"192.168.1.20:7233":  false,
		"temporal.rm.dk:443": false,
		"10.0.0.5:7233":      false,
		"not an address":     false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %t, want %t", addr, got, want)
		}
	}
}
