// Package testenv gives integration tests a real PostgreSQL database per test (cloned from a
// migrated template) and the real HTTP server, reached through the generated client with every
// request and response validated against api/openapi.yaml.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/platform"
)

// DefaultAdminURL is used when TEST_DATABASE_URL is not set (the README's `make test` sets it).
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Postgres hands out fresh databases cloned from one migrated template.
type Postgres struct {
	adminURL string
	template string

	mu  sync.Mutex
	dbs []string

	shared shared // the package's shared server (Shared)
}

// AdminURL is the maintenance connection used to create and drop test databases.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Main is the TestMain of a package whose tests need PostgreSQL: it starts the template into
// *pg, runs the tests, drops every database and exits with their status.
func Main(m *testing.M, pg **Postgres) {
	var err error
	if *pg, err = StartPostgres(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "integration tests need PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	(*pg).Close()
	os.Exit(code)
}

// StartPostgres creates and migrates the template database on the server at AdminURL. Call it
// from TestMain and Close it after m.Run (Main does both).
func StartPostgres(ctx context.Context) (*Postgres, error) {
	return StartPostgresAt(ctx, AdminURL())
}

// StartPostgresAt is StartPostgres on the server whose maintenance database is at adminURL (a
// private Cluster's, say).
func StartPostgresAt(ctx context.Context, adminURL string) (*Postgres, error) {
	p := &Postgres{adminURL: adminURL, template: "mif_tmpl_" + randomSuffix()}
	if err := p.exec(ctx, fmt.Sprintf("CREATE DATABASE %s", p.template)); err != nil {
		return nil, fmt.Errorf("create template database (is PostgreSQL reachable at %s? TEST_DATABASE_URL names it, `make test` starts one): %w",
			redact(p.adminURL), err)
	}
	if err := platform.MigrateUp(p.urlFor(p.template)); err != nil {
		_ = p.exec(ctx, "DROP DATABASE IF EXISTS "+p.template)
		return nil, err
	}
	return p, nil
}

// NewDatabase returns the URL of a new migrated database, dropped when the test ends.
func (p *Postgres) NewDatabase(t testing.TB) string {
	t.Helper()
	name := "mif_t_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := p.exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, p.template)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	p.mu.Lock()
	p.dbs = append(p.dbs, name)
	p.mu.Unlock()
	return p.urlFor(name)
}

// NewEmptyDatabase returns the URL of a new database without any schema (the target of a
// restore), dropped with the others when the package's tests end.
func (p *Postgres) NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	name := "mif_t_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := p.exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'", name)); err != nil {
		t.Fatalf("create empty test database: %v", err)
	}
	p.mu.Lock()
	p.dbs = append(p.dbs, name)
	p.mu.Unlock()
	return p.urlFor(name)
}

// NewPool opens a pool of at most maxConns connections with the API's session settings
// (platform.OpenPool) on a new migrated database; it is closed when the test ends.
func (p *Postgres) NewPool(t testing.TB, maxConns int32) *pgxpool.Pool {
	t.Helper()
	pool, err := platform.OpenPool(context.Background(), p.NewDatabase(t), maxConns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Close stops the shared server and drops the template and every database handed out.
func (p *Postgres) Close() {
	p.shared.mu.Lock()
	if p.shared.life != nil {
		p.shared.life.close()
	}
	p.shared.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range append(p.dbs, p.template) {
		_ = p.exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	}
}

// URLFor returns the URL of another database on the same server.
func (p *Postgres) urlFor(name string) string {
	u, err := url.Parse(p.adminURL)
	if err != nil {
		panic(fmt.Sprintf("TEST_DATABASE_URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

func (p *Postgres) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, p.adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
