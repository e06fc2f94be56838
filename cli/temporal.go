package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
)

// What the cycle commands share: who acts, flag parsing, and the client of the cycles.

// actorEnv names the person acting when --as is not given.
const actorEnv = "ACCREDIT_ACTOR"

// pollEvery is how often cycle wait asks again.
const pollEvery = 200 * time.Millisecond

// getenv reads a variable from the app's environment (the last one wins, as in a shell).
func (a *app) getenv(key string) string {
	var value string
	for _, kv := range a.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			value = v
		}
	}
	return value
}

// actor is the person acting: --as, else $ACCREDIT_ACTOR.
func (a *app) actor(as string) (string, error) {
	as = strings.TrimSpace(as)
	if as == "" {
		as = strings.TrimSpace(a.getenv(actorEnv))
	}
	if as == "" {
		return "", rejected("say who is acting: give --as PERSON-ID (or set %s)", actorEnv)
	}
	return as, nil
}

func addActorFlag(cmd *cobra.Command, as *string, who string) {
	cmd.Flags().StringVar(as, "as", "", "person ID of who acts ("+who+"); default $"+actorEnv)
}

func parseDateFlag(flag, value string) (domain.Date, error) {
	d, err := domain.ParseDate(value)
	if err != nil {
		return domain.Date{}, rejected("--%s: %v", flag, err)
	}
	return d, nil
}

// requireFlag rejects an empty text flag with what to give.
func requireFlag(flag, value, what string) error {
	if strings.TrimSpace(value) == "" {
		return rejected("--%s is required: %s", flag, what)
	}
	return nil
}

func institutionArg(args []string) (string, error) {
	id := strings.TrimSpace(args[0])
	if id == "" {
		return "", rejected("give the institution's ID, e.g. H-01")
	}
	return id, nil
}

// cyclesClient dials Temporal and returns the client of the cycles; close it when done.
// Every command that reaches a cycle goes through it, so the routing of actions, the reading
// of Temporal's errors and the refusals (*cycles.RefusedError, exit code 2) are the same for
// the starter as for the web app.
func (a *app) cyclesClient(ctx context.Context) (*cycles.Client, func(), error) {
	c, err := a.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	return cycles.New(c, cycles.Options{TaskQueue: a.cfg.TaskQueue}), c.Close, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// dateOrDash prints a date, or "-" for none.
func dateOrDash(d domain.Date) string {
	if d.IsZero() {
		return "-"
	}
	return d.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
