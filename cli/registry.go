package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

func (a *app) institutionsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "institutions", Short: "Import and list the institutions of the registry"}
	cmd.AddCommand(a.importCommand("institutions", func(cmd *cobra.Command, st *store.Store, path string) (store.UpsertCounts, error) {
		return registry.ImportInstitutions(cmd.Context(), st, path)
	}))

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
			fmt.Fprintln(tw, "ID\tNAME\tREGION\tBASIS\tPLACES\tTARGET GROUPS")
			for _, in := range rows {
				groups := make([]string, len(in.TargetGroups))
				for i, g := range in.TargetGroups {
					groups[i] = string(g)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", in.ID, in.Name, in.Region, in.LegalBasis, in.Places, strings.Join(groups, ", "))
			}
			fmt.Fprintf(tw, "(%d institutions)\n", len(rows))
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
	cmd.AddCommand(a.importCommand("people", func(cmd *cobra.Command, st *store.Store, path string) (store.UpsertCounts, error) {
		return registry.ImportPeople(cmd.Context(), st, path, domain.DateOf(a.now()))
	}))

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

// importCommand builds "<what> import FILE.csv": all rows or none, and a re-import changes nothing.
func (a *app) importCommand(what string, run func(*cobra.Command, *store.Store, string) (store.UpsertCounts, error)) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import " + what + " from a CSV file (all rows or none; re-importing changes nothing)",
		Long: "Import " + what + ` from a CSV file with a header row (columns in README.md). Every bad row is
reported with its line number and reason, and nothing is written if any row is bad. Rows are
matched by their external ID, so importing the same file again changes nothing.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			counts, err := run(cmd, st, args[0])
			if err != nil {
				var bad *registry.ImportError
				if errors.As(err, &bad) {
					// Every bad row on its own line, then the one-line summary as the error.
					for _, row := range bad.Rows {
						fmt.Fprintln(a.stderr, args[0]+": "+row.Error())
					}
					return rejected("%s: %d bad row(s), nothing was imported", args[0], len(bad.Rows))
				}
				return err
			}
			if asJSON {
				return a.printJSON(counts)
			}
			fmt.Fprintf(a.stdout, "%s: %d created, %d updated, %d unchanged\n", args[0], counts.Created, counts.Updated, counts.Unchanged)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}
