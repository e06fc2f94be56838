package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/kvalitetsmodel/accredit/domain"
)

// NationalChannel is the key of ACCREDIT_SECRETARIAT_CHANNELS that names the national
// secretariat's channel; every other key is a region.
const NationalChannel = "national"

// Slack is the Slack app that delivers notifications (issue 10; deploy/slack-manifest.yaml
// creates it). Without a bot token every notification is written to the log and kept in the
// outbox, so nothing is lost and nothing reaches Slack.
type Slack struct {
	// BotToken is the app's bot token (xoxb-...), from "OAuth & Permissions".
	BotToken string `yaml:"bot_token" env:"BOT_TOKEN"`
	// SigningSecret verifies the requests Slack sends to the interactivity URL ("Basic
	// Information", App Credentials).
	SigningSecret string `yaml:"signing_secret" env:"SIGNING_SECRET"`
	// AppToken (xapp-..., scope connections:write) is for Socket Mode, when the service has no
	// public URL for Slack to call; optional.
	AppToken string `yaml:"app_token" env:"APP_TOKEN"`
	// APIURL replaces https://slack.com/api/ (a test server, a proxy); empty means Slack's own.
	APIURL string `yaml:"api_url" env:"API_URL"`
	// DigestAt is the time of day (HH:MM, Danish time) from which each working day's digest
	// of overdue steps is posted to the secretariat channels; "off" posts none, and then every
	// escalation reaches the channels as its own message.
	DigestAt string `yaml:"digest_at" env:"DIGEST_AT"`
	// MessagesPerSecond is the most messages a dispatcher posts or updates a second. Slack
	// allows about one a second per conversation, with short bursts, and a few hundred a
	// minute for a workspace; every worker process runs its own dispatcher.
	MessagesPerSecond int `yaml:"messages_per_second" env:"MESSAGES_PER_SECOND"`
}

// DefaultSlack is Slack switched off (no token), with the digest at eight in the morning.
func DefaultSlack() Slack {
	return Slack{DigestAt: "08:00", MessagesPerSecond: 4}
}

// Enabled reports whether notifications are delivered to Slack (a bot token is set).
func (s Slack) Enabled() bool { return s.BotToken != "" }

// DigestTime is the time of day of the digest, and false when the digest is off.
func (s Slack) DigestTime() (hour, minute int, on bool) {
	h, m, err := parseTimeOfDay(s.DigestAt)
	if err != nil || strings.EqualFold(strings.TrimSpace(s.DigestAt), "off") {
		return 0, 0, false
	}
	return h, m, true
}

// SecretariatChannel is the channel ID of a region's secretariat, or of the national
// secretariat for the empty region; "" when none is configured.
func (c Config) SecretariatChannel(region domain.Region) string {
	if region == "" {
		return c.SecretariatChannels[NationalChannel]
	}
	return c.SecretariatChannels[string(region)]
}

// channelID is a Slack conversation ID: C (public) or G (private) and capitals and digits.
var channelID = regexp.MustCompile(`^[CG][A-Z0-9]+$`)

func (c *Config) validateSlack() []error {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	for key, channel := range c.SecretariatChannels {
		if key != NationalChannel {
			if _, err := domain.ParseRegion(key); err != nil {
				add("ACCREDIT_SECRETARIAT_CHANNELS: %v, or %q for the national secretariat", err, NationalChannel)
				continue
			}
		}
		if !channelID.MatchString(channel) {
			add("ACCREDIT_SECRETARIAT_CHANNELS: the channel of %s is %q, not a Slack channel ID: give the ID (C or G and capitals and digits, "+
				"e.g. C0123ABCD: in Slack, the channel's details, at the bottom), not its name", key, shortened(channel))
		}
	}
	s := c.Slack
	if s.BotToken != "" && !strings.HasPrefix(s.BotToken, "xoxb-") {
		add("ACCREDIT_SLACK_BOT_TOKEN is not a bot token: it starts with xoxb- (OAuth & Permissions, Bot User OAuth Token); a user (xoxp-) or app-level (xapp-) token does not belong here")
	}
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		add("ACCREDIT_SLACK_APP_TOKEN is not an app-level token: it starts with xapp- (Basic Information, App-Level Tokens, scope connections:write)")
	}
	if strings.ContainsAny(s.SigningSecret, " \t\r\n") {
		add("ACCREDIT_SLACK_SIGNING_SECRET contains white space: copy it again from Basic Information, App Credentials")
	}
	if s.APIURL != "" {
		if err := checkBaseURL(s.APIURL); err != nil {
			add("ACCREDIT_SLACK_API_URL %q is malformed: %v (leave it empty for https://slack.com/api/)", s.APIURL, err)
		}
	}
	if !strings.EqualFold(strings.TrimSpace(s.DigestAt), "off") {
		if _, _, err := parseTimeOfDay(s.DigestAt); err != nil {
			add("ACCREDIT_SLACK_DIGEST_AT %q: %v (give HH:MM in Danish time, e.g. 08:00, or off)", s.DigestAt, err)
		}
	}
	if s.MessagesPerSecond < 1 || s.MessagesPerSecond > 100 {
		add("ACCREDIT_SLACK_MESSAGES_PER_SECOND must be from 1 to 100, got %d (Slack allows about one message a second per conversation)", s.MessagesPerSecond)
	}
	return problems
}

// parseTimeOfDay reads HH:MM on a 24-hour clock.
func parseTimeOfDay(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 || strings.Trim(h+m, "0123456789") != "" {
		return 0, 0, errors.New("not a time of day")
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, errors.New("not a time of day")
	}
	return hour, minute, nil
}

// shortened keeps a quoted setting readable in an error message.
func shortened(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// SlackAPIURL is the Slack Web API's base URL, ending in a slash as the client expects.
func (s Slack) SlackAPIURL() string {
	if s.APIURL == "" {
		return "https://slack.com/api/"
	}
	u, err := url.Parse(s.APIURL)
	if err != nil || strings.HasSuffix(u.Path, "/") {
		return s.APIURL
	}
	return s.APIURL + "/"
}
