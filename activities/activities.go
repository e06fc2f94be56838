// Package activities holds every side effect of the workflows: the domain store's read
// model, the notification outbox and the audit log. Activities is a struct whose
// dependencies are injected, and each method is idempotent, keyed by workflow ID and step, so
// a retried activity never writes a second row or sends a second message.
package activities

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/store"
)

// Activities carries the dependencies of every activity.
type Activities struct {
	Store  *store.Store
	Config config.Config
	Logger *slog.Logger
	// Now is the wall clock; tests pin it.
	Now func() time.Time
}

// New builds Activities with the wall clock. Notify only queues: the worker's dispatcher
// (package notify) delivers.
func New(st *store.Store, cfg config.Config, logger *slog.Logger) *Activities {
	return &Activities{Store: st, Config: cfg, Logger: logger, Now: time.Now}
}

// StoreInfo describes the domain store as one worker sees it.
type StoreInfo struct {
	Worker        string `json:"worker"`
	SchemaVersion int64  `json:"schema_version"`
	Institutions  int    `json:"institutions"`
	People        int    `json:"people"`
}

// StoreInfo reads the schema version and registry size; Ping uses it to prove the wiring.
func (a *Activities) StoreInfo(ctx context.Context) (StoreInfo, error) {
	version, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return StoreInfo{}, err
	}
	counts, err := a.Store.RegistryCounts(ctx)
	if err != nil {
		return StoreInfo{}, err
	}
	host, _ := os.Hostname()
	return StoreInfo{Worker: host, SchemaVersion: version, Institutions: counts.Institutions, People: counts.People}, nil
}
