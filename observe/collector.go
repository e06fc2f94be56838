package observe

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kvalitetsmodel/accredit/store"
)

// The service's own metrics, read from the domain store at scrape time. Every worker replica
// reports the same numbers (they share the store): dashboards take max(), not sum().
var (
	stepsOpenDesc = prometheus.NewDesc("accredit_steps_open",
		"Open steps that wait for a person, by region and step kind.", []string{"region", "step"}, nil)
	stepsOverdueDesc = prometheus.NewDesc("accredit_steps_overdue",
		"Open steps past their due date on their cycle's calendar, by region and step kind.", []string{"region", "step"}, nil)
	cyclesDesc = prometheus.NewDesc("accredit_cycles",
		"Cycles by status (running, completed, cancelled) and the stage they are in or ended in (none before the first).",
		[]string{"status", "stage"}, nil)
	notificationsDesc = prometheus.NewDesc("accredit_notifications",
		"Notification outbox rows by state (queued, sending, delivered, logged, failed).", []string{"status"}, nil)
	oldestWaitingDesc = prometheus.NewDesc("accredit_notifications_oldest_waiting_seconds",
		"Age of the oldest notification still waiting for delivery (queued or sending); 0 when none waits.", nil, nil)
	countsUpDesc = prometheus.NewDesc("accredit_store_counts_up",
		"1 when the last read of the counts above from the domain store succeeded, 0 when it failed (they are left out then).", nil, nil)
)

// storeCollector reads the counts at most once per cacheFor: Prometheus, several of them, or
// someone reloading /metrics must not turn into a query load on the database.
type storeCollector struct {
	st       *store.Store
	cacheFor time.Duration
	now      func() time.Time
	log      *slog.Logger

	mu     sync.Mutex
	readAt time.Time
	counts store.OperationalCounts
	err    error
}

func newStoreCollector(st *store.Store, cacheFor time.Duration, now func() time.Time, log *slog.Logger) *storeCollector {
	return &storeCollector{st: st, cacheFor: cacheFor, now: now, log: log}
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{stepsOpenDesc, stepsOverdueDesc, cyclesDesc, notificationsDesc, oldestWaitingDesc, countsUpDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	counts, err := c.read(now)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(countsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(countsUpDesc, prometheus.GaugeValue, 1)
	for _, s := range counts.Steps {
		ch <- prometheus.MustNewConstMetric(stepsOpenDesc, prometheus.GaugeValue, float64(s.Open), string(s.Region), s.Step)
		ch <- prometheus.MustNewConstMetric(stepsOverdueDesc, prometheus.GaugeValue, float64(s.Overdue), string(s.Region), s.Step)
	}
	for _, cy := range counts.Cycles {
		stage := cy.Stage
		if stage == "" {
			stage = "none"
		}
		ch <- prometheus.MustNewConstMetric(cyclesDesc, prometheus.GaugeValue, float64(cy.N), cy.Status, stage)
	}
	for status, n := range counts.Outbox {
		ch <- prometheus.MustNewConstMetric(notificationsDesc, prometheus.GaugeValue, float64(n), status)
	}
	age := 0.0
	if !counts.OldestWaiting.IsZero() {
		age = max(0, now.Sub(counts.OldestWaiting).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(oldestWaitingDesc, prometheus.GaugeValue, age)
}

// read returns the counts, from the cache while they are younger than cacheFor. A failed read
// is kept as long, so that a database that is down is asked once per period, not per scrape.
func (c *storeCollector) read(now time.Time) (store.OperationalCounts, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.readAt.IsZero() && now.Sub(c.readAt) < c.cacheFor {
		return c.counts, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.st.OperationalCounts(ctx)
	if err != nil && (c.err == nil || c.readAt.IsZero()) {
		c.log.Warn("the service's metrics cannot be counted in the domain store; /metrics leaves them out until it answers", "error", err)
	} else if err == nil && c.err != nil {
		c.log.Info("the service's metrics are counted in the domain store again")
	}
	c.readAt, c.counts, c.err = now, counts, err
	return counts, err
}
