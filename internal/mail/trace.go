package mail

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracer is looked up at each span (a few a minute at most), so that it is the global provider
// of the moment.
func tracer() trace.Tracer { return otel.Tracer("github.com/mif-erp/erp/internal/mail") }

// Traced returns s sending each e-mail in a span "email.send" (under the delivery job's span),
// with the number of attachments and the error of a refused e-mail. With tracing off the span is
// OpenTelemetry's no-op one.
func Traced(s Sender) Sender { return tracedSender{s} }

type tracedSender struct{ next Sender }

func (t tracedSender) Send(ctx context.Context, m Message) error {
	ctx, span := tracer().Start(ctx, "email.send", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.Int("email.attachments", len(m.Attachments))))
	defer span.End()
	err := t.next.Send(ctx, m)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "e-mail refused")
	}
	return err
}
