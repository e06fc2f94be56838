package notify

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/store"
)

// Action and block IDs of the messages' interactive parts: the one place that names them, for
// the messages rendered here and for whatever handles the clicks (package notify/slackapp).
// Every button's value is the outbox row's ID, so a click names its message, and so its
// institution and step; who may act is decided by who clicked, never by the value.
const (
	// BlockActions is the block holding a task's buttons; a superseded message has none.
	BlockActions = "accredit_actions"
	// ActionOpenTask opens the step's page in the web app (a link button).
	ActionOpenTask = "accredit_open_task"
	// ActionOpenOverview opens the list of overdue steps (a digest's link button).
	ActionOpenOverview = "accredit_open_overview"
	// ActionOpenHomeTask opens a task's page from the App Home tab (a link button).
	ActionOpenHomeTask = "accredit_home_open_task"

	// ActionAcceptInvitation accepts the invitation to a seat on the team.
	ActionAcceptInvitation = "accredit_accept_invitation"
	// ActionDeclineInvitation opens the modal that asks why the invitation is declined.
	ActionDeclineInvitation = "accredit_decline_invitation"
	// ActionSetVisitDate opens the modal with a date picker for the visit's date (the lead).
	ActionSetVisitDate = "accredit_set_visit_date"
	// ActionRecordVisit records that the visit took place (the lead, on the day or after).
	ActionRecordVisit = "accredit_record_visit"
)

// The modals opened from the buttons: their callback IDs, and the input blocks and elements
// whose values their submissions carry. A modal's private metadata is the outbox row's ID.
const (
	// ViewDeclineInvitation asks for the reason an invitation is declined.
	ViewDeclineInvitation = "accredit_decline_invitation"
	// ViewSetVisitDate asks for the date of the visit or the revisit.
	ViewSetVisitDate = "accredit_set_visit_date"
	// BlockReason and ElementReason are the decline modal's text input.
	BlockReason   = "accredit_reason"
	ElementReason = "reason"
	// BlockDate and ElementDate are the visit-date modal's date picker.
	BlockDate   = "accredit_date"
	ElementDate = "date"
)

// MetadataEventType is the event type of the Slack message metadata every message carries;
// its payload's "key" is the outbox row's ID, which is how a dispatcher finds a message it
// may already have posted.
const MetadataEventType = "accredit_notification"

// Slack's limits on Block Kit (api.slack.com/reference/block-kit/blocks).
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxBlocks      = 50
)

// metadata is the Slack message metadata of an outbox row.
func metadata(rowID string) slack.SlackMetadata {
	return slack.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"key": rowID}}
}

// supersededNote says, in Danish, why a message's buttons were removed.
func supersededNote(reason string, due domain.Date) string {
	switch reason {
	case "done":
		return "✅ Opgaven er udført."
	case "waived":
		return "Trinnet er frafaldet af sekretariatet."
	case "withdrawn":
		return "Opgaven er trukket tilbage."
	case "expired":
		return "Fristen er udløbet uden svar."
	case "closed":
		return "Trinnet er lukket."
	case "extended":
		if !due.IsZero() {
			return fmt.Sprintf("Fristen er flyttet (til %s): se den nyeste besked.", due)
		}
		return "Fristen er flyttet: se den nyeste besked."
	case "handed-over":
		return "Opgaven er givet videre til en anden."
	}
	return "Beskeden er forældet: " + reason + "."
}

// render turns a row into the fallback text and the Block Kit blocks of its Slack message.
// today is the step's current date on its cycle's calendar (for "days left"); superseded, when
// set, renders the message without buttons and with the reason it went out of date; newDue is
// the step's current due date, for an extension.
func render(row store.OutboxMessage, today domain.Date, superseded string, newDue domain.Date) (string, []slack.Block) {
	c, ok := decodeContent(row.Content)
	if !ok {
		return renderPlain(row, superseded, newDue)
	}
	text := Subject(c)
	var blocks []slack.Block
	switch c.Kind {
	case KindDigest:
		blocks = renderDigest(c)
	case KindDeliveryFailure:
		blocks = renderFailure(c)
	default:
		blocks = renderStep(row, c, today)
	}
	if superseded != "" {
		blocks = withoutActions(blocks)
		note := supersededNote(superseded, newDue)
		blocks = append(blocks, slack.NewContextBlock("accredit_superseded", mrkdwn(note)))
		text = note + " " + text
	}
	return text, blocks
}

// header is the message's title.
func header(c Content) string {
	switch c.Kind {
	case KindTask:
		return "Ny opgave: " + c.Title
	case KindReminder:
		return "Påmindelse: " + c.Title
	case KindEscalation:
		return fmt.Sprintf("Eskalering (niveau %d): %s", c.Level, c.Title)
	case KindExtended:
		return "Fristen er forlænget: " + c.Title
	case KindWithdrawn:
		return "Opgaven er trukket tilbage: " + c.Title
	}
	return c.Title
}

// renderStep is a message about one step: what, where, by when, how late, and a link to act.
func renderStep(row store.OutboxMessage, c Content, today domain.Date) []slack.Block {
	if today.IsZero() {
		today = c.On
	}
	fields := []*slack.TextBlockObject{
		mrkdwn("*Trin*\n" + escape(c.Title)),
		mrkdwn(fmt.Sprintf("*Institution*\n%s (%s)", escape(c.Institution), escape(c.InstitutionID))),
	}
	if !c.Due.IsZero() && c.Kind != KindWithdrawn {
		fields = append(fields, mrkdwn("*Frist*\n"+c.Due.String()), mrkdwn("*Status*\n"+daysLeft(c.Due, today)))
	}
	if c.Cycle > 0 {
		fields = append(fields, mrkdwn(fmt.Sprintf("*Cyklus*\n%d", c.Cycle)))
	}
	if c.Region != "" {
		fields = append(fields, mrkdwn("*Region*\n"+escape(c.Region.Name())))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(header(c))),
		slack.NewSectionBlock(nil, fields, nil),
	}
	if c.Text != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(clip(escape(c.Text), maxSectionText)), nil, nil))
	}
	if c.Link != "" && c.Kind != KindWithdrawn {
		blocks = append(blocks, slack.NewActionBlock(BlockActions, actionsFor(row, c)...))
	}
	return blocks
}

// StepKind is the kind of a step key: "invitation" for "invitation/lead/1".
func StepKind(step string) string {
	kind, _, _ := strings.Cut(step, "/")
	return kind
}

// actionsFor is the buttons of a message about a step: in a person's own direct messages,
// those that act from Slack (accept or decline an invitation, choose the visit's date,
// record that the visit took place), and always a link to the step's page in the web app,
// named for what is done there (the self-evaluation, the comments on the report).
func actionsFor(row store.OutboxMessage, c Content) []slack.BlockElement {
	var acts []slack.BlockElement
	if row.Channel == RouteDM || row.Channel == "" {
		switch StepKind(c.Step) {
		case "invitation":
			acts = append(acts,
				slack.NewButtonBlockElement(ActionAcceptInvitation, row.ID, plain("Sig ja")).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement(ActionDeclineInvitation, row.ID, plain("Sig nej …")))
		case "visit-date", "revisit-date":
			acts = append(acts, slack.NewButtonBlockElement(ActionSetVisitDate, row.ID, plain("Vælg datoen …")).
				WithStyle(slack.StylePrimary))
		case "visit", "revisit":
			what := "besøget"
			if StepKind(c.Step) == "revisit" {
				what = "genbesøget"
			}
			confirm := slack.NewConfirmationBlockObject(plain("Registrér "+what), mrkdwn(fmt.Sprintf(
				"Har %s hos %s fundet sted? Det kan ikke gøres om.", what, escape(c.Institution))), plain("Ja, det har"), plain("Annullér"))
			acts = append(acts, slack.NewButtonBlockElement(ActionRecordVisit, row.ID, plain("Registrér at "+what+" har fundet sted")).
				WithStyle(slack.StylePrimary).WithConfirm(confirm))
		}
	}
	label := "Åbn opgaven"
	switch StepKind(c.Step) {
	case "self-evaluation":
		label = "Udfyld selvevalueringen"
	case "hearing":
		label = "Kommentér rapporten"
	case "action-plan":
		label = "Udfyld handleplanen"
	}
	open := slack.NewButtonBlockElement(ActionOpenTask, row.ID, plain(label)).WithURL(c.Link)
	if len(acts) == 0 && (c.Kind == KindTask || c.Kind == KindEscalation) {
		open = open.WithStyle(slack.StylePrimary)
	}
	return append(acts, open)
}

// daysLeft says how the due date stands on today.
func daysLeft(due, today domain.Date) string {
	switch n := due.DaysSince(today); {
	case n > 1:
		return fmt.Sprintf("%d dage tilbage", n)
	case n == 1:
		return "1 dag tilbage"
	case n == 0:
		return "Fristen er i dag"
	case n == -1:
		return ":warning: Overskredet med 1 dag"
	default:
		return fmt.Sprintf(":warning: Overskredet med %d dage", -n)
	}
}

// renderDigest lists overdue steps, as many as Slack's limits allow.
func renderDigest(c Content) []slack.Block {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Overskredne frister %s – %s", regionName(c.Region), c.On))),
		slack.NewContextBlock("", mrkdwn(fmt.Sprintf("%d trin er over fristen. Listen kommer hver arbejdsdag; de enkelte eskaleringer fra niveau 3 står kun her.",
			len(c.Digest)+c.More))),
	}
	var section strings.Builder
	flush := func() {
		if section.Len() > 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(section.String()), nil, nil))
			section.Reset()
		}
	}
	more := c.More
	for i, l := range c.Digest {
		holder := "ingen"
		if l.HolderID != "" {
			holder = escape(l.Holder)
			if holder == "" {
				holder = escape(l.HolderID)
			}
		}
		title := escape(l.Title)
		if l.Link != "" {
			title = fmt.Sprintf("<%s|%s>", l.Link, title)
		}
		where := ""
		if c.Region == "" && l.Region != "" {
			where = ", " + escape(l.Region.Name())
		}
		line := fmt.Sprintf("• *%s* (%s%s) – %s – %s – *%d dage* over fristen %s\n",
			escape(l.Institution), escape(l.InstitutionID), where, title, holder, l.DaysOverdue, l.Due)
		if section.Len()+len(line) > maxSectionText {
			flush()
		}
		if len(blocks) >= maxBlocks-3 {
			more += len(c.Digest) - i
			break
		}
		section.WriteString(line)
	}
	flush()
	if more > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("… og %d trin mere.", more))))
	}
	if c.Link != "" {
		blocks = append(blocks, slack.NewActionBlock(BlockActions,
			slack.NewButtonBlockElement(ActionOpenOverview, "overdue", plain("Se alle overskredne trin")).WithURL(c.Link)))
	}
	return blocks
}

// renderFailure tells the secretariat which message did not arrive, why, and what to do.
func renderFailure(c Content) []slack.Block {
	f := c.Failed
	if f == nil {
		f = &FailedMessage{}
	}
	who := escape(f.Recipient)
	if f.Name != "" {
		who = fmt.Sprintf("%s (%s)", escape(f.Name), escape(f.Recipient))
	}
	text := fmt.Sprintf("Beskeden til %s kunne ikke leveres i Slack, og den prøves ikke igen af sig selv.\n>%s\n*Årsag:* `%s`\n%s\nNår det er rettet: `starter outbox retry %s --as DIT-ID`",
		who, escape(f.Subject), escape(f.Reason), escape(remedy(f.Reason)), escape(f.ID))
	return []slack.Block{
		slack.NewHeaderBlock(plain("En besked kunne ikke leveres")),
		slack.NewSectionBlock(mrkdwn(clip(text, maxSectionText)), nil, nil),
	}
}

// remedy says what to do about a permanent Slack error.
func remedy(reason string) string {
	code, _, _ := strings.Cut(reason, ":")
	switch code {
	case "user_not_found", "users_not_found":
		return "Ingen i Slack har personens e-mailadresse: ret e-mail, eller angiv slack_user_id i people.csv, og importér igen."
	case "account_inactive", "user_disabled":
		return "Personens Slack-konto er deaktiveret: giv opgaven til en anden, eller ret slack_user_id i people.csv."
	case "channel_not_found", "not_in_channel", "is_archived":
		return "Kanalen findes ikke, er arkiveret, eller appen er ikke inviteret: ret ACCREDIT_SECRETARIAT_CHANNELS, eller /invite appen i kanalen."
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive_token":
		return "Appens token virker ikke: sæt et gyldigt ACCREDIT_SLACK_BOT_TOKEN og genstart workeren."
	case "missing_scope":
		return "Appen mangler en tilladelse: installér den igen fra deploy/slack-manifest.yaml."
	case "recipient_unknown":
		return "Modtageren er ikke længere i registret."
	}
	return "Ret årsagen, og prøv igen."
}

// renderPlain renders a row queued by a version without content: its body, and its link.
func renderPlain(row store.OutboxMessage, superseded string, newDue domain.Date) (string, []slack.Block) {
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(clip(escape(row.Body), maxSectionText)), nil, nil)}
	text := row.Subject
	if superseded != "" {
		note := supersededNote(superseded, newDue)
		blocks = append(blocks, slack.NewContextBlock("accredit_superseded", mrkdwn(note)))
		text = note + " " + text
	} else if row.Link != "" {
		blocks = append(blocks, slack.NewActionBlock(BlockActions,
			slack.NewButtonBlockElement(ActionOpenTask, row.ID, plain("Åbn opgaven")).WithURL(row.Link)))
	}
	return text, blocks
}

// withoutActions drops the buttons of a message.
func withoutActions(blocks []slack.Block) []slack.Block {
	out := blocks[:0:0]
	for _, b := range blocks {
		if a, ok := b.(*slack.ActionBlock); ok && a.BlockID == BlockActions {
			continue
		}
		out = append(out, b)
	}
	return out
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, clip(s, maxHeader), true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// escape keeps what people wrote from being read as Slack markup (links, mentions).
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return escaper.Replace(s) }

// clip shortens s to at most n characters (runes), marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
