package scheduler

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracer is looked up at each span (a few a minute at most), so that it is the global provider
// of the moment.
func tracer() trace.Tracer { return otel.Tracer("github.com/mif-erp/erp/internal/scheduler") }

// startJobSpan starts the root span "job <name>" of one run of a job (its statements, e-mails and
// blob operations are its children); endJobSpan ends it with the run's outcome. With tracing off
// the span is OpenTelemetry's no-op one.
func startJobSpan(ctx context.Context, name string) (context.Context, trace.Span) {
	return tracer().Start(ctx, "job "+name, trace.WithNewRoot(), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("job.name", name)))
}

func endJobSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "job failed")
	}
	span.End()
}
