package config

import (
	"fmt"
	"io"
	"log/slog"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"
)

// ClientOptions are the Temporal client options for this configuration: the configured
// cluster (with its TLS and API key), or the embedded server on loopback.
func (c Config) ClientOptions(logger *slog.Logger) (client.Options, error) {
	profile := c.Temporal
	if c.Embedded() {
		profile = envconfig.ClientConfigProfile{Address: c.EmbeddedTemporalAddr}
	}
	profile.Namespace = c.Namespace()
	opts, err := profile.ToClientOptions(envconfig.ToClientOptionsRequest{})
	if err != nil {
		return client.Options{}, fmt.Errorf("temporal client settings: %w", err)
	}
	if logger != nil {
		opts.Logger = sdklog.NewStructuredLogger(logger)
	}
	return opts, nil
}

// NewLogger builds the process logger from LogLevel and LogFormat.
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	level, err := ParseLogLevel(c.LogLevel)
	if err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
