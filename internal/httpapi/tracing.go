package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/mif-erp/erp/internal/telemetry"
)

// Attributes of the server span beyond OpenTelemetry's HTTP conventions.
const (
	// AttrRequestID is the request's X-Request-ID, also the request_id of its problem responses
	// and of its log lines: search the traces by it.
	AttrRequestID = "mif.request_id"
	// AttrOperationID is the contract's operationId of the route.
	AttrOperationID = "mif.operation_id"
)

// tracing starts the server span of each request (installed only when tracing is on): it
// continues the caller's trace when the request has a W3C traceparent header, holds the span in
// the request's context (the database statements become its children, the log lines carry its
// trace_id), and is named "METHOD /route/{template}" once the route is known, with the response
// status (5xx: an error) and the request's X-Request-ID (mif.request_id).
func tracing(tp trace.TracerProvider) echo.MiddlewareFunc {
	tracer := tp.Tracer("github.com/mif-erp/erp/internal/httpapi")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			ctx := telemetry.Propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(
					attribute.String("http.request.method", r.Method),
					attribute.String("url.path", r.Header.Get(headerOriginalPath)),
					attribute.String("client.address", c.RealIP()),
					attribute.String("user_agent.original", r.UserAgent()),
					attribute.String(AttrRequestID, c.Response().Header().Get(echo.HeaderXRequestID)),
				))
			defer span.End()
			c.SetRequest(r.WithContext(ctx))
			err := next(c)
			if !span.IsRecording() {
				return err
			}
			status := c.Response().Status
			route, _ := c.Get(ctxRoute).(string)
			if route == "" && status != http.StatusNotFound {
				route = echoRouteTemplate(c.Path())
			}
			if route != "" {
				span.SetName(r.Method + " " + route)
				span.SetAttributes(attribute.String("http.route", route))
			}
			if op, ok := c.Get(ctxOperationID).(string); ok {
				span.SetAttributes(attribute.String(AttrOperationID, op))
			}
			span.SetAttributes(attribute.Int("http.response.status_code", status))
			if status >= 500 {
				span.SetStatus(codes.Error, http.StatusText(status))
			}
			return err
		}
	}
}
