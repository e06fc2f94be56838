package cli

// The standards catalogue (issue 9, point 8): generations are YAML files, imported by the
// national secretariat, listed, shown and exported. The catalogue lives in the domain store,
// so these commands need no worker.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

func (a *app) catalogueCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalogue",
		Short: "Import, list, show and export the generations of the standards catalogue",
		Long: `The standards catalogue is data: each generation is a YAML file with its themes, standards
(the template's title, area, target group, purpose, guideline and documentation
requirements), indicators and the labels of the rating scale 1-4. The service ships the first
generation as an example written for this project; the regions import their own as a new
generation. A generation never changes once imported, and a standard that recorded data
refers to is never deleted: a generation that leaves it out gets it as retired.`,
	}
	cmd.AddCommand(a.catalogueImportCommand(), a.catalogueListCommand(), a.catalogueShowCommand(),
		a.catalogueExportCommand())
	return cmd
}

func (a *app) catalogueImportCommand() *cobra.Command {
	var (
		as     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE.yaml --as NATIONAL-SECRETARIAT-ID",
		Short: "Import a catalogue generation from a YAML file (all of it or nothing)",
		Long: `import reads a catalogue generation from a YAML file (the format of starter catalogue export;
README.md, "The standards catalogue") and stores it. Every problem of the file is listed, each
with its line, and nothing is stored if there is one. A file larger than ` + domain.SizeInBytes(domain.MaxInputFileBytes) + `
is refused unread.

A generation never changes once imported: the same file again changes nothing, and other
content under a stored number is refused. A new generation has a higher number than the
latest and takes effect on or after it. A standard (or indicator) that recorded data refers to
and that the file leaves out is carried into the new generation as retired, and the import
says so. Only the national secretariat imports (--as), and every import is in the registry's
audit trail (starter audit --registry).`,
		Example: "  starter catalogue export --generation 1 > region.yaml\n" +
			"  starter catalogue import region.yaml --as P-136",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := checkNationalSecretariat(cmd.Context(), st, actor, "import a catalogue generation"); err != nil {
				return err
			}
			data, err := readText(path)
			if err != nil {
				return err
			}
			gen, err := domain.ParseGeneration(data)
			if err != nil {
				return a.catalogueProblems(path, err)
			}
			res, err := st.ImportGeneration(cmd.Context(), gen, &store.RegistryAudit{ActorID: actor,
				Action: store.AuditImportCatalogue, Subject: path})
			if err != nil {
				var refused *store.CatalogueRefusedError
				if errors.As(err, &refused) {
					return rejected("%s: %v", path, err)
				}
				return a.catalogueProblems(path, err)
			}
			if asJSON {
				return a.printJSON(res)
			}
			if res.Unchanged {
				fmt.Fprintf(a.stdout, "%s: generation %d is already imported with the same content: nothing changed\n", path, gen.Number)
				return nil
			}
			fmt.Fprintf(a.stdout, "%s: generation %d (%s) imported, in force from %s: %d themes, %d standards, %d indicators (imported by %s)\n",
				path, gen.Number, gen.Name.DA, gen.EffectiveFrom, res.Counts.Themes, res.Counts.Standards, res.Counts.Indicators, actor)
			if len(res.CarriedStandards) > 0 {
				fmt.Fprintf(a.stdout, "  carried as retired, because recorded data refers to them: standard %s\n", strings.Join(res.CarriedStandards, ", "))
			}
			if len(res.CarriedIndicators) > 0 {
				fmt.Fprintf(a.stdout, "  carried as retired, because recorded values refer to them: indicator %s\n", strings.Join(res.CarriedIndicators, ", "))
			}
			if gen.Example {
				fmt.Fprintf(a.stdout, "  marked as an example: %s\n", gen.Notice.EN)
			}
			return nil
		},
	}
	addActorFlag(cmd, &as, "the national secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print what the import did as JSON")
	return cmd
}

// catalogueProblems prints every problem of a refused catalogue file on its own line and
// returns the one-line refusal; other errors pass through.
func (a *app) catalogueProblems(path string, err error) error {
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	for _, p := range v.Problems {
		fmt.Fprintln(a.stderr, path+": "+p)
	}
	return rejected("%s: %d problem(s), nothing was imported", path, len(v.Problems))
}

// checkNationalSecretariat refuses anyone but the national secretariat: a catalogue
// generation applies to every region's cycles. Roles come from the store.
func checkNationalSecretariat(ctx context.Context, st *store.Store, actor, what string) error {
	p, err := registry.CheckSecretariat(ctx, st, actor, what, registry.Reach{})
	if err != nil {
		var denied *registry.NotAllowedError
		if errors.As(err, &denied) {
			return &RejectedError{Err: err}
		}
		return err
	}
	if p.Region != "" {
		return rejected("%s (%s) is the secretariat of %s: only the national secretariat may %s, which every region's cycles use; ask the national secretariat",
			p.ID, p.Name, p.Region.Name(), what)
	}
	return nil
}

// catalogueListing is a generation in the list, and whether it is in force today.
type catalogueListing struct {
	store.GenerationInfo
	InForce bool `json:"in_force"`
}

func (a *app) catalogueListCommand() *cobra.Command {
	var (
		asJSON bool
		lang   string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the catalogue generations: number, name, effective date, example or not, counts",
		Long: `list shows every stored catalogue generation, oldest first: its number and name, the day it
takes effect, whether it is an example (the generation shipped with the service is), how many
themes, standards (retired ones counted apart) and indicators it has, and where it came from.
The generation marked "*" is in force today.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkLang(lang); err != nil {
				return err
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			infos, err := st.Generations(cmd.Context())
			if err != nil {
				return err
			}
			inForce := 0
			if g, err := st.GenerationInForce(cmd.Context(), domain.DateOf(a.now())); err == nil {
				inForce = g.Number
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			rows := make([]catalogueListing, len(infos))
			for i, info := range infos {
				rows[i] = catalogueListing{GenerationInfo: info, InForce: info.Number == inForce}
			}
			if asJSON {
				return a.printJSON(rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "\tNUMBER\tNAME\tFROM\tEXAMPLE\tTHEMES\tSTANDARDS\tRETIRED\tINDICATORS\tSOURCE")
			for _, r := range rows {
				mark, example := "", "no"
				if r.InForce {
					mark = "*"
				}
				if r.Example {
					example = "example"
				}
				source := r.Source
				if r.ImportedBy != "" {
					source += " (by " + r.ImportedBy + ")"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", mark, r.Number, r.Name.In(lang), r.EffectiveFrom,
					example, r.Themes, r.Standards, r.Retired, r.Indicators, source)
			}
			fmt.Fprintf(tw, "(%d generations; * in force today)\n", len(rows))
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&lang, "lang", "da", "language of the names: da or en")
	return cmd
}

// generationFlags select a generation by number or by the date it is in force on.
type generationFlags struct {
	number int
	date   string
}

func (f *generationFlags) add(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.number, "generation", 0, "the generation with this number")
	cmd.Flags().StringVar(&f.date, "date", "", "the generation in force on this date YYYY-MM-DD (default: today)")
}

// load reads the selected generation from the store.
func (f *generationFlags) load(cmd *cobra.Command, a *app, st *store.Store) (domain.Generation, error) {
	byNumber := cmd.Flags().Changed("generation")
	if byNumber && f.date != "" {
		return domain.Generation{}, rejected("give --generation or --date, not both")
	}
	if byNumber {
		if f.number < 1 {
			return domain.Generation{}, rejected("--generation %d: generations are numbered from 1; see starter catalogue list", f.number)
		}
		g, err := st.Generation(cmd.Context(), f.number)
		if errors.Is(err, store.ErrNotFound) {
			return domain.Generation{}, rejected("there is no catalogue generation %d in the store: see starter catalogue list", f.number)
		}
		return g, err
	}
	on := domain.DateOf(a.now())
	if f.date != "" {
		d, err := parseDateFlag("date", f.date)
		if err != nil {
			return domain.Generation{}, err
		}
		on = d
	}
	g, err := st.GenerationInForce(cmd.Context(), on)
	if errors.Is(err, store.ErrNotFound) {
		return domain.Generation{}, &RejectedError{Err: err}
	}
	return g, err
}

func (a *app) catalogueShowCommand() *cobra.Command {
	var (
		sel    generationFlags
		asJSON bool
		lang   string
	)
	cmd := &cobra.Command{
		Use:   "show [--generation N | --date YYYY-MM-DD] [--json]",
		Short: "Show a catalogue generation: its scale, themes, standards and indicators",
		Long: `show prints a catalogue generation whole: whether it is an example, the labels of the rating
scale, and each theme's standards with the template's fields and the indicators (kind,
target, retired). Without --generation or --date it shows the generation in force today.
--json prints the generation as the workflows receive it.`,
		Example: "  starter catalogue show\n  starter catalogue show --generation 1 --lang en\n  starter catalogue show --date 2027-01-04 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkLang(lang); err != nil {
				return err
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			g, err := sel.load(cmd, a, st)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(g)
			}
			writeGeneration(a.stdout, g, lang)
			return nil
		},
	}
	sel.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&lang, "lang", "da", "language of the catalogue's texts: da or en")
	return cmd
}

func (a *app) catalogueExportCommand() *cobra.Command {
	var sel generationFlags
	cmd := &cobra.Command{
		Use:   "export [--generation N | --date YYYY-MM-DD]",
		Short: "Write a catalogue generation as the YAML file that import reads",
		Long: `export writes a stored generation, on standard output, as the YAML file that starter catalogue
import reads: a region starts its own catalogue from the example. Give the copy the next
number and the date it takes effect, set example to false (and remove the notice), edit
the standards, and import it.`,
		Example: "  starter catalogue export --generation 1 > region.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			g, err := sel.load(cmd, a, st)
			if err != nil {
				return err
			}
			data, err := domain.EncodeGeneration(g)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(data)
			return err
		},
	}
	sel.add(cmd)
	return cmd
}

func checkLang(lang string) error {
	if lang != "da" && lang != "en" {
		return rejected("--lang %q: use da or en", lang)
	}
	return nil
}

// writeGeneration prints a generation for a person, in one language.
func writeGeneration(w io.Writer, g domain.Generation, lang string) {
	kindLabel := func(da, en string) string {
		if lang == "en" {
			return en
		}
		return da
	}
	fmt.Fprintf(w, "Catalogue generation %d: %s\n", g.Number, g.Name.In(lang))
	fmt.Fprintf(w, "In force from %s\n", g.EffectiveFrom)
	switch {
	case g.Example:
		fmt.Fprintf(w, "EXAMPLE: %s\n", g.Notice.In(lang))
	case g.Notice.DA != "" || g.Notice.EN != "":
		fmt.Fprintf(w, "Notice: %s\n", g.Notice.In(lang))
	}
	labels := make([]string, len(g.Scale))
	for i, l := range g.Scale {
		labels[i] = fmt.Sprintf("%d %s", int(l.Level), l.Label.In(lang))
	}
	fmt.Fprintf(w, "Rating scale: %s\n", strings.Join(labels, ", "))
	for _, t := range g.Themes {
		fmt.Fprintf(w, "\nTheme %s: %s (%s)\n", t.Code, t.Name.In(lang), t.Slug)
		for _, s := range t.Standards {
			retired := ""
			if s.Retired {
				retired = ", retired"
			}
			fmt.Fprintf(w, "  Standard %s: %s (%s%s)\n", s.Code, s.Title.In(lang), kindLabel(s.Kind.LabelDA(), s.Kind.LabelEN()), retired)
			for _, f := range []struct {
				name string
				text domain.Text
			}{
				{"Area", s.Area}, {"Target group", s.TargetGroup}, {"Purpose", s.Purpose}, {"Guideline", s.Guideline},
				{"Documentation", s.Documentation},
			} {
				fmt.Fprintf(w, "    %s: %s\n", f.name, strings.TrimSpace(f.text.In(lang)))
			}
			fmt.Fprintln(w, "    Indicators:")
			for _, ind := range s.Indicators {
				extra := ""
				if ind.Target != "" {
					extra += ", target " + ind.Target
				}
				if ind.Retired {
					extra += ", retired"
				}
				fmt.Fprintf(w, "      %s (%s%s) %s\n", ind.Code, kindLabel(ind.Kind.LabelDA(), ind.Kind.LabelEN()), extra, ind.Text.In(lang))
			}
		}
	}
}
