// Package telemetry sets up OpenTelemetry tracing from the standard OTEL_* variables. It is off
// by default: unless config.Config.TracesExporter names an exporter (OTEL_TRACES_EXPORTER, or an
// OTLP endpoint set), nothing is installed (no provider, no HTTP middleware, no pgx tracer) and
// the global tracer provider stays OpenTelemetry's no-op one.
//
// When on, the SDK reads the rest of its settings from the environment itself: the OTLP
// endpoint, headers, timeout and compression (OTEL_EXPORTER_OTLP_*), the sampler
// (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG; default parentbased_always_on), the batch span
// processor (OTEL_BSP_*) and the resource (OTEL_SERVICE_NAME, default "mif-erp";
// OTEL_RESOURCE_ATTRIBUTES). Incoming W3C traceparent headers are honoured.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Exporters of config.Config.TracesExporter.
const (
	ExporterNone    = ""        // tracing off
	ExporterOTLP    = "otlp"    // OTLP over HTTP/protobuf (OTEL_EXPORTER_OTLP_*)
	ExporterConsole = "console" // spans as JSON on standard output (development)
)

// DefaultServiceName is service.name when OTEL_SERVICE_NAME is not set.
const DefaultServiceName = "mif-erp"

// Tracing is the tracing of one process: its tracer provider, nil when tracing is off.
type Tracing struct {
	// Provider makes the spans; nil when tracing is off.
	Provider trace.TracerProvider
	sdk      *sdktrace.TracerProvider
}

// Propagator reads and writes the W3C traceparent/tracestate headers.
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// Setup starts tracing with exporter (config.Config.TracesExporter): nothing at all for
// ExporterNone. Otherwise it installs the provider as OpenTelemetry's global one (the scheduler's
// jobs, the e-mail sends, the document store and gocloud.dev's blob operations use it) and routes
// the SDK's own errors to log. Call Shutdown at exit: it flushes the spans not exported yet.
func Setup(ctx context.Context, exporter, version string, log *slog.Logger) (*Tracing, error) {
	if exporter == ExporterNone {
		return &Tracing{}, nil
	}
	var (
		exp sdktrace.SpanExporter
		err error
	)
	switch exporter {
	case ExporterOTLP:
		exp, err = otlptracehttp.New(ctx) // endpoint, headers, timeout... from OTEL_EXPORTER_OTLP_*
	case ExporterConsole:
		exp, err = stdouttrace.New()
	default:
		err = fmt.Errorf("unknown exporter %q", exporter)
	}
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", DefaultServiceName), attribute.String("service.version", version)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES: after, so they win
		resource.WithTelemetrySDK(),
		resource.WithHost(),
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	// The sampler comes from OTEL_TRACES_SAMPLER (default parentbased_always_on), the batching
	// from OTEL_BSP_*.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator)
	if log != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("tracing: " + err.Error())
		}))
	}
	if log != nil {
		log.Info("tracing on", "exporter", exporter)
	}
	return &Tracing{Provider: tp, sdk: tp}, nil
}

// NewTracing wraps a provider made elsewhere (tests: an in-memory exporter).
func NewTracing(tp trace.TracerProvider) *Tracing { return &Tracing{Provider: tp} }

// Enabled reports whether tracing is on.
func (t *Tracing) Enabled() bool { return t != nil && t.Provider != nil }

// Shutdown flushes the spans not exported yet and stops the exporter (nothing when tracing is
// off).
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.sdk == nil {
		return nil
	}
	return t.sdk.Shutdown(ctx)
}

// QueryTracer is the pgx tracer of the database pool: a span per statement (db.query.text
// holds the SQL, never its arguments), per batch, prepare, connect and pool acquire, each only
// under a recording span (a request's or a job's). nil when tracing is off, so the pool pays
// nothing.
func (t *Tracing) QueryTracer() pgx.QueryTracer {
	if !t.Enabled() {
		return nil
	}
	return otelpgx.NewTracer(
		otelpgx.WithTracerProvider(t.Provider),
		// The duration metrics of otelpgx are not exported: /metrics has the pool's own.
		otelpgx.WithMeterProvider(metricnoop.NewMeterProvider()),
	)
}
