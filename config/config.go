// Package config is the service's one typed configuration: defaults, then an optional YAML
// file, then ACCREDIT_* environment variables, validated at start so that every problem is
// reported at once. Temporal connection settings are not ours: they follow the SDK's own
// conventions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
// TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE) through go.temporal.io/sdk/contrib/envconfig.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"go.temporal.io/sdk/contrib/envconfig"
	"gopkg.in/yaml.v3"

	"github.com/kvalitetsmodel/accredit/domain"
)

// FileEnv names the environment variable that points at the optional YAML config file.
const FileEnv = "ACCREDIT_CONFIG"

// MaxCycleDuration is the longest any duration of the cycle may be. Cycles are anchored on
// calendar dates, which end in the year 9999: a cycle of 100,000 years loaded, but its next
// cycle could not be dated and the cycle failed at its end.
var MaxCycleDuration = domain.Period{Years: 10}

// MinDayLength is the shortest calendar day the service accepts. Deadlines, reminders and
// escalations are timers of whole days; a day much shorter than a workflow task's round trip
// fires them faster than the worker can record them (1ns made every timer fire at once). The
// fastest integration test runs on 100ms days, the walkthrough on 1s.
const MinDayLength = 100 * time.Millisecond

// Config is everything the worker and the starter need to know about their environment.
type Config struct {
	// DataDir holds the domain store, the embedded Temporal database and the outbox.
	DataDir string `yaml:"data_dir" env:"ACCREDIT_DATA_DIR"`
	// DatabaseURL (postgres://...) puts the domain store in that PostgreSQL database, which
	// several worker replicas share; empty keeps it in DataDir as SQLite (StorePath).
	DatabaseURL string `yaml:"database_url" env:"ACCREDIT_DATABASE_URL"`
	// HTTPAddr is where the web dashboard listens.
	HTTPAddr string `yaml:"http_addr" env:"ACCREDIT_HTTP_ADDR"`
	// EmbeddedTemporalAddr is where the embedded Temporal server listens when no Temporal
	// address is configured; the starter dials the same address.
	EmbeddedTemporalAddr string `yaml:"embedded_temporal_addr" env:"ACCREDIT_EMBEDDED_TEMPORAL_ADDR"`
	// DayLength is how long one calendar day lasts: 24h in production, seconds in demos.
	DayLength time.Duration `yaml:"day_length" env:"ACCREDIT_DAY_LENGTH"`
	// TaskQueue is the Temporal task queue the worker polls.
	TaskQueue string `yaml:"task_queue" env:"ACCREDIT_TASK_QUEUE"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level" env:"ACCREDIT_LOG_LEVEL"`
	// LogFormat is text or json.
	LogFormat string `yaml:"log_format" env:"ACCREDIT_LOG_FORMAT"`
	// Retention is how long the embedded server keeps closed workflows.
	Retention time.Duration `yaml:"retention" env:"ACCREDIT_RETENTION"`
	// CapacityPerYear is the most external evaluations one reviewer takes in a year.
	CapacityPerYear int `yaml:"capacity_per_year" env:"ACCREDIT_CAPACITY_PER_YEAR"`
	// PublicBaseURL prefixes the links in notifications.
	PublicBaseURL string `yaml:"public_base_url" env:"ACCREDIT_PUBLIC_BASE_URL"`
	// SecretariatChannels maps a region, or "national", to the Slack channel ID of its
	// secretariat: escalations from level 2 and the daily digest of overdue steps go there.
	SecretariatChannels map[string]string `yaml:"secretariat_channels" env:"ACCREDIT_SECRETARIAT_CHANNELS"`
	// Slack is the Slack app that delivers notifications; without a bot token they are logged.
	Slack Slack `yaml:"slack" envPrefix:"ACCREDIT_SLACK_"`
	// Web is the web app's sign-in: link and session lifetimes, and OpenID Connect.
	Web Web `yaml:"web" envPrefix:"ACCREDIT_"`
	// Cycle holds every duration of the accreditation cycle.
	Cycle Durations `yaml:"cycle" envPrefix:"ACCREDIT_"`
	// Worker sizes the worker's cache and pollers.
	Worker WorkerTuning `yaml:"worker" envPrefix:"ACCREDIT_WORKER_"`
	// Deployment turns on Worker Versioning: ACCREDIT_DEPLOYMENT_NAME and ACCREDIT_BUILD_ID.
	Deployment Deployment `yaml:"deployment" envPrefix:"ACCREDIT_"`

	// EmbeddedContinueAsNewAfter, when positive, is the history length (events) at which the
	// embedded server suggests continue-as-new, instead of the server's default of thousands.
	// Not configuration for people: tests and the history recorder lower it so that cycles
	// continue as new in the middle, as they do after years of running.
	EmbeddedContinueAsNewAfter int `yaml:"-" env:"-"`

	// Temporal is the client profile from the SDK's environment conventions. An empty Address
	// means: run the embedded server.
	Temporal envconfig.ClientConfigProfile `yaml:"-"`
}

// Durations are the deadlines, notice periods and alert offsets of PRODUCT.md §3. Calendar
// lengths are domain.Periods ("8w", "14d", "6mo", "3y" or ISO 8601 "P8W").
type Durations struct {
	CycleLength            domain.Period   `yaml:"cycle_length" env:"CYCLE_LENGTH"`
	SelfEvaluationInterval domain.Period   `yaml:"self_evaluation_interval" env:"SELF_EVALUATION_INTERVAL"`
	SelfEvaluationDue      domain.Period   `yaml:"self_evaluation_due" env:"SELF_EVALUATION_DUE"`
	InvitationAnswer       domain.Period   `yaml:"invitation_answer" env:"INVITATION_ANSWER"`
	ManualAssignmentDue    domain.Period   `yaml:"manual_assignment_due" env:"MANUAL_ASSIGNMENT_DUE"`
	VisitDateDue           domain.Period   `yaml:"visit_date_due" env:"VISIT_DATE_DUE"`
	VisitNotice            domain.Period   `yaml:"visit_notice" env:"VISIT_NOTICE"`
	VisitRecordGrace       domain.Period   `yaml:"visit_record_grace" env:"VISIT_RECORD_GRACE"`
	ReportDue              domain.Period   `yaml:"report_due" env:"REPORT_DUE"`
	HearingPeriod          domain.Period   `yaml:"hearing_period" env:"HEARING_PERIOD"`
	ActionPlanDue          domain.Period   `yaml:"action_plan_due" env:"ACTION_PLAN_DUE"`
	RevisitWithin          domain.Period   `yaml:"revisit_within" env:"REVISIT_WITHIN"`
	RevisitNotice          domain.Period   `yaml:"revisit_notice" env:"REVISIT_NOTICE"`
	RevisitReportDue       domain.Period   `yaml:"revisit_report_due" env:"REVISIT_REPORT_DUE"`
	AppealWindow           domain.Period   `yaml:"appeal_window" env:"APPEAL_WINDOW"`
	DecisionDue            domain.Period   `yaml:"decision_due" env:"DECISION_DUE"`
	Reminders              []domain.Period `yaml:"reminders" env:"REMINDERS"`
	// VisitReminders are the notices to the team and the institution before a visit or
	// revisit (the visit step itself opens on the visit day).
	VisitReminders        []domain.Period `yaml:"visit_reminders" env:"VISIT_REMINDERS"`
	EscalationSecondAfter domain.Period   `yaml:"escalation_second_after" env:"ESCALATION_SECOND_AFTER"`
	EscalationRepeatEvery domain.Period   `yaml:"escalation_repeat_every" env:"ESCALATION_REPEAT_EVERY"`
}

// DefaultDurations are the defaults of PRODUCT.md §3.
func DefaultDurations() Durations {
	return Durations{
		CycleLength:            domain.Period{Years: 3},
		SelfEvaluationInterval: domain.Period{Years: 1},
		SelfEvaluationDue:      domain.Period{Weeks: 8},
		InvitationAnswer:       domain.Period{Days: 5},
		ManualAssignmentDue:    domain.Period{Weeks: 2},
		VisitDateDue:           domain.Period{Weeks: 4},
		VisitNotice:            domain.Period{Weeks: 4},
		VisitRecordGrace:       domain.Period{Days: 2},
		ReportDue:              domain.Period{Weeks: 4},
		HearingPeriod:          domain.Period{Weeks: 2},
		ActionPlanDue:          domain.Period{Weeks: 8},
		RevisitWithin:          domain.Period{Months: 6},
		RevisitNotice:          domain.Period{Weeks: 2},
		RevisitReportDue:       domain.Period{Weeks: 2},
		AppealWindow:           domain.Period{Days: 30},
		DecisionDue:            domain.Period{Weeks: 4},
		Reminders:              []domain.Period{{Days: 14}, {Days: 7}, {Days: 1}},
		VisitReminders:         domain.DefaultVisitNotices(),
		EscalationSecondAfter:  domain.Period{Days: 14},
		EscalationRepeatEvery:  domain.Period{Days: 7},
	}
}

// DeadlinePolicy is the reminder and escalation policy these durations describe.
func (d Durations) DeadlinePolicy() domain.DeadlinePolicy {
	return domain.NewDeadlinePolicy(d.Reminders, d.EscalationSecondAfter, d.EscalationRepeatEvery)
}

// Default is the configuration of a fresh checkout: embedded Temporal, ./data, real days.
func Default() Config {
	return Config{
		DataDir:              "./data",
		HTTPAddr:             "127.0.0.1:8080",
		EmbeddedTemporalAddr: "127.0.0.1:7233",
		DayLength:            24 * time.Hour,
		TaskQueue:            "accreditation",
		LogLevel:             "info",
		LogFormat:            "text",
		Retention:            30 * 24 * time.Hour,
		CapacityPerYear:      3,
		PublicBaseURL:        "http://127.0.0.1:8080",
		Slack:                DefaultSlack(),
		Web:                  DefaultWeb(),
		Cycle:                DefaultDurations(),
		Worker:               DefaultWorkerTuning(),
	}
}

// Source says where configuration comes from; tests replace the environment.
type Source struct {
	// File is a YAML file; empty means the file named by ACCREDIT_CONFIG, if any.
	File string
	// Environ is the environment as KEY=VALUE; nil means the process environment.
	Environ []string
	// KeepDataDir is the starter's: it works on the worker's data directory and never creates
	// one (a mistyped ACCREDIT_DATA_DIR would otherwise get an empty store nobody reads).
	KeepDataDir bool
}

// Load builds the configuration from defaults, the file and the environment, and validates
// it. The error lists every problem found, one per line.
func Load(src Source) (Config, error) {
	environ := src.Environ
	if environ == nil {
		environ = os.Environ()
	}
	envMap := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			envMap[k] = v
		}
	}
	cfg := Default()
	var problems []error

	file := src.File
	if file == "" {
		file = envMap[FileEnv]
	}
	if file != "" {
		if err := loadFile(file, &cfg); err != nil {
			problems = append(problems, err)
		}
	}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: envMap}); err != nil {
		var agg env.AggregateError
		if errors.As(err, &agg) {
			for _, e := range agg.Errors {
				problems = append(problems, nameVariable(e, envMap))
			}
		} else {
			problems = append(problems, err)
		}
	}
	temporal, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{
		EnvLookup: mapLookup(envMap),
	})
	if err != nil {
		problems = append(problems, fmt.Errorf("temporal client settings: %w", err))
	}
	cfg.Temporal = temporal
	problems = append(problems, cfg.validate(src.KeepDataDir)...)
	if len(problems) > 0 {
		return cfg, &Error{Problems: problems}
	}
	return cfg, nil
}

// Error lists every configuration problem found.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("invalid configuration (%d problem(s)):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Unwrap exposes the single problems to errors.Is and errors.As.
func (e *Error) Unwrap() []error { return e.Problems }

func loadFile(path string, cfg *Config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file is no settings, not an error.
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	return nil
}

func (c *Config) validate(keepDataDir bool) []error {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	if strings.TrimSpace(c.DataDir) == "" {
		add("ACCREDIT_DATA_DIR is empty: give a directory the service may write, e.g. ./data")
	} else if _, err := os.Stat(c.DataDir); keepDataDir && os.IsNotExist(err) {
		// The starter says so when a command needs the store.
	} else if err := checkWritableDir(c.DataDir); err != nil {
		add("ACCREDIT_DATA_DIR %q is not a writable directory: %v", c.DataDir, err)
	}
	if err := checkHostPort(c.HTTPAddr); err != nil {
		add("ACCREDIT_HTTP_ADDR %q is malformed: %v (expected host:port, e.g. 127.0.0.1:8080)", c.HTTPAddr, err)
	}
	if err := checkHostPort(c.EmbeddedTemporalAddr); err != nil {
		add("ACCREDIT_EMBEDDED_TEMPORAL_ADDR %q is malformed: %v (expected host:port, e.g. 127.0.0.1:7233)", c.EmbeddedTemporalAddr, err)
	}
	if c.Temporal.Address != "" {
		if err := checkHostPort(c.Temporal.Address); err != nil {
			add("TEMPORAL_ADDRESS %q is malformed: %v (expected host:port, e.g. temporal.example.org:7233)", c.Temporal.Address, err)
		}
	}
	if c.DayLength <= 0 {
		add("ACCREDIT_DAY_LENGTH must be positive, got %s (use 24h in production, e.g. 2s for a demo)", c.DayLength)
	} else if c.DayLength < MinDayLength {
		add("ACCREDIT_DAY_LENGTH %s is shorter than the minimum %s: a day must outlast a workflow task and its timers (use 24h in production, 1s for a demo)",
			c.DayLength, MinDayLength)
	}
	if err := checkBaseURL(c.PublicBaseURL); err != nil {
		add("ACCREDIT_PUBLIC_BASE_URL %q is malformed: %v (expected an absolute http or https URL such as https://akkreditering.regioner.dk)", c.PublicBaseURL, err)
	}
	if c.Retention <= 0 {
		add("ACCREDIT_RETENTION must be positive, got %s", c.Retention)
	}
	if strings.TrimSpace(c.TaskQueue) == "" {
		add("ACCREDIT_TASK_QUEUE is empty")
	}
	if _, err := ParseLogLevel(c.LogLevel); err != nil {
		add("ACCREDIT_LOG_LEVEL: %v", err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("ACCREDIT_LOG_FORMAT must be text or json, got %q", c.LogFormat)
	}
	if c.CapacityPerYear < 1 {
		add("ACCREDIT_CAPACITY_PER_YEAR must be at least 1, got %d", c.CapacityPerYear)
	}
	problems = append(problems, c.validateDatabase()...)
	problems = append(problems, c.validateSlack()...)
	problems = append(problems, c.validateWeb()...)
	problems = append(problems, c.Cycle.validate()...)
	problems = append(problems, c.Worker.validate()...)
	problems = append(problems, c.Deployment.validate()...)
	return problems
}

func (d Durations) validate() []error {
	var problems []error
	type named struct {
		env string
		p   domain.Period
	}
	mustBePositive := []named{
		{"ACCREDIT_CYCLE_LENGTH", d.CycleLength},
		{"ACCREDIT_SELF_EVALUATION_INTERVAL", d.SelfEvaluationInterval},
		{"ACCREDIT_SELF_EVALUATION_DUE", d.SelfEvaluationDue},
		{"ACCREDIT_INVITATION_ANSWER", d.InvitationAnswer},
		{"ACCREDIT_MANUAL_ASSIGNMENT_DUE", d.ManualAssignmentDue},
		{"ACCREDIT_VISIT_DATE_DUE", d.VisitDateDue},
		{"ACCREDIT_VISIT_RECORD_GRACE", d.VisitRecordGrace},
		{"ACCREDIT_REPORT_DUE", d.ReportDue},
		{"ACCREDIT_HEARING_PERIOD", d.HearingPeriod},
		{"ACCREDIT_ACTION_PLAN_DUE", d.ActionPlanDue},
		{"ACCREDIT_REVISIT_WITHIN", d.RevisitWithin},
		{"ACCREDIT_REVISIT_REPORT_DUE", d.RevisitReportDue},
		{"ACCREDIT_APPEAL_WINDOW", d.AppealWindow},
		{"ACCREDIT_DECISION_DUE", d.DecisionDue},
		{"ACCREDIT_ESCALATION_REPEAT_EVERY", d.EscalationRepeatEvery},
	}
	for _, m := range mustBePositive {
		if m.p.IsZero() {
			problems = append(problems, fmt.Errorf("%s must be longer than zero", m.env))
		}
	}
	all := append(mustBePositive, named{"ACCREDIT_VISIT_NOTICE", d.VisitNotice},
		named{"ACCREDIT_REVISIT_NOTICE", d.RevisitNotice}, named{"ACCREDIT_ESCALATION_SECOND_AFTER", d.EscalationSecondAfter})
	for _, r := range d.Reminders {
		all = append(all, named{"ACCREDIT_REMINDERS", r})
	}
	for i, r := range d.VisitReminders {
		if r.IsZero() || r.Validate() != nil {
			problems = append(problems, fmt.Errorf("ACCREDIT_VISIT_REMINDERS: notice %d is %s; give days before the visit, e.g. 7d,1d", i+1, r))
		}
		all = append(all, named{"ACCREDIT_VISIT_REMINDERS", r})
	}
	for _, m := range all {
		if m.p.ApproxDays() > MaxCycleDuration.ApproxDays() {
			problems = append(problems, fmt.Errorf("%s is %s; no duration of the cycle may be longer than %s", m.env, m.p, MaxCycleDuration))
		}
	}
	if d.SelfEvaluationInterval.ApproxDays()*3 > d.CycleLength.ApproxDays() {
		problems = append(problems, fmt.Errorf("ACCREDIT_SELF_EVALUATION_INTERVAL (%s) must fit three times into ACCREDIT_CYCLE_LENGTH (%s)", d.SelfEvaluationInterval, d.CycleLength))
	}
	if err := d.DeadlinePolicy().Validate(); err != nil {
		problems = append(problems, fmt.Errorf("reminders and escalations (ACCREDIT_REMINDERS, ACCREDIT_ESCALATION_*): %w", err))
	}
	return problems
}

// ParseLogLevel turns debug, info, warn or error into a slog level.
func ParseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("unknown log level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Embedded reports whether the worker runs its own Temporal server.
func (c Config) Embedded() bool { return c.Temporal.Address == "" }

// TemporalAddress is the address clients dial: the configured cluster or the embedded server.
func (c Config) TemporalAddress() string {
	if c.Embedded() {
		return c.EmbeddedTemporalAddr
	}
	return c.Temporal.Address
}

// Namespace is the Temporal namespace, "default" unless TEMPORAL_NAMESPACE says otherwise.
func (c Config) Namespace() string {
	if c.Temporal.Namespace == "" {
		return "default"
	}
	return c.Temporal.Namespace
}

// StorePath is the SQLite file of the domain store, used when DatabaseURL is empty.
func (c Config) StorePath() string { return filepath.Join(c.DataDir, "accredit.db") }

// TemporalDatabasePath is the SQLite file of the embedded Temporal server.
func (c Config) TemporalDatabasePath() string { return filepath.Join(c.DataDir, "temporal.db") }

func checkHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// The message quotes the address already; net's error repeats it unquoted, bytes that
		// are not UTF-8 included, so only what is wrong with it is kept.
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return errors.New(ae.Err)
		}
		return err
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("host %q is not a host name or IP address", host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q must be a number from 1 to 65535", port)
	}
	return nil
}

// checkBaseURL accepts an absolute http or https URL with a host and without a query or a
// fragment, to which the notifications append their paths.
func checkBaseURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("it is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "parse "+strconv.Quote(raw)+": "))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("the scheme must be http or https, not %q", u.Scheme)
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return errors.New("it has no host")
	case u.User != nil:
		return errors.New("it must not hold a user name or password")
	case u.RawQuery != "" || u.ForceQuery:
		return errors.New("it must not have a query (?...): links are appended to it")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("it must not have a fragment (#...): links are appended to it")
	case strings.ContainsAny(raw, " \t\n"):
		return errors.New("it must not contain white space")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q must be a number from 1 to 65535", p)
		}
	}
	return nil
}

// checkWritableDir creates a missing data directory for its owner only (0700): the databases
// in it hold personal data. An existing directory keeps its mode; the files in it are 0600.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	probe, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return err
	}
	name := probe.Name()
	_ = probe.Close()
	return os.Remove(name)
}

// nameVariable rewrites the env library's parse errors, which name the Go field
// ("DayLength"), to name the variable the user set and its value.
func nameVariable(err error, envMap map[string]string) error {
	var pe env.ParseError
	if errors.As(err, &pe) {
		if key, ok := envKeys()[pe.Name]; ok {
			return fmt.Errorf("%s=%q cannot be read: %w", key, envMap[key], pe.Err)
		}
	}
	return err
}

// envKeys maps the Go field names of Config and its nested structs to their variables.
func envKeys() map[string]string {
	out := map[string]string{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if key, _, _ := strings.Cut(f.Tag.Get("env"), ","); key != "" {
				out[f.Name] = prefix + key
			} else if p, ok := f.Tag.Lookup("envPrefix"); ok && f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+p)
			}
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}

type mapLookup map[string]string

func (m mapLookup) Environ() []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func (m mapLookup) LookupEnv(key string) (string, bool) {
	v, ok := m[key]
	return v, ok
}
