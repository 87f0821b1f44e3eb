package mif_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

// serverURL is the root URL (without /api/v1) of the in-process server the tests and examples
// talk to. TestMain starts the server, the real one (internal/app) on a fresh PostgreSQL
// database seeded with the demo accounts, before any test or example runs, since examples have
// no testing.TB to start one.
var serverURL string

// The demo accounts seeded by internal/seed.
const (
	adminLogin, adminPassword             = "admin@mif.ma", "Admin12345!"
	responsableLogin, responsablePassword = "responsable@mif.ma", "Responsable123!"
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	srv, err := startServer(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "the SDK tests need PostgreSQL (TEST_DATABASE_URL):", err)
		return 1
	}
	defer srv.close()
	serverURL = srv.url
	return m.Run()
}

// testServer is the API on its own database, dropped by close.
type testServer struct {
	url     string
	cleanup []func()
}

func (s *testServer) close() {
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
}

// startServer builds the server as internal/testenv does (the same settings), without a
// testing.TB: a migrated database of its own on TEST_DATABASE_URL's server, the demo accounts,
// the HTTP handler of `erp serve`.
func startServer(ctx context.Context) (srv *testServer, err error) {
	srv = &testServer{}
	defer func() {
		if err != nil {
			srv.close()
		}
	}()
	adminURL := testenv.AdminURL()
	name := "mif_sdk_" + randomHex(6)
	if err := execAdmin(ctx, adminURL, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	srv.cleanup = append(srv.cleanup, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = execAdmin(ctx, adminURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	dbURL, err := databaseURL(adminURL, name)
	if err != nil {
		return nil, err
	}
	if err := platform.MigrateUp(dbURL); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	env := map[string]string{
		"ENVIRONMENT":           "test",
		"DATABASE_URL":          dbURL,
		"SECRET_KEY":            "test-secret-key-0123456789abcdefghijklmnop",
		"BCRYPT_COST":           "4",
		"RATE_LIMIT_PER_MINUTE": "0",
		"ENABLE_SCHEDULER":      "false",
		"AUTH_CACHE_TTL":        "0",
		"KPI_CACHE_SECONDS":     "0",
		// The examples log in with a wrong password on purpose, once per run of -count.
		"LOGIN_MAX_FAILURES": "1000",
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	pool, err := platform.OpenPool(ctx, cfg.DatabaseURL, 10)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	srv.cleanup = append(srv.cleanup, pool.Close)
	hasher, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	if _, err := seed.Run(ctx, pool, hasher); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	h, err := app.Handler(cfg, pool, nil, slog.New(slog.DiscardHandler), "test", time.Now())
	if err != nil {
		return nil, fmt.Errorf("build server: %w", err)
	}
	ts := httptest.NewServer(h)
	srv.cleanup = append(srv.cleanup, ts.Close)
	srv.url = ts.URL
	return srv, nil
}

func execAdmin(ctx context.Context, adminURL, sql string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func databaseURL(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", errors.New("TEST_DATABASE_URL is not a URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
