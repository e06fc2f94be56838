package notify_test

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
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
	} {
		if !slices.Contains(m.OAuth.Scopes.Bot, scope) {
			t.Errorf("the manifest lacks the bot scope %s (for %s)", scope, use)
		}
	}
	if !m.Features.AppHome.HomeTab || !m.Settings.Interactivity.Enabled || m.Settings.Interactivity.RequestURL == "" || m.Settings.SocketMode == nil {
		t.Errorf("the manifest lacks the App Home, interactivity or the Socket Mode switch: %+v", m)
	}
}
