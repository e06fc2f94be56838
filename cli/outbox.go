package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/registry"
	"github.com/kvalitetsmodel/accredit/store"
)

// The outbox: what the service told whom, how far its delivery got, and a retry for what
// failed. It reads and writes the store only, so no worker is needed; a running worker's
// dispatcher delivers what is queued.

// outboxStates are the states of an outbox row, in the order of their life.
var outboxStates = []string{store.OutboxQueued, store.OutboxSending, store.OutboxDelivered, store.OutboxLogged, store.OutboxFailed}

func (a *app) outboxCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "List the notifications, how far their delivery got, and retry a failed one",
	}
	cmd.AddCommand(a.outboxListCommand(), a.outboxRetryCommand())
	return cmd
}

// outboxRow is an outbox row as the starter prints it: the row, and its times in words.
type outboxRow struct {
	store.OutboxMessage
	SentAt         *time.Time `json:"sent_at,omitempty"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	LeaseExpiresAt *time.Time `json:"lease_expires_at,omitempty"`
}

func newOutboxRow(m store.OutboxMessage) outboxRow {
	r := outboxRow{OutboxMessage: m}
	if m.SentAt.Valid {
		t := m.SentAt.Time
		r.SentAt = &t
	}
	if m.NextAttemptMs > 0 && m.Status == store.OutboxQueued {
		t := time.UnixMilli(m.NextAttemptMs).UTC()
		r.NextAttemptAt = &t
	}
	if m.LeaseExpiresMs > 0 && m.Status == store.OutboxSending {
		t := time.UnixMilli(m.LeaseExpiresMs).UTC()
		r.LeaseExpiresAt = &t
	}
	return r
}

func (a *app) outboxListCommand() *cobra.Command {
	var (
		person, inst, status string
		asJSON               bool
	)
	list := &cobra.Command{
		Use:   "list [--person PERSON-ID] [--institution ID] [--status STATE]",
		Short: "List notifications (tasks, reminders, escalations, digests), oldest first, with their state",
		Long: `list shows the outbox: every task, reminder, escalation, digest and information the service
queued, with where it goes (dm: a direct message; C...: a secretariat channel) and its state:

  queued     waiting for the worker's dispatcher (after a Slack error: until NEXT)
  sending    being delivered by a dispatcher, which holds it until its lease expires
  delivered  posted to Slack (the Slack channel and message ts are in --json)
  logged     written to the worker's log only: Slack is not configured, or a repeated
             escalation that the secretariat's daily digest lists instead
  failed     Slack refused it for good; REASON says why. Fix that, then: starter outbox retry ID

A row whose TO is another row's shares that row's channel message. No worker is needed.`,
		Example: `  starter outbox list --institution H-01
  starter outbox list --status failed
  starter outbox list --person P-001 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			status = strings.ToLower(strings.TrimSpace(status))
			if status != "" && !slices.Contains(outboxStates, status) {
				return rejected("--status %q is not a state of the outbox: give one of %s", status, strings.Join(outboxStates, ", "))
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := checkInstitutionFilter(cmd.Context(), st, inst); err != nil {
				return err
			}
			msgs, err := st.Outbox(cmd.Context(), store.OutboxFilter{RecipientID: strings.TrimSpace(person),
				InstitutionID: strings.TrimSpace(inst), Status: status})
			if err != nil {
				return err
			}
			rows := make([]outboxRow, len(msgs))
			counts := map[string]int{}
			for i, m := range msgs {
				rows[i] = newOutboxRow(m)
				counts[m.Status]++
			}
			return printList(a, asJSON, rows, "ID\tCREATED\tKIND\tTO\tVIA\tSTATUS\tATTEMPTS\tREASON\tSUBJECT", func(tw io.Writer, r outboxRow) {
				to := orDash(r.RecipientID)
				if r.LeaderID != "" {
					to += " (with " + r.LeaderID + ")"
				}
				reason := r.LastError
				if r.NextAttemptAt != nil {
					reason = strings.TrimSpace(reason + " [next " + r.NextAttemptAt.Local().Format("15:04:05") + "]")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.CreatedAt.Local().Format("2006-01-02 15:04:05"), r.Kind,
					to, orDash(r.Channel), r.Status, r.Attempts, orDash(excerpt(reason, 80)), excerpt(r.Subject, 100))
			}, func() string {
				var parts []string
				for _, s := range outboxStates {
					if counts[s] > 0 {
						parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
					}
				}
				if len(parts) == 0 {
					return fmt.Sprintf("(%d messages)", len(rows))
				}
				return fmt.Sprintf("(%d messages: %s)", len(rows), strings.Join(parts, ", "))
			})
		},
	}
	list.Flags().StringVar(&person, "person", "", "only messages to this person")
	list.Flags().StringVar(&inst, "institution", "", "only messages about this institution")
	list.Flags().StringVar(&status, "status", "", "only messages in this state: "+strings.Join(outboxStates, ", "))
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return list
}

func (a *app) outboxRetryCommand() *cobra.Command {
	var (
		as     string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "retry ID... --as SECRETARIAT-ID",
		Short: "Queue failed notifications again (secretariat)",
		Long: `retry queues a failed notification again, after its reason was fixed (a slack_user_id or
e-mail address in people.csv, a channel in ACCREDIT_SECRETARIAT_CHANNELS, the app invited
to a channel, a new bot token). The worker's dispatcher delivers it within seconds, and
first checks that it did not reach Slack already. A row that shares another's channel
message retries that message. Only a failed notification can be retried, by the
secretariat of its region (the national secretariat for any); the retry is in the audit
trail of the institution. No worker is needed.`,
		Example: `  starter outbox list --status failed
  starter outbox retry 'cycle/H-01/1~.../self-evaluation-1/self-evaluation/task/0/2027-01-04/P-001' --as P-131`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			actor, err := a.actor(as)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			var done []outboxRow
			for _, raw := range args {
				id := strings.TrimSpace(raw)
				m, err := st.Notification(ctx, id)
				if err != nil {
					return rejected("%s is not in the outbox: copy the ID from starter outbox list --status failed", id)
				}
				if m.Status != store.OutboxFailed {
					return rejected("notification %s is %s, not failed: only a failed notification can be retried", id, m.Status)
				}
				reach := registry.Reach{National: true}
				if m.Region != "" {
					reach = registry.Reach{Regions: []domain.Region{domain.Region(m.Region)}}
				}
				if _, err := registry.CheckSecretariat(ctx, st, actor, "retry a failed notification", reach); err != nil {
					return notAllowed(err)
				}
				now := a.now()
				before, err := st.RetryNotification(ctx, id, store.AuditEntry{
					ID: fmt.Sprintf("outbox-retry/%s/%d", id, now.UnixNano()), At: now, ActorID: actor,
					Action: "retry-notification", InstitutionID: m.InstitutionID, Cycle: m.Cycle, Step: m.Step,
					Details: fmt.Sprintf("queued notification %s to %s again", id, orDash(m.RecipientID)),
				})
				if err != nil {
					return err
				}
				done = append(done, newOutboxRow(before))
			}
			if asJSON {
				return a.printJSON(done)
			}
			for _, r := range done {
				fmt.Fprintf(a.stdout, "queued %s again (it had failed: %s); the worker's dispatcher delivers it\n", r.ID, orDash(r.LastError))
			}
			return nil
		},
	}
	addActorFlag(cmd, &as, "the secretariat")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the retried rows, as they were, as JSON")
	return cmd
}

// excerpt shortens text for a table cell, on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
