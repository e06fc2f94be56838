package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/activities"
)

// PingWorkflowName is the registered name of Ping; `starter ping` starts it.
const PingWorkflowName = "Ping"

// PingIDPrefix starts the workflow IDs of pings, so they never mix with cycles.
const PingIDPrefix = "ping/"

// PingRequest is what `starter ping` sends.
type PingRequest struct {
	Message string `json:"message"`
}

// PingResult proves the whole path: the workflow ran on a worker, and its activity reached
// the domain store.
type PingResult struct {
	Message       string    `json:"message"`
	Worker        string    `json:"worker"`
	SchemaVersion int64     `json:"schema_version"`
	Institutions  int       `json:"institutions"`
	People        int       `json:"people"`
	AnsweredAt    time.Time `json:"answered_at"`
}

// Ping round-trips one activity through the worker to prove the wiring.
func Ping(ctx workflow.Context, req PingRequest) (PingResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var a *activities.Activities
	var info activities.StoreInfo
	if err := workflow.ExecuteActivity(ctx, a.StoreInfo).Get(ctx, &info); err != nil {
		return PingResult{}, err
	}
	return PingResult{
		Message:       req.Message,
		Worker:        info.Worker,
		SchemaVersion: info.SchemaVersion,
		Institutions:  info.Institutions,
		People:        info.People,
		AnsweredAt:    workflow.Now(ctx),
	}, nil
}
