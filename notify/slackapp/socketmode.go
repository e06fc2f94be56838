package slackapp

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// SocketMode reports whether the worker takes Slack's requests over Socket Mode: the app has
// an app-level token (ACCREDIT_SLACK_APP_TOKEN) besides its bot token.
func (a *App) SocketMode() bool { return a.api != nil && a.cfg.Slack.AppToken != "" }

// RunSocketMode takes the app's clicks and events over a Socket Mode connection, which the
// worker opens to Slack, instead of Slack calling /slack/interactivity and /slack/events; it
// reconnects by itself and returns when ctx ends. Without an app-level token it returns at
// once: requests come over HTTP. Every worker process may run it; Slack gives each request to
// one connection.
func (a *App) RunSocketMode(ctx context.Context) error {
	if !a.SocketMode() {
		switch {
		case a.api == nil:
		case a.cfg.Slack.SigningSecret == "":
			a.log.Warn("Slack's clicks cannot be taken: set ACCREDIT_SLACK_SIGNING_SECRET (interactivity over HTTP) or ACCREDIT_SLACK_APP_TOKEN (Socket Mode); see README.md, Slack")
		default:
			a.log.Info("Slack interactivity over HTTP", "interactivity", PathInteractivity, "events", PathEvents)
		}
		return nil
	}
	api := slack.New(a.cfg.Slack.BotToken, slack.OptionAPIURL(a.cfg.Slack.SlackAPIURL()),
		slack.OptionAppLevelToken(a.cfg.Slack.AppToken))
	client := socketmode.New(api)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-client.Events:
				if !ok {
					return
				}
				// A modal's submission waits for the workflow: one request does not hold up the next.
				a.bg.Go(func() { a.socketEvent(ctx, client, evt) })
			}
		}
	}()
	a.log.Info("Slack interactivity over Socket Mode (ACCREDIT_SLACK_APP_TOKEN)")
	err := client.RunContext(ctx)
	<-done
	a.Wait()
	if ctx.Err() != nil {
		return nil
	}
	a.log.Error("Socket Mode stopped: Slack's clicks are not taken until the worker restarts", "error", err)
	return err
}

// socketEvent answers one request of the Socket Mode connection.
func (a *App) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("Socket Mode connected to Slack")
	case socketmode.EventTypeConnectionError:
		a.log.Warn("Socket Mode: the connection to Slack failed; reconnecting", "error", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("Socket Mode: Slack refused ACCREDIT_SLACK_APP_TOKEN (an app-level token with connections:write); clicks are not taken until it is fixed")
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if resp := a.Interact(ctx, cb); resp != nil {
			_ = client.Ack(*evt.Request, resp)
		} else {
			_ = client.Ack(*evt.Request)
		}
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if evt.Request != nil {
			_ = client.Ack(*evt.Request)
		}
		if ok {
			a.Event(ev)
		}
	}
}
