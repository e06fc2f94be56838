// Package embedded runs a single-process Temporal server on a SQLite file, so the service needs
// nothing but Go on a fresh machine. It is the same construction the Temporal CLI's dev server
// uses (temporal.NewServer with the SQLite persistence plugin), tuned for a long-lived file:
// WAL journal, synchronous=normal and a single connection. With Options.PostgreSQL the same
// server keeps its state in PostgreSQL instead, for several worker processes to share.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Options describe where the embedded server keeps its data and where it listens.
type Options struct {
	// DatabaseFile is the SQLite file holding histories and visibility.
	DatabaseFile string
	// PostgreSQL, when set, holds histories and visibility instead of DatabaseFile.
	PostgreSQL *PostgreSQL
	// Address is host:port of the frontend gRPC endpoint that workers, the starter and the
	// temporal CLI dial.
	Address string
	// Namespace is created on first start.
	Namespace string
	// Retention is how long closed workflows stay visible.
	Retention time.Duration
	// SearchAttributes are registered with the namespace when it is created.
	SearchAttributes map[string]enumspb.IndexedValueType
	Logger           *slog.Logger
	// ContinueAsNewAfter, when positive, is the history length at which the server suggests
	// continue-as-new (tests lower it to exercise continue-as-new mid-cycle).
	ContinueAsNewAfter int
}

// Server is a running embedded Temporal server.
type Server struct {
	server   temporal.Server
	address  string
	logLevel *slog.LevelVar
}

// Address is the frontend address clients dial.
func (s *Server) Address() string { return s.address }

// Stop shuts the server down and releases the database file. Its services warn about
// connections closing while they stop one another, which is expected: only errors are logged.
func (s *Server) Stop() error {
	s.logLevel.Set(slog.LevelError)
	return s.server.Stop()
}

// Start builds and starts the server; it returns once the frontend accepts connections.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	host, portText, err := net.SplitHostPort(opts.Address)
	if err != nil {
		return nil, fmt.Errorf("embedded Temporal address %q: %w", opts.Address, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("embedded Temporal address %q: port must be a number from 1 to 65535", opts.Address)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	// Fail early with a clear message instead of deep inside the server's fx graph.
	if ln, err := net.Listen("tcp", net.JoinHostPort(host, portText)); err != nil {
		return nil, fmt.Errorf("embedded Temporal cannot listen on %s (is another worker or Temporal server running?): %w", opts.Address, err)
	} else {
		_ = ln.Close()
	}

	persistence, err := preparePersistence(opts)
	if err != nil {
		return nil, err
	}
	internalPorts := make([]int, 4)
	for i := range internalPorts {
		if internalPorts[i], err = freePort(host); err != nil {
			return nil, err
		}
	}
	httpPort := internalPorts[3]
	conf := serverConfig(host, port, httpPort, internalPorts[:3], persistence)

	logLevel := &slog.LevelVar{}
	logLevel.Set(slog.LevelWarn)
	logger := newTemporalLogger(opts.Logger.With("component", "temporal-server"), logLevel)
	dyn := dynamicconfig.StaticClient{
		// Workflows whose state the history service keeps in memory. At 8,096 the worker held
		// 545 MB with 10,000 cycles resting; at 2,048, 423 MB, and a bulk start (200 cycles in
		// flight, one workflow each from release v12) still opened 0.97× the ping rate
		// (docs/performance.md, "N = 10,000").
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 2048,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	if opts.ContinueAsNewAfter > 0 {
		dyn[dynamicconfig.HistoryCountSuggestContinueAsNew.Key()] = opts.ContinueAsNewAfter
	}
	hostsFor := func(svc primitives.ServiceName) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(conf.Services[string(svc)].RPC.GRPCPort)))
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: hostsFor(primitives.FrontendService),
			primitives.HistoryService:  hostsFor(primitives.HistoryService),
			primitives.MatchingService: hostsFor(primitives.MatchingService),
			primitives.WorkerService:   hostsFor(primitives.WorkerService),
		}),
		temporal.WithLogger(logger),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, fmt.Errorf("build embedded Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start embedded Temporal server: %w", err)
	}
	address := net.JoinHostPort(host, portText)
	if err := waitForPort(ctx, address); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return &Server{server: srv, address: address, logLevel: logLevel}, nil
}

func prepareDatabase(opts Options) (*config.SQL, error) {
	if opts.DatabaseFile == "" {
		return nil, errors.New("embedded Temporal needs a database file")
	}
	if opts.Namespace == "" {
		return nil, errors.New("embedded Temporal needs a namespace")
	}
	conf := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: opts.DatabaseFile,
		// One connection with WAL and synchronous=normal: measured here about 2.5x the
		// throughput of the plugin's defaults, and no "database is locked" errors.
		MaxConns:     1,
		MaxIdleConns: 1,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		},
	}
	// Histories hold every payload (names, self-evaluations, reports): the file is 0600 in a
	// 0700 directory, created so before SQLite opens it, and tightened when it already exists.
	if _, err := os.Stat(opts.DatabaseFile); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(opts.DatabaseFile), 0o700); err != nil {
			return nil, fmt.Errorf("create directory for %s: %w", opts.DatabaseFile, err)
		}
		if err := privateDatabaseFile(opts.DatabaseFile); err != nil {
			return nil, err
		}
		if err := sqliteschema.SetupSchema(conf); err != nil {
			return nil, fmt.Errorf("create Temporal schema in %s: %w", opts.DatabaseFile, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("open %s: %w", opts.DatabaseFile, err)
	} else if err := privateDatabaseFile(opts.DatabaseFile); err != nil {
		return nil, err
	}
	ns, err := sqliteschema.NewNamespaceConfig("active", opts.Namespace, false, opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("namespace %q: %w", opts.Namespace, err)
	}
	if opts.Retention > 0 {
		ns.Detail.Config.Retention = durationpb.New(opts.Retention)
	}
	// A no-op when the namespace exists: attributes added later go through the operator API.
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("create namespace %q: %w", opts.Namespace, err)
	}
	return conf, nil
}

// privateDatabaseFile creates the SQLite file at path 0600 (readable by its owner only) before
// SQLite opens it, which then gives its -wal and -shm files the same mode, and takes every
// other permission away from an existing file and its -wal, -shm and -journal files.
func privateDatabaseFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("make %s private (0600): %w", p, err)
		}
	}
	return nil
}

// IsLoopback reports whether a host:port address only listens on this machine: a loopback IP
// (127.0.0.0/8, ::1), the name localhost, or an empty host, which Start binds to 127.0.0.1.
// The embedded server's frontend has no authentication, so anything else lets every machine
// that reaches the address read and steer every workflow.
func IsLoopback(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return false
	}
	if host == "" || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func serverConfig(host string, frontendPort, httpPort int, internal []int, persistence config.Persistence) *config.Config {
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = host
	conf.Persistence = persistence
	frontend := net.JoinHostPort(host, strconv.Itoa(frontendPort))
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        "active",
		CurrentClusterName:       "active",
		ClusterInformation: map[string]cluster.ClusterInformation{
			"active": {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(httpPort)),
				ClusterID:              "4c3f5f0e-7a4b-4e0a-9a59-6b1d3c2e8f10",
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	service := func(port int) config.Service {
		var s config.Service
		s.RPC.GRPCPort = port
		s.RPC.BindOnIP = host
		return s
	}
	fe := service(frontendPort)
	fe.RPC.HTTPPort = httpPort
	conf.Services = map[string]config.Service{
		"frontend": fe,
		"history":  service(internal[0]),
		"matching": service(internal[1]),
		"worker":   service(internal[2]),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return &conf
}

func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitForPort(ctx context.Context, address string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", address, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded Temporal did not accept connections on %s within 30s: %w", address, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
