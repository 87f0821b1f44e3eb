package testenv

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/live"
)

// QueryCounter is a pgx QueryTracer counting the statements a pool sends to PostgreSQL, to prove
// that a request costs a bounded number of queries whatever the page size (no N+1).
type QueryCounter struct {
	n    atomic.Int64
	mu   sync.Mutex
	sqls []string
}

// TraceQueryStart counts one statement.
func (c *QueryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	c.mu.Lock()
	c.sqls = append(c.sqls, data.SQL)
	c.mu.Unlock()
	return ctx
}

// TraceQueryEnd does nothing.
func (c *QueryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Count is the number of statements since the last Reset.
func (c *QueryCounter) Count() int64 { return c.n.Load() }

// Reset sets the count back to zero.
func (c *QueryCounter) Reset() {
	c.mu.Lock()
	c.sqls = nil
	c.n.Store(0)
	c.mu.Unlock()
}

// Statements are the statements counted since the last Reset, in order.
func (c *QueryCounter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.sqls...)
}

// Measure runs fn and returns how many statements it sent.
func (c *QueryCounter) Measure(fn func()) int64 {
	c.Reset()
	fn()
	return c.Count()
}

// NewCountingEnv is NewEnv whose server counts its queries: Client, HTTP and Do reach a server
// on the test's database whose pool has the returned QueryCounter (Pool stays uncounted, for
// fixtures).
func NewCountingEnv(t testing.TB, pg *Postgres, opts Options) (*Env, *QueryCounter) {
	t.Helper()
	return NewEnv(t, pg, opts).WithQueryCounter()
}

// WithQueryCounter returns an Env reaching another instance of the server on e's database (same
// configuration, tokens valid on both) whose pool counts its queries with the returned counter.
func (e *Env) WithQueryCounter() (*Env, *QueryCounter) {
	e.T.Helper()
	counter := &QueryCounter{}
	cfg, err := pgxpool.ParseConfig(e.Config.DatabaseURL)
	if err != nil {
		e.T.Fatalf("counting pool: %v", err)
	}
	cfg.MaxConns = 10
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		e.T.Fatalf("counting pool: %v", err)
	}
	e.T.Cleanup(pool.Close)
	log := slog.New(slog.NewJSONHandler(e.Logs, nil))
	// With the authentication or names cache on, the instance has its live hub (a cache serves
	// only while it hears of changes); its LISTEN connection is not counted.
	var opts []app.Option
	var hub *live.Hub
	if e.Config.AuthCacheTTL > 0 || e.Config.NamesCacheTTL > 0 {
		hub = app.Live(e.Pool, log)
		hub.Start(context.Background())
		e.T.Cleanup(hub.Stop)
		opts = append(opts, app.WithLive(hub))
	}
	h, err := app.Handler(e.Config, pool, nil, log, "test", time.Now(), opts...)
	if err != nil {
		e.T.Fatalf("counting server: %v", err)
	}
	ts := httptest.NewServer(h)
	e.T.Cleanup(ts.Close)
	hc := &http.Client{Transport: newContractTransport(e.T), Timeout: 30 * time.Second}
	client, err := api.NewClientWithResponses(ts.URL+"/api/v1", api.WithHTTPClient(hc))
	if err != nil {
		e.T.Fatal(err)
	}
	return &Env{T: e.T, URL: ts.URL + "/api/v1", Root: ts.URL, Pool: e.Pool, Config: e.Config, Client: client,
		HTTP: hc, Logs: e.Logs, Hub: hub, tokens: newTokenCache(e.tokens.clone())}, counter
}
