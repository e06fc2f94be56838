package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

func (a *app) cycleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cycle",
		Short: "Start, follow, wait for and cancel accreditation cycles",
		Long: `An accreditation cycle runs one institution through three annual self-evaluations, the
external evaluation and publication, and then starts over three years later. Each
institution has one cycle workflow, cycle/<ID>; the stage that is running is a child of it.`,
	}
	cmd.AddCommand(a.cycleStartCommand(), a.cycleStatusCommand(), a.cycleWaitCommand(), a.cycleCancelCommand())
	return cmd
}

// startResult is what cycle start did for one institution.
type startResult struct {
	InstitutionID string `json:"institution_id"`
	WorkflowID    string `json:"workflow_id"`
	RunID         string `json:"run_id,omitempty"`
	Result        string `json:"result"` // started, already-running, skipped or failed
	Error         string `json:"error,omitempty"`
	// Reason says why an institution was skipped: it is closed.
	Reason string `json:"reason,omitempty"`
	// ClosedOn is the day a skipped institution closed.
	ClosedOn domain.Date `json:"closed_on,omitzero"`
}

func (a *app) cycleStartCommand() *cobra.Command {
	var (
		inst, region, start, as string
		all, asJSON             bool
		waitOpen                bool
		concurrency, inFlight   int
		waitTimeout             time.Duration
	)
	cmd := &cobra.Command{
		Use:   "start (--institution ID | --region REGION | --all) --as PERSON-ID",
		Short: "Start the accreditation cycle of one institution, a region or all institutions",
		Long: `start begins cycle 1 of each chosen institution, anchored on --start (default: today). The
self-evaluation of year 1 opens on the start date. An institution whose cycle is already
running is left alone: for one institution that is refused (exit 2); for a region or all,
it is reported on its line. A cancelled cycle can be started again. A closed institution
(starter institutions close) gets no new cycle: for one institution that is refused (exit 2);
for a region or all, it is skipped and reported on its line, and counted in the summary.`,
		Example: `  starter cycle start --institution H-01 --as P-131
  starter cycle start --institution H-01 --start 2027-03-01 --as P-131 --json
  starter cycle start --region sjaelland --as P-132
  ACCREDIT_ACTOR=P-136 starter cycle start --all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			chosen := 0
			for _, set := range []bool{inst != "", region != "", all} {
				if set {
					chosen++
				}
			}
			if chosen != 1 {
				return rejected("say which cycles to start: exactly one of --institution ID, --region REGION or --all")
			}
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			startDate := domain.DateOf(a.now())
			if start != "" {
				if startDate, err = parseDateFlag("start", start); err != nil {
					return err
				}
			}
			var reg domain.Region
			if region != "" {
				if reg, err = domain.ParseRegion(region); err != nil {
					return &RejectedError{Err: err}
				}
			}
			targets, err := a.institutionsToStart(ctx, inst, reg, all, actor)
			if err != nil {
				return err
			}
			var open []store.Institution
			for _, in := range targets {
				if !in.Closed() {
					open = append(open, in)
				}
			}
			// With real days a cycle rests until its start date and opens its first step then:
			// there is nothing to wait for before it.
			startsLater := a.cfg.DayLength == 24*time.Hour && startDate.After(domain.DateOf(a.now()))
			if inst == "" && startsLater && waitOpen {
				return rejected("--wait-open waits until the cycles have opened their first step, which cycles starting on %s do on that day: leave out --wait-open", startDate)
			}
			var cc *cycles.Client
			if len(open) > 0 {
				var done func()
				if cc, done, err = a.cyclesClient(ctx); err != nil {
					return err
				}
				defer done()
			}

			if inst != "" {
				res, err := a.startCycle(ctx, cc, targets[0], startDate, actor)
				if err != nil {
					return err
				}
				if asJSON {
					return a.printJSON(res)
				}
				fmt.Fprintf(a.stdout, "cycle 1 of %s started on %s (workflow %s, run %s)\n", inst, startDate, res.WorkflowID, res.RunID)
				return nil
			}
			if concurrency < 1 || concurrency > 64 {
				return rejected("--concurrency is %d: give 1 to 64 cycles started at a time", concurrency)
			}
			if inFlight < 0 || inFlight > 100_000 {
				return rejected("--in-flight is %d: give 0 (no limit) to 100000 started cycles waiting for their first step", inFlight)
			}
			if startsLater {
				inFlight = 0
			}
			results := make([]startResult, 0, len(targets))
			counts := map[string]int{}
			var skipped []string
			report := func(res startResult) {
				id := res.InstitutionID
				counts[res.Result]++
				results = append(results, res)
				if !asJSON {
					switch res.Result {
					case "started":
						fmt.Fprintf(a.stdout, "%s: started cycle 1 on %s (run %s)\n", id, startDate, res.RunID)
					case "already-running":
						fmt.Fprintf(a.stdout, "%s: already running (run %s)\n", id, res.RunID)
					case "skipped":
						fmt.Fprintf(a.stdout, "%s: skipped: %s\n", id, res.Reason)
					default:
						fmt.Fprintf(a.stdout, "%s: failed: %s\n", id, res.Error)
					}
				}
			}
			for _, in := range targets {
				if in.Closed() {
					// A closed institution gets no new cycle: skipped, and said so.
					res := startResult{InstitutionID: in.ID, WorkflowID: workflows.CycleWorkflowID(in.ID), Result: "skipped",
						Reason: "closed on " + in.ClosedOn.String(), ClosedOn: in.ClosedOn}
					if in.ClosedReason != "" {
						res.Reason += ": " + in.ClosedReason
					}
					skipped = append(skipped, in.ID)
					report(res)
				}
			}
			var started []string
			for _, res := range a.startAll(ctx, cc, open, startDate, actor, concurrency, inFlight, report, asJSON) {
				if res.Result == "started" || res.Result == "already-running" {
					started = append(started, res.InstitutionID)
				}
			}
			interrupted := ctx.Err() != nil
			var waitErr error
			if waitOpen && !interrupted && len(started) > 0 {
				_, waitErr = a.waitOpen(ctx, started, waitTimeout, asJSON)
			}
			if asJSON {
				if err := a.printJSON(results); err != nil {
					return err
				}
			} else {
				summary := fmt.Sprintf("%d started", counts["started"])
				if n := counts["already-running"]; n > 0 {
					summary += fmt.Sprintf(", %d already running", n)
				}
				if len(skipped) > 0 {
					summary += fmt.Sprintf(", %d skipped because closed (%s)", len(skipped), strings.Join(skipped, ", "))
				}
				if n := counts["failed"]; n > 0 {
					summary += fmt.Sprintf(", %d failed", n)
				}
				if waitOpen && waitErr == nil && !interrupted && len(started) > 0 {
					summary += fmt.Sprintf("; all %d have opened their first step", len(started))
				}
				fmt.Fprintf(a.stdout, "(%s)\n", summary)
			}
			if interrupted {
				return fmt.Errorf("interrupted after %d of %d cycles: run the same command again to start the rest (running cycles are left alone)",
					len(results)-len(skipped), len(open))
			}
			if n := counts["failed"]; n > 0 {
				return fmt.Errorf("%d of %d cycles could not be started", n, len(open))
			}
			return waitErr
		},
	}
	cmd.Flags().StringVar(&inst, "institution", "", "start the cycle of this institution")
	cmd.Flags().StringVar(&region, "region", "", "start the cycles of every institution in this region")
	cmd.Flags().BoolVar(&all, "all", false, "start the cycles of every institution in the registry")
	cmd.Flags().StringVar(&start, "start", "", "start date YYYY-MM-DD (default: today)")
	addActorFlag(cmd, &as, "the secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().IntVar(&concurrency, "concurrency", 8, "with --region or --all: how many cycles are started at a time")
	cmd.Flags().IntVar(&inFlight, "in-flight", 200, "with --region or --all: start no more while this many started cycles wait for their first step (0: no limit; cycles that start on a later date are not waited for)")
	cmd.Flags().BoolVar(&waitOpen, "wait-open", false, "with --region or --all: wait until every started cycle has opened its first step (not with a --start date ahead)")
	cmd.Flags().DurationVar(&waitTimeout, "wait-timeout", 30*time.Minute, "how long --wait-open waits")
	return cmd
}

// institutionsToStart checks the registry before anything is started: the institutions
// exist, and actor is the secretariat whose region covers them (the national secretariat for
// --all), as the store has it. One institution that is closed is refused; a region's or all
// institutions come back closed ones included, for the caller to skip and report.
func (a *app) institutionsToStart(ctx context.Context, inst string, region domain.Region, all bool, actor string) ([]store.Institution, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var (
		chosen []store.Institution
		reach  registry.Reach
	)
	switch {
	case inst != "":
		in, err := knownInstitution(ctx, st, inst)
		if err != nil {
			return nil, err
		}
		chosen, reach = []store.Institution{in}, registry.Reach{Regions: []domain.Region{in.Region}}
	default:
		rows, err := st.ListInstitutions(ctx, store.InstitutionFilter{Region: region})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			if all {
				return nil, rejected("the registry has no institutions: import them with starter institutions import FILE.csv")
			}
			return nil, rejected("the registry has no institutions in %s: import them with starter institutions import FILE.csv", region.Name())
		}
		chosen = rows
		reach = registry.Reach{Regions: []domain.Region{region}}
		if all {
			reach = registry.Reach{National: true}
		}
	}
	if _, err := registry.CheckSecretariat(ctx, st, actor, "start cycles", reach); err != nil {
		return nil, notAllowed(err)
	}
	if in := chosen[0]; inst != "" && in.Closed() {
		return nil, rejected("%s %s was %s: a closed institution gets no new cycle; if it was closed by mistake, reopen it with starter institutions reopen %s --reason TEXT --as SECRETARIAT-ID",
			in.ID, in.Name, describeClosure(in), in.ID)
	}
	return chosen, nil
}

// startCycle starts one institution's cycle through the client of the cycles; a running one
// is refused (a *cycles.RefusedError wrapping cycles.ErrAlreadyRunning) with Result
// "already-running".
func (a *app) startCycle(ctx context.Context, cc *cycles.Client, in store.Institution, start domain.Date, actor string) (startResult, error) {
	started, err := cc.Start(ctx, cycles.StartRequest{InstitutionID: in.ID, Region: in.Region, StartDate: start, Actor: actor})
	res := startResult{InstitutionID: in.ID, WorkflowID: started.WorkflowID, RunID: started.RunID, Result: "started"}
	if errors.Is(err, cycles.ErrAlreadyRunning) {
		res.Result = "already-running"
	}
	return res, err
}

func (a *app) cycleStatusCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status INSTITUTION-ID",
		Short: "Show a cycle: where it stands, its team and the timeline of its steps",
		Long: `status asks the cycle workflow, and the stage running under it, for their state, and prints
one timeline: the steps of the stages that finished, then the steps of the running stage.
ESC is the escalation level of a step that is past its due date. With --json it prints
{"cycle": {...}, "stage": {...} or null, "note": "..."}, for scripts: each step is in one
place, cycle.steps for the stages that finished and stage.steps for the running stage (the
timeline is the one, then the other); the clock's day_length is a duration such as "24h0m0s".`,
		Example: `  starter cycle status H-01
  starter cycle status H-01 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["cycle"]["today"])'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inst, err := institutionArg(args)
			if err != nil {
				return err
			}
			if err := a.checkInstitution(cmd.Context(), inst); err != nil {
				return err
			}
			cc, done, err := a.cyclesClient(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			v, err := cc.Status(cmd.Context(), inst)
			if err != nil {
				return err
			}
			a.freshToday(cmd.Context(), &v)
			if asJSON {
				return a.printJSON(statusJSONOf(v))
			}
			return printView(a.stdout, v)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

// phaseLine says where an external evaluation stands; a planned visit names its date, or
// that the date is still to be agreed.
func phaseLine(st workflows.StageStatus) string {
	switch st.Phase {
	case workflows.EvaluationVisitPlanned:
		if st.Visit.IsZero() {
			return "visit planned (the lead agrees the date)"
		}
		return "visit planned for " + st.Visit.String()
	case workflows.EvaluationRevisitPlanned:
		if st.Revisit.IsZero() {
			return "revisit planned (the lead agrees the date)"
		}
		return "revisit planned for " + st.Revisit.String()
	}
	return string(st.Phase)
}

func printView(w io.Writer, v cycles.Status) error {
	st := v.Cycle
	name := st.InstitutionID
	if st.InstitutionName != "" {
		name += " " + st.InstitutionName
	}
	region := string(st.Region)
	if st.Region.Valid() {
		region = st.Region.Name()
	}
	fmt.Fprintf(w, "Institution: %s (%s)\n", name, orDash(region))
	fmt.Fprintf(w, "Cycle:       %d, started %s; today is %s\n", st.Number, dateOrDash(st.StartDate), dateOrDash(st.Today))
	stage := string(st.Stage)
	switch {
	case st.Cancelled:
		stage = "cancelled: " + st.CancelReason
	case st.ActiveWorkflowID != "" && st.ActiveWorkflowID != workflows.CycleWorkflowID(st.InstitutionID):
		// A stage of its own; a self-evaluation the cycle runs itself needs no ID of its own.
		stage += " (" + st.ActiveWorkflowID + ")"
	case stage == "":
		stage = "-"
	}
	fmt.Fprintf(w, "Stage:       %s\n", stage)
	if !st.NextStageOn.IsZero() {
		fmt.Fprintf(w, "Next stage:  opens on %s\n", st.NextStageOn)
	}
	verdict := st.FinalVerdict
	final := verdict != 0
	if v.Stage != nil && v.Stage.Verdict != 0 {
		verdict, final = v.Stage.Verdict, v.Stage.Final
	}
	if verdict != 0 {
		label := fmt.Sprintf("%d %s", int(verdict), verdict.LabelEN())
		if !final {
			label += " (not final yet)"
		}
		fmt.Fprintf(w, "Verdict:     %s\n", label)
	}
	if v.Stage != nil {
		if v.Stage.Phase != "" {
			fmt.Fprintf(w, "Phase:       %s\n", phaseLine(*v.Stage))
		}
		if !v.Stage.Visit.IsZero() {
			fmt.Fprintf(w, "Visit:       %s\n", v.Stage.Visit)
		}
		if !v.Stage.Revisit.IsZero() {
			fmt.Fprintf(w, "Revisit:     %s\n", v.Stage.Revisit)
		}
	}
	if v.Note != "" {
		fmt.Fprintf(w, "Note:        %s\n", v.Note)
	}
	if v.Stage != nil && len(v.Stage.Team) > 0 {
		fmt.Fprintln(w, "\nTeam:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SEAT\tPERSON\tNAME\tSTATUS")
		for _, m := range v.Stage.Team {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", m.Seat, m.PersonID, orDash(m.Name), m.Status)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	timeline := v.Timeline()
	if len(timeline) == 0 {
		fmt.Fprintln(w, "(no steps yet)")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tSTEP\tHOLDER\tOPENED\tDUE\tSTATUS\tCLOSED\tBY\tESC")
	for _, s := range timeline {
		esc := "-"
		if s.Escalation > 0 {
			esc = fmt.Sprint(s.Escalation)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Stage, s.Key, orDash(s.HolderID), dateOrDash(s.Opened),
			dateOrDash(s.Due), s.Status, dateOrDash(s.Closed), orDash(s.ClosedBy), esc)
	}
	return tw.Flush()
}

// matchesStep reports whether a step key is key or one of its sub-steps ("invitation" matches
// "invitation/lead/1").
func matchesStep(stepKey, key string) bool {
	return stepKey == key || strings.HasPrefix(stepKey, key+"/")
}

func (a *app) cycleWaitCommand() *cobra.Command {
	var (
		step      string
		nextCycle bool
		timeout   time.Duration
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "wait INSTITUTION-ID (--step KEY | --next-cycle)",
		Short: "Wait until a step of the cycle is open, or the next cycle has begun",
		Long: `wait asks the cycle for its status every 200ms until the running stage has an OPEN step whose
key is KEY or starts with KEY/ (so --step invitation matches invitation/lead/1), and prints
the matching steps and who holds them. With --next-cycle it waits until the cycle has moved
on to a higher cycle number. It fails (exit 1) when --timeout passes first, and is refused
(exit 2) when the institution has no cycle or the cycle is cancelled.
Step keys: self-evaluation, invitation, manual-assignment, visit-date, visit, report,
hearing, action-plan, appeal-window, appeal-decision, revisit-date, revisit, revisit-report,
verdict-decision.`,
		Example: `  starter cycle wait H-01 --step self-evaluation --timeout 2m
  starter cycle wait H-01 --step invitation/lead --json
  starter cycle wait H-01 --next-cycle --timeout 10m`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inst, err := institutionArg(args)
			if err != nil {
				return err
			}
			step = strings.Trim(strings.TrimSpace(step), "/")
			if (step == "") == !nextCycle {
				return rejected("say what to wait for: exactly one of --step KEY or --next-cycle")
			}
			if timeout <= 0 {
				return rejected("--timeout must be positive, got %s", timeout)
			}
			ctx := cmd.Context()
			if err := a.checkInstitution(ctx, inst); err != nil {
				return err
			}
			cc, done, err := a.cyclesClient(ctx)
			if err != nil {
				return err
			}
			defer done()
			if nextCycle {
				return a.waitNextCycle(ctx, cc, inst, timeout, asJSON)
			}
			return a.waitStep(ctx, cc, inst, step, timeout, asJSON)
		},
	}
	cmd.Flags().StringVar(&step, "step", "", "wait for an open step with this key (or key prefix)")
	cmd.Flags().BoolVar(&nextCycle, "next-cycle", false, "wait until the next cycle has started")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "how long to wait")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the matching steps as JSON")
	return cmd
}

// waitResult is what cycle wait --step --json prints: the open steps that match, in the
// stage's order (the first is the one a script usually wants).
type waitResult struct {
	InstitutionID string          `json:"institution_id"`
	Cycle         int             `json:"cycle"`
	WorkflowID    string          `json:"workflow_id,omitempty"`
	Stage         workflows.Stage `json:"stage,omitempty"`
	// Year is a self-evaluation's year of the cycle (1 to 3).
	Year  int                    `json:"year,omitempty"`
	Today domain.Date            `json:"today"`
	Steps []workflows.StepRecord `json:"steps"`
}

func (a *app) waitStep(ctx context.Context, cc *cycles.Client, inst, key string, timeout time.Duration, asJSON bool) error {
	deadline := time.Now().Add(timeout)
	var (
		last    cycles.Status
		lastErr error
	)
	for {
		v, err := cc.Status(ctx, inst)
		switch {
		case err == nil:
			last, lastErr = v, nil
			if v.Cycle.Cancelled {
				return rejected("cycle %d of %s was cancelled (%s): step %s will not open", v.Cycle.Number, inst, v.Cycle.CancelReason, key)
			}
			if v.Stage != nil {
				var matched []workflows.StepRecord
				for _, s := range v.Stage.Steps {
					if s.Status == workflows.StepOpen && matchesStep(s.Key, key) {
						matched = append(matched, s)
					}
				}
				if len(matched) > 0 {
					if asJSON {
						return a.printJSON(waitResult{InstitutionID: inst, Cycle: v.Cycle.Number, WorkflowID: v.Stage.WorkflowID,
							Stage: v.Stage.Stage, Year: v.Stage.Year, Today: v.Stage.Today, Steps: matched})
					}
					year := ""
					if v.Stage.Year > 0 {
						year = fmt.Sprintf(" (year %d)", v.Stage.Year)
					}
					for _, s := range matched {
						fmt.Fprintf(a.stdout, "%s%s is open in %s since %s, due %s, held by %s (%s)\n",
							s.Key, year, v.Stage.WorkflowID, s.Opened, s.Due, s.HolderID, s.HolderRole)
					}
					return nil
				}
			}
		case errors.Is(err, cycles.ErrNoCycle):
			return err
		default:
			// A continue-as-new or a busy worker: ask again until the deadline.
			lastErr = err
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				return fmt.Errorf("step %s of %s did not open within %s: %v", key, inst, timeout, lastErr)
			}
			return fmt.Errorf("step %s of %s did not open within %s: %s", key, inst, timeout, describeOpen(last))
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return err
		}
	}
}

// describeOpen says what a cycle waits for now, for a timeout message.
func describeOpen(v cycles.Status) string {
	st := v.Cycle
	if st.ActiveWorkflowID == "" {
		if !st.NextStageOn.IsZero() {
			return fmt.Sprintf("no stage is running; the next one opens on %s (today is %s)", st.NextStageOn, st.Today)
		}
		return "no stage is running"
	}
	var open []string
	for _, s := range v.OpenSteps() {
		open = append(open, s.Key+" ("+s.HolderID+")")
	}
	if len(open) == 0 {
		return fmt.Sprintf("stage %s has no open step", st.Stage)
	}
	return fmt.Sprintf("open in stage %s: %s", st.Stage, strings.Join(open, ", "))
}

func (a *app) waitNextCycle(ctx context.Context, cc *cycles.Client, inst string, timeout time.Duration, asJSON bool) error {
	deadline := time.Now().Add(timeout)
	first, err := cc.CycleStatus(ctx, inst)
	if err != nil {
		return err
	}
	for {
		st, err := cc.CycleStatus(ctx, inst)
		switch {
		case err == nil && st.Number > first.Number:
			if asJSON {
				return a.printJSON(cycleJSONOf(st))
			}
			fmt.Fprintf(a.stdout, "cycle %d of %s has started on %s (today is %s)\n", st.Number, inst, st.StartDate, st.Today)
			return nil
		case err == nil && st.Cancelled:
			return rejected("cycle %d of %s was cancelled (%s): no next cycle will start", st.Number, inst, st.CancelReason)
		case errors.Is(err, cycles.ErrNoCycle):
			return err
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("cycle %d of %s did not start within %s: %v", first.Number+1, inst, timeout, err)
			}
			return fmt.Errorf("cycle %d of %s did not start within %s: cycle %d is in its %s stage (today is %s)",
				first.Number+1, inst, timeout, st.Number, orDash(string(st.Stage)), st.Today)
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return err
		}
	}
}

func (a *app) cycleCancelCommand() *cobra.Command {
	var (
		reason, as string
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "cancel INSTITUTION-ID --reason TEXT --as SECRETARIAT-ID",
		Short: "Cancel an institution's cycle (e.g. the institution has closed)",
		Long: `cancel ends the cycle: the running stage withdraws its open steps and tells the people who
held them. Only the region's secretariat or the national secretariat may cancel. The
reason goes into the audit trail. A cancelled cycle can be started again with cycle start.`,
		Example: `  starter cycle cancel H-01 --reason "Tilbuddet er lukket pr. 1. marts" --as P-131`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inst, err := institutionArg(args)
			if err != nil {
				return err
			}
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if err := a.checkInstitution(ctx, inst); err != nil {
				return err
			}
			cc, done, err := a.cyclesClient(ctx)
			if err != nil {
				return err
			}
			defer done()
			st, err := cc.Cancel(ctx, inst, workflows.Cancellation{Action: workflows.Action{Actor: actor}, Reason: reason})
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(cycleJSONOf(st))
			}
			fmt.Fprintf(a.stdout, "cycle %d of %s cancelled by %s: %s\n", st.Number, inst, actor, reason)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the cycle is cancelled (audit trail)")
	addActorFlag(cmd, &as, "the secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the cycle's status after cancelling as JSON")
	return cmd
}

// freshToday corrects "today" from the cycle's calendar in the store. A query handler sees
// the time of the workflow's last task, so while a cycle waits (for a stage, a timer, a
// person) the "today" it reports falls behind the calendar. When the store knows the cycle's
// clock, today is computed from it; otherwise the workflow's value stays.
func (a *app) freshToday(ctx context.Context, v *cycles.Status) {
	st, err := a.openStore(ctx)
	if err != nil {
		return
	}
	defer st.Close()
	row, err := st.Cycle(ctx, v.Cycle.InstitutionID, v.Cycle.Number)
	if err != nil || row.DayLengthMS <= 0 || row.AnchorDate.IsZero() {
		return
	}
	v.AdvanceToday(row.Clock().DateAt(a.now()))
}
