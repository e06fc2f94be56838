// Package cli is the starter: the command line through which the secretariat imports the
// registry, starts cycles and acts on steps, and through which scripts read state (--json).
// Every command has --help; a failure prints one line and exits non-zero (2 when the
// input was rejected, 1 otherwise).
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/store"
)

// Exit codes of the starter.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitRejected = 2
)

// RejectedError marks input the starter refused (a bad flag, a bad file, an unknown ID, the
// registry's refusal): the starter exits with ExitRejected, as it does for a workflow's
// refusal, which comes from the client of the cycles as a *cycles.RefusedError.
type RejectedError struct{ Err error }

func (e *RejectedError) Error() string { return e.Err.Error() }
func (e *RejectedError) Unwrap() error { return e.Err }

func rejected(format string, args ...any) error {
	return &RejectedError{Err: fmt.Errorf(format, args...)}
}

// app is the state shared by the commands of one invocation.
type app struct {
	stdout, stderr io.Writer
	environ        []string
	configFile     string
	cfg            config.Config
	// now is the wall clock; tests pin it.
	now func() time.Time
}

// Main runs the starter with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) int {
	a := &app{stdout: stdout, stderr: stderr, environ: environ, now: time.Now}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "error: "+oneLine(err))
	return exitCode(err)
}

// exitCode is ExitRejected for a refusal of the request (a bad flag or file, an unknown ID,
// the registry's or a workflow validator's refusal) and ExitFailure for anything else
// (Temporal unreachable, a worker that does not answer, a store that cannot be opened).
func exitCode(err error) int {
	var rej *RejectedError
	if errors.As(err, &rej) || cycles.IsRefused(err) || isUsageError(err) {
		return ExitRejected
	}
	return ExitFailure
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "starter",
		Short: "Run the accreditation cycle of social-care institutions from the command line",
		Long: `starter talks to the accreditation service: it imports the registry of institutions and
people, starts and steers accreditation cycles, and prints their state for people (tables) and
scripts (--json). It reads the same configuration as the worker (ACCREDIT_* variables, an
optional --config file, and the Temporal SDK's TEMPORAL_* variables).`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFlagsUTF8(cmd); err != nil {
				return err
			}
			cfg, err := config.Load(config.Source{File: a.configFile, Environ: a.environ, KeepDataDir: true})
			if err != nil {
				return err
			}
			a.cfg = cfg
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.configFile, "config", "", "YAML config file (default: $ACCREDIT_CONFIG)")
	root.AddCommand(a.pingCommand(), a.institutionsCommand(), a.peopleCommand(), a.reviewersCommand(), a.registryCommand())
	root.AddCommand(a.cycleCommand(), a.selfEvalCommand(), a.assignmentCommand(), a.visitCommand(),
		a.withAnnualReport(a.reportCommand()), a.actionPlanCommand(), a.appealCommand(), a.decideCommand(), a.deadlineCommand(),
		a.stepCommand(), a.stepsCommand(), a.outboxCommand(), a.auditCommand(), a.publicationsCommand())
	root.AddCommand(a.catalogueCommand())
	root.AddCommand(a.backupCommand(), a.restoreCommand())
	root.AddCommand(a.loadCommand())
	return root
}

// checkFlagsUTF8 refuses a flag value that is not UTF-8 (a reason typed in a terminal set to
// Latin-1, say): sent on, each bad byte would silently become U+FFFD.
func checkFlagsUTF8(cmd *cobra.Command) error {
	var bad error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if bad == nil && f.Changed && !utf8.ValidString(f.Value.String()) {
			bad = rejected("--%s is not UTF-8 text: set the terminal to UTF-8 and type it again", f.Name)
		}
	})
	return bad
}

// requireDataDir refuses a data directory that does not exist: a mistyped or missing
// ACCREDIT_DATA_DIR must not silently create an empty store that the worker never reads.
func (a *app) requireDataDir() error {
	if a.cfg.DatabaseURL != "" && !a.cfg.Embedded() {
		return nil // the store is in PostgreSQL and Temporal elsewhere: nothing lives in the data directory
	}
	if fi, err := os.Stat(a.cfg.DataDir); err != nil || !fi.IsDir() {
		return rejected("the data directory %s does not exist: start the worker once (go run ./worker) to create it, "+
			"or set ACCREDIT_DATA_DIR (or --config) to the worker's data directory", a.cfg.DataDir)
	}
	return nil
}

// openStore opens the domain store in the configured data directory, migrated and seeded, so
// that an import works before the worker ever ran; the directory itself must exist.
func (a *app) openStore(ctx context.Context) (*store.Store, error) {
	if err := a.requireDataDir(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, store.Location{URL: a.cfg.DatabaseURL, Path: a.cfg.StorePath()})
	if err != nil {
		return nil, err
	}
	if err := st.Seed(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// dial connects to the worker's Temporal server (embedded or cluster).
func (a *app) dial(ctx context.Context) (client.Client, error) {
	opts, err := a.cfg.ClientOptions(nil)
	if err != nil {
		return nil, err
	}
	opts.Logger = quietLogger{}
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.DialContext(dialCtx, opts)
	if err != nil {
		return nil, a.unreachable(ctx, err)
	}
	return c, nil
}

// unreachable says why Temporal could not be reached at the configured address, and what to do,
// in place of gRPC's own words ("no children to pick from" for a host that does not resolve).
func (a *app) unreachable(ctx context.Context, dialErr error) error {
	addr := a.cfg.TemporalAddress()
	setting, fix := "ACCREDIT_EMBEDDED_TEMPORAL_ADDR", "start the worker (go run ./worker) with the same ACCREDIT_EMBEDDED_TEMPORAL_ADDR"
	if !a.cfg.Embedded() {
		setting, fix = "TEMPORAL_ADDRESS", "check that the Temporal cluster runs there and that the worker is started against it"
	}
	why := probeAddress(ctx, addr)
	if why == "" {
		why = "it did not answer as a Temporal server: " + oneLine(dialErr)
	}
	return fmt.Errorf("could not reach Temporal at %s (from %s): %s; correct %s, or %s", addr, setting, why, setting, fix)
}

// probeAddress finds out what is wrong with a host:port the client could not dial: a host name
// that does not resolve, or nothing listening. It returns "" when a connection succeeds, so
// the client's own error is the better explanation.
func probeAddress(ctx context.Context, addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port", addr)
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if net.ParseIP(host) == nil {
		if _, err := net.DefaultResolver.LookupHost(pctx, host); err != nil {
			return fmt.Sprintf("the host name %q does not resolve to an address", host)
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(pctx, "tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && errors.Is(op.Err, syscall.ECONNREFUSED) {
			return "nothing listens there (connection refused)"
		}
		return "no connection could be made: " + oneLine(err)
	}
	_ = conn.Close()
	return ""
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func isUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "invalid argument",
		"accepts ", "requires at least", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, prefix) || strings.Contains(msg, "required flag(s)") {
			return true
		}
	}
	return false
}

// quietLogger drops the SDK's client logs, which would clutter a command's output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
