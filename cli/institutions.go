package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// knownInstitution returns the institution id names, or refuses an ID that is not in the
// registry with exit code 2, as every command that takes an institution ID does.
func knownInstitution(ctx context.Context, st *store.Store, id string) (store.Institution, error) {
	in, err := st.Institution(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return in, rejected("institution %s is not in the registry: check the ID with starter institutions list, or import it with starter institutions import FILE.csv", id)
	}
	return in, err
}

// checkInstitution is knownInstitution on its own store, for the commands that otherwise only
// talk to Temporal: an unknown ID is refused before the starter dials.
func (a *app) checkInstitution(ctx context.Context, id string) error {
	if err := a.requireDataDir(); err != nil {
		return err
	}
	// Reading needs no seed: skip its write transaction, which would wait for a busy worker.
	st, err := store.Open(ctx, store.Location{URL: a.cfg.DatabaseURL, Path: a.cfg.StorePath()})
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = knownInstitution(ctx, st, id)
	return err
}

// checkInstitutionFilter refuses an --institution filter that names no institution, so that
// a mistyped ID is not answered with an empty list.
func checkInstitutionFilter(ctx context.Context, st *store.Store, id string) error {
	if strings.TrimSpace(id) == "" {
		return nil
	}
	_, err := knownInstitution(ctx, st, strings.TrimSpace(id))
	return err
}

// notAllowed turns the registry's refusal of an actor into the starter's exit code 2.
func notAllowed(err error) error {
	var denied *registry.NotAllowedError
	if errors.As(err, &denied) {
		return &RejectedError{Err: err}
	}
	return err
}

// Closing an institution (issue 9, point 6): the registry records the day it closed, who
// recorded it and why, and its running cycle is cancelled through the cycle's own cancel
// update, which withdraws the open tasks and tells the people who held them.

// What closing an institution did to its cycle.
const (
	cycleNone             = "none"              // no cycle was ever started
	cycleEnded            = "ended"             // the cycle workflow no longer runs
	cycleAlreadyCancelled = "already-cancelled" // cancelled before, by anyone
	cycleCancelled        = "cancelled"         // cancelled now
)

// closePrefixLength is the length of "institution closed on YYYY-MM-DD: ", which the cycle's
// cancel reason puts before the reason given.
var closePrefixLength = len(closureReason(domain.NewDate(2000, 1, 1), ""))

// closureReason is the reason a closed institution's cycle is cancelled with.
func closureReason(on domain.Date, why string) string {
	return fmt.Sprintf("institution closed on %s: %s", on, why)
}

// cycleEnd is what became of an institution's cycle when it closed.
type cycleEnd struct {
	WorkflowID string `json:"workflow_id"`
	Cycle      int    `json:"cycle,omitempty"`
	// Result is none, ended, already-cancelled or cancelled.
	Result string `json:"result"`
	// Reason is the cycle's cancel reason, when it is cancelled.
	Reason string `json:"reason,omitempty"`
	// Status is Temporal's status of a cycle workflow that no longer runs.
	Status string `json:"status,omitempty"`
}

// String reads like "cycle 1 (cycle/H-02) cancelled: institution closed on ...".
func (e cycleEnd) String() string {
	switch e.Result {
	case cycleNone:
		return "no cycle had been started: nothing to cancel"
	case cycleEnded:
		return fmt.Sprintf("%s no longer runs (%s): nothing to cancel", e.WorkflowID, e.Status)
	case cycleAlreadyCancelled:
		return fmt.Sprintf("cycle %d (%s) was already cancelled: %s", e.Cycle, e.WorkflowID, e.Reason)
	}
	return fmt.Sprintf("cycle %d (%s) cancelled (%s): its open tasks are withdrawn and the people who held them are told",
		e.Cycle, e.WorkflowID, e.Reason)
}

// cancelForClosure cancels the cycle of an institution that closed on the given day, why,
// through the cycle's cancel update on behalf of actor; a cycle that was never started, no
// longer runs or was cancelled already is left as it is, so closing twice never cancels twice.
func (a *app) cancelForClosure(ctx context.Context, cc *cycles.Client, inst string, on domain.Date, why, actor string) (cycleEnd, error) {
	id := workflows.CycleWorkflowID(inst)
	end := cycleEnd{WorkflowID: id}
	desc, err := cc.Temporal().DescribeWorkflowExecution(ctx, id, "")
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		end.Result = cycleNone
		return end, nil
	case err != nil:
		return end, fmt.Errorf("look up the cycle of %s (%s): %v", inst, id, err)
	}
	if status := desc.GetWorkflowExecutionInfo().GetStatus(); status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		end.Result, end.Status = cycleEnded, status.String()
		return end, nil
	}
	reason := closureReason(on, why)
	after, err := cc.Cancel(ctx, inst, workflows.Cancellation{Action: workflows.Action{Actor: actor}, Reason: reason})
	end.Cycle = after.Number
	switch {
	case errors.Is(err, cycles.ErrCancelled):
		end.Result, end.Reason = cycleAlreadyCancelled, after.CancelReason
		return end, nil
	case err != nil:
		return end, err
	}
	end.Result, end.Reason = cycleCancelled, reason
	if after.Number != 0 {
		end.Cycle = after.Number
	}
	return end, nil
}

// closeResult is what institutions close --json prints.
type closeResult struct {
	InstitutionID string        `json:"institution_id"`
	Name          string        `json:"name"`
	Region        domain.Region `json:"region"`
	ClosedOn      domain.Date   `json:"closed_on"`
	ClosedBy      string        `json:"closed_by"`
	Reason        string        `json:"reason"`
	// AlreadyClosed is set when the registry had it closed before: nothing was recorded.
	AlreadyClosed bool     `json:"already_closed"`
	Cycle         cycleEnd `json:"cycle"`
}

// describeClosure reads like "closed on 2027-03-01 by P-131 (Tilbuddet er nedlagt)".
func describeClosure(in store.Institution) string {
	s := "closed on " + in.ClosedOn.String()
	if in.ClosedBy != "" {
		s += " by " + in.ClosedBy
	}
	if in.ClosedReason != "" {
		s += " (" + in.ClosedReason + ")"
	}
	return s
}

func (a *app) institutionsCloseCommand() *cobra.Command {
	var (
		on, reason, as string
		asJSON         bool
	)
	cmd := &cobra.Command{
		Use:   "close INSTITUTION-ID --on DATE --reason TEXT --as SECRETARIAT-ID",
		Short: "Record that an institution has closed, and cancel its running cycle",
		Long: `close records in the registry that the institution closed on --on (today or earlier: a
closure is recorded once it has happened), who recorded it and why, in the institution's audit
trail too. If the institution's cycle runs, it is cancelled with the reason "institution closed
on DATE: REASON": the running stage withdraws its open tasks and tells the people who held them.
A closed institution gets no new cycle (cycle start refuses it, and --region and --all skip it).

Only the secretariat of the institution's region or the national secretariat may close it.
Closing an institution that is closed already changes nothing and exits 0 (a cycle that still
runs is cancelled then, e.g. when the worker could not be reached the first time); a different
--on is refused. Closing is one-way: an institutions import never reopens an institution, and
a mistaken closure is undone with starter institutions reopen.`,
		Example: `  starter institutions close H-02 --on 2027-03-01 --reason "Tilbuddet er nedlagt" --as P-131`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			inst, err := institutionArg(args)
			if err != nil {
				return err
			}
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			if err := requireFlag("on", on, "the day the institution closed, YYYY-MM-DD (today or earlier)"); err != nil {
				return err
			}
			day, err := parseDateFlag("on", on)
			if err != nil {
				return err
			}
			if today := domain.DateOf(a.now()); day.After(today) {
				return rejected("--on %s is in the future (today is %s): close the institution once it has closed; until then its cycle runs on (to stop it now, use starter cycle cancel)",
					day, today)
			}
			if err := requireFlag("reason", reason, "say why, e.g. the institution has closed down"); err != nil {
				return err
			}
			reason = strings.TrimSpace(reason)
			if err := domain.CheckText("--reason", reason, domain.MaxReasonLength-closePrefixLength); err != nil {
				return &RejectedError{Err: err}
			}
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			in, err := knownInstitution(ctx, st, inst)
			if err != nil {
				return err
			}
			if _, err := registry.CheckSecretariat(ctx, st, actor, "close institutions", registry.Reach{Regions: []domain.Region{in.Region}}); err != nil {
				return notAllowed(err)
			}
			if in.Closed() && !in.ClosedOn.Equal(day) {
				return rejected("%s was already %s, not on %s: the day stays; to correct it, reopen it with starter institutions reopen %s --reason TEXT and close it again",
					inst, describeClosure(in), day, inst)
			}
			// Temporal first: when it cannot be reached, nothing is recorded.
			cc, done, err := a.cyclesClient(ctx)
			if err != nil {
				return err
			}
			defer done()
			already := in.Closed()
			if !already {
				if in, already, err = st.CloseInstitution(ctx, inst, day, actor, reason); err != nil {
					return err
				}
			}
			end, err := a.cancelForClosure(ctx, cc, inst, in.ClosedOn, in.ClosedReason, actor)
			if err != nil {
				return fmt.Errorf("%s is %s in the registry, but its cycle could not be cancelled: %v; run the same command again to cancel it",
					inst, describeClosure(in), oneLine(err))
			}
			if asJSON {
				return a.printJSON(closeResult{InstitutionID: in.ID, Name: in.Name, Region: in.Region, ClosedOn: in.ClosedOn,
					ClosedBy: in.ClosedBy, Reason: in.ClosedReason, AlreadyClosed: already, Cycle: end})
			}
			if already {
				fmt.Fprintf(a.stdout, "%s %s was already %s: nothing changed in the registry\n", in.ID, in.Name, describeClosure(in))
			} else {
				fmt.Fprintf(a.stdout, "%s %s %s\n", in.ID, in.Name, describeClosure(in))
			}
			fmt.Fprintf(a.stdout, "  %s\n", end)
			return nil
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "the day the institution closed, YYYY-MM-DD (today or earlier)")
	cmd.Flags().StringVar(&reason, "reason", "", "why it closed (registry, audit trail and the cycle's cancel reason)")
	addActorFlag(cmd, &as, "the institution's regional secretariat or the national secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the closure and what became of the cycle as JSON")
	return cmd
}

func (a *app) institutionsReopenCommand() *cobra.Command {
	var (
		reason, as string
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "reopen INSTITUTION-ID --reason TEXT --as SECRETARIAT-ID",
		Short: "Undo an institution's closure (e.g. closed by mistake)",
		Long: `reopen clears an institution's closure in the registry, with the reason in its audit trail
(which keeps when, by whom and why it had closed). The cycle its closure cancelled stays
cancelled: start a new one with starter cycle start. Only the secretariat of the institution's
region or the national secretariat may reopen it. An import never reopens an institution.`,
		Example: `  starter institutions reopen H-02 --reason "Lukket ved en fejl" --as P-131`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			inst, err := institutionArg(args)
			if err != nil {
				return err
			}
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			if err := requireFlag("reason", reason, "say why the institution is open again, e.g. it was closed by mistake"); err != nil {
				return err
			}
			reason = strings.TrimSpace(reason)
			if err := domain.CheckText("--reason", reason, domain.MaxReasonLength); err != nil {
				return &RejectedError{Err: err}
			}
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			in, err := knownInstitution(ctx, st, inst)
			if err != nil {
				return err
			}
			if _, err := registry.CheckSecretariat(ctx, st, actor, "reopen institutions", registry.Reach{Regions: []domain.Region{in.Region}}); err != nil {
				return notAllowed(err)
			}
			was, err := st.ReopenInstitution(ctx, inst, actor, reason)
			if errors.Is(err, store.ErrNotClosed) {
				return rejected("%s %s is not closed: there is nothing to reopen", in.ID, in.Name)
			}
			if err != nil {
				return err
			}
			if asJSON {
				in, err := st.Institution(ctx, inst)
				if err != nil {
					return err
				}
				return a.printJSON(in)
			}
			fmt.Fprintf(a.stdout, "%s %s reopened by %s: %s (it had been %s)\n", was.ID, was.Name, actor, reason, describeClosure(was))
			fmt.Fprintf(a.stdout, "  a cycle cancelled by the closure stays cancelled: start a new one with starter cycle start --institution %s\n", inst)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the institution is open again (audit trail)")
	addActorFlag(cmd, &as, "the institution's regional secretariat or the national secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the institution as it is now as JSON")
	return cmd
}

// importInstitutions imports institutions.csv, then cancels the cycles of the institutions
// the file closed, as institutions close does. The registry is written first: when a cycle
// cannot be cancelled (Temporal unreachable, say), the closure stands and the institution's
// line says what to run to finish.
func (a *app) importInstitutions(ctx context.Context, st *store.Store, path, actor string) (registry.Summary, error) {
	sum, err := registry.ImportInstitutionsAs(ctx, st, path, domain.DateOf(a.now()), actor)
	if err != nil || len(sum.Closed) == 0 {
		return sum, err
	}
	var (
		cc      *cycles.Client
		done    = func() {}
		dialErr error
	)
	defer func() { done() }()
	for i := range sum.Closed {
		cl := &sum.Closed[i]
		if cl.Created {
			// Created closed by this import: it never had a cycle.
			cl.Cycle = cycleNone
			continue
		}
		if cc == nil && dialErr == nil {
			cc, done, dialErr = a.cyclesClient(ctx)
			if dialErr != nil {
				done = func() {}
			}
		}
		err := dialErr
		var end cycleEnd
		if err == nil {
			end, err = a.cancelForClosure(ctx, cc, cl.InstitutionID, cl.On, cl.Reason, actor)
		}
		if err != nil {
			cl.Error = fmt.Sprintf("its cycle could not be cancelled: %s; to cancel it, run starter institutions close %s --on %s --reason TEXT --as %s",
				oneLine(err), cl.InstitutionID, cl.On, actor)
			continue
		}
		cl.Cycle = end.Result
	}
	return sum, nil
}

// describeImportClosure is an import's line on an institution it closed.
func describeImportClosure(cl registry.ClosedInstitution) string {
	s := fmt.Sprintf("%s closed on %s (%s)", cl.InstitutionID, cl.On, cl.Reason)
	switch cl.Cycle {
	case cycleNone:
		return s + "; it had no cycle"
	case cycleEnded:
		return s + "; its cycle no longer runs"
	case cycleAlreadyCancelled:
		return s + "; its cycle was already cancelled"
	case cycleCancelled:
		return s + "; its cycle is cancelled: open tasks withdrawn, their holders told"
	}
	return s + "; " + cl.Error
}
