package notify_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kvalitetsmodel/accredit/notify/slackapp"
)

// TestManifestGrantsWhatDeliveryUses: the app created from deploy/slack-manifest.yaml may call
// every method the dispatcher calls, and has the interactivity and App Home the service offers.
func TestManifestGrantsWhatDeliveryUses(t *testing.T) {
	data, err := os.ReadFile("../deploy/slack-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			AppHome struct {
				HomeTab bool `yaml:"home_tab_enabled"`
			} `yaml:"app_home"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Interactivity struct {
				Enabled    bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode *bool `yaml:"socket_mode_enabled"`
			Events     struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatalf("the manifest is not YAML: %v", err)
	}
	for scope, use := range map[string]string{
		"chat:write":            "chat.postMessage, chat.update",
		"im:write":              "conversations.open",
		"users:read.email":      "users.lookupByEmail",
		"im:history":            "conversations.history of direct messages",
		"channels:history":      "conversations.history of the secretariat channels",
		"metadata.message:read": "the messages' metadata",
		"files:write":           "files.getUploadURLExternal, files.completeUploadExternal (the visits' .ics)",
		"users:read":            "users.info (who clicked)",
	} {
		if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
			t.Errorf("the manifest lacks the bot scope %s (for %s)", scope, use)
		}
	}
	if !m.Features.AppHome.HomeTab || !m.Settings.Interactivity.Enabled || m.Settings.Interactivity.RequestURL == "" || m.Settings.SocketMode == nil {
		t.Errorf("the manifest lacks the App Home, interactivity or the Socket Mode switch: %+v", m)
	}
	// The request URLs are the paths the Slack app serves.
	if !strings.HasSuffix(m.Settings.Interactivity.RequestURL, slackapp.PathInteractivity) ||
		!strings.HasSuffix(m.Settings.Events.RequestURL, slackapp.PathEvents) || !slices.Contains(m.Settings.Events.BotEvents, "app_home_opened") {
		t.Errorf("the manifest's request URLs %q and %q (events %v) are not the app's %s and %s with app_home_opened",
			m.Settings.Interactivity.RequestURL, m.Settings.Events.RequestURL, m.Settings.Events.BotEvents, slackapp.PathInteractivity, slackapp.PathEvents)
	}
}
