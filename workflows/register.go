package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register puts every workflow of the service on a worker or a replayer under its stable name.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(Ping, workflow.RegisterOptions{Name: PingWorkflowName})
	r.RegisterWorkflowWithOptions(AccreditationCycle, workflow.RegisterOptions{Name: CycleWorkflowName})
	r.RegisterWorkflowWithOptions(SelfEvaluation, workflow.RegisterOptions{Name: SelfEvaluationWorkflowName})
	r.RegisterWorkflowWithOptions(ExternalEvaluation, workflow.RegisterOptions{Name: ExternalEvaluationWorkflowName})
	r.RegisterWorkflowWithOptions(Publication, workflow.RegisterOptions{Name: PublicationWorkflowName})
}
