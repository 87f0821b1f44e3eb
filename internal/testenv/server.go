package testenv

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/live"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/seed"
)

// Env is a running server on its own database.
type Env struct {
	T      testing.TB
	URL    string // base URL including /api/v1
	Root   string // base URL without prefix
	Pool   *pgxpool.Pool
	Config config.Config
	Client *api.ClientWithResponses
	HTTP   *http.Client // raw client, also contract-validated
	Logs   *LogBuffer
	Hub    *live.Hub // this instance's live notifications hub (started)

	tokens *tokenCache // shared by the views of a shared Env
}

// tokenCache holds the access tokens of the demo accounts, by role.
type tokenCache struct {
	mu    sync.Mutex
	roles map[string]string
}

func newTokenCache(from map[string]string) *tokenCache {
	if from == nil {
		from = map[string]string{}
	}
	return &tokenCache{roles: from}
}

func (c *tokenCache) get(role string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tok, ok := c.roles[role]
	return tok, ok
}

func (c *tokenCache) put(role, tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.roles[role] = tok
}

func (c *tokenCache) clone() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.roles)
}

// Options tune the server of one test; every field is an environment variable of the server.
type Options map[string]string

// NewEnv starts the real server (the same wiring as `erp serve`) on a fresh database, with the
// demo accounts seeded. Environment variables in opts override the test defaults.
func NewEnv(t testing.TB, pg *Postgres, opts Options) *Env {
	t.Helper()
	return newEnv(t, pg.NewDatabase(t), opts, true)
}

// NewEnvOn starts the real server on an existing, already migrated database (a restored
// backup), without seeding anything. Environment variables in opts override the test defaults.
func NewEnvOn(t testing.TB, dbURL string, opts Options) *Env {
	t.Helper()
	return newEnv(t, dbURL, opts, false)
}

// SecondInstance starts another server on the same database as e, with its own pool, live hub
// and HTTP server, as a second replica behind a load balancer. opts override the test defaults
// (not e's options).
func (e *Env) SecondInstance(opts Options) *Env {
	e.T.Helper()
	return newEnv(e.T, e.Config.DatabaseURL, opts, false)
}

func newEnv(t testing.TB, dbURL string, opts Options, seedDemo bool) *Env {
	t.Helper()
	env := map[string]string{
		"ENVIRONMENT":           "test",
		"DATABASE_URL":          dbURL,
		"SECRET_KEY":            "test-secret-key-0123456789abcdefghijklmnop",
		"BCRYPT_COST":           "4",
		"RATE_LIMIT_PER_MINUTE": "0",
		"LOG_LEVEL":             "DEBUG",
		"ENABLE_SCHEDULER":      "false", // tests run the jobs themselves
		// Event streams end after a second, so plain requests to them (the RBAC matrix) return.
		"LIVE_STREAM_MAX_SECONDS": "1",
		// No authentication cache: many tests change accounts, profiles and companies straight
		// in SQL and use the token at once, which would race the change's announcement. The
		// cache's own tests turn it on (AUTH_CACHE_TTL).
		"AUTH_CACHE_TTL": "0",
		// Likewise for the names shown in the lists of interventions (machines renamed in SQL).
		"NAMES_CACHE_TTL": "0",
		// Fresh indicators: the tests change data between two calls (the cache's own test turns
		// it on).
		"KPI_CACHE_SECONDS": "0",
	}
	for k, v := range opts {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	ctx := context.Background()
	pool, err := platform.OpenPool(ctx, cfg.DatabaseURL, 10)
	if err != nil {
		t.Fatalf("open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	hasher, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		t.Fatal(err)
	}
	if seedDemo { // not for another instance on an already seeded database
		if _, err := seed.Run(ctx, pool, hasher); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	var rdb *redis.Client
	if cfg.RedisURL != "" {
		o, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			t.Fatal(err)
		}
		rdb = redis.NewClient(o)
		t.Cleanup(func() { _ = rdb.Close() })
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
	hub := app.Live(pool, log)
	hub.Start(context.Background())
	h, err := app.Handler(cfg, pool, rdb, log, "test", time.Now(), app.WithLive(hub))
	if err != nil {
		hub.Stop()
		t.Fatalf("build server: %v", err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	t.Cleanup(hub.Stop) // before ts.Close, which waits for the open event streams

	hc := &http.Client{Transport: newContractTransport(t), Timeout: 30 * time.Second}
	client, err := api.NewClientWithResponses(ts.URL+"/api/v1", api.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, URL: ts.URL + "/api/v1", Root: ts.URL, Pool: pool, Config: cfg, Client: client,
		HTTP: hc, Logs: logs, Hub: hub, tokens: newTokenCache(nil)}
}

// Login logs in with the form fields given and fails the test unless it gets tokens.
func (e *Env) Login(identifier, password string) api.TokenResponse {
	e.T.Helper()
	resp, err := e.Client.LoginForTokenWithFormdataBodyWithResponse(context.Background(),
		api.LoginForTokenFormdataRequestBody{Username: &identifier, Password: password})
	if err != nil {
		e.T.Fatalf("login %s: %v", identifier, err)
	}
	if resp.JSON200 == nil {
		e.T.Fatalf("login %s: status %d: %s", identifier, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON200
}

// Token returns an access token of a demo account ("admin", "responsable", "technicien",
// "client"), logging in once per test.
func (e *Env) Token(role string) string {
	e.T.Helper()
	if tok, ok := e.tokens.get(role); ok {
		return tok
	}
	return e.Relogin(role)
}

// Relogin logs the demo account of role in again and caches the new access token, for the
// tests that ended its sessions (a logout, a password change): its cached token is refused
// from then on.
func (e *Env) Relogin(role string) string {
	e.T.Helper()
	for _, a := range seed.Accounts {
		if string(a.Role) == role {
			tok := e.Login(a.Email, a.Password).AccessToken
			e.tokens.put(role, tok)
			return tok
		}
	}
	e.T.Fatalf("no demo account for role %q", role)
	return ""
}

// As is a RequestEditorFn sending the bearer token.
func As(token string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// Do sends a raw request (path relative to the root, e.g. "/api/v1/users") through the
// contract-validating client and returns the response with its body read.
func (e *Env) Do(method, path, token, contentType string, body io.Reader, onPurpose bool) (*http.Response, []byte) {
	e.T.Helper()
	req, err := http.NewRequest(method, e.Root+path, body)
	if err != nil {
		e.T.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if onPurpose {
		req.Header.Set(HeaderInvalidOnPurpose, "1")
	}
	resp, err := e.HTTP.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return resp, b
}

// Form encodes urlencoded form values.
func Form(kv ...string) io.Reader {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode())
}

// LogBuffer collects the server's log lines.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
