// Command starter is the command line of the accreditation service; see `starter --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kvalitetsmodel/accredit/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}
