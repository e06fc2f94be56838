// Command worker runs the accreditation service: it migrates the domain store, starts an
// embedded Temporal server unless TEMPORAL_ADDRESS names a cluster, and runs the workflows
// and activities until SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/service"
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
	logger := cfg.NewLogger(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := service.Run(ctx, cfg, logger); err != nil {
		logger.Error("worker failed", "error", err)
		os.Exit(1)
	}
}
