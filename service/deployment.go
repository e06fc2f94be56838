package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/kvalitetsmodel/accredit/config"
)

// DeploymentOptions are the worker's Worker Versioning options: none without a deployment
// name. Every workflow is AutoUpgrade: a cycle lives three years and continues as new
// into the next, so a Pinned cycle would hold its build, and every worker of it, for as long
// (docs/deploy.md). AutoUpgrade moves each workflow to the current version at its next
// workflow task, which is safe because every change to workflow code is guarded by
// workflow.GetVersion and replays the archived histories in CI.
func DeploymentOptions(d config.Deployment) (worker.DeploymentOptions, error) {
	if !d.Versioned() {
		return worker.DeploymentOptions{}, nil
	}
	buildID, err := d.ResolvedBuildID()
	if err != nil {
		return worker.DeploymentOptions{}, err
	}
	return worker.DeploymentOptions{
		UseVersioning:             true,
		Version:                   worker.WorkerDeploymentVersion{DeploymentName: d.Name, BuildID: buildID},
		DefaultVersioningBehavior: workflow.VersioningBehaviorAutoUpgrade,
	}, nil
}

// adoptTimeout bounds how long a starting worker waits for the server to register its version.
const adoptTimeout = time.Minute

// AdoptFirstVersion makes the worker's own version current when its deployment has never had
// a current version: the first deploy, in which nobody has a version to choose yet and,
// without a current version, the server gives new workflows only to unversioned workers. From
// then on only the operator moves the current version (docs/deploy.md), so a new build's
// workers wait beside the old ones until the release is promoted; replicas starting together
// settle on one version through the deployment's conflict token. It reports whether this call
// made the version current, and does nothing for an unversioned worker.
func AdoptFirstVersion(ctx context.Context, c client.Client, opts worker.DeploymentOptions, logger *slog.Logger) (bool, error) {
	if !opts.UseVersioning {
		return false, nil
	}
	v := opts.Version
	ctx, cancel := context.WithTimeout(ctx, adoptTimeout)
	defer cancel()
	handle := c.WorkerDeploymentClient().GetHandle(v.DeploymentName)
	var last error
	for {
		desc, err := handle.Describe(ctx, client.WorkerDeploymentDescribeOptions{})
		var unimplemented *serviceerror.Unimplemented
		switch {
		case errors.As(err, &unimplemented):
			return false, fmt.Errorf("ACCREDIT_DEPLOYMENT_NAME is set but the Temporal server has no Worker Deployments "+
				"(they need server 1.28 or later with system.enableDeploymentVersions): %w", err)
		case err != nil:
			// NotFound until the server has registered this worker's first poll.
			last = err
		case !everRouted(desc.Info.RoutingConfig):
			if !hasVersion(desc.Info, v.BuildID) {
				last = fmt.Errorf("version %s of deployment %s is not registered yet", v.BuildID, v.DeploymentName)
				break
			}
			// The token makes a replica that lost the race fail here and see the winner next.
			_, err := handle.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{
				BuildID: v.BuildID, ConflictToken: desc.ConflictToken})
			if err == nil {
				logger.Info("worker deployment version is current: the first version of the deployment",
					"deployment", v.DeploymentName, "build_id", v.BuildID)
				return true, nil
			}
			last = err
		default:
			logVersionState(logger, v, desc.Info.RoutingConfig)
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("make version %s of worker deployment %s current: %w (last: %v)", v.BuildID, v.DeploymentName, ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// everRouted reports whether the deployment's current or ramping version was ever set, so
// that an operator's explicit "current is unversioned" is never overridden.
func everRouted(r client.WorkerDeploymentRoutingConfig) bool {
	return r.CurrentVersion != nil || r.RampingVersion != nil || !r.CurrentVersionChangedTime.IsZero()
}

func hasVersion(info client.WorkerDeploymentInfo, buildID string) bool {
	for _, s := range info.VersionSummaries {
		if s.Version.BuildID == buildID {
			return true
		}
	}
	return false
}

func logVersionState(logger *slog.Logger, v worker.WorkerDeploymentVersion, r client.WorkerDeploymentRoutingConfig) {
	current := "unversioned"
	if r.CurrentVersion != nil {
		current = r.CurrentVersion.BuildID
	}
	switch {
	case r.CurrentVersion != nil && *r.CurrentVersion == v:
		logger.Info("worker deployment version is current", "deployment", v.DeploymentName, "build_id", v.BuildID)
	case r.RampingVersion != nil && *r.RampingVersion == v:
		logger.Info("worker deployment version is ramping", "deployment", v.DeploymentName, "build_id", v.BuildID,
			"percentage", r.RampingVersionPercentage, "current_build_id", current)
	default:
		logger.Info("worker deployment version is not current: it takes no new workflows until the release is promoted",
			"deployment", v.DeploymentName, "build_id", v.BuildID, "current_build_id", current,
			"promote", fmt.Sprintf("temporal worker deployment set-current-version --deployment-name %s --build-id %s", v.DeploymentName, v.BuildID))
	}
}
