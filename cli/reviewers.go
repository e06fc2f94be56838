package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/planning"
	"github.com/kvalitetsmodel/accredit/planning/synth"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

func (a *app) reviewersCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "reviewers", Short: "Explain, propose and plan external-evaluation teams (PRODUCT.md §4)"}
	cmd.AddCommand(a.whyNotCommand(), a.proposeCommand(), a.planCommand())
	return cmd
}

func (a *app) dateFlag(s string) (domain.Date, error) {
	if s == "" {
		return domain.DateOf(a.now()), nil
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		return domain.Date{}, &RejectedError{Err: err}
	}
	return d, nil
}

// evaluationFacts is the institution as the rules see it for its current (or first) cycle:
// the rotation rule's previous team is the team of the cycle before.
func evaluationFacts(ctx context.Context, st *store.Store, in store.Institution, cycles map[string]store.CycleRow) (domain.InstitutionFacts, int, error) {
	cycle := 1
	var previous []string
	if c, ok := cycles[in.ID]; ok {
		cycle = c.Number
		var err error
		if previous, err = st.PreviousTeam(ctx, in.ID, c.Number-1); err != nil {
			return domain.InstitutionFacts{}, 0, err
		}
	}
	return planning.Facts(in, previous), cycle, nil
}

type whyNotSeat struct {
	Seat       domain.TeamRole    `json:"seat"`
	Eligible   bool               `json:"eligible"`
	Violations []domain.Violation `json:"violations"`
}

func (a *app) whyNotCommand() *cobra.Command {
	var institutionID, personID, seat, date string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "why-not --institution ID --person ID [--seat SEAT] [--date YYYY-MM-DD]",
		Short: "Name every hard rule that keeps a person off an institution's team, with the fact behind it",
		Long: `why-not checks one person against the hard rules of PRODUCT.md §4 for every seat their role
can hold (or only --seat), on --date (default: today), exactly as the team proposal filters
candidates: other region, similar institution, training for the seat, no declared conflict,
not employed there in the last 3 years, not on its previous cycle's team, capacity left.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			on, err := a.dateFlag(date)
			if err != nil {
				return err
			}
			var seats []domain.TeamRole
			if seat != "" {
				s, err := domain.ParseTeamRole(seat)
				if err != nil {
					return &RejectedError{Err: err}
				}
				seats = []domain.TeamRole{s}
			}
			ctx := cmd.Context()
			st, reg, err := a.openRegistry(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			in, ok := reg.Institution(institutionID)
			if !ok {
				return rejected("institution %s is not in the registry", institutionID)
			}
			idx := slices.IndexFunc(reg.Candidates, func(c domain.Candidate) bool { return c.PersonID == personID })
			if idx < 0 {
				p, err := st.Person(ctx, personID)
				if errors.Is(err, store.ErrNotFound) {
					return rejected("person %s is not in the registry", personID)
				}
				if err != nil {
					return err
				}
				return rejected("%s (%s) is %s, not a reviewer or representative: they cannot sit on a team", p.ID, p.Name, p.Role)
			}
			c := reg.Candidates[idx]
			if seats == nil {
				for _, s := range planning.AllSeats() {
					if s.PersonRoleFor() == c.Role {
						seats = append(seats, s)
					}
				}
			}
			cycles, err := st.CycleStarts(ctx)
			if err != nil {
				return err
			}
			facts, _, err := evaluationFacts(ctx, st, in, cycles)
			if err != nil {
				return err
			}
			out := whyNot(facts, c, seats, on, a.cfg.CapacityPerYear)
			if asJSON {
				return a.printJSON(out)
			}
			for _, s := range out {
				if s.Eligible {
					fmt.Fprintf(a.stdout, "%s (%s) is eligible for %s at %s on %s\n", c.PersonID, c.Name, s.Seat, in.ID, on)
					continue
				}
				fmt.Fprintf(a.stdout, "%s (%s) cannot be %s at %s on %s:\n", c.PersonID, c.Name, s.Seat, in.ID, on)
				for _, v := range s.Violations {
					fmt.Fprintf(a.stdout, "  - %s: %s\n", v.Rule, v.Fact)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&institutionID, "institution", "", "institution ID (required)")
	cmd.Flags().StringVar(&personID, "person", "", "person ID (required)")
	cmd.Flags().StringVar(&seat, "seat", "", "only this seat: lead, professional, user-representative, relative-representative, trainee")
	cmd.Flags().StringVar(&date, "date", "", "evaluation date YYYY-MM-DD (default: today)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("institution")
	_ = cmd.MarkFlagRequired("person")
	return cmd
}

// whyNot applies domain.Violations, the same rules the optimiser filters with.
func whyNot(in domain.InstitutionFacts, c domain.Candidate, seats []domain.TeamRole, on domain.Date, capacity int) []whyNotSeat {
	out := make([]whyNotSeat, 0, len(seats))
	for _, s := range seats {
		v := domain.Violations(in, c, s, on, capacity)
		if v == nil {
			v = []domain.Violation{}
		}
		out = append(out, whyNotSeat{Seat: s, Eligible: len(v) == 0, Violations: v})
	}
	return out
}

func (a *app) proposeCommand() *cobra.Command {
	var institutionID, date string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "propose --institution ID [--date YYYY-MM-DD]",
		Short: "Show the team the cycle would invite for an institution, with the reasons for each member",
		Long: `propose runs the same optimiser as the cycle workflow's assignment activity (one evaluation,
every eligible candidate considered) for the lead, professional, user and relative
representative seats and a trainee, on --date (default: today), and prints each member with the
reasons for choosing them. It changes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			on, err := a.dateFlag(date)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, reg, err := a.openRegistry(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			in, ok := reg.Institution(institutionID)
			if !ok {
				return rejected("institution %s is not in the registry", institutionID)
			}
			cycles, err := st.CycleStarts(ctx)
			if err != nil {
				return err
			}
			facts, _, err := evaluationFacts(ctx, st, in, cycles)
			if err != nil {
				return err
			}
			props := planning.ProposeTeam(facts, reg.Candidates, planning.AllSeats(), nil, on, a.cfg.CapacityPerYear)
			if asJSON {
				return a.printJSON(props)
			}
			fmt.Fprintf(a.stdout, "Team for %s (%s, %s) on %s:\n", in.ID, in.Name, in.Region.Name(), on)
			for _, p := range props {
				if !p.Found {
					fmt.Fprintf(a.stdout, "  %-24s — nobody eligible: the secretariat assigns by hand\n", p.Seat)
					continue
				}
				fmt.Fprintf(a.stdout, "  %-24s %s %s\n", p.Seat, p.PersonID, p.Name)
				for _, r := range p.Reasons {
					fmt.Fprintf(a.stdout, "  %-24s   - %s\n", "", r)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&institutionID, "institution", "", "institution ID (required)")
	cmd.Flags().StringVar(&date, "date", "", "evaluation date YYYY-MM-DD (default: today)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("institution")
	return cmd
}

func (a *app) planCommand() *cobra.Command {
	var fromS, toS, as string
	var apply, asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "plan --from YYYY-MM-DD --to YYYY-MM-DD [--apply] [--json|--csv]",
		Short: "Plan the teams of every external evaluation falling due in a period, jointly, and report shortages",
		Long: `plan assigns teams to every external evaluation falling due between --from and --to as one
minimum-cost optimisation under every hard rule and every reviewer's yearly capacity (capacity
minus the evaluations they are already invited to or sit on), and reports where the registry is
short: which region × target group × seat lacks trained people and how many more are needed.

An evaluation falls due when its external evaluation would start: for an institution with a
cycle in the store, the cycle's start date + 2 × the self-evaluation interval (the year-3
self-evaluation opens) + the self-evaluation due period (default: start + 2 years + 8 weeks); an
institution with no cycle yet is treated as due on --from (cycle 1). The rotation rule uses the
team of the cycle before.

Without --apply the plan is only printed. With --apply it is stored, and when an evaluation
comes due the cycle's assignment activity invites the planned person for each seat if they are
still eligible (otherwise it proposes anew, through the same optimiser). Only the secretariat
applies a plan (--as), and every applied plan is in the registry's audit trail (starter audit
--registry).`,
		Example: `  starter reviewers plan --from 2027-01-01 --to 2027-12-31
  starter reviewers plan --from 2027-01-01 --to 2027-12-31 --apply --as P-136`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, err := domain.ParseDate(fromS)
			if err != nil {
				return &RejectedError{Err: fmt.Errorf("--from: %w", err)}
			}
			to, err := domain.ParseDate(toS)
			if err != nil {
				return &RejectedError{Err: fmt.Errorf("--to: %w", err)}
			}
			if to.Before(from) {
				return rejected("--to %s is before --from %s", to, from)
			}
			if asJSON && asCSV {
				return rejected("choose one of --json and --csv")
			}
			var actor string
			if apply {
				if actor, err = a.actor(as); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			st, reg, err := a.openRegistry(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if apply {
				if _, err := registry.CheckSecretariat(ctx, st, actor, "apply a reviewer plan", registry.Reach{}); err != nil {
					return notAllowed(err)
				}
			}
			cycles, err := st.CycleStarts(ctx)
			if err != nil {
				return err
			}
			d := a.cfg.Cycle
			var evals []planning.Evaluation
			names := map[string]string{}
			for _, in := range reg.Institutions {
				if in.Closed() {
					continue // a closed institution has no evaluation to staff
				}
				facts, cycle, err := evaluationFacts(ctx, st, in, cycles)
				if err != nil {
					return err
				}
				due := from
				if c, ok := cycles[in.ID]; ok {
					due = d.SelfEvaluationDue.AddTo(d.SelfEvaluationInterval.AddTo(d.SelfEvaluationInterval.AddTo(c.StartDate)))
				}
				if due.Before(from) || due.After(to) {
					continue
				}
				names[in.ID] = in.Name
				evals = append(evals, planning.Evaluation{Institution: facts, Cycle: cycle, On: due})
			}
			plan := planning.MakePlan(evals, reg.Candidates, planning.Options{Capacity: a.cfg.CapacityPerYear})
			if apply {
				var keys []store.EvaluationKey
				for _, e := range evals {
					keys = append(keys, store.EvaluationKey{InstitutionID: e.Institution.ID, Cycle: e.Cycle})
				}
				rows := make([]store.PlannedAssignment, 0, len(plan.Assignments))
				for _, as := range plan.Assignments {
					rows = append(rows, store.PlannedAssignment{InstitutionID: as.InstitutionID, Cycle: as.Cycle, Seat: as.Seat,
						PersonID: as.PersonID, On: as.On, Reasons: strings.Join(as.Reasons, "\n"), Cost: as.Cost})
				}
				if err := st.ReplacePlannedAssignments(ctx, keys, rows); err != nil {
					return err
				}
				if err := st.AuditRegistry(ctx, store.RegistryAudit{ActorID: actor, Action: store.AuditApplyReviewerPlan,
					Subject: fmt.Sprintf("reviewer plan %s..%s: %d evaluation(s), %d seat(s) planned, %d unfilled",
						from, to, len(evals), len(plan.Assignments), len(plan.Unfilled))}); err != nil {
					return fmt.Errorf("the plan is applied, but its audit entry could not be written: %w", err)
				}
			}
			switch {
			case asJSON:
				return a.printJSON(struct {
					From        domain.Date `json:"from"`
					To          domain.Date `json:"to"`
					Evaluations int         `json:"evaluations"`
					Applied     bool        `json:"applied"`
					planning.Plan
				}{from, to, len(evals), apply, plan})
			case asCSV:
				return writePlanCSV(a, plan)
			}
			return a.printPlan(plan, names, len(evals), from, to, apply)
		},
	}
	cmd.Flags().StringVar(&fromS, "from", "", "first day of the period (required)")
	cmd.Flags().StringVar(&toS, "to", "", "last day of the period (required)")
	cmd.Flags().BoolVar(&apply, "apply", false, "store the plan: the proposals become the invitations when each evaluation comes due")
	addActorFlag(cmd, &as, "the secretariat; needed with --apply")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV (one row per seat and per shortage)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func (a *app) printPlan(plan planning.Plan, names map[string]string, evals int, from, to domain.Date, applied bool) error {
	fmt.Fprintf(a.stdout, "Reviewer plan %s..%s: %d evaluation(s), %d seat(s) filled, %d unfilled, total cost %d\n\n",
		from, to, evals, len(plan.Assignments), len(plan.Unfilled), plan.TotalCost)
	type row struct {
		on         domain.Date
		inst, seat string
		person     string
		detail     []string
	}
	var rows []row
	for _, as := range plan.Assignments {
		rows = append(rows, row{as.On, as.InstitutionID, string(as.Seat), as.PersonID + " " + as.Name, as.Reasons})
	}
	for _, u := range plan.Unfilled {
		rows = append(rows, row{u.On, u.InstitutionID, string(u.Seat), "(unfilled)", []string{u.Reason}})
	}
	seatOrder := func(s string) int { return slices.Index(planning.AllSeats(), domain.TeamRole(s)) }
	slices.SortStableFunc(rows, func(x, y row) int {
		if c := x.on.Compare(y.on); c != 0 {
			return c
		}
		if c := strings.Compare(x.inst, y.inst); c != 0 {
			return c
		}
		return seatOrder(x.seat) - seatOrder(y.seat)
	})
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTITUTION\tDATE\tSEAT\tPERSON\tREASONS")
	last := ""
	for _, r := range rows {
		inst := ""
		if r.inst != last {
			inst = r.inst + " " + names[r.inst]
			last = r.inst
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", inst, r.on, r.seat, r.person, strings.Join(r.detail, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "\nShortages (region × target group × seat of the institutions whose required seats stay empty):")
	if len(plan.Shortages) == 0 {
		fmt.Fprintln(a.stdout, "  none: every required seat is filled")
	}
	for _, s := range plan.Shortages {
		fmt.Fprintf(a.stdout, "  %s × %s × %s: %d short (%d more trained person(s) from other regions needed)\n",
			s.Region, s.TargetGroup, s.Seat, s.Seats, s.People)
	}
	if applied {
		fmt.Fprintln(a.stdout, "\nThe plan is applied: each evaluation's assignment will invite the planned people while they stay eligible.")
	}
	return nil
}

func writePlanCSV(a *app, plan planning.Plan) error {
	w := csv.NewWriter(a.stdout)
	_ = w.Write([]string{"kind", "institution_id", "cycle", "date", "region", "target_group", "seat", "person_id", "name", "cost", "count", "reasons"})
	for _, as := range plan.Assignments {
		_ = w.Write([]string{"assignment", as.InstitutionID, fmt.Sprint(as.Cycle), as.On.String(), "", "", string(as.Seat),
			as.PersonID, as.Name, fmt.Sprint(as.Cost), "", strings.Join(as.Reasons, "; ")})
	}
	for _, u := range plan.Unfilled {
		_ = w.Write([]string{"unfilled", u.InstitutionID, fmt.Sprint(u.Cycle), u.On.String(), string(u.Region), string(u.TargetGroup),
			string(u.Seat), "", "", "", "", u.Reason})
	}
	for _, s := range plan.Shortages {
		_ = w.Write([]string{"shortage", "", "", "", string(s.Region), string(s.TargetGroup), string(s.Seat), "", "", "",
			fmt.Sprint(s.Seats), fmt.Sprintf("%d more trained person(s) needed", s.People)})
	}
	w.Flush()
	return w.Error()
}

func (a *app) registryCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "registry", Short: "Tools for registry files"}
	var institutions, reviewers int
	var seed uint64
	var out string
	gen := &cobra.Command{
		Use:   "generate --institutions N --reviewers M --seed S --out DIR",
		Short: "Write a synthetic institutions.csv and people.csv (for load tests and demos)",
		Long: `generate writes DIR/institutions.csv and DIR/people.csv in the import format of examples/:
N institutions spread over the five regions with target groups weighted like the examples, one
manager per institution, a manager and a secretariat per region, and M reviewers and
representatives (about 25% representatives, about a quarter of the reviewers lead-trained,
some trainees), with some declared conflicts and past employments. The same seed gives the
same files. Import them with "starter institutions import" and "starter people import".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if institutions < 1 || reviewers < 0 {
				return rejected("--institutions must be at least 1 and --reviewers at least 0")
			}
			reg := synth.Generate(synth.Config{Institutions: institutions, Reviewers: reviewers, Seed: seed})
			if err := reg.WriteCSV(out); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %d institutions and %d people to %s\n", len(reg.Institutions), len(reg.People), out)
			return nil
		},
	}
	gen.Flags().IntVar(&institutions, "institutions", 40, "number of institutions")
	gen.Flags().IntVar(&reviewers, "reviewers", 100, "number of reviewers and representatives")
	gen.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	gen.Flags().StringVar(&out, "out", "", "output directory (required)")
	_ = gen.MarkFlagRequired("out")
	cmd.AddCommand(gen)
	return cmd
}

// openRegistry opens the store and loads the registry the planner works on; the caller
// closes the store.
func (a *app) openRegistry(ctx context.Context) (*store.Store, planning.Registry, error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, planning.Registry{}, err
	}
	reg, err := planning.LoadRegistry(ctx, st)
	if err != nil {
		_ = st.Close()
		return nil, planning.Registry{}, err
	}
	return st, reg, nil
}
