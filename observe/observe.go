// Package observe is how operators watch a worker (issue 14, point 4): Prometheus metrics on
// /metrics (the Temporal SDK's own, through its OpenTelemetry contrib module, and the
// service's, counted in the domain store), liveness on /healthz, readiness on /readyz (the
// store answers, Temporal answers, this worker polls its task queue), and log lines that name
// the workflow, institution and step an activity works on.
//
// The endpoints are unauthenticated, as Prometheus and orchestrators expect, so they show
// counts and states only: no row, no name, no person.
package observe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"

	"github.com/kvalitetsmodel/accredit/store"
)

// Observer owns one process's metrics: the Prometheus registry, the OpenTelemetry meter
// provider that feeds the SDK's metrics into it, and the service's own collectors.
type Observer struct {
	log      *slog.Logger
	registry *prometheus.Registry
	provider *sdkmetric.MeterProvider
	sdk      client.MetricsHandler
	delivery *prometheus.HistogramVec
	identity string
}

// latencyBuckets (seconds) span a workflow task picked up at once to an activity that waited
// minutes for a busy worker.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}

// deliveryBuckets (seconds) span a message posted at once to one that waited out Slack's rate
// limit, an outage with back-off, or a night before someone retried it.
var deliveryBuckets = []float64{0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}

// New builds the registry with the Go runtime's and the process's metrics, the SDK's (once
// ConfigureClient has put the handler on the client) and the delivery latency that
// ObserveDelivery records. taskQueue goes into the worker's identity, as the SDK's default
// does.
func New(taskQueue string, logger *slog.Logger) (*Observer, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := prometheus.NewRegistry()
	if err := errors.Join(
		reg.Register(collectors.NewGoCollector()),
		reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})),
	); err != nil {
		return nil, fmt.Errorf("metrics: register the runtime collectors: %w", err)
	}
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("metrics: the OpenTelemetry Prometheus exporter: %w", err)
	}
	// The SDK's timers are histograms in seconds; OpenTelemetry's default buckets (0 to
	// 10,000) suit milliseconds and would put every task in the first two.
	seconds := sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: latencyBuckets}})
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithView(seconds))
	log := logger.With("component", "observe")
	o := &Observer{
		log:      log,
		registry: reg,
		provider: provider,
		sdk: temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
			Meter: provider.Meter("temporal-sdk-go"),
			// Counters the SDK only ever increases become Prometheus counters (…_total),
			// which rate() needs.
			UseMonotonicCounters: true,
			// The default panics; a metric that cannot be made is not worth the worker.
			OnError: func(err error) { log.Warn("an SDK metric could not be recorded", "error", err) },
		}),
		delivery: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "accredit_notification_delivery_seconds",
			Help:    "Time from queueing a notification to its outcome (delivered to Slack, logged, or failed), by kind and outcome.",
			Buckets: deliveryBuckets,
		}, []string{"kind", "outcome"}),
	}
	if err := reg.Register(o.delivery); err != nil {
		return nil, fmt.Errorf("metrics: register the delivery histogram: %w", err)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	o.identity = fmt.Sprintf("%d@%s@%s", os.Getpid(), host, taskQueue)
	return o, nil
}

// ConfigureClient puts the SDK metrics handler, the worker's identity and the logging
// interceptor on the Temporal client's options before the service dials; the worker built on
// the client inherits all three. Its signature is service.ClientOption's.
func (o *Observer) ConfigureClient(opts *client.Options) {
	opts.MetricsHandler = o.sdk
	if opts.Identity == "" {
		opts.Identity = o.identity
	} else {
		o.identity = opts.Identity
	}
	opts.Interceptors = append(opts.Interceptors, NewLogInterceptor())
}

// Identity is the name this process's worker polls under, which readiness looks for among
// the task queue's pollers.
func (o *Observer) Identity() string { return o.identity }

// SDKMetrics is the SDK metrics handler, for a client not configured by ConfigureClient.
func (o *Observer) SDKMetrics() client.MetricsHandler { return o.sdk }

// Registry is where every metric of the process is registered.
func (o *Observer) Registry() *prometheus.Registry { return o.registry }

// WatchStore adds the service's own metrics, counted in st at most once every cacheFor
// however often Prometheus scrapes.
func (o *Observer) WatchStore(st *store.Store, cacheFor time.Duration) error {
	if cacheFor <= 0 {
		return fmt.Errorf("metrics: the store's counts must be kept for a positive time, got %s", cacheFor)
	}
	return o.registry.Register(newStoreCollector(st, cacheFor, time.Now, o.log))
}

// ObserveDelivery records how long a notification waited from queueing to its outcome; the
// dispatcher calls it once it has recorded the outcome (notify.Options.Delivered).
func (o *Observer) ObserveDelivery(row store.OutboxMessage, out store.Outcome) {
	wait := out.At.Sub(row.CreatedAt)
	if row.CreatedAt.IsZero() || out.At.IsZero() || wait < 0 {
		wait = 0
	}
	kind := row.Kind
	if kind == "" {
		kind = "unknown"
	}
	o.delivery.WithLabelValues(kind, out.Status).Observe(wait.Seconds())
}

// Close flushes and stops the meter provider.
func (o *Observer) Close(ctx context.Context) error { return o.provider.Shutdown(ctx) }

// CountsCacheFor is how long the worker keeps the store's counts between reads: a scrape
// every 15s (Prometheus's usual interval) reads the store once.
const CountsCacheFor = 15 * time.Second
