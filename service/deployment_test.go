package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/kvalitetsmodel/accredit/activities"
	"github.com/kvalitetsmodel/accredit/internal/fixture"
	"github.com/kvalitetsmodel/accredit/service"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// TestRolloutMovesARunningCycleToTheNewVersion follows docs/deploy.md on the embedded server:
// the first versioned worker makes its version current and a cycle starts on it; a second
// build's worker starts beside it and stays out of the way until the operator makes it
// current; then the waiting self-evaluation takes the manager's submission on the new
// build, because every workflow is AutoUpgrade.
func TestRolloutMovesARunningCycleToTheNewVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	const deployment, first, second = "accredit", "build-1", "build-2"
	cfg := fixture.EmbeddedConfig(t, "ACCREDIT_DEPLOYMENT_NAME="+deployment, "ACCREDIT_BUILD_ID="+first)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startService(t, cfg)
	defer s.Stop()
	fixture.ExampleRegistry(t, s.Store)
	handle := s.Client.WorkerDeploymentClient().GetHandle(deployment)
	if cur := currentBuild(ctx, t, handle); cur != first {
		t.Fatalf("current version after the first versioned worker started = %q, want %q", cur, first)
	}

	const inst = "H-01"
	startCycle(ctx, t, s, cfg, inst)
	actor := clientActor{s.Client}
	var stageID string
	waitUntil(ctx, t, "the year-1 self-evaluation opens", func() bool {
		_, stage, err := actor.status(ctx, inst)
		if err == nil && openStep(stage, "self-evaluation") {
			stageID = stage.WorkflowID
			return true
		}
		return false
	})
	for _, id := range []string{workflows.CycleWorkflowID(inst), stageID} {
		if build, behavior := versionOf(ctx, t, s.Client, id); build != first || behavior != enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE {
			t.Errorf("%s runs on %q as %v, want %q as AutoUpgrade", id, build, behavior, first)
		}
	}

	// The next build's worker, as the rollout starts it beside the running one.
	opts, err := service.DeploymentOptions(cfg.Deployment)
	if err != nil {
		t.Fatal(err)
	}
	opts.Version.BuildID = second
	wopts := service.WorkerOptions(cfg.Worker)
	wopts.DeploymentOptions = opts
	next := worker.New(s.Client, cfg.TaskQueue, wopts)
	service.Register(next, activities.New(s.Store, cfg, quietLogger()))
	if err := next.Start(); err != nil {
		t.Fatal(err)
	}
	defer next.Stop()
	adopted, err := service.AdoptFirstVersion(ctx, s.Client, opts, quietLogger())
	if err != nil || adopted {
		t.Fatalf("the second build adopted the deployment (%v, %v): only the operator may promote it", adopted, err)
	}
	if cur := currentBuild(ctx, t, handle); cur != first {
		t.Fatalf("current version after the second build started = %q, want still %q", cur, first)
	}

	// Promote, as `temporal worker deployment set-current-version` does.
	// The server refuses until the new build's pollers have reached every task queue the
	// current version serves (the workflow and the activity queue), a moment after start.
	for {
		_, err := handle.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: second})
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "missing active task queues") || ctx.Err() != nil {
			t.Fatalf("promote %s: %v", second, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The promotion reaches the task queue's matching a moment later: until a new workflow
	// runs on the second build, a task may still go to the first (and the stage completes
	// with the submission, so it would have no later task to move on).
	for i := 0; ; i++ {
		run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("ping/rollout/%d", i),
			TaskQueue: cfg.TaskQueue}, workflows.PingWorkflowName, workflows.PingRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatalf("ping on the promoted deployment: %v", err)
		}
		if build, _ := versionOf(ctx, t, s.Client, run.GetID()); build == second {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := actor.act(ctx, inst, workflows.UpdateSubmitSelfEvaluation, fixture.SelfEvaluation("P-001")); err != nil {
		t.Fatalf("submit the self-evaluation after the promotion: %v", err)
	}
	for _, id := range []string{stageID, workflows.CycleWorkflowID(inst)} {
		waitUntil(ctx, t, id+" moves to "+second, func() bool {
			build, behavior := versionOf(ctx, t, s.Client, id)
			return build == second && behavior == enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE
		})
	}
}

func currentBuild(ctx context.Context, t *testing.T, h client.WorkerDeploymentHandle) string {
	t.Helper()
	desc, err := h.Describe(ctx, client.WorkerDeploymentDescribeOptions{})
	if err != nil {
		t.Fatalf("describe the worker deployment: %v", err)
	}
	if cur := desc.Info.RoutingConfig.CurrentVersion; cur != nil {
		return cur.BuildID
	}
	return ""
}

// versionOf is the build a workflow's last task ran on, and its versioning behaviour.
func versionOf(ctx context.Context, t *testing.T, c client.Client, workflowID string) (string, enumspb.VersioningBehavior) {
	t.Helper()
	desc, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		t.Fatalf("describe %s: %v", workflowID, err)
	}
	info := desc.GetWorkflowExecutionInfo().GetVersioningInfo()
	return info.GetDeploymentVersion().GetBuildId(), info.GetBehavior()
}
