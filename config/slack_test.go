package config

import (
	"strings"
	"testing"

	"github.com/kvalitetsmodel/accredit/domain"
)

func TestSlackIsOffByDefault(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t)})
	if cfg.Slack.Enabled() {
		t.Error("Slack is enabled without a token")
	}
	if h, m, on := cfg.Slack.DigestTime(); !on || h != 8 || m != 0 {
		t.Errorf("DigestTime = %d:%d %t, want 08:00 on", h, m, on)
	}
	if cfg.Slack.MessagesPerSecond != 4 || cfg.Slack.SlackAPIURL() != "https://slack.com/api/" {
		t.Errorf("Slack defaults = %+v", cfg.Slack)
	}
}

func TestSlackFromTheEnvironment(t *testing.T) {
	cfg := mustLoad(t, Source{Environ: hermetic(t,
		"ACCREDIT_SLACK_BOT_TOKEN=xoxb-1-2-abc",
		"ACCREDIT_SLACK_SIGNING_SECRET=8f742231b10e8888abcd99yyyzzz85a5",
		"ACCREDIT_SLACK_APP_TOKEN=xapp-1-A1-2-def",
		"ACCREDIT_SLACK_API_URL=http://127.0.0.1:9999/api",
		"ACCREDIT_SLACK_DIGEST_AT=7:30",
		"ACCREDIT_SLACK_MESSAGES_PER_SECOND=2",
		"ACCREDIT_SECRETARIAT_CHANNELS=hovedstaden:C0123,national:G0456",
	)})
	s := cfg.Slack
	if !s.Enabled() || s.AppToken != "xapp-1-A1-2-def" || s.SigningSecret == "" || s.MessagesPerSecond != 2 {
		t.Errorf("Slack = %+v", s)
	}
	if h, m, on := s.DigestTime(); !on || h != 7 || m != 30 {
		t.Errorf("DigestTime = %d:%d %t, want 07:30", h, m, on)
	}
	if got := s.SlackAPIURL(); got != "http://127.0.0.1:9999/api/" {
		t.Errorf("SlackAPIURL = %q, want a trailing slash added", got)
	}
	if cfg.SecretariatChannel(domain.Hovedstaden) != "C0123" || cfg.SecretariatChannel("") != "G0456" || cfg.SecretariatChannel(domain.Sjaelland) != "" {
		t.Errorf("SecretariatChannel: %v", cfg.SecretariatChannels)
	}
	off := mustLoad(t, Source{Environ: hermetic(t, "ACCREDIT_SLACK_DIGEST_AT=off")})
	if _, _, on := off.Slack.DigestTime(); on {
		t.Error("ACCREDIT_SLACK_DIGEST_AT=off left the digest on")
	}
}

func TestSlackBadValuesAreNamed(t *testing.T) {
	for _, c := range []struct {
		env  string
		want []string
	}{
		{"ACCREDIT_SLACK_BOT_TOKEN=xoxp-user", []string{"ACCREDIT_SLACK_BOT_TOKEN is not a bot token", "xoxb-"}},
		{"ACCREDIT_SLACK_APP_TOKEN=xoxb-1", []string{"ACCREDIT_SLACK_APP_TOKEN is not an app-level token", "xapp-"}},
		{"ACCREDIT_SLACK_SIGNING_SECRET=ab cd", []string{"ACCREDIT_SLACK_SIGNING_SECRET contains white space"}},
		{"ACCREDIT_SLACK_API_URL=slack.com", []string{`ACCREDIT_SLACK_API_URL "slack.com" is malformed`}},
		{"ACCREDIT_SLACK_DIGEST_AT=25:00", []string{`ACCREDIT_SLACK_DIGEST_AT "25:00"`, "HH:MM"}},
		{"ACCREDIT_SLACK_DIGEST_AT=+8:00", []string{`ACCREDIT_SLACK_DIGEST_AT "+8:00"`}},
		{"ACCREDIT_SLACK_MESSAGES_PER_SECOND=0", []string{"ACCREDIT_SLACK_MESSAGES_PER_SECOND must be from 1 to 100, got 0"}},
		{"ACCREDIT_SECRETARIAT_CHANNELS=hovedstaden:#sekretariat", []string{"the channel of hovedstaden is \"#sekretariat\", not a Slack channel ID", "C0123ABCD"}},
		{"ACCREDIT_SECRETARIAT_CHANNELS=landet:C1", []string{`unknown region "landet"`, `"national" for the national secretariat`}},
	} {
		t.Run(c.env, func(t *testing.T) {
			_, err := Load(Source{Environ: hermetic(t, c.env)})
			msg := problems(t, err, 1)
			assertContains(t, msg, c.want...)
			if strings.Contains(msg, "xoxp-user") {
				t.Errorf("the message repeats a secret: %s", msg)
			}
		})
	}
}
