package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"unicode"
)

// MaxDeploymentIDLength is the longest deployment name or build ID accepted: the Temporal
// server stores build IDs in a VARCHAR(255) on SQL persistence (limit.workerBuildIdSize).
const MaxDeploymentIDLength = 255

// Deployment opts the worker into Temporal's Worker Versioning (docs/deploy.md). Workflow
// tasks are then routed by deployment version, so a new build's workers can start beside the
// old ones and take over only when the operator makes their version current.
type Deployment struct {
	// Name is the worker deployment, the same for every build of the service. Empty leaves
	// the worker unversioned: the embedded server's one worker gains nothing from versions,
	// and a checkout keeps working as it did.
	Name string `yaml:"name" env:"DEPLOYMENT_NAME"`
	// BuildID names this build within the deployment; empty derives one (ResolvedBuildID).
	BuildID string `yaml:"build_id" env:"BUILD_ID"`
}

// Versioned reports whether the worker takes part in Worker Versioning.
func (d Deployment) Versioned() bool { return d.Name != "" }

func (d Deployment) validate() []error {
	var problems []error
	if d.Name == "" {
		if d.BuildID != "" {
			problems = append(problems, fmt.Errorf("ACCREDIT_BUILD_ID is %q but ACCREDIT_DEPLOYMENT_NAME is empty: "+
				"a build ID only counts within a deployment; set ACCREDIT_DEPLOYMENT_NAME too (e.g. accredit), or neither", d.BuildID))
		}
		return problems
	}
	if err := checkDeploymentID(d.Name); err != nil {
		problems = append(problems, fmt.Errorf("ACCREDIT_DEPLOYMENT_NAME %q %v", d.Name, err))
	} else if strings.ContainsAny(d.Name, ".:") {
		// The server joins name and build ID with them into version strings.
		problems = append(problems, fmt.Errorf("ACCREDIT_DEPLOYMENT_NAME %q contains '.' or ':', which Temporal reserves; use letters, digits, '-' or '_' (e.g. accredit)", d.Name))
	}
	if d.BuildID != "" {
		if err := checkDeploymentID(d.BuildID); err != nil {
			problems = append(problems, fmt.Errorf("ACCREDIT_BUILD_ID %q %v", d.BuildID, err))
		}
	}
	return problems
}

func checkDeploymentID(s string) error {
	switch {
	case len(s) > MaxDeploymentIDLength:
		return fmt.Errorf("is %d bytes long; give at most %d", len(s), MaxDeploymentIDLength)
	case strings.HasPrefix(s, "__"):
		return errors.New(`starts with "__", which Temporal reserves for its own versions`)
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
		return errors.New("has white space or control characters; give a single word such as a commit hash")
	}
	return nil
}

// ResolvedBuildID is the build ID the worker announces: the configured one, else the VCS revision
// the binary was built from when its tree was clean, else a hash of the executable. Every
// replica of one image derives the same ID, and a changed binary never reuses one (a
// revision with local changes would).
func (d Deployment) ResolvedBuildID() (string, error) {
	info, ok := debug.ReadBuildInfo()
	return d.buildID(info, ok, os.Executable)
}

func (d Deployment) buildID(info *debug.BuildInfo, ok bool, executable func() (string, error)) (string, error) {
	if d.BuildID != "" {
		return d.BuildID, nil
	}
	if ok {
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if revision != "" && modified == "false" {
			return revision, nil
		}
	}
	path, err := executable()
	if err != nil {
		return "", fmt.Errorf("derive a build ID (set ACCREDIT_BUILD_ID to give one): find the executable: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("derive a build ID (set ACCREDIT_BUILD_ID to give one): %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("derive a build ID (set ACCREDIT_BUILD_ID to give one): read %s: %w", path, err)
	}
	return "sha256-" + hex.EncodeToString(h.Sum(nil))[:16], nil
}
