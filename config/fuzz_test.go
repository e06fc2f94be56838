package config

// Fuzz target of the configuration loader (issue 8, point 6): Load with a YAML file and an
// environment that are both fuzzed. Every input gives an *Error that lists its problems as
// text, or a configuration that validates, builds its Temporal client options and logger,
// and, written back as a YAML file, loads again as the same configuration.
//
// go test -run '^$' -fuzz '^FuzzLoad$' -fuzztime 60s ./config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fuzzFixedEnv are variables the target sets itself: the data directory (Load creates it
// and writes a probe file in it, which must stay in the test's directory), and every
// variable that names a file to read (a fuzzed path could name a device that never ends).
func fuzzFixedEnv(key string) bool {
	switch key {
	case "ACCREDIT_DATA_DIR", FileEnv, "TEMPORAL_CONFIG_FILE":
		return true
	}
	return strings.HasSuffix(key, "_PATH")
}

func FuzzLoad(f *testing.F) {
	full := `data_dir: ./data
http_addr: 127.0.0.1:8080
embedded_temporal_addr: 127.0.0.1:7233
day_length: 1s
task_queue: accreditation
log_level: debug
log_format: json
retention: 720h
capacity_per_year: 3
public_base_url: https://akkreditering.regioner.dk
secretariat_channels:
  hovedstaden: C0123
  nordjylland: C0456
cycle:
  cycle_length: 3y
  self_evaluation_interval: P1Y
  self_evaluation_due: 8w
  invitation_answer: 5d
  manual_assignment_due: 2w
  visit_date_due: 4w
  visit_notice: 4w
  visit_record_grace: 2d
  report_due: 4w
  hearing_period: 2w
  action_plan_due: 8w
  revisit_within: 6mo
  revisit_notice: 2w
  revisit_report_due: 2w
  appeal_window: 30d
  decision_due: 4w
  reminders: [14d, 7d, 1d]
  escalation_second_after: 14d
  escalation_repeat_every: 7d
`
	for _, seed := range []struct{ yaml, env string }{
		{"", ""},
		{full, ""},
		{"\ufeff" + full, ""},
		{"cycle:\n  cycle_length: 1mo\n  self_evaluation_interval: 1w\n", "ACCREDIT_DAY_LENGTH=1s\nACCREDIT_LOG_LEVEL=warn"},
		{"day_length: 0s\nretention: -1h\ncapacity_per_year: 0\n", "ACCREDIT_TASK_QUEUE=\nACCREDIT_LOG_FORMAT=xml"},
		{"unknown: 1\n", "ACCREDIT_CAPACITY_PER_YEAR=many\nACCREDIT_DAY_LENGTH=1 day"},
		{"cycle:\n  reminders: []\n  escalation_repeat_every: 0d\n", "ACCREDIT_REMINDERS=14d,,7d\nACCREDIT_CYCLE_LENGTH=-3y"},
		{"secretariat_channels: {jylland: C1}\n", "ACCREDIT_SECRETARIAT_CHANNELS=hovedstaden:C0123,nordjylland"},
		{"http_addr: ':99999'\npublic_base_url: ftp://x\n", "ACCREDIT_EMBEDDED_TEMPORAL_ADDR=localhost\nACCREDIT_PUBLIC_BASE_URL=https://u:p@host/?q#f"},
		{"day_length: 5\n", "TEMPORAL_ADDRESS=temporal.example.org:7233\nTEMPORAL_NAMESPACE=prod\nTEMPORAL_API_KEY=k"},
		{"- a\n- b\n", "TEMPORAL_ADDRESS=no port\nTEMPORAL_TLS=maybe\nTEMPORAL_GRPC_META_X=1"},
		{"cycle: {cycle_length: 100000y}\n", "ACCREDIT_SELF_EVALUATION_INTERVAL=P100000M"},
		{"a: &a [*a, *a]\nb: *a\n", "NOEQUALS\n=empty\nACCREDIT_DAY_LENGTH=24h=1d"},
		{"data_dir: \"\\0\"\ntask_queue: \"\\x1b[2J\"\n", "ACCREDIT_LOG_LEVEL=\xff"},
		{"\t- tab\n", ""},
	} {
		f.Add([]byte(seed.yaml), seed.env)
	}

	dir := f.TempDir()
	file := filepath.Join(dir, "accredit.yaml")
	toml := filepath.Join(dir, "temporal.toml")
	if err := os.WriteFile(toml, nil, 0o600); err != nil {
		f.Fatal(err)
	}
	fixed := []string{"ACCREDIT_DATA_DIR=" + filepath.Join(dir, "data"), "TEMPORAL_CONFIG_FILE=" + toml}

	f.Fuzz(func(t *testing.T, yamlFile []byte, environ string) {
		env := append([]string(nil), fixed...)
		for kv := range strings.SplitSeq(environ, "\n") {
			if key, _, _ := strings.Cut(kv, "="); !fuzzFixedEnv(key) {
				env = append(env, kv)
			}
		}
		if err := os.WriteFile(file, yamlFile, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(Source{File: file, Environ: env})
		if err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || len(cerr.Problems) == 0 {
				t.Fatalf("Load refused with a %T that lists no problems: %v", err, err)
			}
			for _, p := range cerr.Problems {
				if msg := p.Error(); strings.TrimSpace(msg) == "" || !utf8.ValidString(msg) {
					t.Fatalf("problem %q is empty or not UTF-8", msg)
				}
			}
			return
		}

		// Accepted: it validates, it makes a Temporal client and a logger, and it is what a
		// file written from it loads as.
		if problems := cfg.validate(false); len(problems) > 0 {
			t.Fatalf("Load accepted a configuration that does not validate: %v", problems)
		}
		if _, err := cfg.ClientOptions(nil); err != nil {
			t.Fatalf("Load accepted a configuration without Temporal client options: %v", err)
		}
		if _, err := ParseLogLevel(cfg.LogLevel); err != nil || cfg.NewLogger(io.Discard) == nil {
			t.Fatalf("Load accepted log level %q: %v", cfg.LogLevel, err)
		}
		written, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("the configuration does not write as YAML: %v", err)
		}
		if err := os.WriteFile(file, written, 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := Load(Source{File: file, Environ: env})
		if err != nil {
			t.Fatalf("the configuration, written as\n%s\ndoes not load again: %v", written, err)
		}
		if rewritten, err := yaml.Marshal(again); err != nil || string(rewritten) != string(written) {
			t.Fatalf("the configuration written as\n%s\nloads again as\n%s", written, rewritten)
		}
		if again.Temporal.Address != cfg.Temporal.Address || again.Namespace() != cfg.Namespace() {
			t.Fatalf("the Temporal settings changed: %+v, now %+v", cfg.Temporal, again.Temporal)
		}
	})
}
