// Command worker runs the accreditation service: it migrates the domain store, starts an
// embedded Temporal server unless TEMPORAL_ADDRESS names a cluster, runs the workflows and
// activities, delivers the notification outbox (to Slack, or to the log without
// ACCREDIT_SLACK_BOT_TOKEN) and serves the web app on ACCREDIT_HTTP_ADDR, with /metrics, /healthz
// and /readyz beside it, until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/notify/slackapp"
	"github.com/kvalitetsmodel/accredit/observe"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/web"
)

func main() {
	configFile := flag.String("config", "", "YAML config file (default: $ACCREDIT_CONFIG)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), `Usage: worker [--config FILE]

Runs the accreditation service. Settings come from ACCREDIT_* environment variables and an
optional YAML file; with no TEMPORAL_ADDRESS the worker starts an embedded Temporal server
listening on ACCREDIT_EMBEDDED_TEMPORAL_ADDR (default 127.0.0.1:7233). See README.md.

`)
		flag.PrintDefaults()
	}
	flag.Parse()
	cfg, err := config.Load(config.Source{File: *configFile})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Log lines made with an activity's context name its workflow, institution and step.
	logger := slog.New(observe.ContextHandler(cfg.NewLogger(os.Stderr).Handler()))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("worker failed", "error", err)
		os.Exit(1)
	}
}

// run starts the service, the outbox's dispatcher and the repeats of escalations, and blocks until ctx is done; then the
// dispatcher finishes the message it is delivering and gives back the rows it holds before
// the store closes.
func run(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	if mb := cfg.Worker.MemoryLimitMB; mb > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(mb) << 20)
	}
	obs, err := observe.New(cfg.TaskQueue, logger)
	if err != nil {
		return err
	}
	defer func() { _ = obs.Close(context.Background()) }()
	s, err := service.Start(ctx, cfg, logger, obs.ConfigureClient)
	if err != nil {
		return err
	}
	defer s.Stop()
	if err := obs.WatchStore(s.Store, observe.CountsCacheFor); err != nil {
		return err
	}
	dispatcher := notify.New(s.Store, cfg, logger, notify.Options{Delivered: obs.ObserveDelivery})
	app, ln, err := web.Open(ctx, cfg, s.Store, s.Client, logger)
	if err != nil {
		return err
	}
	// /metrics, /healthz and /readyz on the web app's address, outside sign-in.
	app.MountOperations(observe.Paths, obs.Handler(&observe.Readiness{Store: s.Store, Temporal: s.Client,
		TaskQueue: cfg.TaskQueue, Identity: obs.Identity(), Logger: logger}))
	var wg sync.WaitGroup
	wg.Go(func() { dispatcher.Run(ctx) })
	// The weekly repeats of escalations past the first, from the read model (the workflows
	// stop at the first repeat, so an overdue step's history stops growing).
	wg.Go(func() {
		service.RunEscalations(ctx, activities.New(s.Store, cfg, logger), service.EscalationInterval(cfg.DayLength), logger)
	})
	wg.Go(func() {
		if err := app.Serve(ctx, ln); err != nil {
			logger.Error("web app stopped", "error", err)
		}
	})
	// Slack's clicks and events over Socket Mode when ACCREDIT_SLACK_APP_TOKEN is set (else over HTTP, by the web app).
	wg.Go(func() {
		_ = slackapp.New(s.Store, cfg, cycles.New(s.Client, cycles.Options{TaskQueue: cfg.TaskQueue}), logger).RunSocketMode(ctx)
	})
	defer wg.Wait()

	mode := "cluster"
	if cfg.Embedded() {
		mode = "embedded"
	}
	logger.Info("worker ready",
		"temporal", cfg.TemporalAddress(), "temporal_mode", mode, "namespace", cfg.Namespace(),
		"task_queue", cfg.TaskQueue, "data_dir", cfg.DataDir, "store", cfg.StoreDisplay(),
		"day_length", cfg.DayLength.String(), "notifications", dispatcher.Mode(),
		"web", "http://"+ln.Addr().String(), "public_url", cfg.PublicBaseURL,
		"metrics", "http://"+ln.Addr().String()+"/metrics")
	<-ctx.Done()
	logger.Info("stopping worker")
	return nil
}
