package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"gocloud.dev/blob/memblob"

	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/mail"
	"github.com/mif-erp/erp/internal/scheduler"
	"github.com/mif-erp/erp/internal/telemetry"
)

// TestExporterFromEnvironment: which OTEL_* variables turn tracing on (config.Config.TracesExporter).
func TestExporterFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    string
		wantErr string
	}{
		{nil, "", ""},
		{map[string]string{"OTEL_SERVICE_NAME": "erp", "OTEL_TRACES_SAMPLER": "always_on", "OTEL_TRACES_EXPORTER": ""}, "", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp", ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "otlp", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, "otlp", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "console"}, "console", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "", ""},
		{map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, "", ""},
		{map[string]string{"OTEL_TRACES_EXPORTER": "jaeger"}, "", "OTEL_TRACES_EXPORTER"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "", "http/protobuf"},
		{map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "", ""},
	} {
		env := map[string]string{"ENVIRONMENT": "test"}
		for k, v := range tc.env {
			env[k] = v
		}
		cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case cfg.TracesExporter != tc.want:
			t.Errorf("%v: exporter %q, want %q", tc.env, cfg.TracesExporter, tc.want)
		}
	}
}

// TestOTLPExportFlushedOnShutdown: with OTEL_EXPORTER_OTLP_ENDPOINT set, the spans go to that
// OTLP/HTTP endpoint, with OTEL_SERVICE_NAME; Shutdown flushes the batch not exported yet.
func TestOTLPExportFlushedOnShutdown(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/traces" {
			mu.Lock()
			bodies = append(bodies, b)
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_SERVICE_NAME", "erp-under-test")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "600000") // only Shutdown exports

	cfg, err := config.Load(func(k string) (string, bool) {
		if k == "ENVIRONMENT" {
			return "test", true
		}
		return os.LookupEnv(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := telemetry.Setup(context.Background(), cfg.TracesExporter, "v-test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Enabled() || tr.QueryTracer() == nil {
		t.Fatal("tracing off with OTEL_EXPORTER_OTLP_ENDPOINT set")
	}
	_, span := tr.Provider.Tracer("test").Start(context.Background(), "flushed-span")
	span.End()
	mu.Lock()
	n := len(bodies)
	mu.Unlock()
	if n != 0 {
		t.Fatalf("%d exports before Shutdown (OTEL_BSP_SCHEDULE_DELAY not read?)", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 || !bytes.Contains(bodies[0], []byte("flushed-span")) || !bytes.Contains(bodies[0], []byte("erp-under-test")) {
		t.Fatalf("collector got %d export(s), want one with the span and the service name", len(bodies))
	}
}

// TestLoggerAddsTraceIDs: a line logged with a span in its context carries its ids; one without
// is unchanged; wrapping twice adds them once.
func TestLoggerAddsTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log := telemetry.Logger(telemetry.Logger(slog.New(slog.NewJSONHandler(&buf, nil)))).With("k", "v")
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("t").Start(context.Background(), "s")
	log.InfoContext(ctx, "with span")
	log.InfoContext(context.Background(), "without span")
	span.End()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var with, without map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &with)
	_ = json.Unmarshal([]byte(lines[1]), &without)
	sc := span.SpanContext()
	if with["trace_id"] != sc.TraceID().String() || with["span_id"] != sc.SpanID().String() || with["k"] != "v" {
		t.Errorf("line with a span: %s", lines[0])
	}
	if strings.Count(lines[0], "trace_id") != 1 {
		t.Errorf("trace_id twice: %s", lines[0])
	}
	if _, ok := without["trace_id"]; ok {
		t.Errorf("line without a span: %s", lines[1])
	}
}

// TestBackgroundSpans: the scheduler's jobs, the e-mail sends and the document blob operations
// make spans on the global provider (Setup installs it): a job's run is a root span, what it
// does is under it.
func TestBackgroundSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	keys, err := documents.NewKeyRing([][]byte{bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	bucket := memblob.OpenBucket(nil)
	defer bucket.Close()
	docs := documents.NewService(documents.Config{Bucket: bucket, Keys: keys})
	sender := mail.Traced(senderFunc(func(context.Context, mail.Message) error { return errors.New("refused") }))

	ran := make(chan struct{})
	job := scheduler.Job{Name: "test.job", Interval: time.Hour, Run: func(ctx context.Context) error {
		defer close(ran)
		st, err := docs.Put(ctx, "rapports/", []byte("hello"))
		if err != nil {
			return err
		}
		rc, err := docs.OpenStored(ctx, st)
		if err != nil {
			return err
		}
		if b, _ := io.ReadAll(rc); string(b) != "hello" {
			t.Errorf("read back %q", b)
		}
		_ = rc.Close()
		_ = sender.Send(ctx, mail.Message{ToEmail: "a@example.com"})
		return nil
	}}
	sch, err := scheduler.New(nil, scheduler.Options{Locker: noLock{}}, job)
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not run")
	}
	if err := sch.Stop(); err != nil {
		t.Fatal(err)
	}

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byName[s.Name()] = s
	}
	root, ok := byName["job test.job"]
	if !ok {
		t.Fatalf("no job span among %v", names(rec.Ended()))
	}
	if root.Parent().IsValid() {
		t.Error("the job span is not a root span")
	}
	for _, name := range []string{"documents.blob.put", "documents.blob.get", "email.send", "gocloud.dev/blob.NewWriter"} {
		s, ok := byName[name]
		if !ok {
			t.Errorf("no span %s among %v", name, names(rec.Ended()))
			continue
		}
		if s.SpanContext().TraceID() != root.SpanContext().TraceID() {
			t.Errorf("%s: not in the job's trace", name)
		}
	}
	if s, ok := byName["email.send"]; ok && s.Status().Code.String() != "Error" {
		t.Errorf("a refused e-mail's span has status %v", s.Status())
	}
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

type senderFunc func(context.Context, mail.Message) error

func (f senderFunc) Send(ctx context.Context, m mail.Message) error { return f(ctx, m) }

// noLock lets every run of a job through.
type noLock struct{}

func (noLock) Lock(context.Context, string) (gocron.Lock, error) { return unlock{}, nil }

type unlock struct{}

func (unlock) Unlock(context.Context) error { return nil }

// BenchmarkLoggerNoSpan is the cost the trace-id wrapper adds to a log line when tracing is off
// (no span in the context): compare with BenchmarkLoggerPlain.
func BenchmarkLoggerNoSpan(b *testing.B) {
	benchLog(b, telemetry.Logger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
}

func BenchmarkLoggerPlain(b *testing.B) {
	benchLog(b, slog.New(slog.NewJSONHandler(io.Discard, nil)))
}

func benchLog(b *testing.B, log *slog.Logger) {
	ctx := context.WithValue(context.WithValue(context.Background(), ctxKey(1), 1), ctxKey(2), 2)
	_ = trace.SpanFromContext(ctx)
	b.ReportAllocs()
	for b.Loop() {
		log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", "abc"), slog.Int("status", 200))
	}
}

type ctxKey int
