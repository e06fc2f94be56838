package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Tracking reads the store's read model, so it works without Temporal.

func (a *app) stepsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "steps",
		Short: "List the open steps of every cycle, longest overdue first",
	}
	var (
		region, step, inst, holder string
		overdue, asJSON            bool
		limit, offset              int
	)
	list := &cobra.Command{
		Use:   "list [--region R] [--step KEY] [--institution ID] [--holder PERSON-ID] [--overdue]",
		Short: "List the steps waiting for someone, with their holder, due date and days overdue",
		Long: `list shows every open step from the store's read model, the longest overdue first, with who
holds it and how many days it is overdue on its cycle's calendar. --step KEY matches the
key and its sub-steps (invitation matches invitation/lead/1). The last line counts the open
(and overdue) steps per region. No worker is needed.`,
		Example: `  starter steps list --overdue
  starter steps list --region hovedstaden --step self-evaluation
  starter steps list --holder P-001 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var f store.StepFilter
			if region != "" {
				r, err := domain.ParseRegion(region)
				if err != nil {
					return &RejectedError{Err: err}
				}
				f.Region = r
			}
			f.InstitutionID = strings.TrimSpace(inst)
			f.HolderID = strings.TrimSpace(holder)
			f.Step = strings.Trim(strings.TrimSpace(step), "/")
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := checkInstitutionFilter(cmd.Context(), st, f.InstitutionID); err != nil {
				return err
			}
			if limit < 0 || offset < 0 {
				return rejected("--limit and --offset count steps: give 0 or more")
			}
			f.Overdue, f.Limit, f.Offset = overdue, limit, offset
			out, err := st.OpenSteps(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "INSTITUTION\tCYCLE\tREGION\tSTEP\tHOLDER\tROLE\tOPENED\tDUE\tDAYS OVERDUE\tESC")
			for _, r := range out {
				days := "-"
				if r.DaysOverdue > 0 {
					days = fmt.Sprint(r.DaysOverdue)
				}
				esc := "-"
				if r.Escalation > 0 {
					esc = fmt.Sprint(r.Escalation)
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.InstitutionID, r.Cycle, r.Region, r.Step,
					orDash(r.HolderID), orDash(r.HolderRole), dateOrDash(r.Opened), dateOrDash(r.Due), days, esc)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, regionCounts(out))
			return nil
		},
	}
	list.Flags().StringVar(&region, "region", "", "only this region (code or Danish name)")
	list.Flags().StringVar(&step, "step", "", "only this step key (and its sub-steps)")
	list.Flags().StringVar(&inst, "institution", "", "only this institution")
	list.Flags().StringVar(&holder, "holder", "", "only steps held by this person")
	list.Flags().BoolVar(&overdue, "overdue", false, "only steps past their due date")
	list.Flags().IntVar(&limit, "limit", 0, "list at most this many steps (0: all)")
	list.Flags().IntVar(&offset, "offset", 0, "skip this many steps first (with --limit, the next page)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list)
	return cmd
}

// regionCounts is the summary line: open and overdue steps per region.
func regionCounts(rows []store.StepRow) string {
	type count struct{ open, overdue int }
	counts := map[domain.Region]*count{}
	total := count{}
	for _, r := range rows {
		c := counts[r.Region]
		if c == nil {
			c = &count{}
			counts[r.Region] = c
		}
		c.open++
		total.open++
		if r.DaysOverdue > 0 {
			c.overdue++
			total.overdue++
		}
	}
	var parts []string
	regions := domain.Regions()
	for r := range counts {
		if !r.Valid() {
			regions = append(regions, r)
		}
	}
	for _, r := range regions {
		c := counts[r]
		if c == nil {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %d open, %d overdue", r, c.open, c.overdue))
	}
	line := fmt.Sprintf("(%d open steps, %d overdue", total.open, total.overdue)
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, "; ")
	}
	return line + ")"
}

// printList prints rows as JSON (an empty list, never null), or as a table: the header, a
// line per row, and the footer, which is made after the rows are written.
func printList[T any](a *app, asJSON bool, rows []T, header string, line func(io.Writer, T), footer func() string) error {
	if asJSON {
		if rows == nil {
			rows = []T{}
		}
		return a.printJSON(rows)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		line(tw, r)
	}
	fmt.Fprintln(tw, footer())
	return tw.Flush()
}

func (a *app) auditCommand() *cobra.Command {
	var asJSON, reg bool
	cmd := &cobra.Command{
		Use:   "audit (INSTITUTION-ID | --registry)",
		Short: "Show the audit trail of an institution, or of the registry: who did what, when",
		Long: `audit lists every human action on the institution's cycles, oldest first: starts,
submissions, answers, extensions, waivers, decisions and cancellations, with the reasons
given. With --registry it lists the changes to the registry instead: every import of
institutions and people (with the people whose role changed) and every applied reviewer
plan. No worker is needed.`,
		Example: `  starter audit H-01
  starter audit H-01 --json
  starter audit --registry`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reg == (len(args) == 1) {
				return rejected("say which audit trail to show: an institution's ID, or --registry")
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			var rows []store.AuditEntry
			if reg {
				rows, err = st.RegistryAuditTrail(cmd.Context())
			} else {
				inst, ierr := institutionArg(args)
				if ierr != nil {
					return ierr
				}
				if _, err := knownInstitution(cmd.Context(), st, inst); err != nil {
					return err
				}
				rows, err = st.AuditTrail(cmd.Context(), inst)
			}
			if err != nil {
				return err
			}
			return printList(a, asJSON, rows, "AT\tACTOR\tACTION\tCYCLE\tSTEP\tDETAILS", func(tw io.Writer, e store.AuditEntry) {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"), orDash(e.ActorID), e.Action,
					e.Cycle, orDash(e.Step), strings.Join(strings.Fields(e.Details), " "))
			}, func() string { return fmt.Sprintf("(%d entries)", len(rows)) })
		},
	}
	cmd.Flags().BoolVar(&reg, "registry", false, "show the registry's trail: imports and applied reviewer plans")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) publicationsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "publications",
		Short: "List the published results of finished cycles",
	}
	var (
		inst   string
		asJSON bool
	)
	list := &cobra.Command{
		Use:   "list [--institution ID]",
		Short: "List published results, newest first",
		Long: `list shows what was published when a cycle finished: the institution, the cycle, the final
verdict and the public summary (never personal data). No worker is needed.`,
		Example: `  starter publications list
  starter publications list --institution H-01 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := checkInstitutionFilter(cmd.Context(), st, inst); err != nil {
				return err
			}
			rows, err := st.Publications(cmd.Context(), strings.TrimSpace(inst))
			if err != nil {
				return err
			}
			return printList(a, asJSON, rows, "PUBLISHED\tINSTITUTION\tCYCLE\tVERDICT\tSUMMARY", func(tw io.Writer, p store.Publication) {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", dateOrDash(p.PublishedOn), p.InstitutionID, p.Cycle, p.Verdict, p.Summary)
			}, func() string { return fmt.Sprintf("(%d publications)", len(rows)) })
		},
	}
	list.Flags().StringVar(&inst, "institution", "", "only this institution")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list)
	return cmd
}
