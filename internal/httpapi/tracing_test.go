package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/httpapi"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/telemetry"
	"github.com/mif-erp/erp/internal/testenv"
)

// tracedServer starts another instance of env's server whose requests and pool are traced into
// the returned recorder (every span sampled), logging to the returned buffer.
func tracedServer(t *testing.T, env *testenv.Env) (*httptest.Server, *tracetest.SpanRecorder, *testenv.LogBuffer) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracing := telemetry.NewTracing(tp)
	// Another tracer already on the pool keeps working beside otelpgx (chained).
	counter := &testenv.QueryCounter{}
	pool, err := platform.OpenPool(context.Background(), env.Config.DatabaseURL, 4,
		platform.WithQueryTracer(counter), platform.WithQueryTracer(tracing.QueryTracer()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	logs := &testenv.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	h, err := app.Handler(env.Config, pool, nil, log, "test", time.Now(), app.WithTracing(tracing))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		if counter.Count() == 0 {
			t.Error("the QueryCounter chained with otelpgx counted no statement")
		}
	})
	return ts, rec, logs
}

// TestTracingRequestToSQL follows one real request: its server span continues the caller's
// traceparent, is named by the route, records the status and X-Request-ID, and has the request's
// SQL statements as child spans (db.query.text) in the same trace; the request's access log line
// carries both its request_id and that trace_id. A problem response (404) is correlated the same
// way: its request_id is the X-Request-ID, found on the span and on the traced log line.
func TestTracingRequestToSQL(t *testing.T) {
	env := testenv.NewEnv(t, pg, nil)
	token := env.Token("admin")
	ts, rec, logs := tracedServer(t, env)

	const parentTrace, parentSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	get := func(path, reqID string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("traceparent", "00-"+parentTrace+"-"+parentSpan+"-01")
		req.Header.Set("X-Request-ID", reqID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode >= 400 && body["request_id"] != reqID {
			t.Errorf("%s: problem request_id %v, want the X-Request-ID %q", path, body["request_id"], reqID)
		}
		return resp
	}
	if resp := get("/api/v1/users", "trace-req-1"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /users: %d", resp.StatusCode)
	}
	if resp := get("/api/v1/users/987654", "trace-req-2"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /users/987654: %d, want 404", resp.StatusCode)
	}

	spans := rec.Ended()
	server := func(reqID string) sdktrace.ReadOnlySpan {
		for _, s := range spans {
			if s.SpanKind() == trace.SpanKindServer && attr(s, httpapi.AttrRequestID) == reqID {
				return s
			}
		}
		t.Fatalf("no server span with %s=%s among %d spans", httpapi.AttrRequestID, reqID, len(spans))
		return nil
	}
	for _, tc := range []struct {
		reqID, name, route, op string
		status                 int64
	}{
		{"trace-req-1", "GET /users", "/users", "listUsers", 200},
		{"trace-req-2", "GET /users/{user_id}", "/users/{user_id}", "", 404},
	} {
		s := server(tc.reqID)
		sc := s.SpanContext()
		if sc.TraceID().String() != parentTrace || s.Parent().SpanID().String() != parentSpan || !s.Parent().IsRemote() {
			t.Errorf("%s: trace %s parent %s: the incoming traceparent is not continued", tc.reqID, sc.TraceID(), s.Parent().SpanID())
		}
		if s.Name() != tc.name || attr(s, "http.route") != tc.route {
			t.Errorf("%s: span %q route %q, want %q %q", tc.reqID, s.Name(), attr(s, "http.route"), tc.name, tc.route)
		}
		if tc.op != "" && attr(s, httpapi.AttrOperationID) != tc.op {
			t.Errorf("%s: %s %q, want %q", tc.reqID, httpapi.AttrOperationID, attr(s, httpapi.AttrOperationID), tc.op)
		}
		if got := intAttr(s, "http.response.status_code"); got != tc.status {
			t.Errorf("%s: status %d, want %d", tc.reqID, got, tc.status)
		}

		// The SQL of the request: spans of the same trace under the server span.
		byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
		for _, x := range spans {
			byID[x.SpanContext().SpanID()] = x
		}
		var sqls []string
		for _, x := range spans {
			q := attr(x, "db.query.text")
			if q == "" {
				continue
			}
			if x.SpanContext().TraceID() != sc.TraceID() {
				t.Errorf("%s: a statement span in trace %s, not the request's", tc.reqID, x.SpanContext().TraceID())
			}
			if x.SpanKind() != trace.SpanKindClient {
				t.Errorf("statement span kind %v, want client", x.SpanKind())
			}
			if under(x, sc.SpanID(), byID) {
				sqls = append(sqls, q)
			}
		}
		if len(sqls) == 0 {
			t.Errorf("%s: no statement span under the server span", tc.reqID)
		}
		if tc.reqID == "trace-req-1" && !containsSQL(sqls, "FROM users") {
			t.Errorf("%s: no statement reading users among %q", tc.reqID, sqls)
		}

		// The access log line: request_id and trace_id.
		line := accessLine(t, logs.String(), tc.reqID)
		if line["trace_id"] != sc.TraceID().String() || line["span_id"] != sc.SpanID().String() {
			t.Errorf("%s: access log trace_id %v span_id %v, want %s %s", tc.reqID, line["trace_id"], line["span_id"], sc.TraceID(), sc.SpanID())
		}
	}
}

// TestTracingOffByDefault: without OTEL_* variables the configuration turns tracing off, Setup
// installs nothing (no provider, the global one stays a no-op), the server has no tracing
// middleware (a sampled traceparent sent in is not continued: no trace_id in its log lines).
func TestTracingOffByDefault(t *testing.T) {
	env := testenv.NewEnv(t, pg, nil)
	if env.Config.TracesExporter != "" {
		t.Fatalf("TracesExporter %q without OTEL_* variables", env.Config.TracesExporter)
	}
	tr, err := telemetry.Setup(context.Background(), env.Config.TracesExporter, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Enabled() || tr.QueryTracer() != nil {
		t.Fatal("tracing on without OTEL_* variables")
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The global provider (the jobs', e-mails' and blobs' spans) stays OpenTelemetry's no-op one.
	if _, span := otel.Tracer("test").Start(context.Background(), "x"); span.IsRecording() || span.SpanContext().IsValid() {
		t.Fatal("the global tracer provider records spans with tracing off")
	}
	req, _ := http.NewRequest(http.MethodGet, env.Root+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+env.Token("admin"))
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req.Header.Set("X-Request-ID", "untraced-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	line := accessLine(t, env.Logs.String(), "untraced-1")
	if _, ok := line["trace_id"]; ok {
		t.Errorf("tracing off, yet the access log line has a trace_id: %v", line)
	}
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

func intAttr(s sdktrace.ReadOnlySpan, key string) int64 {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key && kv.Value.Type() == attribute.INT64 {
			return kv.Value.AsInt64()
		}
	}
	return -1
}

// under reports whether span x descends from the span id.
func under(x sdktrace.ReadOnlySpan, id trace.SpanID, byID map[trace.SpanID]sdktrace.ReadOnlySpan) bool {
	for range 20 {
		p := x.Parent().SpanID()
		if p == id {
			return true
		}
		next, ok := byID[p]
		if !ok {
			return false
		}
		x = next
	}
	return false
}

func containsSQL(sqls []string, part string) bool {
	for _, q := range sqls {
		if strings.Contains(q, part) {
			return true
		}
	}
	return false
}

// accessLine returns the access log line ("request") of the request reqID.
func accessLine(t *testing.T, logs, reqID string) map[string]any {
	t.Helper()
	for l := range strings.SplitSeq(logs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["request_id"] == reqID {
			return m
		}
	}
	t.Fatalf("no access log line for request %s in:\n%s", reqID, logs)
	return nil
}
