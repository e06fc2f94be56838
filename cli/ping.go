package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/kvalitetsmodel/accredit/workflows"
)

func (a *app) pingCommand() *cobra.Command {
	var (
		message string
		asJSON  bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "ping",
		Short: "Round-trip a tiny workflow through the worker to prove the wiring",
		Long: `ping starts a small workflow on the worker's task queue; its activity reads the domain store.
It succeeds only when Temporal, the worker and the store all answer.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return rejected("--timeout must be positive, got %s", timeout)
			}
			ctx := cmd.Context()
			c, err := a.dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			started := a.now()
			id := workflows.PingIDPrefix + started.UTC().Format("20060102T150405.000000000Z")
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID:                       id,
				TaskQueue:                a.cfg.TaskQueue,
				WorkflowExecutionTimeout: timeout,
			}, workflows.PingWorkflowName, workflows.PingRequest{Message: message})
			if err != nil {
				return fmt.Errorf("start ping workflow: %w", err)
			}
			var res workflows.PingResult
			if err := run.Get(ctx, &res); err != nil {
				return fmt.Errorf("ping workflow %s did not finish within %s (is the worker running on task queue %q?): %w",
					id, timeout, a.cfg.TaskQueue, err)
			}
			elapsed := a.now().Sub(started)
			if asJSON {
				return a.printJSON(struct {
					WorkflowID string `json:"workflow_id"`
					RunID      string `json:"run_id"`
					workflows.PingResult
					Milliseconds int64 `json:"round_trip_ms"`
				}{id, run.GetRunID(), res, elapsed.Milliseconds()})
			}
			fmt.Fprintf(a.stdout, "pong: %q from worker %s in %s (workflow %s, store schema v%d, %d institutions, %d people)\n",
				res.Message, res.Worker, elapsed.Round(time.Millisecond), id, res.SchemaVersion, res.Institutions, res.People)
			return nil
		},
	}
	cmd.Flags().StringVar(&message, "message", "ping", "text the workflow echoes back")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait for the worker")
	return cmd
}
