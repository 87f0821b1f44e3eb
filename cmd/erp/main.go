// Command erp is the MIF ERP server: `erp serve | migrate up|down [N]|version | seed | documents ... |
// users unlock <email-or-username> | openapi | version`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	contract "github.com/mif-erp/erp/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/telemetry"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

const usage = `usage: erp <command>

commands:
  serve                 migrate (unless MIGRATE_ON_START=false) and serve the API on $PORT
  migrate up            apply pending migrations
  migrate down [N]      revert the last N migrations (all when N is omitted)
  migrate version       print the applied migration version
  seed [--scale N]      create the demo accounts and demo data (idempotent); with --scale N,
                        then add a batch of load-test data: N interventions, N/20 machines,
                        max(20, N/500) technicians... (each run adds another batch)
  documents rotate-keys re-encrypt every document with the first DOCUMENT_KEYS key
  users unlock <email-or-username>
                        clear the account's failed logins (its lockout) from every address (audited)
  documents sweep       delete the blobs of deleted documents and orphan blobs older than an hour
  openapi               print the OpenAPI contract (YAML)
  version               print the build version

Configuration comes from environment variables; see README.md and .env.example.
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "erp:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "openapi":
		_, err := stdout.Write(contract.Spec)
		return err
	case "version":
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	// Log lines are written in batches (at most logFlushPeriod late; warnings and errors at once).
	logw := platform.NewLogWriter(stderr, logFlushPeriod)
	defer logw.Close()
	log := platform.NewLogger(logw, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrateCmd(args[1:], cfg, stdout)
	case "seed":
		return seedCmd(ctx, args[1:], cfg, stdout)
	case "documents":
		return documentsCmd(ctx, args[1:], cfg, log, stdout)
	case "users":
		return usersCmd(ctx, args[1:], cfg, stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// logFlushPeriod is how late an INFO log line may reach stderr.
const logFlushPeriod = 100 * time.Millisecond

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func migrateCmd(args []string, cfg config.Config, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("migrate: want up, down [N] or version")
	}
	m, err := platform.NewMigrator(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	switch args[0] {
	case "up":
		if err := m.Up(); err != nil {
			return err
		}
	case "down":
		steps := 0
		if len(args) > 1 {
			if steps, err = strconv.Atoi(args[1]); err != nil || steps < 1 {
				return fmt.Errorf("migrate down: %q is not a positive number of steps", args[1])
			}
		}
		if err := m.Down(steps); err != nil {
			return err
		}
	case "version":
	default:
		return fmt.Errorf("migrate: unknown subcommand %q (want up, down [N] or version)", args[0])
	}
	v, dirty, err := m.Version()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (dirty=%t)\n", v, dirty)
	return nil
}

func seedCmd(ctx context.Context, args []string, cfg config.Config, stdout io.Writer) error {
	scale, err := parseSeedArgs(args)
	if err != nil {
		return err
	}
	pool, err := platform.OpenPool(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		return err
	}
	defer pool.Close()
	hasher, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		return err
	}
	res, err := seed.Run(ctx, pool, hasher)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: %d demo account(s) created, %d already present\n",
		res.UsersCreated, len(seed.Accounts)-res.UsersCreated)
	demo, err := seed.Demo(ctx, pool, hasher)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: demo data: %d more account(s), %d row(s) created\n", demo.UsersCreated, demo.RowsCreated)
	if scale == 0 {
		return nil
	}
	sc, err := seed.Scale(ctx, pool, hasher, scale)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: scale batch %d: %d interventions, %d history rows, %d notifications, %d equipements, "+
		"%d techniciens, %d clients (with contracts), %d plannings, %d pieces (%d receipts, %d issues), "+
		"%d users (password %s) in %s\n",
		sc.Batch, sc.Interventions, sc.Historique, sc.Notifications, sc.Equipements, sc.Techniciens, sc.Clients,
		sc.Plannings, sc.Pieces, sc.Mouvements, sc.Sorties, sc.Users, seed.ScalePassword, sc.Elapsed.Round(time.Millisecond))
	return nil
}

// parseSeedArgs reads `--scale N` (or --scale=N); 0 means no scale data.
func parseSeedArgs(args []string) (int, error) {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	scale := fs.Int("scale", 0, "add a batch of N load-test interventions")
	if err := fs.Parse(args); err != nil {
		return 0, fmt.Errorf("seed: %w (usage: erp seed [--scale N])", err)
	}
	if fs.NArg() > 0 {
		return 0, fmt.Errorf("seed: unexpected argument %q (usage: erp seed [--scale N])", fs.Arg(0))
	}
	scaleSet := false
	fs.Visit(func(f *flag.Flag) { scaleSet = scaleSet || f.Name == "scale" })
	if scaleSet && *scale < 1 {
		return 0, fmt.Errorf("seed: --scale must be an integer >= 1, got %d", *scale)
	}
	return *scale, nil
}

// documentsCmd runs the maintenance of the document store.
func documentsCmd(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if len(args) != 1 || (args[0] != "rotate-keys" && args[0] != "sweep") {
		return errors.New("documents: want rotate-keys or sweep")
	}
	if cfg.DocumentKeysGenerated {
		return errors.New("documents: DOCUMENT_KEYS is not set: there is no key to read the stored documents with")
	}
	pool, err := platform.OpenPool(ctx, cfg.DatabaseURL, 4)
	if err != nil {
		return err
	}
	defer pool.Close()
	docs, err := app.Documents(ctx, cfg, pool, log)
	if err != nil {
		return err
	}
	if args[0] == "sweep" {
		res, err := docs.Sweep(ctx, documents.OrphanAge)
		fmt.Fprintf(stdout, "documents sweep: %d queued blob(s) and %d orphan(s) deleted, %d failure(s)\n", res.Queued, res.Orphans, res.Failed)
		return err
	}
	res, err := docs.RotateKeys(ctx)
	fmt.Fprintf(stdout, "documents rotate-keys: %d re-encrypted with key %s, %d skipped, %d failed\n",
		res.Rotated, documents.KeyID(cfg.DocumentKeys[0]), res.Skipped, res.Failed)
	if err == nil && res.Failed > 0 {
		err = fmt.Errorf("documents rotate-keys: %d document(s) could not be re-encrypted (see the log); keep their keys in DOCUMENT_KEYS", res.Failed)
	}
	return err
}

// usersCmd runs the account maintenance: `users unlock <email-or-username>` clears the account's
// failed-login counters (from every address; the addresses' own counters stay).
func usersCmd(ctx context.Context, args []string, cfg config.Config, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "unlock" {
		return errors.New("users: want unlock <email-or-username>")
	}
	if len(args) != 2 || strings.TrimSpace(args[1]) == "" {
		return errors.New("users unlock: usage: erp users unlock <email-or-username>")
	}
	pool, err := platform.OpenPool(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := auth.UnlockAccount(ctx, pool, strings.TrimSpace(args[1]))
	if err != nil {
		return fmt.Errorf("users %w", err)
	}
	fmt.Fprintf(stdout, "users unlock: %s (id %d): %d failed-login counter(s) cleared\n", res.Username, res.UserID, res.Cleared)
	return nil
}

// defaultGOGC is the garbage collector's target of `erp serve` when the GOGC variable is unset.
const defaultGOGC = 400

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	started := time.Now()
	// Diagnostic (make bench with BENCH_PROFILE=1): a CPU profile from start to shutdown.
	if path := os.Getenv("ERP_CPU_PROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
		log.Warn("CPU profiling enabled (ERP_CPU_PROFILE)", "file", path)
	}
	if os.Getenv("GOGC") == "" {
		// The API's live heap is small (tens of MB) and its garbage is per request: collecting at
		// 5x the live heap instead of 2x spends far less CPU in the collector under load.
		debug.SetGCPercent(defaultGOGC)
	}
	if cfg.SecretKeyGenerated {
		log.Warn("SECRET_KEY is not set: using a random key; tokens will not survive a restart")
	} else if len(cfg.SecretKey) < config.MinSecretKeyLen {
		log.Warn("SECRET_KEY is shorter than 32 characters; refused in production")
	}
	if cfg.DocumentKeysGenerated && cfg.Environment != config.Test {
		log.Warn("DOCUMENT_KEYS is not set: using a random key; uploaded documents cannot be read after a restart")
	}
	if cfg.MigrateOnStart {
		if err := platform.MigrateUp(cfg.DatabaseURL); err != nil {
			return err
		}
	}
	// Tracing (OTEL_*; off by default): deferred first, so it runs last and flushes the spans of
	// the requests and jobs that end during the shutdown.
	tracing, err := telemetry.Setup(ctx, cfg.TracesExporter, buildVersion(), log)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tracing.Shutdown(flushCtx); err != nil {
			log.Warn("tracing: spans not flushed", "error", err)
		}
	}()
	pool, err := platform.OpenPool(ctx, cfg.DatabaseURL, cfg.DBMaxConns, platform.WithQueryTracer(tracing.QueryTracer()))
	if err != nil {
		return err
	}
	defer pool.Close()
	// Stored files whose key is not configured cannot be read: say so now rather than at the
	// first download. The check never stops the server.
	if err := app.CheckDocumentKeys(ctx, cfg, pool, log); err != nil {
		log.Warn("document keys not checked", "error", err)
	}

	var rdb *redis.Client
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		rdb = redis.NewClient(opts)
		defer rdb.Close()
	}

	// Live notifications: this instance's LISTEN connection, started before serving and stopped
	// first on shutdown (ending the open event streams, which Shutdown would otherwise wait for).
	hub := app.Live(pool, log)
	hub.Start(ctx)
	defer hub.Stop() // deferred after pool.Close, so it runs first

	// The background jobs' metrics: recorded by the scheduler, exposed on /metrics.
	metrics := app.WithMetrics(app.NewMetrics())
	e, err := app.Handler(cfg, pool, rdb, log, buildVersion(), started, app.WithLive(hub), metrics, app.WithTracing(tracing))
	if err != nil {
		return err
	}
	if cfg.EnableScheduler {
		sch, err := app.Scheduler(ctx, cfg, pool, log, metrics)
		if err != nil {
			return err
		}
		if err := sch.Start(ctx); err != nil {
			return err
		}
		// Deferred after pool.Close, so it runs first: running jobs end before the pool closes.
		defer func() {
			if err := sch.Stop(); err != nil {
				log.Warn("scheduler did not stop cleanly", "error", err)
			}
		}()
	}
	srv := &http.Server{
		Addr:              ":" + strconv.Itoa(cfg.Port),
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(hub.Stop)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", srv.Addr, "version", buildVersion(), "environment", cfg.Environment,
		"database", cfg.Redacted(), "redis", cfg.RedisURL != "", "scheduler", cfg.EnableScheduler, "docs", fmt.Sprintf("http://localhost:%d/docs", cfg.Port))

	select {
	case err := <-errc:
		return fmt.Errorf("listen: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running after the timeout: close their connections, which cancels their
		// contexts, so a hung query releases its connection and the deferred pool.Close returns.
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// startCPUProfile writes a CPU profile to path until the returned function is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("ERP_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("ERP_CPU_PROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
