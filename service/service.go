// Package service wires one worker process together: the domain store (migrated and seeded),
// the embedded Temporal server when no cluster is configured, the search attributes, and a
// Temporal worker with every workflow and activity registered. The worker command and the
// integration tests both start the service through it.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/embedded"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Service is a running worker process.
type Service struct {
	cfg      config.Config
	logger   *slog.Logger
	Store    *store.Store
	Client   client.Client
	temporal *embedded.Server
	worker   worker.Worker
}

// ClientOption changes the Temporal client's options before Start dials: the worker's
// metrics handler, identity and logging interceptor come in this way (observe.Observer).
type ClientOption func(*client.Options)

// Start brings everything up and returns once the worker polls its task queue. On error,
// whatever was started is stopped again.
func Start(ctx context.Context, cfg config.Config, logger *slog.Logger, clientOpts ...ClientOption) (_ *Service, err error) {
	s := &Service{cfg: cfg, logger: logger}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()

	if s.Store, err = store.Open(ctx, store.Location{URL: cfg.DatabaseURL, Path: cfg.StorePath()}); err != nil {
		return nil, err
	}
	if err = s.Store.Seed(ctx); err != nil {
		return nil, fmt.Errorf("seed domain store: %w", err)
	}

	// The SDK's sticky cache is one per process, sized by whichever worker starts first: the
	// embedded server's own system workers start before ours and, unless the size is set
	// before them, fix it at the SDK's 10,000, so the worker kept every resting workflow in
	// memory (1.7 GB with 10,000 cycles; docs/performance.md).
	worker.SetStickyWorkflowCacheSize(cfg.Worker.CacheSize)
	if cfg.Embedded() {
		if !embedded.IsLoopback(cfg.EmbeddedTemporalAddr) {
			logger.Warn("the embedded Temporal server listens beyond this machine, and its frontend has no authentication: "+
				"whoever reaches the address can read and change every cycle; set ACCREDIT_EMBEDDED_TEMPORAL_ADDR to 127.0.0.1:PORT, "+
				"or run a Temporal cluster with TLS and TEMPORAL_ADDRESS", "address", cfg.EmbeddedTemporalAddr)
		}
		s.temporal, err = embedded.Start(ctx, embedded.Options{
			DatabaseFile:     cfg.TemporalDatabasePath(),
			Address:          cfg.EmbeddedTemporalAddr,
			Namespace:        cfg.Namespace(),
			Retention:        cfg.Retention,
			SearchAttributes: workflows.SearchAttributes(),
			Logger:           logger,

			ContinueAsNewAfter: cfg.EmbeddedContinueAsNewAfter,
		})
		if err != nil {
			return nil, err
		}
	}

	opts, err := cfg.ClientOptions(logger)
	if err != nil {
		return nil, err
	}
	for _, o := range clientOpts {
		o(&opts)
	}
	if s.Client, err = client.DialContext(ctx, opts); err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress(), err)
	}
	if err = EnsureSearchAttributes(ctx, s.Client, cfg.Namespace()); err != nil {
		return nil, err
	}

	wopts := WorkerOptions(cfg.Worker)
	if wopts.DeploymentOptions, err = DeploymentOptions(cfg.Deployment); err != nil {
		return nil, err
	}
	s.worker = worker.New(s.Client, cfg.TaskQueue, wopts)
	Register(s.worker, activities.New(s.Store, cfg, logger))
	if err = s.worker.Start(); err != nil {
		return nil, fmt.Errorf("start worker on task queue %s: %w", cfg.TaskQueue, err)
	}
	if _, err = AdoptFirstVersion(ctx, s.Client, wopts.DeploymentOptions, logger); err != nil {
		return nil, err
	}
	return s, nil
}

// WorkerOptions sizes the worker's pollers and concurrency from the configuration.
func WorkerOptions(t config.WorkerTuning) worker.Options {
	return worker.Options{
		MaxConcurrentWorkflowTaskPollers:        t.WorkflowPollers,
		MaxConcurrentActivityTaskPollers:        t.ActivityPollers,
		MaxConcurrentWorkflowTaskExecutionSize:  t.MaxWorkflowTasks,
		MaxConcurrentActivityExecutionSize:      t.MaxActivities,
		MaxConcurrentLocalActivityExecutionSize: t.MaxActivities,
	}
}

// Register puts every workflow and activity of the service on a worker (or a replayer).
func Register(r worker.Registry, acts *activities.Activities) {
	workflows.Register(r)
	r.RegisterActivity(acts)
}

// Stop stops the worker, the client, the embedded server and the store, in that order.
func (s *Service) Stop() {
	if s.worker != nil {
		s.worker.Stop()
	}
	if s.Client != nil {
		s.Client.Close()
	}
	if s.temporal != nil {
		if err := s.temporal.Stop(); err != nil {
			s.logger.Warn("embedded Temporal server did not stop cleanly", "error", err)
		}
	}
	if s.Store != nil {
		_ = s.Store.Close()
	}
}

// EnsureSearchAttributes registers any missing custom search attribute, so a cluster (or an
// embedded database created by an older version) gets the set the workflows write.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	missing, err := missingSearchAttributes(ctx, c, namespace)
	if err != nil || len(missing) == 0 {
		return err
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: missing,
	})
	if err != nil {
		// Two replicas starting together both find them missing, and the second add fails
		// on SQL visibility: what counts is that they are there now.
		if again, lerr := missingSearchAttributes(ctx, c, namespace); lerr == nil && len(again) == 0 {
			return nil
		}
		return errors.Join(fmt.Errorf("register search attributes in namespace %s", namespace), err)
	}
	return nil
}

// missingSearchAttributes are the workflows' search attributes the namespace lacks; one
// registered with another type is an error.
func missingSearchAttributes(ctx context.Context, c client.Client, namespace string) (map[string]enumspb.IndexedValueType, error) {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes of namespace %s: %w", namespace, err)
	}
	missing := workflows.SearchAttributes()
	for name, typ := range resp.GetCustomAttributes() {
		if want, ok := missing[name]; ok {
			if want != typ {
				return nil, fmt.Errorf("search attribute %s exists as %s but the workflows need %s", name, typ, want)
			}
			delete(missing, name)
		}
	}
	return missing, nil
}
