package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/testenv"
	"github.com/mif-erp/erp/sql/migrations"
)

// platformReq is one raw request of the platform tests.
type platformReq struct {
	method    string // GET when empty
	path      string // relative to the server root, e.g. "/api/v1/health"
	token     string
	header    map[string]string
	body      io.Reader
	onPurpose bool // the request breaks the contract on purpose
}

// platformSend sends r through hc (contract-validating) to the server at root and reads the body.
func platformSend(t *testing.T, hc *http.Client, root string, r platformReq) (*http.Response, []byte) {
	t.Helper()
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, root+r.path, r.body)
	if err != nil {
		t.Fatal(err)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if r.onPurpose {
		req.Header.Set(testenv.HeaderInvalidOnPurpose, "1")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func (r platformReq) on(t *testing.T, env *testenv.Env) (*http.Response, []byte) {
	t.Helper()
	return platformSend(t, env.HTTP, env.Root, r)
}

// eventually polls cond until it holds or the deadline passes. The access log line and the
// request metrics are recorded after the response is written, so a client may see the
// response a moment before them.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkProblem asserts an application/problem+json answer with the given status and returns it.
func checkProblem(t *testing.T, what string, resp *http.Response, body []byte, status int) api.Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	p := decodeProblem(t, body)
	if p.Status != status || p.Title != http.StatusText(status) || p.Type != "about:blank" {
		t.Errorf("%s: problem %+v does not match status %d", what, p, status)
	}
	if p.Detail == nil || *p.Detail == "" {
		t.Errorf("%s: problem without detail", what)
	}
	id := resp.Header.Get("X-Request-ID")
	if id == "" || p.RequestId == nil || *p.RequestId != id {
		t.Errorf("%s: request_id %v does not match X-Request-ID %q", what, p.RequestId, id)
	}
	return p
}

func TestHealthProbesAnswerWithoutTokenUnderEveryPrefix(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	want := map[string]string{"health": "ok", "live": "alive", "ready": "ready"}
	for probe, status := range want {
		for _, path := range []string{"/" + probe, "/" + probe + "/", "/api/v1/" + probe, "/api/v1/" + probe + "/"} {
			resp, b := platformReq{path: path}.on(t, env)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: status %d: %s", path, resp.StatusCode, b)
				continue
			}
			var got struct{ Status, Service string }
			if err := json.Unmarshal(b, &got); err != nil || got.Status != status || got.Service != "MIF ERP" {
				t.Errorf("GET %s: body %s, want status %q", path, b, status)
			}
		}
	}
	ready, err := env.Client.GetReadyWithResponse(context.Background())
	if err != nil || ready.JSON200 == nil {
		t.Fatalf("GET /ready: %v %s", err, ready.Body)
	}
	if c := ready.JSON200.Checks; c.Database.Status != api.CheckResultStatusHealthy || c.Redis.Status != api.CheckResultStatusNotConfigured {
		t.Errorf("/ready checks = %+v, want database healthy, redis not_configured", c)
	}
}

func TestRootGivesTheWelcomeMessage(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	for _, path := range []string{"/", "/api/v1", "/api/v1/"} {
		resp, b := platformReq{path: path}.on(t, env)
		var got api.RootInfo
		if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &got) != nil {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
			continue
		}
		if got.Message != "Bienvenue sur l'API ERP MIF Maroc" || got.Version != "test" || got.Docs != "/docs" || got.Redoc != "/redoc" {
			t.Errorf("GET %s: %+v", path, got)
		}
	}
}

// unreachableDatabaseServer serves the real handler on a pool whose database does not exist.
func unreachableDatabaseServer(t *testing.T, vars map[string]string) (*httptest.Server, *http.Client) {
	t.Helper()
	const dbURL = "postgres://postgres@127.0.0.1:1/none?connect_timeout=1"
	all := map[string]string{"ENVIRONMENT": "test", "DATABASE_URL": dbURL, "BCRYPT_COST": "4",
		"SECRET_KEY": "test-secret-key-0123456789abcdefghijklmnop", "RATE_LIMIT_PER_MINUTE": "0"}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := all[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), dbURL) // does not connect yet
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, err := app.Handler(cfg, pool, nil, log, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, testenv.NewContractClient(t)
}

func TestReadyAnswers503WhenTheDatabaseIsUnreachable(t *testing.T) {
	t.Parallel()
	const metricsToken = "metrics-token-for-down-db-0123"
	ts, hc := unreachableDatabaseServer(t, map[string]string{"METRICS_TOKEN": metricsToken})
	client, err := api.NewClientWithResponses(ts.URL+"/api/v1", api.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	ready, err := client.GetReadyWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ready.StatusCode() != http.StatusServiceUnavailable || ready.JSON503 == nil {
		t.Fatalf("GET /ready: %d %s, want 503", ready.StatusCode(), ready.Body)
	}
	r := ready.JSON503
	if r.Status != api.ReadinessStatusNotReady || r.Checks.Database.Status != api.CheckResultStatusUnhealthy ||
		r.Checks.Database.Message == nil || *r.Checks.Database.Message == "" {
		t.Errorf("503 body: %s", ready.Body)
	}

	// Liveness and health do not depend on the database.
	for _, path := range []string{"/health", "/live", "/api/v1/health/", "/api/v1/live/"} {
		resp, b := platformSend(t, hc, ts.URL, platformReq{path: path})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the database down: %d %s", path, resp.StatusCode, b)
		}
	}

	// The metrics token needs no database: detailed health says what is wrong.
	det, err := client.GetHealthDetailedWithResponse(ctx, testenv.As(metricsToken))
	if err != nil || det.JSON200 == nil {
		t.Fatalf("GET /health/detailed: %v %d %s", err, det.StatusCode(), det.Body)
	}
	if d := det.JSON200; d.Status != api.HealthDetailedStatusUnhealthy ||
		d.Checks.Database.Status != api.HealthDetailedChecksDatabaseStatusUnhealthy || d.Checks.Database.Message == nil {
		t.Errorf("detailed health with the database down: %s", det.Body)
	}
}

func TestHealthDetailedReportsDatabaseMigrationAndUptimeToAdminsOnly(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	ctx := context.Background()
	resp, err := env.Client.GetHealthDetailedWithResponse(ctx, testenv.As(env.Token("admin")))
	if err != nil || resp.JSON200 == nil {
		t.Fatalf("admin: %v %d %s", err, resp.StatusCode(), resp.Body)
	}
	d := resp.JSON200
	db := d.Checks.Database
	if d.Status != api.HealthDetailedStatusOk || db.Status != api.HealthDetailedChecksDatabaseStatusHealthy {
		t.Errorf("status: %s", resp.Body)
	}
	if db.Version == nil || !strings.HasPrefix(*db.Version, "PostgreSQL ") {
		t.Errorf("database version = %v", db.Version)
	}
	if db.LatencyMs == nil || *db.LatencyMs < 0 || *db.LatencyMs > 2000 {
		t.Errorf("latency_ms = %v", db.LatencyMs)
	}
	if db.MigrationVersion == nil || *db.MigrationVersion != latestMigration(t) || db.MigrationDirty == nil || *db.MigrationDirty {
		t.Errorf("migration = %v dirty %v, want %d clean", db.MigrationVersion, db.MigrationDirty, latestMigration(t))
	}
	if d.Version != "test" || d.UptimeSeconds < 0 || d.UptimeSeconds > 600 || !strings.HasPrefix(d.GoVersion, "go") {
		t.Errorf("version %q uptime %d go %q", d.Version, d.UptimeSeconds, d.GoVersion)
	}
	if time.Since(d.StartedAt) < 0 || time.Since(d.StartedAt) > 10*time.Minute {
		t.Errorf("started_at = %v", d.StartedAt)
	}
	if d.Checks.Redis.Status != api.HealthDetailedChecksRedisStatusNotConfigured {
		t.Errorf("redis = %v, want not_configured", d.Checks.Redis.Status)
	}

	tech, err := env.Client.GetHealthDetailedWithResponse(ctx, testenv.As(env.Token("technicien")))
	if err != nil || tech.StatusCode() != http.StatusForbidden {
		t.Errorf("technicien: %v %d %s", err, tech.StatusCode(), tech.Body)
	}
	anon, err := env.Client.GetHealthDetailedWithResponse(ctx)
	if err != nil || anon.StatusCode() != http.StatusUnauthorized || anon.HTTPResponse.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("anonymous: %v %d %s", err, anon.StatusCode(), anon.Body)
	}
}

func TestMetricsTokenOpensMetricsAndDetailedHealthOnly(t *testing.T) {
	t.Parallel()
	const token = "scraper-token-0123456789"
	env := testenv.NewEnv(t, pg, testenv.Options{"METRICS_TOKEN": token})
	cases := []struct {
		path, token string
		status      int
	}{
		{"/metrics", token, 200},
		{"/api/v1/metrics/", token, 200},
		{"/health/detailed", token, 200},
		{"/metrics", token + "x", 401},
		{"/health/detailed", "scraper-token-012345678", 401},
		{"/metrics", "", 401},
		{"/api/v1/users", token, 403}, // the scraper's token is no admin
		{"/auth/me", token, 403},
	}
	for _, tc := range cases {
		resp, b := platformReq{path: tc.path, token: tc.token}.on(t, env)
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s with token %q: %d, want %d: %s", tc.path, tc.token, resp.StatusCode, tc.status, b)
		}
	}
}

func TestMetricsExposeRouteTemplatesRuntimeAndPoolStats(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	admin := env.Token("admin")
	if resp, b := (platformReq{path: "/api/v1/users/1", token: admin}).on(t, env); resp.StatusCode != 200 {
		t.Fatalf("GET /users/1: %d %s", resp.StatusCode, b)
	}
	platformReq{path: "/api/v1/no/such/route/42"}.on(t, env)

	var text string
	eventually(t, "the /users/1 request in the metrics", func() bool {
		resp, b := platformReq{path: "/metrics", token: admin}.on(t, env)
		if resp.StatusCode != 200 {
			t.Fatalf("GET /metrics: %d %s", resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Fatalf("Content-Type %q", ct)
		}
		text = string(b)
		return strings.Contains(text, `route="/users/{user_id}"`)
	})
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^http_requests_total\{method="GET",route="/users/\{user_id\}",status="200"\} 1$`),
		regexp.MustCompile(`(?m)^http_request_duration_seconds_bucket\{method="GET",route="/users/\{user_id\}",le="0\.005"\} \d+$`),
		regexp.MustCompile(`(?m)^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$`),
		regexp.MustCompile(`(?m)^http_requests_in_flight \d+$`),
		regexp.MustCompile(`(?m)^go_goroutines \d+$`),
		regexp.MustCompile(`(?m)^db_pool_max_connections 10$`),
		regexp.MustCompile(`(?m)^db_pool_acquired_connections \d+$`),
		regexp.MustCompile(`(?m)^app_info\{version="test"\} 1$`),
	} {
		if !want.MatchString(text) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, raw := range []string{`route="/users/1"`, `route="/api/v1/users/1"`, `/no/such/route`} {
		if strings.Contains(text, raw) {
			t.Errorf("metrics carry a raw path label %s", raw)
		}
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestRequestIDIsEchoedWhenSaneAndGeneratedOtherwise(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	long := strings.Repeat("a", 128)
	cases := []struct {
		name, sent string
		echoed     bool
	}{
		{"none", "", false},
		{"uuid", "3f1c2a9e-5d7b-4c1e-9f0a-2b6d8e4c7a10", true},
		{"trace-like", "req_01H:abc.DEF-9", true},
		{"128 chars", long, true},
		{"129 chars", long + "a", false},
		{"space", "abc def", false},
		{"tab", "abc\tdef", false},
		{"markup", "<script>alert(1)</script>", false},
		{"quote", `abc"def`, false},
		{"non-ASCII", "idé", false},
	}
	for _, tc := range cases {
		for _, path := range []string{"/api/v1/health", "/api/v1/nowhere"} {
			h := map[string]string{}
			if tc.sent != "" {
				h["X-Request-ID"] = tc.sent
			}
			resp, b := platformReq{path: path, header: h}.on(t, env)
			got := resp.Header.Get("X-Request-ID")
			switch {
			case tc.echoed && got != tc.sent:
				t.Errorf("%s on %s: X-Request-ID %q, want it echoed", tc.name, path, got)
			case !tc.echoed && !uuidPattern.MatchString(got):
				t.Errorf("%s on %s: X-Request-ID %q, want a generated UUID", tc.name, path, got)
			}
			if resp.StatusCode == http.StatusNotFound {
				checkProblem(t, tc.name+" on "+path, resp, b, http.StatusNotFound)
			}
		}
	}

	// Generated ids are unique.
	r1, _ := platformReq{path: "/health"}.on(t, env)
	r2, _ := platformReq{path: "/health"}.on(t, env)
	if r1.Header.Get("X-Request-ID") == r2.Header.Get("X-Request-ID") {
		t.Error("two generated request ids are equal")
	}
	if _, err := uuid.Parse(r1.Header.Get("X-Request-ID")); err != nil {
		t.Errorf("generated id: %v", err)
	}
}

func TestRequestIDWithALineBreakIsNeverEchoed(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	u, _ := url.Parse(env.Root)
	// Go's client refuses to send a line break in a header, so write the request by hand: an
	// obsolete line folding that would smuggle a second line into the id (and the logs).
	for _, raw := range []string{
		"X-Request-ID: abc\r\n injected: yes\r\n",
		"X-Request-ID: abc\r\n\tinjected\r\n",
		"X-Request-ID: abc\rinjected\r\n",
	} {
		conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "GET /health HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n", u.Host, raw)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		_ = resp.Body.Close()
		_ = conn.Close()
		if resp.StatusCode == http.StatusBadRequest {
			continue // refused by net/http before reaching the application: fine
		}
		if got := resp.Header.Get("X-Request-ID"); !uuidPattern.MatchString(got) {
			t.Errorf("%q: status %d, X-Request-ID %q, want a generated UUID", raw, resp.StatusCode, got)
		}
	}
	if strings.Contains(env.Logs.String(), "injected") {
		t.Errorf("the injected text reached the logs:\n%s", env.Logs.String())
	}
}

func TestEveryRequestIsLoggedAsOneJSONLine(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	admin := env.Token("admin")
	reqs := []struct {
		id, path, token, route string
		status                 int
	}{
		{"log-users-1", "/api/v1/users/1/", admin, "/users/{user_id}", 200},
		{"log-health", "/health", "", "/health", 200},
		{"log-missing", "/api/v1/missing", "", "unmatched", 404},
		{"log-denied", "/users", "", "/users", 401},
	}
	for _, r := range reqs {
		platformReq{path: r.path, token: r.token, header: map[string]string{"X-Request-ID": r.id}}.on(t, env)
	}
	lines := func(id string) []map[string]any {
		var out []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(env.Logs.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("log line is not JSON: %v: %q", err, l)
			}
			if m["request_id"] == id && m["msg"] == "request" {
				out = append(out, m)
			}
		}
		return out
	}
	eventually(t, "the access log lines", func() bool { return len(lines(reqs[len(reqs)-1].id)) > 0 })
	for _, r := range reqs {
		got := lines(r.id)
		if len(got) != 1 {
			t.Errorf("%s: %d access log lines, want 1", r.id, len(got))
			continue
		}
		m := got[0]
		if m["method"] != "GET" || m["route"] != r.route || m["status"] != float64(r.status) || m["level"] != "INFO" {
			t.Errorf("%s: log line %v, want method GET route %s status %d", r.id, m, r.route, r.status)
		}
		if d, ok := m["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("%s: duration_ms = %v", r.id, m["duration_ms"])
		}
		if _, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["time"])); err != nil {
			t.Errorf("%s: time %v: %v", r.id, m["time"], err)
		}
		if m["path"] != r.path {
			t.Errorf("%s: path %v, want the path as sent %s", r.id, m["path"], r.path)
		}
	}
	if m := lines("log-users-1"); len(m) == 1 && (m[0]["user_id"] != float64(1) || m[0]["operation"] != "getUser") {
		t.Errorf("authenticated request: user_id %v operation %v", m[0]["user_id"], m[0]["operation"])
	}
}

func TestSecurityHeadersAreSetOnEveryResponse(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	for _, path := range []string{"/health", "/api/v1/", "/api/v1/nowhere", "/users", "/docs", "/redoc", "/openapi.json"} {
		resp, _ := platformReq{path: path}.on(t, env)
		h := resp.Header
		for k, want := range map[string]string{
			"X-Content-Type-Options":    "nosniff",
			"X-Frame-Options":           "DENY",
			"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
			"Referrer-Policy":           "strict-origin-when-cross-origin",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		isDocs := path == "/docs" || path == "/redoc"
		if isDocs != strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP %q: scripts allowed only on the documentation pages", path, csp)
		}
	}
}

func TestCORSAnswersOnlyTheConfiguredOrigins(t *testing.T) {
	t.Parallel()
	preflight := func(env *testenv.Env, origin string) *http.Response {
		resp, _ := platformReq{method: http.MethodOptions, path: "/api/v1/users", header: map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "PATCH",
			"Access-Control-Request-Headers": "authorization, content-type",
		}}.on(t, env)
		return resp
	}
	cases := []struct {
		name    string
		opts    testenv.Options
		allowed []string
		refused []string
	}{
		{"default local development origins", nil,
			[]string{"http://localhost:5173", "http://localhost:3000", "http://localhost:3001", "http://localhost:8000"},
			[]string{"https://evil.example.com", "http://localhost:5174", "null"}},
		{"CORS_ALLOW_ORIGINS", testenv.Options{"CORS_ALLOW_ORIGINS": "https://erp.example.com, https://admin.example.com"},
			[]string{"https://erp.example.com", "https://admin.example.com"},
			[]string{"http://localhost:5173", "https://erp.example.com.evil.io", "http://erp.example.com"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testenv.NewEnv(t, pg, tc.opts)
			for _, o := range tc.allowed {
				resp := preflight(env, o)
				if resp.StatusCode != http.StatusNoContent {
					t.Errorf("preflight from %s: status %d", o, resp.StatusCode)
				}
				h := resp.Header
				if h.Get("Access-Control-Allow-Origin") != o || h.Get("Access-Control-Allow-Credentials") != "true" {
					t.Errorf("preflight from %s: ACAO %q, credentials %q", o, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"))
				}
				if m := h.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "PATCH") {
					t.Errorf("preflight from %s: Allow-Methods %q", o, m)
				}
				if ah := strings.ToLower(h.Get("Access-Control-Allow-Headers")); !strings.Contains(ah, "authorization") {
					t.Errorf("preflight from %s: Allow-Headers %q", o, ah)
				}
				// A simple request from the origin can read the headers the front end needs.
				get, _ := platformReq{path: "/api/v1/health", header: map[string]string{"Origin": o}}.on(t, env)
				if get.Header.Get("Access-Control-Allow-Origin") != o {
					t.Errorf("GET from %s: ACAO %q", o, get.Header.Get("Access-Control-Allow-Origin"))
				}
				if eh := get.Header.Get("Access-Control-Expose-Headers"); !strings.Contains(eh, "X-Request-ID") || !strings.Contains(eh, "X-Total-Count") {
					t.Errorf("GET from %s: Expose-Headers %q", o, eh)
				}
			}
			for _, o := range tc.refused {
				resp := preflight(env, o)
				if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
					t.Errorf("preflight from %s: ACAO %q, want none", o, got)
				}
				get, _ := platformReq{path: "/api/v1/health", header: map[string]string{"Origin": o}}.on(t, env)
				if got := get.Header.Get("Access-Control-Allow-Origin"); got != "" {
					t.Errorf("GET from %s: ACAO %q, want none", o, got)
				}
			}
		})
	}
}

// unsizedReader hides the length of its content, so the client sends it chunked.
type unsizedReader struct{ r io.Reader }

func (u unsizedReader) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestHTTPErrorsAreProblemDocuments(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"MAX_BODY_BYTES": "2048"})
	admin := env.Token("admin")
	big := `{"username":"big.user","email":"big@mif.ma","role":"client","password":"Big12345!x","full_name":"` +
		strings.Repeat("x", 4096) + `"}`
	jsonCT := map[string]string{"Content-Type": "application/json"}
	cases := []struct {
		name   string
		req    platformReq
		status int
		detail string
	}{
		{"unknown route", platformReq{path: "/api/v1/no/such/thing"}, 404, "Ressource introuvable"},
		{"unknown route at the root", platformReq{path: "/nothing-here/"}, 404, "Ressource introuvable"},
		{"wrong method", platformReq{method: http.MethodDelete, path: "/api/v1/health"}, 405, "Méthode non autorisée"},
		{"wrong method on a secured route", platformReq{method: http.MethodPut, path: "/api/v1/users/1", token: admin}, 405, "Méthode non autorisée"},
		{"body over MAX_BODY_BYTES", platformReq{method: http.MethodPost, path: "/api/v1/users", token: admin,
			header: jsonCT, body: strings.NewReader(big), onPurpose: true}, 413, "Corps de requête trop volumineux"},
		{"chunked body over MAX_BODY_BYTES", platformReq{method: http.MethodPost, path: "/api/v1/users", token: admin,
			header: jsonCT, body: unsizedReader{strings.NewReader(big)}, onPurpose: true}, 413, "Corps de requête trop volumineux"},
		{"wrong content type", platformReq{method: http.MethodPost, path: "/api/v1/users", token: admin,
			header: map[string]string{"Content-Type": "text/plain"}, body: strings.NewReader("hello"), onPurpose: true},
			415, "Type de contenu non supporté : text/plain"},
		{"unparsable JSON", platformReq{method: http.MethodPost, path: "/api/v1/users", token: admin,
			header: jsonCT, body: strings.NewReader(`{"username":`), onPurpose: true}, 400, ""},
	}
	for _, tc := range cases {
		resp, b := tc.req.on(t, env)
		p := checkProblem(t, tc.name, resp, b, tc.status)
		if tc.detail != "" && (p.Detail == nil || *p.Detail != tc.detail) {
			t.Errorf("%s: detail %v, want %q", tc.name, p.Detail, tc.detail)
		}
		if p.Instance == nil || *p.Instance != tc.req.path {
			t.Errorf("%s: instance %v, want the path as sent %s", tc.name, p.Instance, tc.req.path)
		}
		if tc.status == 405 && !strings.Contains(resp.Header.Get("Allow"), "GET") {
			t.Errorf("%s: Allow %q should list GET", tc.name, resp.Header.Get("Allow"))
		}
	}
	var n int
	if err := env.Pool.QueryRow(context.Background(), "SELECT count(*) FROM users WHERE username = 'big.user'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the refused user was created (%d, %v)", n, err)
	}
}

func TestDocumentationAndContractAreServedWithoutToken(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	for _, path := range []string{"/docs", "/docs/", "/api/v1/docs", "/redoc", "/redoc/"} {
		resp, b := platformReq{path: path}.on(t, env)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!bytes.Contains(b, []byte("/openapi.json")) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}

	for _, path := range []string{"/openapi.json", "/api/v1/openapi.json"} {
		resp, b := platformReq{path: path}.on(t, env)
		var spec struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if err := json.Unmarshal(b, &spec); err != nil {
			t.Fatalf("GET %s: not JSON: %v", path, err)
		}
		if spec.OpenAPI != "3.0.3" {
			t.Errorf("openapi = %q", spec.OpenAPI)
		}
		for _, p := range []string{"/", "/health", "/ready", "/metrics", "/auth/token", "/users", "/users/{user_id}", "/users/{user_id}/activate"} {
			if _, ok := spec.Paths[p]; !ok {
				t.Errorf("%s lacks path %s", path, p)
			}
		}
	}

	resp, b := platformReq{path: "/openapi.yaml"}.on(t, env)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "yaml") ||
		!bytes.HasPrefix(b, []byte("openapi: 3.0.3\n")) || !bytes.Contains(b, []byte("\n  /users/{user_id}:\n")) {
		t.Errorf("GET /openapi.yaml: %d %s %.40q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}

// rateHeaders reads the X-RateLimit-* headers; missing ones are -1.
func rateHeaders(resp *http.Response) (limit, remaining, reset int) {
	get := func(k string) int {
		v, err := strconv.Atoi(resp.Header.Get(k))
		if err != nil {
			return -1
		}
		return v
	}
	return get("X-RateLimit-Limit"), get("X-RateLimit-Remaining"), get("X-RateLimit-Reset")
}

func TestRateLimitAllowsTheQuotaThenAnswers429WithRetryAfter(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"RATE_LIMIT_PER_MINUTE": "5"})
	for i := range 5 {
		resp, b := platformReq{path: "/api/v1/"}.on(t, env)
		limit, remaining, reset := rateHeaders(resp)
		if resp.StatusCode != 200 || limit != 5 || remaining != 4-i || reset < 1 || reset > 60 {
			t.Fatalf("request %d: %d limit %d remaining %d reset %d: %s", i+1, resp.StatusCode, limit, remaining, reset, b)
		}
	}
	resp, b := platformReq{path: "/"}.on(t, env)
	p := checkProblem(t, "6th request", resp, b, http.StatusTooManyRequests)
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 12 {
		t.Errorf("Retry-After = %q, want 1..12 seconds", resp.Header.Get("Retry-After"))
	}
	if limit, remaining, reset := rateHeaders(resp); limit != 5 || remaining != 0 || reset < 1 || reset > 60 {
		t.Errorf("429 headers: limit %d remaining %d reset %d", limit, remaining, reset)
	}
	if want := "Trop de requêtes. Réessayez dans " + strconv.Itoa(retry) + " secondes."; p.Detail == nil || *p.Detail != want {
		t.Errorf("detail %v, want %q", p.Detail, want)
	}
	// Every operation shares the quota, secured or not, and unknown routes too.
	for _, path := range []string{"/auth/me", "/api/v1/users", "/nowhere"} {
		if resp, b := (platformReq{path: path}).on(t, env); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("GET %s after the quota: %d %s", path, resp.StatusCode, b)
		}
	}
}

func TestHealthProbesAreExemptFromTheRateLimit(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"RATE_LIMIT_PER_MINUTE": "2"})
	for range 5 {
		for _, path := range []string{"/health", "/live", "/ready", "/api/v1/health/", "/api/v1/live", "/api/v1/ready/"} {
			resp, b := platformReq{path: path}.on(t, env)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
			}
			if resp.Header.Get("X-RateLimit-Limit") != "" {
				t.Errorf("GET %s counted against the rate limit", path)
			}
		}
	}
	// The probes did not use the quota.
	resp, _ := platformReq{path: "/"}.on(t, env)
	if _, remaining, _ := rateHeaders(resp); resp.StatusCode != 200 || remaining != 1 {
		t.Errorf("first counted request: %d remaining %d, want 200 with 1 left", resp.StatusCode, remaining)
	}
	// CORS preflights are not counted either (a browser sends one before many calls).
	for range 5 {
		platformReq{method: http.MethodOptions, path: "/api/v1/users", header: map[string]string{
			"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"}}.on(t, env)
	}
	resp, _ = platformReq{path: "/"}.on(t, env)
	if _, remaining, _ := rateHeaders(resp); resp.StatusCode != 200 || remaining != 0 {
		t.Errorf("second counted request: %d remaining %d, want 200 with 0 left", resp.StatusCode, remaining)
	}
}

func TestRateLimitZeroTurnsItOff(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"RATE_LIMIT_PER_MINUTE": "0"})
	for i := range 30 {
		resp, b := platformReq{path: "/"}.on(t, env)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, b)
		}
		if resp.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("request %d: X-RateLimit-Limit sent with the limit off", i+1)
		}
	}
}

// randomClientIP returns a documentation-range address no other test uses.
func randomClientIP() string {
	b := make([]byte, 2)
	_, _ = rand.Read(b)
	return fmt.Sprintf("198.18.%d.%d", b[0], b[1])
}

func xff(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

func TestRateLimitIgnoresForwardedForFromAnUntrustedPeer(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"RATE_LIMIT_PER_MINUTE": "3"})
	for i := range 3 {
		if resp, _ := (platformReq{path: "/", header: xff(randomClientIP())}).on(t, env); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, resp.StatusCode)
		}
	}
	// A client cannot get a fresh quota by inventing X-Forwarded-For values.
	if resp, _ := (platformReq{path: "/", header: xff(randomClientIP())}).on(t, env); resp.StatusCode != 429 {
		t.Errorf("4th request with yet another X-Forwarded-For: %d, want 429", resp.StatusCode)
	}
}

func TestRateLimitGivesEachForwardedClientItsOwnQuotaBehindATrustedProxy(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"RATE_LIMIT_PER_MINUTE": "3", "TRUSTED_PROXIES": "127.0.0.1/32"})
	a, b := randomClientIP(), randomClientIP()
	for i := range 3 {
		// The proxy appends the real client; what the client wrote before it is not trusted.
		spoofed := randomClientIP() + ", " + a
		if resp, _ := (platformReq{path: "/", header: xff(spoofed)}).on(t, env); resp.StatusCode != 200 {
			t.Fatalf("client a, request %d: %d", i+1, resp.StatusCode)
		}
	}
	if resp, _ := (platformReq{path: "/", header: xff(a)}).on(t, env); resp.StatusCode != 429 {
		t.Errorf("client a, 4th request: %d, want 429", resp.StatusCode)
	}
	resp, _ := platformReq{path: "/", header: xff(b)}.on(t, env)
	if _, remaining, _ := rateHeaders(resp); resp.StatusCode != 200 || remaining != 2 {
		t.Errorf("client b: %d remaining %d, want its own full quota", resp.StatusCode, remaining)
	}
	// The proxy itself (no X-Forwarded-For) has its own quota too.
	if resp, _ := (platformReq{path: "/"}).on(t, env); resp.StatusCode != 200 {
		t.Errorf("the proxy's own request: %d", resp.StatusCode)
	}
}

// testRedisURL is the Redis of the tests; `make test` sets TEST_REDIS_URL.
func testRedisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/15"
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis unreachable at %s (`make test` starts one; set TEST_REDIS_URL): %v", u, err)
	}
	return u
}

func TestRateLimitIsSharedBetweenServersThroughRedis(t *testing.T) {
	t.Parallel()
	redisURL := testRedisURL(t)
	opts := testenv.Options{"REDIS_URL": redisURL, "RATE_LIMIT_PER_MINUTE": "5", "TRUSTED_PROXIES": "127.0.0.1/32"}
	a, b := testenv.NewEnv(t, pg, opts), testenv.NewEnv(t, pg, opts)
	client := randomClientIP() // a key space of this test alone on the shared Redis
	t.Cleanup(func() {
		o, _ := redis.ParseURL(redisURL)
		c := redis.NewClient(o)
		defer c.Close()
		_ = c.Del(context.Background(), "rate:ratelimit:"+client).Err()
	})
	step := 0
	for _, env := range []*testenv.Env{a, a, a, b, b} {
		step++
		resp, body := platformReq{path: "/", header: xff(client)}.on(t, env)
		if _, remaining, _ := rateHeaders(resp); resp.StatusCode != 200 || remaining != 5-step {
			t.Fatalf("request %d: %d remaining %d, want 200 with %d left: %s", step, resp.StatusCode, remaining, 5-step, body)
		}
	}
	for name, env := range map[string]*testenv.Env{"a": a, "b": b} {
		resp, body := platformReq{path: "/", header: xff(client)}.on(t, env)
		checkProblem(t, "6th request on "+name, resp, body, http.StatusTooManyRequests)
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("6th request on %s: no Retry-After", name)
		}
	}
	ready, err := a.Client.GetReadyWithResponse(context.Background())
	if err != nil || ready.JSON200 == nil || ready.JSON200.Checks.Redis.Status != api.CheckResultStatusHealthy {
		t.Errorf("/ready with Redis: %v %s", err, ready.Body)
	}
}

func TestRateLimitLetsRequestsThroughWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"REDIS_URL": "redis://127.0.0.1:1/0", "RATE_LIMIT_PER_MINUTE": "2"})
	for i := range 4 {
		resp, b := platformReq{path: "/"}.on(t, env)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d with Redis down: %d %s", i+1, resp.StatusCode, b)
		}
	}
	if !strings.Contains(env.Logs.String(), "rate limiter unavailable") {
		t.Error("the Redis failure was not logged")
	}
	// Redis only shares the rate limit: the server stays ready, and says Redis is down.
	ready, err := env.Client.GetReadyWithResponse(context.Background())
	if err != nil || ready.JSON200 == nil || ready.JSON200.Checks.Redis.Status != api.CheckResultStatusUnhealthy {
		t.Errorf("/ready with Redis down: %v %d %s", err, ready.StatusCode(), ready.Body)
	}
}

func TestMetricsUseTheSpecTemplateEvenForRequestsRefusedBeforeRouting(t *testing.T) {
	t.Parallel()
	const token = "scraper-token-0123456789"
	env := testenv.NewEnv(t, pg, testenv.Options{"RATE_LIMIT_PER_MINUTE": "1", "TRUSTED_PROXIES": "127.0.0.1/32",
		"METRICS_TOKEN": token, "MAX_BODY_BYTES": "1024"})
	client := randomClientIP()
	for i, want := range []int{401, 429} {
		if resp, b := (platformReq{path: "/api/v1/users/7", header: xff(client)}).on(t, env); resp.StatusCode != want {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	big := platformReq{method: http.MethodPatch, path: "/users/7", token: "x", onPurpose: true, header: map[string]string{
		"X-Forwarded-For": randomClientIP(), "Content-Type": "application/json"}, body: strings.NewReader(`{"full_name":"` + strings.Repeat("x", 2048) + `"}`)}
	if resp, b := big.on(t, env); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("big body: %d %s", resp.StatusCode, b)
	}
	var text string
	eventually(t, "the refused requests in the metrics", func() bool {
		resp, b := platformReq{path: "/metrics", token: token, header: xff(randomClientIP())}.on(t, env)
		if resp.StatusCode != 200 {
			t.Fatalf("GET /metrics: %d %s", resp.StatusCode, b)
		}
		text = string(b)
		return strings.Contains(text, `status="429"`) && strings.Contains(text, `status="413"`)
	})
	for _, want := range []string{
		`http_requests_total{method="GET",route="/users/{user_id}",status="401"} 1`,
		`http_requests_total{method="GET",route="/users/{user_id}",status="429"} 1`,
		`http_requests_total{method="PATCH",route="/users/{user_id}",status="413"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, `route="/users/:user_id"`) {
		t.Error("metrics label some requests with Echo's route syntax /users/:user_id: one route, two label values")
	}
}

// latestMigration is the highest version among the embedded migration files.
func latestMigration(t *testing.T) int64 {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	var latest int64
	for _, e := range entries {
		if v, err := strconv.ParseInt(strings.SplitN(e.Name(), "_", 2)[0], 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}
