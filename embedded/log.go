package embedded

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// temporalLogger adapts slog to the server's logger interface. The server is chatty at info
// level, so messages below minLevel are dropped.
type temporalLogger struct {
	log      *slog.Logger
	minLevel *slog.LevelVar
}

func newTemporalLogger(l *slog.Logger, minLevel *slog.LevelVar) log.Logger {
	return &temporalLogger{log: l, minLevel: minLevel}
}

func (l *temporalLogger) write(level slog.Level, msg string, tags []tag.Tag) {
	if level < l.minLevel.Level() || !l.log.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(tags))
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	l.log.LogAttrs(context.Background(), level, msg, attrs...)
}

func (l *temporalLogger) Debug(msg string, tags ...tag.Tag)  { l.write(slog.LevelDebug, msg, tags) }
func (l *temporalLogger) Info(msg string, tags ...tag.Tag)   { l.write(slog.LevelInfo, msg, tags) }
func (l *temporalLogger) Warn(msg string, tags ...tag.Tag)   { l.write(slog.LevelWarn, msg, tags) }
func (l *temporalLogger) Error(msg string, tags ...tag.Tag)  { l.write(slog.LevelError, msg, tags) }
func (l *temporalLogger) DPanic(msg string, tags ...tag.Tag) { l.write(slog.LevelError, msg, tags) }
func (l *temporalLogger) Panic(msg string, tags ...tag.Tag) {
	l.write(slog.LevelError, msg, tags)
	panic(msg)
}
func (l *temporalLogger) Fatal(msg string, tags ...tag.Tag) {
	l.write(slog.LevelError, msg, tags)
	panic(msg)
}
