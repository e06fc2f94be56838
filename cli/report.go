package cli

// The annual report (issue 12): starter report annual --year Y [--region R] --format
// html|pdf|csv [--out FILE], per region or national, from the published results and the
// steps' read model.

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/publication"
)

// firstReportYear and lastReportYear bound --year: the model began in 2007.
const (
	firstReportYear = 2007
	lastReportYear  = 2999
)

// withAnnualReport adds "annual" to the report command.
func (a *app) withAnnualReport(report *cobra.Command) *cobra.Command {
	report.AddCommand(a.annualReportCommand())
	report.Long += "\n\nannual prints the annual report of a year, for a region or the whole country, from the published results."
	return report
}

func (a *app) annualReportCommand() *cobra.Command {
	var (
		year                     int
		region, format, out, lng string
	)
	cmd := &cobra.Command{
		Use:   "annual --year YEAR [--region REGION] --format html|pdf|csv [--out FILE]",
		Short: "Print the annual report of a year, for a region or the whole country",
		Long: `annual writes the year's report of the accreditation cycle for one region, or for the whole
country without --region: the cycles completed (first published in the year) and their
verdicts as published by 31 December (per region in the national report), the corrections
published in the year, the steps that waited for people (completed on time or late, and by how
many days; open past their due date at the year's end, or today in the running year), the
indicator results of the completed cycles' self-evaluations, and each figure against the
year before. Every total is the sum of the rows beneath it. No personal data is in it.

--format html is one self-contained page (charts as SVG, each with its table); pdf prints that
page with headless Chromium (/usr/bin/chromium, or ACCREDIT_CHROMIUM); csv is one row per
figure. The report goes to standard output, or to --out. No worker is needed.`,
		Example: `  starter report annual --year 2030 --region hovedstaden --format html --out aarsrapport-2030-hovedstaden.html
  starter report annual --year 2030 --format pdf --out aarsrapport-2030.pdf
  starter report annual --year 2030 --format csv --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if year < firstReportYear || year > lastReportYear {
				return rejected("--year %d is not a year of the model: give a calendar year from %d to %d, e.g. --year 2030",
					year, firstReportYear, lastReportYear)
			}
			var reg domain.Region
			if strings.TrimSpace(region) != "" {
				r, err := domain.ParseRegion(region)
				if err != nil {
					return rejected("--region: %v (leave --region out for the national report)", err)
				}
				reg = r
			}
			format = strings.ToLower(strings.TrimSpace(format))
			if format != "html" && format != "pdf" && format != "csv" {
				return rejected("--format %q is not a format of the report: use html, pdf or csv", format)
			}
			lng = strings.ToLower(strings.TrimSpace(lng))
			if lng != "da" && lng != "en" {
				return rejected("--lang %q: use da (Danish) or en (English)", lng)
			}
			lang := publication.Lang(lng)
			browser := ""
			if format == "pdf" {
				b, err := publication.Browser()
				if err != nil {
					return err
				}
				browser = b
			}
			ctx := cmd.Context()
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			report, err := publication.LoadAnnual(ctx, st, year, reg)
			if err != nil {
				return fmt.Errorf("annual report %d: %w", year, err)
			}
			var body []byte
			switch format {
			case "csv":
				var buf bytes.Buffer
				if err := report.CSV(&buf); err != nil {
					return err
				}
				body = buf.Bytes()
			default:
				if body, err = report.HTML(lang); err != nil {
					return err
				}
				if format == "pdf" {
					if body, err = publication.PDF(ctx, body, browser); err != nil {
						return err
					}
				}
			}
			if out == "" {
				_, err := a.stdout.Write(body)
				return err
			}
			if err := os.WriteFile(out, body, 0o644); err != nil {
				return fmt.Errorf("write the report: %w", err)
			}
			fmt.Fprintf(a.stdout, "%s: cycles completed %d, steps completed late %d, open overdue at the year's end %d; written to %s (%s, %d bytes)\n",
				report.Title(publication.English), report.CyclesCompleted, report.Steps.Late, report.Steps.OpenOverdue, out,
				format, len(body))
			return nil
		},
	}
	cmd.Flags().IntVar(&year, "year", 0, "the calendar year of the report (required)")
	cmd.Flags().StringVar(&region, "region", "", "the region (code or name); the whole country without it")
	cmd.Flags().StringVar(&format, "format", "", "html, pdf or csv (required)")
	cmd.Flags().StringVar(&out, "out", "", "the file to write (default: standard output)")
	cmd.Flags().StringVar(&lng, "lang", "da", "the language of the html and pdf report: da or en")
	_ = cmd.MarkFlagRequired("year")
	_ = cmd.MarkFlagRequired("format")
	return cmd
}
