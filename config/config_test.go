package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kvalitetsmodel/accredit/domain"
)

// hermetic is the environment every test starts from: a writable data directory and an empty
// Temporal client config file, so that a developer's ~/.config/temporalio/temporal.toml
// cannot change the outcome.
func hermetic(t *testing.T, extra ...string) []string {
	t.Helper()
	dir := t.TempDir()
	toml := filepath.Join(dir, "temporal.toml")
	if err := os.WriteFile(toml, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"ACCREDIT_DATA_DIR=" + filepath.Join(dir, "data"),
		"TEMPORAL_CONFIG_FILE=" + toml,
	}
	return append(env, extra...)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t *testing.T, src Source) Config {
	t.Helper()
	cfg, err := Load(src)
	if err != nil {
		t.Fatalf("Load: unexpected error: %v", err)
	}
	return cfg
}

// problems asserts that err is a *Error with exactly n problems, that its message says so,
// and returns the message.
func problems(t *testing.T, err error, n int) string {
	t.Helper()
	if err == nil {
		t.Fatalf("Load: want an error with %d problem(s), got nil", n)
	}
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load: error is %T, want *config.Error: %v", err, err)
	}
	msg := err.Error()
	if len(cerr.Problems) != n {
		t.Fatalf("Load: %d problems, want %d:\n%s", len(cerr.Problems), n, msg)
	}
	if want := "(" + strconv.Itoa(n) + " problem(s))"; !strings.Contains(msg, want) {
		t.Fatalf("error does not say %q:\n%s", want, msg)
	}
	if lines := strings.Count(msg, "\n  - "); lines != n {
		t.Fatalf("error lists %d lines, want %d:\n%s", lines, n, msg)
	}
	return msg
}

func assertContains(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not contain %q:\n%s", w, msg)
		}
	}
}

func TestDefaults(t *testing.T) {
	if got := Default().DataDir; got != "./data" {
		t.Errorf("Default().DataDir = %q, want ./data", got)
	}
	env := hermetic(t)
	cfg := mustLoad(t, Source{Environ: env})

	if want := strings.TrimPrefix(env[0], "ACCREDIT_DATA_DIR="); cfg.DataDir != want {
		t.Errorf("DataDir = %q, want %q", cfg.DataDir, want)
	}
	if fi, err := os.Stat(cfg.DataDir); err != nil || !fi.IsDir() {
		t.Errorf("data directory %s was not created: %v", cfg.DataDir, err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"HTTPAddr", cfg.HTTPAddr, "127.0.0.1:8080"},
		{"EmbeddedTemporalAddr", cfg.EmbeddedTemporalAddr, "127.0.0.1:7233"},
		{"TaskQueue", cfg.TaskQueue, "accreditation"},
		{"LogLevel", cfg.LogLevel, "info"},
		{"LogFormat", cfg.LogFormat, "text"},
		{"TemporalAddress()", cfg.TemporalAddress(), "127.0.0.1:7233"},
		{"Namespace()", cfg.Namespace(), "default"},
		{"StorePath()", cfg.StorePath(), filepath.Join(cfg.DataDir, "accredit.db")},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.DayLength != 24*time.Hour {
		t.Errorf("DayLength = %s, want 24h", cfg.DayLength)
	}
	if cfg.CapacityPerYear != 3 {
		t.Errorf("CapacityPerYear = %d, want 3", cfg.CapacityPerYear)
	}
	if !cfg.Embedded() {
		t.Error("Embedded() = false without TEMPORAL_ADDRESS, want true")
	}
	if len(cfg.SecretariatChannels) != 0 {
		t.Errorf("SecretariatChannels = %v, want none", cfg.SecretariatChannels)
	}

	d := cfg.Cycle
	for _, c := range []struct {
		name string
		got  domain.Period
		want string
	}{
		{"CycleLength", d.CycleLength, "3y"},
		{"SelfEvaluationInterval", d.SelfEvaluationInterval, "1y"},
		{"SelfEvaluationDue", d.SelfEvaluationDue, "8w"},
		{"InvitationAnswer", d.InvitationAnswer, "5d"},
		{"VisitNotice", d.VisitNotice, "4w"},
		{"VisitRecordGrace", d.VisitRecordGrace, "2d"},
		{"ReportDue", d.ReportDue, "4w"},
		{"HearingPeriod", d.HearingPeriod, "2w"},
		{"ActionPlanDue", d.ActionPlanDue, "8w"},
		{"RevisitWithin", d.RevisitWithin, "6mo"},
		{"RevisitNotice", d.RevisitNotice, "2w"},
		{"RevisitReportDue", d.RevisitReportDue, "2w"},
		{"AppealWindow", d.AppealWindow, "30d"},
		{"EscalationSecondAfter", d.EscalationSecondAfter, "14d"},
		{"EscalationRepeatEvery", d.EscalationRepeatEvery, "7d"},
	} {
		if c.got.String() != c.want {
			t.Errorf("Cycle.%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	var rem []string
	for _, r := range d.Reminders {
		rem = append(rem, r.String())
	}
	if got := strings.Join(rem, ","); got != "14d,7d,1d" {
		t.Errorf("Cycle.Reminders = %s, want 14d,7d,1d", got)
	}
}

// With no ACCREDIT_* variable at all, the data directory is ./data of the working directory.
func TestDefaultDataDirIsRelative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	toml := filepath.Join(dir, "temporal.toml")
	if err := os.WriteFile(toml, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := mustLoad(t, Source{Environ: []string{"TEMPORAL_CONFIG_FILE=" + toml}})
	if cfg.DataDir != "./data" {
		t.Errorf("DataDir = %q, want ./data", cfg.DataDir)
	}
	if fi, err := os.Stat(filepath.Join(dir, "data")); err != nil || !fi.IsDir() {
		t.Errorf("./data was not created in the working directory: %v", err)
	}
}

func TestTemporalAddressTurnsOffEmbeddedServer(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t,
		"TEMPORAL_ADDRESS=temporal.example.org:7233", "TEMPORAL_NAMESPACE=accredit")})
	if cfg.Embedded() {
		t.Error("Embedded() = true with TEMPORAL_ADDRESS set, want false")
	}
	if got := cfg.TemporalAddress(); got != "temporal.example.org:7233" {
		t.Errorf("TemporalAddress() = %q, want temporal.example.org:7233", got)
	}
	if got := cfg.Namespace(); got != "accredit" {
		t.Errorf("Namespace() = %q, want accredit", got)
	}
}

func TestEnvironmentSetsValues(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t,
		"ACCREDIT_DAY_LENGTH=2s",
		"ACCREDIT_SELF_EVALUATION_DUE=P6W",
		"ACCREDIT_REMINDERS=7d,1d",
		"ACCREDIT_SECRETARIAT_CHANNELS=hovedstaden:C1,nordjylland:C2",
		"ACCREDIT_CAPACITY_PER_YEAR=5",
	)})
	if cfg.DayLength != 2*time.Second {
		t.Errorf("DayLength = %s, want 2s", cfg.DayLength)
	}
	if got := cfg.Cycle.SelfEvaluationDue.String(); got != "6w" {
		t.Errorf("SelfEvaluationDue = %s, want 6w", got)
	}
	if len(cfg.Cycle.Reminders) != 2 || cfg.Cycle.Reminders[0].String() != "7d" || cfg.Cycle.Reminders[1].String() != "1d" {
		t.Errorf("Reminders = %v, want [7d 1d]", cfg.Cycle.Reminders)
	}
	if cfg.SecretariatChannels["hovedstaden"] != "C1" || cfg.SecretariatChannels["nordjylland"] != "C2" || len(cfg.SecretariatChannels) != 2 {
		t.Errorf("SecretariatChannels = %v", cfg.SecretariatChannels)
	}
	if cfg.CapacityPerYear != 5 {
		t.Errorf("CapacityPerYear = %d, want 5", cfg.CapacityPerYear)
	}
}

func TestEachBadValueHasItsOwnMessage(t *testing.T) {
	// A regular file: a data directory below it can never be created, even by root.
	blocker := writeFile(t, "file", "not a directory")
	underFile := filepath.Join(blocker, "sub")

	for _, c := range []struct {
		name string
		env  string
		want []string
	}{
		{"negative day length", "ACCREDIT_DAY_LENGTH=-5s",
			[]string{"ACCREDIT_DAY_LENGTH must be positive, got -5s"}},
		{"zero day length", "ACCREDIT_DAY_LENGTH=0s",
			[]string{"ACCREDIT_DAY_LENGTH must be positive, got 0s"}},
		{"malformed duration", "ACCREDIT_DAY_LENGTH=soon",
			[]string{`ACCREDIT_DAY_LENGTH="soon" cannot be read`, `invalid duration "soon"`}},
		{"negative period", "ACCREDIT_SELF_EVALUATION_DUE=-8w",
			[]string{`ACCREDIT_SELF_EVALUATION_DUE="-8w" cannot be read`, "negative periods are not allowed"}},
		{"malformed period", "ACCREDIT_REPORT_DUE=soon",
			[]string{`ACCREDIT_REPORT_DUE="soon" cannot be read`, `invalid period "soon"`}},
		{"zero period", "ACCREDIT_REPORT_DUE=0d",
			[]string{"ACCREDIT_REPORT_DUE must be longer than zero"}},
		{"a cycle no date can end", "ACCREDIT_CYCLE_LENGTH=100000y",
			[]string{"ACCREDIT_CYCLE_LENGTH is 100000y; no duration of the cycle may be longer than 10y"}},
		{"a notice longer than ten years", "ACCREDIT_VISIT_NOTICE=11y",
			[]string{"ACCREDIT_VISIT_NOTICE is 11y; no duration of the cycle may be longer than 10y"}},
		{"zero ISO period", "ACCREDIT_INVITATION_ANSWER=P0D",
			[]string{"ACCREDIT_INVITATION_ANSWER must be longer than zero"}},
		{"self-evaluations do not fit the cycle", "ACCREDIT_SELF_EVALUATION_INTERVAL=2y",
			[]string{"ACCREDIT_SELF_EVALUATION_INTERVAL (2y) must fit three times into ACCREDIT_CYCLE_LENGTH (3y)"}},
		{"reminder on the due date", "ACCREDIT_REMINDERS=14d,0d",
			[]string{"ACCREDIT_REMINDERS", "reminder 2 is 0d"}},
		{"malformed reminder", "ACCREDIT_REMINDERS=14d,x",
			[]string{`ACCREDIT_REMINDERS="14d,x" cannot be read`, `invalid period "x"`}},
		{"unknown region", "ACCREDIT_SECRETARIAT_CHANNELS=jylland:C123",
			[]string{"ACCREDIT_SECRETARIAT_CHANNELS", `unknown region "jylland"`}},
		{"channel without region", "ACCREDIT_SECRETARIAT_CHANNELS=C123",
			[]string{`ACCREDIT_SECRETARIAT_CHANNELS="C123" cannot be read`}},
		{"unwritable data directory", "ACCREDIT_DATA_DIR=" + underFile,
			[]string{`ACCREDIT_DATA_DIR "` + underFile + `" is not a writable directory`, "not a directory"}},
		{"empty data directory", "ACCREDIT_DATA_DIR= ",
			[]string{"ACCREDIT_DATA_DIR is empty"}},
		{"HTTP address without port", "ACCREDIT_HTTP_ADDR=localhost",
			[]string{`ACCREDIT_HTTP_ADDR "localhost" is malformed`, "missing port", "expected host:port"}},
		{"embedded Temporal port out of range", "ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:99999",
			[]string{`ACCREDIT_EMBEDDED_TEMPORAL_ADDR "127.0.0.1:99999" is malformed`, `port "99999" must be a number from 1 to 65535`}},
		{"Temporal address without port", "TEMPORAL_ADDRESS=nohost",
			[]string{`TEMPORAL_ADDRESS "nohost" is malformed`, "missing port"}},
		{"unknown log level", "ACCREDIT_LOG_LEVEL=loud",
			[]string{`ACCREDIT_LOG_LEVEL: unknown log level "loud"`, "debug, info, warn or error"}},
		{"bad log format", "ACCREDIT_LOG_FORMAT=xml",
			[]string{`ACCREDIT_LOG_FORMAT must be text or json, got "xml"`}},
		{"zero capacity", "ACCREDIT_CAPACITY_PER_YEAR=0",
			[]string{"ACCREDIT_CAPACITY_PER_YEAR must be at least 1, got 0"}},
		{"capacity not a number", "ACCREDIT_CAPACITY_PER_YEAR=many",
			[]string{`ACCREDIT_CAPACITY_PER_YEAR="many" cannot be read`}},
		{"negative retention", "ACCREDIT_RETENTION=-1h",
			[]string{"ACCREDIT_RETENTION must be positive"}},
		{"empty task queue", "ACCREDIT_TASK_QUEUE= ",
			[]string{"ACCREDIT_TASK_QUEUE is empty"}},
		{"a nanosecond day", "ACCREDIT_DAY_LENGTH=1ns",
			[]string{"ACCREDIT_DAY_LENGTH 1ns is shorter than the minimum 100ms"}},
		{"a day just under the minimum", "ACCREDIT_DAY_LENGTH=99ms",
			[]string{"ACCREDIT_DAY_LENGTH 99ms is shorter than the minimum 100ms"}},
		{"base URL without scheme", "ACCREDIT_PUBLIC_BASE_URL=akkreditering.regioner.dk",
			[]string{`ACCREDIT_PUBLIC_BASE_URL "akkreditering.regioner.dk" is malformed`, "scheme must be http or https", "absolute http or https URL"}},
		{"base URL with another scheme", "ACCREDIT_PUBLIC_BASE_URL=ftp://example.org",
			[]string{`ACCREDIT_PUBLIC_BASE_URL "ftp://example.org" is malformed`, `not "ftp"`}},
		{"base URL without host", "ACCREDIT_PUBLIC_BASE_URL=https:///cycles",
			[]string{"ACCREDIT_PUBLIC_BASE_URL", "it has no host"}},
		{"base URL as a relative path", "ACCREDIT_PUBLIC_BASE_URL=/cycles",
			[]string{"ACCREDIT_PUBLIC_BASE_URL", "scheme must be http or https"}},
		{"base URL with a query", "ACCREDIT_PUBLIC_BASE_URL=https://example.org/?lang=da",
			[]string{"ACCREDIT_PUBLIC_BASE_URL", "must not have a query"}},
		{"base URL with a fragment", "ACCREDIT_PUBLIC_BASE_URL=https://example.org/#top",
			[]string{"ACCREDIT_PUBLIC_BASE_URL", "must not have a fragment"}},
		{"base URL with a bad port", "ACCREDIT_PUBLIC_BASE_URL=http://example.org:99999",
			[]string{"ACCREDIT_PUBLIC_BASE_URL", `port "99999"`}},
		{"base URL with spaces", "ACCREDIT_PUBLIC_BASE_URL=http://example.org/a b",
			[]string{"ACCREDIT_PUBLIC_BASE_URL", "white space"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(Source{Environ: hermetic(t, c.env)})
			msg := problems(t, err, 1)
			assertContains(t, msg, c.want...)
			// The user sets variables, not Go fields: no message may name a field instead.
			if strings.Contains(msg, "parse error on field") {
				t.Errorf("message names a Go field instead of the variable:\n%s", msg)
			}
		})
	}
}

func TestEveryProblemIsListedAtOnce(t *testing.T) {
	blocker := writeFile(t, "file", "not a directory")
	underFile := filepath.Join(blocker, "sub")
	env := hermetic(t,
		"ACCREDIT_DATA_DIR="+underFile, // overrides hermetic's data directory
		"ACCREDIT_DAY_LENGTH=soon",
		"ACCREDIT_RETENTION=-5s",
		"ACCREDIT_SELF_EVALUATION_DUE=-8w",
		"ACCREDIT_REPORT_DUE=0d",
		"ACCREDIT_SECRETARIAT_CHANNELS=jylland:C123",
		"ACCREDIT_HTTP_ADDR=localhost",
		"ACCREDIT_EMBEDDED_TEMPORAL_ADDR=127.0.0.1:99999",
		"TEMPORAL_ADDRESS=nohost",
		"ACCREDIT_LOG_LEVEL=loud",
		"ACCREDIT_LOG_FORMAT=xml",
		"ACCREDIT_CAPACITY_PER_YEAR=0",
	)
	_, err := Load(Source{Environ: env})
	msg := problems(t, err, 12)
	assertContains(t, msg,
		`ACCREDIT_DATA_DIR "`+underFile+`" is not a writable directory`,
		`ACCREDIT_DAY_LENGTH="soon" cannot be read`,
		"ACCREDIT_RETENTION must be positive, got -5s",
		`ACCREDIT_SELF_EVALUATION_DUE="-8w" cannot be read`,
		"ACCREDIT_REPORT_DUE must be longer than zero",
		`unknown region "jylland"`,
		`ACCREDIT_HTTP_ADDR "localhost" is malformed`,
		`ACCREDIT_EMBEDDED_TEMPORAL_ADDR "127.0.0.1:99999" is malformed`,
		`TEMPORAL_ADDRESS "nohost" is malformed`,
		`unknown log level "loud"`,
		`ACCREDIT_LOG_FORMAT must be text or json, got "xml"`,
		"ACCREDIT_CAPACITY_PER_YEAR must be at least 1, got 0",
	)
}

const fileConfig = `
day_length: 2s
http_addr: 0.0.0.0:9090
log_format: json
capacity_per_year: 5
secretariat_channels:
  hovedstaden: C111
cycle:
  self_evaluation_due: 6w
  appeal_window: P3W
  reminders: [7d, 1d]
`

func TestFileSetsValues(t *testing.T) {
	path := writeFile(t, "accredit.yaml", fileConfig)
	cfg := mustLoad(t, Source{File: path, Environ: hermetic(t)})
	if cfg.DayLength != 2*time.Second {
		t.Errorf("DayLength = %s, want 2s from the file", cfg.DayLength)
	}
	if cfg.HTTPAddr != "0.0.0.0:9090" {
		t.Errorf("HTTPAddr = %q, want 0.0.0.0:9090 from the file", cfg.HTTPAddr)
	}
	if cfg.LogFormat != "json" {
		t.Errorf("LogFormat = %q, want json from the file", cfg.LogFormat)
	}
	if cfg.CapacityPerYear != 5 {
		t.Errorf("CapacityPerYear = %d, want 5 from the file", cfg.CapacityPerYear)
	}
	if cfg.SecretariatChannels["hovedstaden"] != "C111" {
		t.Errorf("SecretariatChannels = %v, want hovedstaden: C111", cfg.SecretariatChannels)
	}
	if got := cfg.Cycle.SelfEvaluationDue.String(); got != "6w" {
		t.Errorf("SelfEvaluationDue = %s, want 6w from the file", got)
	}
	if got := cfg.Cycle.AppealWindow.String(); got != "3w" {
		t.Errorf("AppealWindow = %s, want 3w from the file", got)
	}
	if len(cfg.Cycle.Reminders) != 2 || cfg.Cycle.Reminders[0].String() != "7d" {
		t.Errorf("Reminders = %v, want [7d 1d] from the file", cfg.Cycle.Reminders)
	}
	// What the file does not mention keeps its default.
	if got := cfg.Cycle.ReportDue.String(); got != "4w" {
		t.Errorf("ReportDue = %s, want the default 4w", got)
	}
	if cfg.LogLevel != "info" {
		t.Errorf("LogLevel = %q, want the default info", cfg.LogLevel)
	}
}

func TestFileNamedByEnvironment(t *testing.T) {
	path := writeFile(t, "accredit.yaml", "log_level: debug\n")
	cfg := mustLoad(t, Source{Environ: hermetic(t, FileEnv+"="+path)})
	if cfg.LogLevel != "debug" {
		t.Errorf("LogLevel = %q, want debug from the file named by %s", cfg.LogLevel, FileEnv)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	path := writeFile(t, "accredit.yaml", fileConfig)
	cfg := mustLoad(t, Source{File: path, Environ: hermetic(t,
		"ACCREDIT_DAY_LENGTH=3s",
		"ACCREDIT_SELF_EVALUATION_DUE=5w",
		"ACCREDIT_REMINDERS=3d",
	)})
	if cfg.DayLength != 3*time.Second {
		t.Errorf("DayLength = %s, want 3s from the environment over the file's 2s", cfg.DayLength)
	}
	if got := cfg.Cycle.SelfEvaluationDue.String(); got != "5w" {
		t.Errorf("SelfEvaluationDue = %s, want 5w from the environment over the file's 6w", got)
	}
	if len(cfg.Cycle.Reminders) != 1 || cfg.Cycle.Reminders[0].String() != "3d" {
		t.Errorf("Reminders = %v, want [3d] from the environment", cfg.Cycle.Reminders)
	}
	// Values the environment does not set still come from the file.
	if cfg.LogFormat != "json" {
		t.Errorf("LogFormat = %q, want json from the file", cfg.LogFormat)
	}
}

func TestFileUnknownKeyIsNamed(t *testing.T) {
	for _, c := range []struct{ name, content, key string }{
		{"top level", "day_length: 2s\ncolour: blue\n", "colour"},
		{"in cycle", "cycle:\n  report_du: 4w\n", "report_du"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "accredit.yaml", c.content)
			_, err := Load(Source{File: path, Environ: hermetic(t)})
			msg := problems(t, err, 1)
			assertContains(t, msg, "config file "+path, c.key)
		})
	}
}

func TestFileBadValueIsReported(t *testing.T) {
	// yaml.v3 stops decoding at a value its unmarshaler rejects, so the key that validation
	// catches comes first here.
	path := writeFile(t, "accredit.yaml", "log_format: xml\ncycle:\n  report_due: -4w\n")
	_, err := Load(Source{File: path, Environ: hermetic(t)})
	msg := problems(t, err, 2)
	assertContains(t, msg, "config file "+path, `invalid period "-4w"`, `ACCREDIT_LOG_FORMAT must be text or json, got "xml"`)
}

func TestEmptyFileIsFine(t *testing.T) {
	for _, content := range []string{"", "\n", "# nothing set yet\n"} {
		path := writeFile(t, "accredit.yaml", content)
		cfg := mustLoad(t, Source{File: path, Environ: hermetic(t)})
		if cfg.DayLength != 24*time.Hour || cfg.HTTPAddr != "127.0.0.1:8080" {
			t.Errorf("empty file %q changed defaults: DayLength %s, HTTPAddr %s", content, cfg.DayLength, cfg.HTTPAddr)
		}
	}
}

func TestMissingFileIsNamed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nowhere.yaml")
	_, err := Load(Source{File: path, Environ: hermetic(t)})
	msg := problems(t, err, 1)
	assertContains(t, msg, "config file "+path, "no such file")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("errors.Is(err, os.ErrNotExist) = false; the single problems should unwrap: %v", err)
	}
}

func TestParseLogLevel(t *testing.T) {
	for in, want := range map[string]string{"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"} {
		l, err := ParseLogLevel(in)
		if err != nil || l.String() != want {
			t.Errorf("ParseLogLevel(%q) = %v, %v; want %s", in, l, err, want)
		}
	}
	if _, err := ParseLogLevel("loud"); err == nil {
		t.Error("ParseLogLevel(loud) = nil error")
	}
}

// TestShortestAcceptedValues are the values the integration tests and the walkthrough run on:
// the minimum day is accepted, as are base URLs with a path or a port.
func TestShortestAcceptedValues(t *testing.T) {
	for _, env := range []string{
		"ACCREDIT_DAY_LENGTH=100ms", // service/cycle_e2e_test.go
		"ACCREDIT_DAY_LENGTH=1s",    // examples/walkthrough.sh
		"ACCREDIT_PUBLIC_BASE_URL=https://akkreditering.regioner.dk",
		"ACCREDIT_PUBLIC_BASE_URL=http://127.0.0.1:8080/",
		"ACCREDIT_PUBLIC_BASE_URL=https://intranet.rm.dk/kvalitet/akkreditering",
		"ACCREDIT_PUBLIC_BASE_URL=http://[::1]:8080",
	} {
		if _, err := Load(Source{Environ: hermetic(t, env)}); err != nil {
			t.Errorf("%s: %v", env, err)
		}
	}
	if MinDayLength != 100*time.Millisecond {
		t.Errorf("MinDayLength = %s: the integration tests run 100ms days", MinDayLength)
	}
}

func TestDataDirectoryIsCreatedPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	env := hermetic(t, "ACCREDIT_DATA_DIR="+dir)
	mustLoad(t, Source{Environ: env})
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o700 {
		t.Errorf("data directory created %#o, want 0700", mode)
	}
}

func TestWorkerTuning(t *testing.T) {
	cfg, err := Load(Source{Environ: []string{"ACCREDIT_WORKER_CACHE_SIZE=300", "ACCREDIT_WORKER_WORKFLOW_POLLERS=3", "ACCREDIT_WORKER_MEMORY_LIMIT_MB=0"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Worker.CacheSize != 300 || cfg.Worker.WorkflowPollers != 3 || cfg.Worker.MemoryLimitMB != 0 ||
		cfg.Worker.MaxActivities != DefaultWorkerTuning().MaxActivities {
		t.Errorf("worker tuning = %+v, want cache 300, 3 workflow pollers, no memory limit and the other defaults", cfg.Worker)
	}
	_, err = Load(Source{Environ: []string{"ACCREDIT_WORKER_CACHE_SIZE=0", "ACCREDIT_WORKER_WORKFLOW_POLLERS=1", "ACCREDIT_WORKER_MEMORY_LIMIT_MB=-1"}})
	for _, want := range []string{"ACCREDIT_WORKER_CACHE_SIZE is 0; give a number from 10", "ACCREDIT_WORKER_WORKFLOW_POLLERS is 1",
		"ACCREDIT_WORKER_MEMORY_LIMIT_MB is -1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load with bad worker tuning: %v; want it to say %q", err, want)
		}
	}
}
