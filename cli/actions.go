package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/cycles"
	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
	"github.com/kvalitetsmodel/accredit/workflows"
)

// The actions people take on a running stage: each is an update the stage's validator may
// refuse, which the starter prints as one line and exit code 2.

// actionFlags are the flags every action has.
type actionFlags struct {
	as     string
	asJSON bool
}

func (f *actionFlags) add(cmd *cobra.Command, who string) {
	addActorFlag(cmd, &f.as, who)
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "print the workflow's answer as JSON")
}

// done prints the answer as JSON, or the confirmation line.
func (a *app) done(f *actionFlags, result any, format string, args ...any) error {
	if f.asJSON {
		return a.printJSON(result)
	}
	fmt.Fprintf(a.stdout, format+"\n", args...)
	return nil
}

// commentResult is what report comment --json prints: how many comments the report has.
type commentResult struct {
	Comments int `json:"comments"`
}

func action(actor string) workflows.Action { return workflows.Action{Actor: actor} }

// check is one validation of an action's flags; the checks run in order, after the
// institution argument and the actor.
type check func() error

// required rejects the action when the text flag is empty, saying what to give.
func required(flag string, value *string, what string) check {
	return func() error { return requireFlag(flag, *value, what) }
}

// dateFlag parses the date flag into *into.
func dateFlag(flag string, value *string, into *domain.Date) check {
	return func() (err error) {
		*into, err = parseDateFlag(flag, *value)
		return err
	}
}

// runAction is the RunE of an action: it reads the institution argument, resolves the actor
// from --as, runs the checks in order, and then does what is specific to the action.
func (a *app) runAction(f *actionFlags, checks []check, do func(cmd *cobra.Command, inst, actor string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		inst, err := institutionArg(args)
		if err != nil {
			return err
		}
		actor, err := a.actor(f.as)
		if err != nil {
			return err
		}
		for _, c := range checks {
			if err := c(); err != nil {
				return err
			}
		}
		return do(cmd, inst, actor)
	}
}

// act sends one action to the institution's cycle through the client of the cycles, which
// routes it to the stage that holds the step. The institution is checked in the registry and
// the submission's size before the starter dials; the rules of the action are the workflow
// validator's, whose refusal comes back as a *cycles.RefusedError (exit code 2).
func act[T any](a *app, cmd *cobra.Command, inst, update string, payload any,
	call func(ctx context.Context, cc *cycles.Client) (T, error)) (T, error) {
	var zero T
	ctx := cmd.Context()
	if err := a.checkInstitution(ctx, inst); err != nil {
		return zero, err
	}
	if err := cycles.CheckSubmission(update, payload); err != nil {
		return zero, err
	}
	cc, done, err := a.cyclesClient(ctx)
	if err != nil {
		return zero, err
	}
	defer done()
	return call(ctx, cc)
}

// ---- self-evaluation ----

func (a *app) selfEvalCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "selfeval",
		Short: "Prepare and submit the annual self-evaluation",
		Long: `Every year of the cycle the institution manager, with staff (and possibly users and
relatives), rates every standard of the catalogue from 1 (met) to 4 (not met) and records
the indicator values. Print a template, fill it in, and submit it.`,
	}
	cmd.AddCommand(a.selfEvalTemplateCommand(), a.selfEvalSubmitCommand())
	return cmd
}

// selfEvaluationFile is the file selfeval submit reads and selfeval template writes. A rating
// is a pointer so that null ("1.1": null) is told apart from 0, the template's "not rated yet".
type selfEvaluationFile struct {
	Ratings      map[string]*domain.Rating `json:"ratings"`
	Indicators   map[string]string         `json:"indicators"`
	Notes        map[string]string         `json:"notes"`
	Participants []string                  `json:"participants"`
}

// readSelfEvaluationFile reads the file selfeval submit hands in. It refuses what cannot be
// read as a submission (bad JSON, unknown fields, a rating that is null rather than a
// number); whether the ratings are complete and on the scale is the workflow validator's
// to say (workflows.ValidateSelfEvaluation).
func readSelfEvaluationFile(file, actor string) (workflows.SelfEvaluationSubmission, error) {
	var se selfEvaluationFile
	if err := readJSONFile(file, &se, selfEvaluationFields); err != nil {
		return workflows.SelfEvaluationSubmission{}, err
	}
	ratings := make(map[string]domain.Rating, len(se.Ratings))
	var missing []string
	for code, r := range se.Ratings {
		if r == nil {
			missing = append(missing, code)
			continue
		}
		ratings[code] = *r
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		problems := make([]string, 0, len(missing))
		for _, code := range missing {
			problems = append(problems, fmt.Sprintf("standard %s has no rating (null)", code))
		}
		return workflows.SelfEvaluationSubmission{}, rejected("%s: rate every standard from %d (met) to %d (not met); %s",
			file, domain.MinRating, domain.MaxRating, strings.Join(problems, "; "))
	}
	return workflows.SelfEvaluationSubmission{Action: action(actor), Ratings: ratings, Indicators: se.Indicators,
		Notes: se.Notes, Participants: se.Participants}, nil
}

const selfEvaluationFields = `"ratings", "indicators", "notes" and "participants"`

func (a *app) selfEvalTemplateCommand() *cobra.Command {
	var date string
	cmd := &cobra.Command{
		Use:   "template INSTITUTION-ID [--date YYYY-MM-DD]",
		Short: "Print a JSON skeleton of a self-evaluation to fill in",
		Long: `template prints, on standard output, a self-evaluation for the catalogue generation in force
on --date (default: today): every active standard rated 0 (replace with 1-4), every
indicator with an empty value, an empty note per standard, and no participants. The
standards and indicators it asks for are explained on standard error. No worker is needed.`,
		Example: `  starter selfeval template H-01 > selvevaluering.json
  starter selfeval template H-01 --date 2027-03-01 2>/dev/null`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			inst, err := institutionArg(args)
			if err != nil {
				return err
			}
			on := domain.DateOf(a.now())
			if date != "" {
				if on, err = parseDateFlag("date", date); err != nil {
					return err
				}
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			// The generation the workflow will hold the submission to: the store's, where the
			// regions import their own catalogue, not only the shipped example.
			gen, err := st.GenerationInForce(cmd.Context(), on)
			if errors.Is(err, store.ErrNotFound) {
				return rejected("%v; choose a later --date, or import a generation with starter catalogue import FILE", err)
			}
			if err != nil {
				return err
			}
			if _, err := knownInstitution(cmd.Context(), st, inst); err != nil {
				return err
			}
			tpl := selfEvaluationFile{Ratings: map[string]*domain.Rating{}, Indicators: map[string]string{},
				Notes: map[string]string{}, Participants: []string{}}
			fmt.Fprintf(a.stderr, "Selvevaluering for %s: %s (generation %d), i kraft %s.\n", inst, gen.Name.DA, gen.Number, on)
			var scale []string
			for _, r := range domain.Ratings() {
				label, _ := gen.ScaleLabel(r)
				scale = append(scale, fmt.Sprintf("%d %s", r, label.DA))
			}
			fmt.Fprintf(a.stderr, "Vurdér hver standard: %s.\n", strings.Join(scale, ", "))
			for _, st := range gen.ActiveStandards() {
				tpl.Ratings[st.Code] = new(domain.Rating)
				tpl.Notes[st.Code] = ""
				fmt.Fprintf(a.stderr, "  %s %s\n", st.Code, st.Title.DA)
				for _, ind := range st.ActiveIndicators() {
					tpl.Indicators[ind.Code] = ""
					target := ""
					if ind.Target != "" {
						target = " [mål: " + ind.Target + "]"
					}
					fmt.Fprintf(a.stderr, "    %s (%s) %s%s\n", ind.Code, ind.Kind.LabelDA(), ind.Text.DA, target)
				}
			}
			return a.printJSON(tpl)
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "the catalogue generation in force on this date YYYY-MM-DD (default: today)")
	return cmd
}

func (a *app) selfEvalSubmitCommand() *cobra.Command {
	var (
		file string
		f    actionFlags
	)
	cmd := &cobra.Command{
		Use:   "submit INSTITUTION-ID --file SELF-EVALUATION.json --as MANAGER-ID",
		Short: "Submit this year's self-evaluation of an institution",
		Long: `submit reads a self-evaluation ({"ratings": {"1.1": 2, ...}, "indicators": {"1.1.1": "ja", ...},
"notes": {...}, "participants": [...]}; see selfeval template) and hands it in for the
self-evaluation that is open. Every active standard must be rated 1-4; unknown fields,
standards and indicators are refused. The institution manager holds the step; the
secretariat may submit on their behalf.`,
		Example: `  starter selfeval submit H-01 --file examples/selfevaluation.json --as P-001`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&f, nil, func(cmd *cobra.Command, inst, actor string) error {
			req, err := readSelfEvaluationFile(file, actor)
			if err != nil {
				return err
			}
			rec, err := act(a, cmd, inst, workflows.UpdateSubmitSelfEvaluation, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.SubmitSelfEvaluation(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&f, rec, "self-evaluation %d of %s submitted; step done on %s", rec.Opened.Year, inst, rec.Closed)
		}),
	}
	cmd.Flags().StringVar(&file, "file", "", "the self-evaluation as JSON")
	f.add(cmd, "the institution manager")
	return cmd
}

// ---- team assignment ----

func (a *app) assignmentCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assignment",
		Short: "Answer an invitation to an evaluation team, or assign a seat by hand",
		Long: `For the external evaluation a team is invited: lead, professional, user representative,
relative representative (and possibly a trainee). Each invited person accepts or declines;
a decline or no answer brings the next candidate. When no candidate is left, the
secretariat assigns the seat by hand.`,
	}
	cmd.AddCommand(a.answerCommand(true), a.answerCommand(false), a.assignCommand())
	return cmd
}

func (a *app) answerCommand(accept bool) *cobra.Command {
	var (
		reason string
		f      actionFlags
	)
	cmd := &cobra.Command{
		Use:     "accept INSTITUTION-ID --as PERSON-ID",
		Short:   "Accept your invitation to the team that evaluates an institution",
		Long:    `accept takes the seat the person named by --as is invited to on the institution's team.`,
		Example: `  starter assignment accept H-01 --as P-088`,
		Args:    cobra.ExactArgs(1),
	}
	if !accept {
		cmd.Use = "decline INSTITUTION-ID --reason TEXT --as PERSON-ID"
		cmd.Short = "Decline your invitation to the team that evaluates an institution"
		cmd.Long = `decline turns down the invitation of the person named by --as; the next best candidate is
invited. The reason helps the secretariat plan.`
		cmd.Example = `  starter assignment decline H-01 --reason "Ferie i hele perioden" --as P-088`
	}
	cmd.RunE = a.runAction(&f, nil, func(cmd *cobra.Command, inst, actor string) error {
		req := workflows.InvitationAnswer{Action: action(actor), Accept: accept, Reason: reason}
		m, err := act(a, cmd, inst, workflows.UpdateAnswerInvitation, req,
			func(ctx context.Context, cc *cycles.Client) (workflows.TeamMember, error) {
				return cc.AnswerInvitation(ctx, inst, req)
			})
		if err != nil {
			return err
		}
		if accept {
			return a.done(&f, m, "%s accepted the %s seat on the team of %s", actor, m.Seat, inst)
		}
		return a.done(&f, m, "%s declined the %s seat on the team of %s; the next candidate will be invited", actor, m.Seat, inst)
	})
	if !accept {
		cmd.Flags().StringVar(&reason, "reason", "", "why you decline")
	}
	f.add(cmd, "the invited person")
	return cmd
}

func (a *app) assignCommand() *cobra.Command {
	var (
		seat, person, reason string
		overrides            []string
		f                    actionFlags
	)
	cmd := &cobra.Command{
		Use:   "assign INSTITUTION-ID --seat SEAT --person PERSON-ID --reason TEXT --as SECRETARIAT-ID",
		Short: "Assign or replace a team member by hand (secretariat)",
		Long: `assign puts a person on a seat of the institution's team without an invitation: when no
candidate is left, or to replace a member. The person must meet the hard rules (another
region, a similar institution, training, no conflict of interest, rotation, capacity); a
refusal names the rule broken. The secretariat may seat someone who breaks a rule only by
overriding that rule by name (--override RULE) with a reason: both are recorded on the team
and in the audit trail. A new lead takes over the lead's open steps. Seats: lead,
professional, user-representative, relative-representative, trainee.`,
		Example: `  starter assignment assign H-01 --seat professional --person P-061 --reason "Ingen kandidat tilbage" --as P-131
  starter assignment assign H-01 --seat relative-representative --person P-120 --override no-conflict \
    --reason "Konflikten er vurderet uvæsentlig af sekretariatet" --as P-131`,
		Args: cobra.ExactArgs(1),
	}
	cmd.RunE = a.runAction(&f, []check{
		required("seat", &seat, "lead, professional, user-representative, relative-representative or trainee"),
		required("person", &person, "the ID of the person to assign"),
	}, func(cmd *cobra.Command, inst, actor string) error {
		req := workflows.ReviewerAssignment{Action: action(actor), Seat: domain.TeamRole(strings.ToLower(strings.TrimSpace(seat))),
			PersonID: strings.TrimSpace(person), Reason: reason, Overrides: overrides}
		m, err := act(a, cmd, inst, workflows.UpdateAssignReviewer, req,
			func(ctx context.Context, cc *cycles.Client) (workflows.TeamMember, error) {
				return cc.AssignReviewer(ctx, inst, req)
			})
		if err != nil {
			return err
		}
		return a.done(&f, m, "%s assigned to the %s seat on the team of %s", m.PersonID, m.Seat, inst)
	})
	cmd.Flags().StringVar(&seat, "seat", "", "the seat: lead, professional, user-representative, relative-representative or trainee")
	cmd.Flags().StringVar(&person, "person", "", "the person to put on the seat")
	cmd.Flags().StringVar(&reason, "reason", "", "why (audit trail)")
	cmd.Flags().StringArrayVar(&overrides, "override", nil, "a hard rule the person may break, named as the refusal names it "+
		"(other-region, similar-institution, trained-for-seat, no-conflict, not-employed-there, rotation, capacity); repeat for several; "+
		"recorded with --reason on the team and in the audit trail")
	f.add(cmd, "the secretariat")
	return cmd
}

// ---- visit ----

func (a *app) visitCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "visit",
		Short: "Set the date of the visit (or revisit) and record that it took place",
		Long: `The lead reviewer agrees the visit date with the institution, at least the notice period
(4 weeks; 2 for a revisit) ahead, and records the visit on the day or at the latest two
days after it.`,
	}
	var (
		date string
		d    domain.Date
		fSet actionFlags
	)
	set := &cobra.Command{
		Use:     "set INSTITUTION-ID --date YYYY-MM-DD --as LEAD-ID",
		Short:   "Set the date of the visit or revisit",
		Long:    `set records the agreed date of the visit (or of the revisit, when one is due); everyone on the team and the institution manager are told.`,
		Example: `  starter visit set H-01 --date 2027-05-18 --as P-088`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&fSet, []check{
			required("date", &date, "the agreed date of the visit, YYYY-MM-DD"),
			dateFlag("date", &date, &d),
		}, func(cmd *cobra.Command, inst, actor string) error {
			req := workflows.VisitDate{Action: action(actor), Date: d}
			rec, err := act(a, cmd, inst, workflows.UpdateSetVisitDate, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.SetVisitDate(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			what := "visit"
			if rec.Key == workflows.StepRevisitDate {
				what = "revisit"
			}
			return a.done(&fSet, rec, "%s of %s set for %s by %s", what, inst, d, actor)
		}),
	}
	set.Flags().StringVar(&date, "date", "", "the date of the visit YYYY-MM-DD")
	fSet.add(set, "the lead reviewer")

	var (
		notes string
		fRec  actionFlags
	)
	record := &cobra.Command{
		Use:   "record INSTITUTION-ID [--notes TEXT] --as LEAD-ID",
		Short: "Record that the visit or revisit took place",
		Long: `record says the visit (or revisit) took place; it can be recorded on the visit day or later.
The report is due from then on.`,
		Example: `  starter visit record H-01 --notes "Interview med 6 medarbejdere, 4 beboere og 3 pårørende" --as P-088`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&fRec, nil, func(cmd *cobra.Command, inst, actor string) error {
			req := workflows.VisitRecord{Action: action(actor), Notes: notes}
			rec, err := act(a, cmd, inst, workflows.UpdateRecordVisit, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.RecordVisit(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&fRec, rec, "%s of %s recorded on %s by %s", rec.Key, inst, rec.Closed, actor)
		}),
	}
	record.Flags().StringVar(&notes, "notes", "", "notes from the visit")
	fRec.add(record, "the lead reviewer")
	cmd.AddCommand(set, record)
	return cmd
}

// ---- report and hearing ----

// reportFile is the file report submit reads.
type reportFile struct {
	Assessments []assessmentFile `json:"assessments"`
	Suggestions string           `json:"suggestions"`
	Summary     string           `json:"summary"`
	Verdict     domain.Verdict   `json:"verdict"`
}

// assessmentFile is one assessment as the file holds it. Met is a pointer so that a missing
// (or null) "met" is refused rather than read as false, which would record the standard as
// not met without anyone having said so.
type assessmentFile struct {
	Standard   string `json:"standard"`
	Met        *bool  `json:"met"`
	Assessment string `json:"assessment"`
}

// assessments returns the file's assessments, refusing any without "met", named by standard.
func (r reportFile) assessments(file string) ([]workflows.Assessment, error) {
	out := make([]workflows.Assessment, 0, len(r.Assessments))
	var missing []string
	for i, a := range r.Assessments {
		if a.Met == nil {
			name := "standard " + a.Standard
			if strings.TrimSpace(a.Standard) == "" {
				name = fmt.Sprintf("assessment %d (no standard)", i+1)
			}
			missing = append(missing, name)
			continue
		}
		out = append(out, workflows.Assessment{Standard: a.Standard, Met: *a.Met, Assessment: a.Assessment})
	}
	if len(missing) > 0 {
		return nil, rejected(`%s: the assessment of %s has no "met": write "met": true or "met": false for every standard`,
			file, strings.Join(missing, ", "))
	}
	return out, nil
}

// readReportFile reads the file report submit hands in. It refuses what cannot be read as a
// report (bad JSON, unknown fields, an assessment without "met"); whether the report is
// complete, and its verdict on the scale and agreeing with the assessments, is the workflow
// validator's to say (workflows.ValidateReport).
func readReportFile(file, actor string) (workflows.Report, error) {
	var rf reportFile
	if err := readJSONFile(file, &rf, reportFields); err != nil {
		return workflows.Report{}, err
	}
	assessments, err := rf.assessments(file)
	if err != nil {
		return workflows.Report{}, err
	}
	return workflows.Report{Action: action(actor), Assessments: assessments, Suggestions: rf.Suggestions,
		Summary: rf.Summary, Verdict: rf.Verdict}, nil
}

const reportFields = `"assessments" (each with "standard", "met" and "assessment"), "suggestions", "summary" and "verdict"`

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Submit the visit report, and comment on it during the hearing",
		Long: `After the visit the lead submits the report: an assessment of every standard, suggestions,
a summary and a verdict (1 meets the standards, 2 some areas must improve, 3 important areas
must improve and the team revisits). The institution may then comment on factual errors
during the hearing.`,
	}
	var (
		file string
		fSub actionFlags
	)
	submit := &cobra.Command{
		Use:   "submit INSTITUTION-ID --file REPORT.json --as LEAD-ID",
		Short: "Submit the report of the visit or revisit",
		Long: `submit reads the report ({"assessments": [{"standard": "1.1", "met": true, "assessment": "..."}],
"suggestions": "...", "summary": "...", "verdict": 2}) and submits it for the visit, or the
revisit when one took place. Every active standard must be assessed once.`,
		Example: `  starter report submit H-01 --file examples/report.json --as P-088`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&fSub, nil, func(cmd *cobra.Command, inst, actor string) error {
			req, err := readReportFile(file, actor)
			if err != nil {
				return err
			}
			rec, err := act(a, cmd, inst, workflows.UpdateSubmitReport, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.SubmitReport(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&fSub, rec, "%s on %s submitted with verdict %d (%s) on %s", rec.Key, inst, int(req.Verdict), req.Verdict.LabelEN(), rec.Closed)
		}),
	}
	submit.Flags().StringVar(&file, "file", "", "the report as JSON")
	fSub.add(submit, "the lead reviewer")

	var (
		text string
		fCom actionFlags
	)
	comment := &cobra.Command{
		Use:     "comment INSTITUTION-ID --text TEXT --as MANAGER-ID",
		Short:   "Comment on factual errors in the report during the hearing",
		Long:    `comment records the institution's comment on factual errors in the report while the hearing is open; several comments may be given.`,
		Example: `  starter report comment H-01 --text "Antallet af pladser er 36, ikke 32" --as P-001`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&fCom, nil, func(cmd *cobra.Command, inst, actor string) error {
			req := workflows.Comment{Action: action(actor), Text: text}
			n, err := act(a, cmd, inst, workflows.UpdateCommentReport, req,
				func(ctx context.Context, cc *cycles.Client) (int, error) { return cc.CommentReport(ctx, inst, req) })
			if err != nil {
				return err
			}
			return a.done(&fCom, commentResult{Comments: n}, "comment %d on the report of %s recorded", n, inst)
		}),
	}
	comment.Flags().StringVar(&text, "text", "", "the comment")
	fCom.add(comment, "the institution manager")
	cmd.AddCommand(submit, comment)
	return cmd
}

// ---- follow-up ----

func (a *app) actionPlanCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "actionplan",
		Short: "Submit the action plan after a verdict 2 or 3",
	}
	var (
		file, text string
		areas      []string
		f          actionFlags
	)
	submit := &cobra.Command{
		Use:   "submit INSTITUTION-ID (--file PLAN.txt | --text TEXT) [--area AREA]... --as MANAGER-ID",
		Short: "Submit the institution's action plan for the areas that must improve",
		Long: `submit hands in the action plan the final verdict asks for: the plan's text, from a file or
--text, and the areas (e.g. standard codes) it covers.`,
		Example: `  starter actionplan submit H-01 --file handleplan.txt --area 1.1 --area 4.1 --as P-001
  starter actionplan submit H-01 --text "Kompetenceplan for alle medarbejdere inden 1. juni" --area 3.1 --as P-001`,
		Args: cobra.ExactArgs(1),
		RunE: a.runAction(&f, nil, func(cmd *cobra.Command, inst, actor string) error {
			if (file == "") == (text == "") {
				return rejected("give the plan with exactly one of --file PLAN.txt or --text TEXT")
			}
			plan := text
			if file != "" {
				var err error
				if plan, err = readPlanFile(file); err != nil {
					return err
				}
			}
			var clean []string
			for _, area := range areas {
				if area = strings.TrimSpace(area); area != "" {
					clean = append(clean, area)
				}
			}
			req := workflows.ActionPlan{Action: action(actor), Plan: plan, Areas: clean}
			rec, err := act(a, cmd, inst, workflows.UpdateSubmitActionPlan, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.SubmitActionPlan(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&f, rec, "action plan of %s submitted on %s", inst, rec.Closed)
		}),
	}
	submit.Flags().StringVar(&file, "file", "", "a text file with the plan")
	submit.Flags().StringVar(&text, "text", "", "the plan as text")
	submit.Flags().StringArrayVar(&areas, "area", nil, "an area the plan covers (repeatable)")
	f.add(submit, "the institution manager")
	cmd.AddCommand(submit)
	return cmd
}

// readPlanFile reads the text of an action plan from a file as every file the starter reads:
// a byte order mark is skipped, and text that is not UTF-8 is refused (the update's JSON
// would otherwise carry each bad byte to the workflow as U+FFFD).
func readPlanFile(path string) (string, error) {
	data, err := readText(path)
	return string(data), err
}

func (a *app) appealCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "appeal",
		Short: "Appeal the final verdict",
	}
	var (
		reason string
		f      actionFlags
	)
	lodge := &cobra.Command{
		Use:     "lodge INSTITUTION-ID --reason TEXT --as MANAGER-ID",
		Short:   "Appeal the final verdict within the appeal window (30 days)",
		Long:    `lodge appeals the final verdict; the secretariat then upholds or changes it (starter decide).`,
		Example: `  starter appeal lodge H-01 --reason "Rapporten overser vores nye kompetenceplan" --as P-001`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&f, nil, func(cmd *cobra.Command, inst, actor string) error {
			req := workflows.Appeal{Action: action(actor), Reason: reason}
			rec, err := act(a, cmd, inst, workflows.UpdateAppeal, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.Appeal(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&f, rec, "appeal of %s lodged on %s; the secretariat decides", inst, rec.Closed)
		}),
	}
	lodge.Flags().StringVar(&reason, "reason", "", "the grounds of the appeal")
	f.add(lodge, "the institution manager")
	cmd.AddCommand(lodge)
	return cmd
}

func (a *app) decideCommand() *cobra.Command {
	var (
		uphold  bool
		verdict int
		reason  string
		f       actionFlags
	)
	cmd := &cobra.Command{
		Use:   "decide INSTITUTION-ID (--uphold | --verdict N) --reason TEXT --as SECRETARIAT-ID",
		Short: "Decide an appeal, or a verdict 3 that stood after the revisit (secretariat)",
		Long: `decide closes the open decision: an appeal (uphold the verdict, or change it to a better one)
or a verdict 3 that stood after the revisit. Verdicts: 1 meets the standards, 2 some areas
must improve, 3 important areas must improve.`,
		Example: `  starter decide H-01 --uphold --reason "Vurderingen er velbegrundet" --as P-131
  starter decide H-01 --verdict 1 --reason "Handleplanen er gennemført" --as P-131`,
		Args: cobra.ExactArgs(1),
	}
	var v domain.Verdict
	cmd.RunE = a.runAction(&f, []check{
		func() (err error) {
			v = 0
			changed := cmd.Flags().Changed("verdict")
			if uphold == changed {
				return rejected("say what you decide: exactly one of --uphold or --verdict 1|2|3")
			}
			if changed {
				// Verdict 0 in the payload means "uphold": say so rather than uphold by accident.
				if verdict == 0 {
					return rejected("--verdict 0 is no verdict: give --verdict 1, 2 or 3, or --uphold")
				}
				v = domain.Verdict(verdict)
			}
			return nil
		},
	}, func(cmd *cobra.Command, inst, actor string) error {
		req := workflows.Decision{Action: action(actor), Verdict: v, Reason: reason}
		rec, err := act(a, cmd, inst, workflows.UpdateDecide, req,
			func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
				return cc.Decide(ctx, inst, req)
			})
		if err != nil {
			return err
		}
		return a.done(&f, rec, "%s of %s decided: %s", rec.Key, inst, rec.Note)
	})
	cmd.Flags().BoolVar(&uphold, "uphold", false, "uphold the verdict")
	cmd.Flags().IntVar(&verdict, "verdict", 0, "change the verdict to 1, 2 or 3")
	cmd.Flags().StringVar(&reason, "reason", "", "the reasons for the decision")
	f.add(cmd, "the secretariat")
	return cmd
}

// ---- secretariat: deadlines and waivers ----

func (a *app) deadlineCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deadline",
		Short: "Extend the deadline of an open step (secretariat)",
	}
	var (
		step, to, reason string
		due              domain.Date
		f                actionFlags
	)
	extend := &cobra.Command{
		Use:   "extend INSTITUTION-ID --step KEY --to YYYY-MM-DD --reason TEXT --as SECRETARIAT-ID",
		Short: "Move an open step's due date; its reminders move with it",
		Long: `extend moves the due date of an open step of the running stage to a later date; the
reminders and escalations follow the new date. The step key is the one cycle status shows
(e.g. self-evaluation, visit-date, report, invitation/lead/1).`,
		Example: `  starter deadline extend H-01 --step self-evaluation --to 2027-06-30 --reason "Ny leder tiltrådt" --as P-131`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&f, []check{
			required("step", &step, "the key of the open step, as cycle status shows it"),
			required("to", &to, "the new due date, YYYY-MM-DD"),
			dateFlag("to", &to, &due),
		}, func(cmd *cobra.Command, inst, actor string) error {
			req := workflows.Extension{Action: action(actor), Step: strings.TrimSpace(step), NewDue: due, Reason: reason}
			rec, err := act(a, cmd, inst, workflows.UpdateExtendDeadline, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.ExtendDeadline(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&f, rec, "step %s of %s is now due %s", rec.Key, inst, rec.Due)
		}),
	}
	extend.Flags().StringVar(&step, "step", "", "the key of the open step")
	extend.Flags().StringVar(&to, "to", "", "the new due date YYYY-MM-DD")
	extend.Flags().StringVar(&reason, "reason", "", "why (audit trail)")
	f.add(extend, "the secretariat")
	cmd.AddCommand(extend)
	return cmd
}

func (a *app) stepCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "step",
		Short: "Waive an open step (secretariat)",
	}
	var (
		step, reason string
		f            actionFlags
	)
	waive := &cobra.Command{
		Use:   "waive INSTITUTION-ID --step KEY --reason TEXT --as SECRETARIAT-ID",
		Short: "Close an open step without the work being done, for a recorded reason",
		Long: `waive closes an open step of the running stage as waived. Only steps whose result no later
step needs can be waived: self-evaluation, invitation/..., hearing, action-plan and
appeal-window. The reason goes into the audit trail.`,
		Example: `  starter step waive H-01 --step self-evaluation --reason "Tilbuddet var under ombygning" --as P-131`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runAction(&f, []check{
			required("step", &step, "the key of the open step, as cycle status shows it"),
		}, func(cmd *cobra.Command, inst, actor string) error {
			req := workflows.Waiver{Action: action(actor), Step: strings.TrimSpace(step), Reason: reason}
			rec, err := act(a, cmd, inst, workflows.UpdateWaiveStep, req,
				func(ctx context.Context, cc *cycles.Client) (workflows.StepRecord, error) {
					return cc.WaiveStep(ctx, inst, req)
				})
			if err != nil {
				return err
			}
			return a.done(&f, rec, "step %s of %s waived on %s: %s", rec.Key, inst, rec.Closed, reason)
		}),
	}
	waive.Flags().StringVar(&step, "step", "", "the key of the open step")
	waive.Flags().StringVar(&reason, "reason", "", "why (audit trail)")
	f.add(waive, "the secretariat")
	cmd.AddCommand(waive)
	return cmd
}
