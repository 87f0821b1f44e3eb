package platform

import (
	"io"
	"log/slog"

	"github.com/mif-erp/erp/internal/telemetry"
)

// NewLogger returns a JSON slog logger at the given level. A line logged with a context that
// holds a span (a traced request, a job) carries its trace_id and span_id (telemetry.Logger).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return telemetry.Logger(slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}
