package web

import (
	"context"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// Cycles is what the web app asks of the cycle workflows: the part of *cycles.Client it
// uses, so that handler tests can stand in for Temporal. Every action returns the workflow
// validator's refusal as a *cycles.RefusedError, which the form shows beside itself.
type Cycles interface {
	Start(ctx context.Context, req cycles.StartRequest) (cycles.Started, error)
	Cancel(ctx context.Context, institutionID string, req workflows.Cancellation) (workflows.CycleStatus, error)
	Status(ctx context.Context, institutionID string) (cycles.Status, error)

	SubmitSelfEvaluation(ctx context.Context, institutionID string, req workflows.SelfEvaluationSubmission) (workflows.StepRecord, error)
	AnswerInvitation(ctx context.Context, institutionID string, req workflows.InvitationAnswer) (workflows.TeamMember, error)
	AssignReviewer(ctx context.Context, institutionID string, req workflows.ReviewerAssignment) (workflows.TeamMember, error)
	SetVisitDate(ctx context.Context, institutionID string, req workflows.VisitDate) (workflows.StepRecord, error)
	RecordVisit(ctx context.Context, institutionID string, req workflows.VisitRecord) (workflows.StepRecord, error)
	SubmitReport(ctx context.Context, institutionID string, req workflows.Report) (workflows.StepRecord, error)
	CommentReport(ctx context.Context, institutionID string, req workflows.Comment) (int, error)
	SubmitActionPlan(ctx context.Context, institutionID string, req workflows.ActionPlan) (workflows.StepRecord, error)
	Appeal(ctx context.Context, institutionID string, req workflows.Appeal) (workflows.StepRecord, error)
	Decide(ctx context.Context, institutionID string, req workflows.Decision) (workflows.StepRecord, error)
	ExtendDeadline(ctx context.Context, institutionID string, req workflows.Extension) (workflows.StepRecord, error)
	WaiveStep(ctx context.Context, institutionID string, req workflows.Waiver) (workflows.StepRecord, error)
}

var _ Cycles = (*cycles.Client)(nil)
