package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/testenv"
	"github.com/mif-erp/erp/sql/migrations"
)

// emptyDatabase creates an empty database (no schema), dropped when the test ends.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := testenv.AdminURL()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "mif_cmd_" + hex.EncodeToString(b)
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database (is PostgreSQL reachable at TEST_DATABASE_URL? `make test` starts one): %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// served is the outcome of serve running in the background: err is set when done is closed.
type served struct {
	done chan struct{}
	err  error
}

// startServe runs serve in the background on a fresh database and waits until /live answers.
func startServe(t *testing.T, vars map[string]string) (addr string, dbURL string, cancel context.CancelFunc, res *served, logs *testenv.LogBuffer) {
	t.Helper()
	dbURL = emptyDatabase(t)
	addr, cancel, res, logs = startServeOn(t, dbURL, vars)
	return addr, dbURL, cancel, res, logs
}

// startServeOn is startServe on the database at dbURL.
func startServeOn(t *testing.T, dbURL string, vars map[string]string) (addr string, cancel context.CancelFunc, res *served, logs *testenv.LogBuffer) {
	t.Helper()
	port := freePort(t)
	all := map[string]string{
		"ENVIRONMENT":           "test",
		"DATABASE_URL":          dbURL,
		"PORT":                  strconv.Itoa(port),
		"SECRET_KEY":            "test-secret-key-0123456789abcdefghijklmnop",
		"BCRYPT_COST":           "4",
		"RATE_LIMIT_PER_MINUTE": "0",
	}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := all[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	logs = &testenv.LogBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	res = &served{done: make(chan struct{})}
	go func() {
		defer close(res.done)
		res.err = serve(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-res.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not return after the test")
		}
	})
	addr = "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-res.done:
			t.Fatalf("serve returned before serving: %v\n%s", res.err, logs.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/live")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never answered /live: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return addr, cancel, res, logs
}

// slowLogin opens a connection and sends a login request whose body stops half-way, so the
// request stays in flight until finish is called; finish sends the rest and reads the response.
func slowLogin(t *testing.T, addr string) (finish func() (*http.Response, error)) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	body := "username=nobody&password=Wrong-password-1"
	fmt.Fprintf(conn, "POST /api/v1/auth/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", addr, len(body), body[:10])
	return func() (*http.Response, error) {
		if _, err := io.WriteString(conn, body[10:]); err != nil {
			return nil, err
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return resp, nil
	}
}

// waitRefused waits until nothing accepts connections on addr any more.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		_ = conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the port still accepts connections after shutdown began")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeMigratesAnEmptyDatabaseAndServes(t *testing.T) {
	addr, dbURL, _, _, _ := startServe(t, nil)
	resp, err := http.Get("http://" + addr + "/api/v1/ready")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/ready: %d", resp.StatusCode)
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var v int
	if err := conn.QueryRow(context.Background(), "SELECT version FROM schema_migrations").Scan(&v); err != nil || v != latestMigration(t) {
		t.Errorf("schema version after serve = %d (%v), want %d", v, err, latestMigration(t))
	}
}

func TestServeFinishesInFlightRequestsThenReturnsNilOnCancel(t *testing.T) {
	addr, _, cancel, done, logs := startServe(t, map[string]string{"SHUTDOWN_TIMEOUT_SECONDS": "20"})
	finish := slowLogin(t, addr)
	time.Sleep(200 * time.Millisecond) // let the server start reading the body

	cancel()
	waitRefused(t, addr)
	select {
	case <-done.done:
		t.Fatalf("serve returned (%v) while a request was still in flight", done.err)
	case <-time.After(300 * time.Millisecond):
	}

	resp, err := finish()
	if err != nil {
		t.Fatalf("the in-flight request was cut: %v", err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		b, _ := io.ReadAll(resp.Body)
		t.Errorf("in-flight login answered %d %s, want 401", resp.StatusCode, b)
	}
	select {
	case <-done.done:
		if done.err != nil {
			t.Errorf("serve returned %v, want nil", done.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not return after its last request finished")
	}
	for _, msg := range []string{`"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), msg) {
			t.Errorf("logs lack %s:\n%s", msg, logs.String())
		}
	}
}

func TestServeGivesUpOnHungRequestsAfterTheShutdownTimeout(t *testing.T) {
	addr, dbURL, cancel, done, _ := startServe(t, map[string]string{"SHUTDOWN_TIMEOUT_SECONDS": "1"})

	// A request stuck in the database: the users table is locked by another session, so the
	// login's query waits while holding a pool connection.
	ctx := context.Background()
	locker, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	stuck := make(chan error, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/auth/token", "application/x-www-form-urlencoded",
			strings.NewReader("username=admin&password=Admin12345%21"))
		if err == nil {
			_ = resp.Body.Close()
		}
		stuck <- err
	}()
	// Also one whose body never completes.
	slowLogin(t, addr)
	time.Sleep(300 * time.Millisecond)

	start := time.Now()
	cancel()
	select {
	case <-done.done:
		if err := done.err; err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("serve returned %v, want the shutdown deadline error", err)
		}
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Errorf("serve returned after %v, before the 1 s shutdown timeout", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return within the shutdown timeout while requests hung")
	}
	select {
	case <-stuck:
	case <-time.After(5 * time.Second):
		t.Error("the hung request's connection was not closed")
	}
}

func TestRunCommands(t *testing.T) {
	dbURL := emptyDatabase(t)
	t.Setenv("ENVIRONMENT", "test")
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("BCRYPT_COST", "4")
	t.Setenv("SECRET_KEY", "test-secret-key-0123456789abcdefghijklmnop")
	n := latestMigration(t)
	latest := fmt.Sprintf("schema version %d (dirty=false)\n", n)
	previous := fmt.Sprintf("schema version %d (dirty=false)\n", n-1)

	cases := []struct {
		name    string
		args    []string
		stdout  string // prefix of stdout; "" = not checked
		wantErr string // substring of the error; "" = success
	}{
		{"version", []string{"version"}, "dev\n", ""},
		{"help", []string{"help"}, "usage: erp <command>", ""},
		{"openapi", []string{"openapi"}, "openapi: 3.0.3\n", ""},
		{"no command", nil, "", "missing command"},
		{"unknown command", []string{"frobnicate"}, "", `unknown command "frobnicate"`},
		{"migrate without subcommand", []string{"migrate"}, "", "want up, down [N] or version"},
		{"unknown migrate subcommand", []string{"migrate", "sideways"}, "", `unknown subcommand "sideways"`},
		{"version of an empty database", []string{"migrate", "version"}, "schema version 0 (dirty=false)\n", ""},
		{"migrate up", []string{"migrate", "up"}, latest, ""},
		{"migrate up again", []string{"migrate", "up"}, latest, ""},
		{"version after up", []string{"migrate", "version"}, latest, ""},
		{"seed", []string{"seed"}, "seed: 4 demo account(s) created, 0 already present\n", ""},
		{"seed again", []string{"seed"}, "seed: 0 demo account(s) created, 4 already present\n", ""},
		{"migrate down with a bad count", []string{"migrate", "down", "zero"}, "", "not a positive number"},
		{"migrate down 1", []string{"migrate", "down", "1"}, previous, ""},
		{"migrate up after down", []string{"migrate", "up"}, latest, ""},
		{"migrate down all", []string{"migrate", "down"}, "schema version 0 (dirty=false)\n", ""},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		err := run(tc.args, &stdout, &stderr)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v\nstderr: %s", tc.name, err, stderr.String())
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		}
		if tc.stdout != "" && !strings.HasPrefix(stdout.String(), tc.stdout) {
			t.Errorf("%s: stdout %q, want it to start with %q", tc.name, stdout.String(), tc.stdout)
		}
		if (tc.name == "no command" || tc.name == "unknown command") && !strings.Contains(stderr.String(), "usage: erp") {
			t.Errorf("%s: no usage on stderr", tc.name)
		}
	}
}

func TestRunRefusesABadConfigurationNamingTheVariable(t *testing.T) {
	t.Setenv("PORT", "abc")
	t.Setenv("ENVIRONMENT", "production")
	t.Setenv("SECRET_KEY", "")
	for _, cmd := range []string{"serve", "migrate", "seed"} {
		err := run([]string{cmd}, io.Discard, io.Discard)
		if err == nil {
			t.Fatalf("%s started with PORT=abc", cmd)
		}
		for _, want := range []string{"configuration", "PORT", "SECRET_KEY"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q lacks %q", cmd, err, want)
			}
		}
	}
}

// latestMigration is the highest version among the embedded migration files.
func latestMigration(t *testing.T) int {
	t.Helper()
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	latest := 0
	for _, e := range entries {
		if v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0]); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}
