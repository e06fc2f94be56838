package slackapp

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kvalitetsmodel/accredit/domain"
	"github.com/kvalitetsmodel/accredit/notify"
	"github.com/kvalitetsmodel/accredit/store"
)

// The modals the buttons open. Each carries its message's outbox row in its private metadata;
// the submission is authorised again by who submits it.

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// declineModal asks why the invitation is declined; the reason's limit is the validator's
// (domain.MaxReasonLength), as in the starter and the web app.
func declineModal(row store.OutboxMessage, c notify.Content) slack.ModalViewRequest {
	input := slack.NewPlainTextInputBlockElement(plain("Fx: inhabil, ferie i perioden, for mange besøg i år"), notify.ElementReason)
	input.Multiline = true
	input.MaxLength = domain.MaxReasonLength
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: notify.ViewDeclineInvitation, PrivateMetadata: row.ID,
		Title: plain("Sig nej til teamet"), Submit: plain("Sig nej"), Close: plain("Fortryd"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(fmt.Sprintf("Du er inviteret til teamet, der akkrediterer *%s* (cyklus %d). "+
				"Skriv kort, hvorfor du siger nej, så sekretariatet kan planlægge.", escaper.Replace(orID(c.Institution, row.InstitutionID)), row.Cycle)), nil, nil),
			slack.NewInputBlock(notify.BlockReason, plain("Hvorfor siger du nej?"), nil, input),
		}},
	}
}

// dateModal asks the lead for the date of the visit or the revisit.
func dateModal(row store.OutboxMessage, c notify.Content) slack.ModalViewRequest {
	what, title := "besøget", "Datoen for besøget"
	if notify.StepKind(c.Step) == "revisit-date" {
		what, title = "genbesøget", "Datoen for genbesøget"
	}
	picker := slack.NewDatePickerBlockElement(notify.ElementDate)
	picker.Placeholder = plain("Vælg en dato")
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: notify.ViewSetVisitDate, PrivateMetadata: row.ID,
		Title: plain(title), Submit: plain("Sæt datoen"), Close: plain("Fortryd"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(fmt.Sprintf("Den dag, du har aftalt med *%s* (cyklus %d). Teamet og institutionens leder får en kalenderinvitation, "+
				"og varslingsperioden gælder: er datoen for tæt på, siger akkrediteringen hvilken dato der tidligst kan vælges.",
				escaper.Replace(orID(c.Institution, row.InstitutionID)), row.Cycle)), nil, nil),
			slack.NewInputBlock(notify.BlockDate, plain("Dato for "+what), nil, picker),
		}},
	}
}
