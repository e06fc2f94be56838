package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

func (a *app) institutionsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "institutions", Short: "Import, list, close and reopen the institutions of the registry"}
	cmd.AddCommand(a.importCommand("institutions", func(cmd *cobra.Command, st *store.Store, path, actor string) (registry.Summary, error) {
		return a.importInstitutions(cmd.Context(), st, path, actor)
	}))
	cmd.AddCommand(a.institutionsCloseCommand(), a.institutionsReopenCommand())

	var (
		region, group string
		asJSON        bool
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "List institutions, optionally by region and target group",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var f store.InstitutionFilter
			if region != "" {
				r, err := domain.ParseRegion(region)
				if err != nil {
					return &RejectedError{Err: err}
				}
				f.Region = r
			}
			if group != "" {
				g, err := domain.ParseTargetGroup(group)
				if err != nil {
					return &RejectedError{Err: err}
				}
				f.TargetGroup = g
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.ListInstitutions(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				if rows == nil {
					rows = []store.Institution{}
				}
				return a.printJSON(rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tREGION\tBASIS\tPLACES\tTARGET GROUPS\tSTATUS")
			closed := 0
			for _, in := range rows {
				groups := make([]string, len(in.TargetGroups))
				for i, g := range in.TargetGroups {
					groups[i] = string(g)
				}
				status := "open"
				if in.Closed() {
					status = "closed " + in.ClosedOn.String()
					closed++
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", in.ID, in.Name, in.Region, in.LegalBasis, in.Places, strings.Join(groups, ", "), status)
			}
			if closed > 0 {
				fmt.Fprintf(tw, "(%d institutions, %d of them closed)\n", len(rows), closed)
			} else {
				fmt.Fprintf(tw, "(%d institutions)\n", len(rows))
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&region, "region", "", "only this region (code or Danish name)")
	list.Flags().StringVar(&group, "target-group", "", "only institutions serving this target group")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list)
	return cmd
}

func (a *app) peopleCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "people", Short: "Import and list reviewers, representatives, managers and secretariat"}
	cmd.AddCommand(a.importCommand("people", func(cmd *cobra.Command, st *store.Store, path, actor string) (registry.Summary, error) {
		return registry.ImportPeopleAs(cmd.Context(), st, path, domain.DateOf(a.now()), actor)
	}))
	cmd.AddCommand(a.peopleLinkCommand())

	var (
		role, region string
		asJSON       bool
	)
	list := &cobra.Command{
		Use:   "list",
		Short: "List people, optionally by role and region",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var f store.PersonFilter
			if role != "" {
				r, err := domain.ParseRole(role)
				if err != nil {
					return &RejectedError{Err: err}
				}
				f.Role = r
			}
			if region != "" {
				r, err := domain.ParseRegion(region)
				if err != nil {
					return &RejectedError{Err: err}
				}
				f.Region = r
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := st.ListPeople(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				if rows == nil {
					rows = []store.Person{}
				}
				return a.printJSON(rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tREGION\tHOME\tTRAINING")
			for _, p := range rows {
				trainings := make([]string, len(p.Trainings))
				for i, t := range p.Trainings {
					trainings[i] = fmt.Sprintf("%s %s", t.Kind, t.CompletedOn)
				}
				regionName := string(p.Region)
				if regionName == "" {
					regionName = "national"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Role, regionName, p.HomeInstitution, strings.Join(trainings, ", "))
			}
			fmt.Fprintf(tw, "(%d people)\n", len(rows))
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&role, "role", "", "only this role")
	list.Flags().StringVar(&region, "region", "", "only this region")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list)
	return cmd
}

// importCommand builds "<what> import FILE.csv --as SECRETARIAT-ID": all rows or none, and a
// re-import changes nothing. Only the secretariat imports; every import is in the audit trail.
func (a *app) importCommand(what string, run func(cmd *cobra.Command, st *store.Store, path, actor string) (registry.Summary, error)) *cobra.Command {
	var (
		as     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE.csv --as SECRETARIAT-ID",
		Short: "Import " + what + " from a CSV file (all rows or none; re-importing changes nothing)",
		Long: "Import " + what + ` from a CSV file with a header row (columns and limits in README.md). Every
bad row is reported with its line number and reason, and nothing is written if any row is bad.
Rows are matched by their external ID, so importing the same file again changes nothing. A
file larger than ` + domain.SizeInBytes(domain.MaxInputFileBytes) + ` is refused unread.

Only the secretariat imports (--as, checked against the people already in the registry, never
against the file), and every import is in the registry's audit trail (starter audit
--registry), with the people whose role it changed. While the registry has no secretariat
yet, the institutions may be imported by anyone, and the first people import must be made
by a secretariat person of that file.`,
		Example: "  starter " + what + " import examples/" + what + ".csv --as P-136",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			// A file that cannot be read is a refusal, said before the store is opened.
			if fi, err := os.Stat(args[0]); err != nil {
				return cannotRead(args[0], err)
			} else if fi.IsDir() {
				return rejected("cannot read %s: it is a directory; give the path of a CSV file", args[0])
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			sum, err := run(cmd, st, args[0], actor)
			if err != nil {
				var (
					bad     *registry.ImportError
					denied  *registry.NotAllowedError
					refused *registry.RefusedError
				)
				switch {
				case errors.As(err, &bad):
					// Every bad row on its own line, then the one-line summary as the error.
					for _, row := range bad.Rows {
						fmt.Fprintln(a.stderr, args[0]+": "+row.Error())
					}
					return rejected("%s: %d bad row(s), nothing was imported", args[0], len(bad.Rows))
				case errors.As(err, &denied), errors.As(err, &refused):
					return &RejectedError{Err: err}
				}
				return err
			}
			if asJSON {
				if err := a.printJSON(sum); err != nil {
					return err
				}
				for _, c := range sum.Closed {
					if c.Error != "" {
						return fmt.Errorf("%s is imported, but the cycle of %s could not be cancelled: %s", args[0], c.InstitutionID, c.Error)
					}
				}
				return nil
			}
			fmt.Fprintf(a.stdout, "%s: %s (imported by %s)\n", args[0], sum.UpsertCounts, actor)
			if sum.Bootstrap {
				fmt.Fprintln(a.stdout, "  (the registry has no secretariat yet, so the importer's role was not checked)")
			}
			for _, c := range sum.RoleChanges {
				fmt.Fprintf(a.stdout, "  role changed: %s\n", c)
			}
			failed := 0
			for _, c := range sum.Closed {
				fmt.Fprintf(a.stdout, "  closed: %s\n", describeImportClosure(c))
				if c.Error != "" {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("%s is imported, but the cycles of %d of the %d institution(s) it closed could not be cancelled: see their lines", args[0], failed, len(sum.Closed))
			}
			return nil
		},
	}
	addActorFlag(cmd, &as, "the secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts and role changes as JSON")
	return cmd
}
