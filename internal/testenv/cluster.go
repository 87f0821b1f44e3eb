package testenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// clusterDirPrefix names the data directories of private clusters; scripts/pg-ensure.sh uses the
// same prefix, so `scripts/pg-ensure.sh stop DIR` also removes one left behind by a killed run.
const clusterDirPrefix = "mif-erp-pgtest."

// pgCtlTimeout bounds one pg_ctl start or stop (crash recovery included).
const pgCtlTimeout = 60 * time.Second

// Cluster is a private PostgreSQL server owned by one test, for tests that stop and start the
// database under a running API (outages), which the shared TEST_DATABASE_URL server cannot be
// used for. It listens on 127.0.0.1 only, on a free port that it keeps across restarts.
type Cluster struct {
	t    testing.TB
	dir  string // data directory, also holding server.log
	port int
	bin  string // directory of initdb, pg_ctl and postgres
	cred *syscall.Credential
}

// NewCluster initialises and starts a private cluster (trust authentication, user postgres),
// stopped and deleted when the test ends, failed or not. It fails the test, rather than skipping
// it, when the PostgreSQL server programs are missing: CI installs them. As root, the server runs
// as user postgres, since PostgreSQL refuses to run as root.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := findPGBin()
	if err != nil {
		t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	c := &Cluster{t: t, bin: bin}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresCredential(); err != nil {
			t.Fatalf("private PostgreSQL cluster: %v", err)
		}
	}
	// Not t.TempDir: its parent is private to root, and the server runs as postgres.
	if c.dir, err = os.MkdirTemp("", clusterDirPrefix); err != nil {
		t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	t.Cleanup(c.remove)
	if err := c.init(); err != nil {
		t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	// A free port may be taken between finding it and binding it: try a few.
	for attempt := 1; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			t.Fatalf("private PostgreSQL cluster: %v", err)
		}
		if err = c.Start(t.Context()); err == nil {
			return c
		}
		if attempt == 5 || !strings.Contains(c.serverLog(), "could not bind") {
			t.Fatalf("private PostgreSQL cluster: %v", err)
		}
	}
}

// AdminURL is the URL of the cluster's maintenance database, for StartPostgresAt.
func (c *Cluster) AdminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Postgres returns a template manager (as StartPostgres does on the shared server) on this
// cluster, closed when the test ends.
func (c *Cluster) Postgres() *Postgres {
	c.t.Helper()
	p, err := StartPostgresAt(c.t.Context(), c.AdminURL())
	if err != nil {
		c.t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	c.t.Cleanup(p.Close)
	return p
}

// Start starts the cluster on its port and returns once it accepts connections (after crash
// recovery when it was stopped in immediate mode).
func (c *Cluster) Start(ctx context.Context) error {
	return c.pgCtl(ctx, "-D", c.dir, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-s",
		"-o", fmt.Sprintf("-p %d", c.port), "start")
}

// Stop stops the cluster in mode "smart", "fast" or "immediate" (no checkpoint, every backend
// killed at once: as a crash, for the server under test) and waits until it is gone.
func (c *Cluster) Stop(ctx context.Context, mode string) error {
	return c.pgCtl(ctx, "-D", c.dir, "-m", mode, "-w", "-t", "60", "-s", "stop")
}

// init runs initdb into the empty data directory and writes the server settings, so that a
// restart needs nothing but the port.
func (c *Cluster) init() error {
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("hand %s to postgres: %w", c.dir, err)
		}
	}
	if err := os.Chmod(c.dir, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", c.dir, err)
	}
	ctx, cancel := context.WithTimeout(c.t.Context(), pgCtlTimeout)
	defer cancel()
	if out, err := c.command(ctx, "initdb", "-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
		"--locale="+clusterLocale(ctx), "--no-sync", "--no-instructions").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb %s: %w: %s", c.dir, err, out)
	}
	// fsync and full-page writes only matter when the machine crashes, which a test never does;
	// synchronous_commit stays on, so that an acknowledged commit is in the WAL (the kernel's
	// page cache) before the client hears of it, and survives an immediate stop as in production.
	// TCP on loopback only; no Unix socket, whose path could exceed its 107-byte limit.
	const settings = `
# added by testenv.NewCluster
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = off
full_page_writes = off
max_connections = 100
`
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open postgresql.conf: %w", err)
	}
	if _, err := f.WriteString(settings); err != nil {
		_ = f.Close()
		return fmt.Errorf("write postgresql.conf: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write postgresql.conf: %w", err)
	}
	return nil
}

// remove stops the cluster whatever its state and deletes its data directory.
func (c *Cluster) remove() {
	if _, err := os.Stat(filepath.Join(c.dir, "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), pgCtlTimeout)
		defer cancel()
		if err := c.Stop(ctx, "immediate"); err != nil {
			c.t.Errorf("private PostgreSQL cluster: %v", err)
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		c.t.Errorf("private PostgreSQL cluster: remove %s: %v", c.dir, err)
	}
}

func (c *Cluster) pgCtl(ctx context.Context, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, pgCtlTimeout)
	defer cancel()
	if out, err := c.command(ctx, "pg_ctl", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s\nserver.log:\n%s", args[len(args)-1], err, out, c.serverLog())
	}
	return nil
}

// command runs one of the server programs, as postgres when the test runs as root, from / (the
// test's directory may be closed to postgres).
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = "/"
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// serverLog returns the end of the server's log, for error messages.
func (c *Cluster) serverLog() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "server.log"))
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// clusterLocale is C.UTF-8 when the system has it (as the shared test server, so that lower()
// and the collation treat accented letters alike), else C.
func clusterLocale(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "locale", "-a").Output()
	if err != nil {
		return "C"
	}
	for _, l := range strings.Fields(strings.ToLower(string(out))) {
		if l == "c.utf8" || l == "c.utf-8" {
			return "C.UTF-8"
		}
	}
	return "C"
}

// findPGBin finds the directory of the server programs: initdb on PATH, else the newest
// /usr/lib/postgresql/*/bin (Debian keeps them off PATH), as scripts/pg-ensure.sh does.
func findPGBin() (string, error) {
	has := func(dir string) bool {
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int { return cmp.Compare(version(b), version(a)) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", errors.New("initdb, pg_ctl and postgres not found on PATH nor in /usr/lib/postgresql/*/bin: " +
		"install the PostgreSQL server (apt-get install postgresql)")
}

// postgresCredential is the identity the server runs under when the test runs as root.
func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, the server must run as user postgres: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("uid of postgres: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("gid of postgres: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort returns a loopback TCP port that nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
