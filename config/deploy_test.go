package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestDeploymentIsUnversionedByDefault(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t)})
	if cfg.Deployment.Versioned() || cfg.Deployment != (Deployment{}) {
		t.Errorf("Deployment = %+v, versioned %v; want unversioned without ACCREDIT_DEPLOYMENT_NAME", cfg.Deployment, cfg.Deployment.Versioned())
	}
}

func TestDeploymentFromEnvironmentAndFile(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t, "ACCREDIT_DEPLOYMENT_NAME=accredit", "ACCREDIT_BUILD_ID=3fb0c1a")})
	if want := (Deployment{Name: "accredit", BuildID: "3fb0c1a"}); cfg.Deployment != want || !cfg.Deployment.Versioned() {
		t.Errorf("Deployment = %+v, want %+v and versioned", cfg.Deployment, want)
	}
	path := writeFile(t, "accredit.yaml", "deployment:\n  name: accredit-test\n  build_id: v2026.11.23\n")
	cfg = mustLoad(t, Source{File: path, Environ: hermetic(t, "ACCREDIT_BUILD_ID=override")})
	if want := (Deployment{Name: "accredit-test", BuildID: "override"}); cfg.Deployment != want {
		t.Errorf("Deployment from the file and the environment = %+v, want %+v", cfg.Deployment, want)
	}
}

func TestBadDeploymentSettings(t *testing.T) {
	for _, c := range []struct {
		name string
		env  []string
		want []string
	}{
		{"a build ID alone", []string{"ACCREDIT_BUILD_ID=3fb0c1a"},
			[]string{`ACCREDIT_BUILD_ID is "3fb0c1a" but ACCREDIT_DEPLOYMENT_NAME is empty`}},
		{"a dot in the name", []string{"ACCREDIT_DEPLOYMENT_NAME=accredit.prod"},
			[]string{`ACCREDIT_DEPLOYMENT_NAME "accredit.prod" contains '.' or ':'`}},
		{"a colon in the name", []string{"ACCREDIT_DEPLOYMENT_NAME=accredit:prod"},
			[]string{"contains '.' or ':'"}},
		{"a reserved name", []string{"ACCREDIT_DEPLOYMENT_NAME=__accredit"},
			[]string{`ACCREDIT_DEPLOYMENT_NAME "__accredit" starts with "__"`}},
		{"a reserved build ID", []string{"ACCREDIT_DEPLOYMENT_NAME=accredit", "ACCREDIT_BUILD_ID=__unversioned__"},
			[]string{`ACCREDIT_BUILD_ID "__unversioned__" starts with "__"`}},
		{"a space in the build ID", []string{"ACCREDIT_DEPLOYMENT_NAME=accredit", "ACCREDIT_BUILD_ID=release 2"},
			[]string{`ACCREDIT_BUILD_ID "release 2" has white space`}},
		{"a long build ID", []string{"ACCREDIT_DEPLOYMENT_NAME=accredit", "ACCREDIT_BUILD_ID=" + strings.Repeat("a", MaxDeploymentIDLength+1)},
			[]string{"is 256 bytes long; give at most 255"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Source{Environ: hermetic(t, c.env...)})
			assertContains(t, problems(t, err, 1), c.want...)
		})
	}
}

func TestDerivedBuildID(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "worker")
	if err := os.WriteFile(exe, []byte("a build of the worker"), 0o755); err != nil {
		t.Fatal(err)
	}
	executable := func() (string, error) { return exe, nil }
	info := func(settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	const revision = "3fb0c1a9e0d2c4b6a8f1e3d5c7b9a0f2e4d6c8b0"
	sum := sha256.Sum256([]byte("a build of the worker"))
	hashID := "sha256-" + hex.EncodeToString(sum[:])[:16]
	named := Deployment{Name: "accredit"}
	for _, c := range []struct {
		name string
		d    Deployment
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"configured wins", Deployment{Name: "accredit", BuildID: "release-7"}, info("vcs.revision", revision, "vcs.modified", "false"), true, "release-7"},
		{"a modified tree's revision is not the build", named, info("vcs.revision", revision, "vcs.modified", "true"), true, hashID},
		{"a clean revision", named, info("vcs.revision", revision, "vcs.modified", "false"), true, revision},
		{"no VCS stamp (-buildvcs=false, or no .git in the build context)", named, info("-trimpath", "true"), true, hashID},
		{"no build info", named, nil, false, hashID},
	} {
		got, err := c.d.buildID(c.info, c.ok, executable)
		if err != nil || got != c.want {
			t.Errorf("%s: build ID = %q, %v; want %q", c.name, got, err, c.want)
		}
	}

	// Another binary gets another ID; the same binary always the same.
	if err := os.WriteFile(exe, []byte("the next build of the worker"), 0o755); err != nil {
		t.Fatal(err)
	}
	if next, err := named.buildID(nil, false, executable); err != nil || next == hashID {
		t.Errorf("build ID of a changed executable = %q, %v; want a new one (not %q)", next, err, hashID)
	}
	if _, err := named.buildID(nil, false, func() (string, error) { return "", errors.New("no /proc") }); err == nil ||
		!strings.Contains(err.Error(), "set ACCREDIT_BUILD_ID") {
		t.Errorf("build ID without an executable: %v; want an error naming ACCREDIT_BUILD_ID", err)
	}
}
