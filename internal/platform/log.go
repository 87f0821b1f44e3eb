package platform

import (
	"context"
	"io"
	"log/slog"

	"github.com/mif-erp/erp/internal/telemetry"
)

// NewLogger returns a JSON slog logger at the given level. A line logged with a context that
// holds a span (a traced request, a job) carries its trace_id and span_id (telemetry.Logger).
// When w buffers (a LogWriter), the lines at WARN and above are flushed as soon as written.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	var h slog.Handler = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	if f, ok := w.(flusher); ok {
		h = flushingHandler{Handler: h, w: f}
	}
	return telemetry.Logger(slog.New(h))
}

type flusher interface{ Flush() error }

// flushingHandler flushes its writer after each record at WARN and above.
type flushingHandler struct {
	slog.Handler
	w flusher
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithAttrs(attrs), w: h.w}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{Handler: h.Handler.WithGroup(name), w: h.w}
}
