package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kvalitetsmodel/accredit/config"
	"github.com/kvalitetsmodel/accredit/store"
)

// NewSlackClient is the Slack Web API client of a configuration, or nil when no bot token is
// set. It does not retry by itself: the dispatcher decides what a 429 or a 500 means for
// the row it was delivering.
func NewSlackClient(cfg config.Config) *slack.Client {
	if !cfg.Slack.Enabled() {
		return nil
	}
	return slack.New(cfg.Slack.BotToken,
		slack.OptionAPIURL(cfg.Slack.SlackAPIURL()),
		// Well inside a row's lease, so a post never outlives the lease it was made under.
		slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second}))
}

// permanentErrors are the Slack errors that another attempt cannot cure: the row fails with
// the reason, and the secretariat is told. Everything else (5xx, network errors,
// internal_error, ...) is transient and retried with back-off.
var permanentErrors = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "no_permission": true, "missing_scope": true, "not_allowed_token_type": true,
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "restricted_action": true,
	"user_not_found": true, "users_not_found": true, "user_disabled": true, "cannot_dm_bot": true,
	"messages_tab_disabled": true, "invalid_blocks": true, "invalid_metadata_format": true,
	"invalid_metadata_schema": true, "msg_too_long": true, "no_text": true, "too_many_attachments": true,
	// errors of our own making before Slack is asked
	"recipient_unknown": true, "no_address": true,
}

// updateGone are the errors of chat.update that mean the message cannot be updated any more.
var updateGone = map[string]bool{
	"message_not_found": true, "cant_update_message": true, "edit_window_closed": true,
	"channel_not_found": true, "is_archived": true, "not_in_channel": true,
}

// permanentError is a delivery that cannot succeed until someone changes something.
type permanentError struct {
	code   string
	detail string
}

func (e *permanentError) Error() string {
	if e.detail == "" {
		return e.code
	}
	return e.code + ": " + e.detail
}

// classify sorts a Slack call's error: a rate limit (with the pause Slack asked for), a
// permanent failure (with its Slack error code), or, when both are false, a transient one.
func classify(err error) (retryAfter time.Duration, limited bool, permanent *permanentError) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, time.Second), true, nil
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		return 0, false, pe
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if se.Err == "ratelimited" {
			return time.Minute, true, nil
		}
		if permanentErrors[se.Err] {
			detail := ""
			if se.Needed != "" {
				detail = "needs scope " + se.Needed
			}
			return 0, false, &permanentError{code: se.Err, detail: detail}
		}
	}
	return 0, false, nil
}

// slackAPI is what the dispatcher does in Slack.
type slackAPI struct {
	client *slack.Client
	st     *store.Store
	mu     sync.Mutex
	// ims caches the direct-message conversation of each Slack user.
	ims map[string]string
}

// userID is the person's Slack member ID: the one in people.csv, else the one found earlier
// for their current e-mail address, else one looked up now by e-mail and kept in the store.
func (s *slackAPI) userID(ctx context.Context, p store.Person) (string, error) {
	if p.SlackUserID != "" {
		return p.SlackUserID, nil
	}
	found, forEmail, err := s.st.SlackFound(ctx, p.ID)
	if err != nil {
		return "", err
	}
	if found != "" && strings.EqualFold(forEmail, p.Email) {
		return found, nil
	}
	if strings.TrimSpace(p.Email) == "" {
		return "", &permanentError{code: "no_address", detail: p.ID + " has neither a slack_user_id nor an e-mail address"}
	}
	u, err := s.client.GetUserByEmailContext(ctx, p.Email)
	if err != nil {
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && (se.Err == "users_not_found" || se.Err == "user_not_found") {
			return "", &permanentError{code: "user_not_found", detail: "no Slack user has the e-mail address " + p.Email}
		}
		return "", err
	}
	if u.Deleted {
		return "", &permanentError{code: "account_inactive", detail: "the Slack user " + u.ID + " of " + p.Email + " is deactivated"}
	}
	if err := s.st.SetSlackFound(ctx, p.ID, u.ID, p.Email); err != nil {
		return "", err
	}
	return u.ID, nil
}

// directChannel is the direct-message conversation with a Slack user (conversations.open,
// which returns the same one every time).
func (s *slackAPI) directChannel(ctx context.Context, user string) (string, error) {
	s.mu.Lock()
	ch, ok := s.ims[user]
	s.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := s.client.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.ims[user] = c.ID
	s.mu.Unlock()
	return c.ID, nil
}

// historyPages bounds the search for an earlier post: 10 pages of 200 messages since the row
// was queued.
const historyPages = 10

// findPosted looks in a conversation for the message carrying key in its metadata, posted
// since the row was queued, and returns its ts.
func (s *slackAPI) findPosted(ctx context.Context, channel, key string, since time.Time) (string, bool, error) {
	params := &slack.GetConversationHistoryParameters{
		ChannelID: channel, IncludeAllMetadata: true, Limit: 200,
		// A minute early, for clocks that disagree.
		Oldest: strconv.FormatInt(since.Add(-time.Minute).Unix(), 10) + ".000000",
	}
	for range historyPages {
		resp, err := s.client.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, err
		}
		for _, m := range resp.Messages {
			if m.Metadata.EventType == MetadataEventType && fmt.Sprint(m.Metadata.EventPayload["key"]) == key {
				return m.Timestamp, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}
