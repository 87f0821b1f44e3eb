package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mif-erp/erp/internal/bench"
	"github.com/mif-erp/erp/internal/config"
)

// scaleArg is one step of `bench scale`: N interventions in the database at URL.
type scaleArg struct {
	n   int
	url string
}

func parseScaleArgs(args []string) ([]scaleArg, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("usage: bench scale N=DATABASE_URL... (make bench-scale gives one database per step)")
	}
	var out []scaleArg
	for _, a := range args {
		n, u, ok := strings.Cut(a, "=")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || v < 1 || u == "" {
			return nil, fmt.Errorf("bench scale: %q: want N=DATABASE_URL with N >= 1", a)
		}
		out = append(out, scaleArg{v, u})
	}
	return out, nil
}

// runScale is `make bench-scale`: for every step, in its own database, migrate and seed up to N
// interventions, start `erp serve`, run each of bench.ScaleOperations alone with
// BENCH_SCALE_USERS users (the responsable demo account) for BENCH_SCALE_DURATION, stop the
// server. Then print operation x scale and write bench/results/scale-<timestamp>.{json,md} and
// scale-latest.md (rewritten after every step, so a long run keeps what it measured).
func runScale(args []string) error {
	steps, err := parseScaleArgs(args)
	if err != nil {
		return err
	}
	users, err := envInt("BENCH_SCALE_USERS", 10)
	if err != nil {
		return err
	}
	duration, err := envDuration("BENCH_SCALE_DURATION", "10s")
	if err != nil {
		return err
	}
	warmup := min(time.Second, duration/5)
	erpBin := env("ERP_BIN", "bin/erp")
	resultsDir := env("BENCH_RESULTS", "bench/results")
	logPath := env("BENCH_SERVER_LOG", ".data/bench-server.log")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rep := &bench.ScaleReport{Started: time.Now(), Settings: bench.ScaleSettings{
		Users: users, DurationS: duration.Seconds(), WarmupS: warmup.Seconds(), Account: responsable.Email,
		Filter: bench.FilterQuery, Search: bench.SearchQuery, RateLimit: "0 (off)", DBMaxConns: atoiOr(env("DB_MAX_CONNS", strconv.Itoa(config.DefaultDBMaxConns()))),
	}}
	for _, s := range steps {
		rep.Settings.Steps = append(rep.Settings.Steps, s.n)
	}
	path := ""
	for _, s := range steps {
		st, pgVersion, err := scaleStep(ctx, erpBin, logPath, s, users, duration, warmup)
		if err != nil {
			return fmt.Errorf("step %d: %w", s.n, err)
		}
		rep.Machine = machine(erpBin, pgVersion)
		rep.Steps = append(rep.Steps, st)
		rep.Finish()
		if path, err = rep.Write(resultsDir); err != nil {
			return err
		}
	}
	fmt.Println()
	rep.Table(os.Stdout)
	fmt.Printf("\nwritten: %s (+ .md; scale-latest.md)\n", path)
	return nil
}

// scaleStep measures one step; it also returns the PostgreSQL version.
func scaleStep(ctx context.Context, erpBin, logPath string, s scaleArg, users int, d, warmup time.Duration) (bench.ScaleStep, string, error) {
	out := bench.ScaleStep{Scale: s.n, Database: dbName(s.url)}
	step(fmt.Sprintf("step %d interventions: database %s", s.n, out.Database))
	data, err := prepare(ctx, erpBin, s.url, s.n)
	if err != nil {
		return out, "", err
	}
	out.Interventions, out.SeedS = data.count, data.seeded.Round(time.Millisecond).Seconds()
	srv, base, err := serve(ctx, erpBin, s.url, logPath)
	if err != nil {
		return out, "", err
	}
	defer srv.stop()
	step(fmt.Sprintf("log %d virtual users in (%s)", users, responsable.Email))
	sess, err := bench.Login(ctx, bench.Config{BaseURL: base, Users: users, User: responsable, InterventionID: data.interventions})
	if err != nil {
		return out, "", err
	}
	defer sess.Close()
	out.Login = bench.Summarise("login", &sess.Login, 0)
	for _, name := range bench.ScaleOperations {
		step(fmt.Sprintf("%s alone: %d users for %s (after %s of warm-up)", name, users, d, warmup))
		if _, err := sess.Alone(ctx, name, warmup); err != nil {
			return out, "", err
		}
		r, err := sess.Alone(ctx, name, d)
		if err != nil {
			return out, "", err
		}
		if ctx.Err() != nil {
			return out, "", ctx.Err()
		}
		st := r.Stats(name)
		fmt.Printf("%s: %d requests, %d errors, %.1f req/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n",
			name, st.Requests, st.Errors, st.RPS, st.P50ms, st.P95ms, st.P99ms)
		for _, e := range r.Errors {
			fmt.Println("error:", e)
		}
		out.Operations = append(out.Operations, st)
	}
	return out, data.pgVersion, nil
}

// dbName is the database of a PostgreSQL URL.
func dbName(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(p.Path, "/")
}
