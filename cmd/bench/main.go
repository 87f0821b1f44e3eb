// Command bench is the load benchmark of `make bench` (scripts/bench.sh finds PostgreSQL and
// builds bin/erp first): it migrates the database in DATABASE_URL, seeds the scale data if it is
// missing, starts `erp serve` on a free port, runs the virtual users, prints the table and
// writes bench/results/<timestamp>.{json,md,svg} (and latest.md, latest.svg), then stops the server.
//
// After the mixed run (closed loop: each user sends its next request when the last is answered),
// the same logged-in users run health and each service floor's HTTP request alone
// (BENCH_FLOOR_DURATION each, no think time); then the open loop offers the mix at a constant
// rate (BENCH_RATE, default half the closed loop's overall req/s) for BENCH_DURATION, latency
// measured from each request's scheduled send time. Then it stops the server (SIGTERM) and
// measures, through pgx with the API's pool size and BENCH_USERS goroutines: the physical floor
// (a prepared primary-key select of an intervention), which every req/s is reported as a share
// of, and the service floors (each hot service call alone, the API's throughput of that
// operation alone as a fraction of it).
//
// `bench scale N=DATABASE_URL...` is `make bench-scale` (scripts/bench-scale.sh): see scale.go.
//
// Settings (environment): BENCH_USERS (100), BENCH_DURATION (60s), BENCH_THINK (0, a duration
// or a range such as 0.5s-2s), BENCH_SCALE (100000 interventions), BENCH_FLOOR_DURATION (10s per
// query), BENCH_RATE (open-loop req/s; default half the closed loop's), BENCH_PROFILE (1: the
// server writes a CPU profile to bench/results/<timestamp>.cpu.pprof through ERP_CPU_PROFILE), ERP_BIN (bin/erp), BENCH_RESULTS (bench/results), BENCH_SERVER_LOG
// (.data/bench-server.log).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/bench"
	"github.com/mif-erp/erp/internal/config"
)

func main() {
	run := runBench
	if len(os.Args) > 1 && os.Args[1] == "scale" {
		run = func() error { return runScale(os.Args[2:]) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// The demo accounts the virtual users log in as.
var (
	responsable = bench.Account{Email: "responsable@mif.ma", Password: "Responsable123!"}
	admin       = bench.Account{Email: "admin@mif.ma", Password: "Admin12345!"}
)

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) (int, error) {
	v := env(name, strconv.Itoa(def))
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want an integer >= 1", name, v)
	}
	return n, nil
}

func envDuration(name, def string) (time.Duration, error) {
	v := env(name, def)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as %s", name, v, def)
	}
	return d, nil
}

func runBench() error {
	users, err := envInt("BENCH_USERS", 100)
	if err != nil {
		return err
	}
	scale, err := envInt("BENCH_SCALE", 100000)
	if err != nil {
		return err
	}
	duration, err := envDuration("BENCH_DURATION", "60s")
	if err != nil {
		return err
	}
	floorDuration, err := envDuration("BENCH_FLOOR_DURATION", "10s")
	if err != nil {
		return err
	}
	rate := 0.0 // half the closed loop's throughput
	if v := env("BENCH_RATE", ""); v != "" {
		if rate, err = strconv.ParseFloat(v, 64); err != nil || rate <= 0 {
			return fmt.Errorf("BENCH_RATE=%q: want a positive number of requests per second", v)
		}
	}
	profile := env("BENCH_PROFILE", "0") == "1"
	dbMaxConns := atoiOr(env("DB_MAX_CONNS", strconv.Itoa(config.DefaultDBMaxConns())))
	resultsDir := env("BENCH_RESULTS", "bench/results")
	think, err := bench.ParseThink(env("BENCH_THINK", "0"))
	if err != nil {
		return err
	}
	dbURL := os.Getenv("DATABASE_URL")
	if dbURL == "" {
		return errors.New("DATABASE_URL is not set (make bench sets it through scripts/pg-ensure.sh)")
	}
	erpBin := env("ERP_BIN", "bin/erp")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	data, err := prepare(ctx, erpBin, dbURL, scale)
	if err != nil {
		return err
	}

	started := time.Now()
	var extraEnv []string
	profilePath := ""
	if profile {
		if err := os.MkdirAll(resultsDir, 0o755); err != nil {
			return err
		}
		if profilePath, err = filepath.Abs(filepath.Join(resultsDir, bench.Stamp(started)+".cpu.pprof")); err != nil {
			return err
		}
		extraEnv = append(extraEnv, "ERP_CPU_PROFILE="+profilePath)
	}
	logPath := env("BENCH_SERVER_LOG", ".data/bench-server.log")
	srv, base, err := serve(ctx, erpBin, dbURL, logPath, extraEnv...)
	if err != nil {
		return err
	}
	defer srv.stop()

	admins := users / 10
	step(fmt.Sprintf("log %d virtual users in (%d admins)", users, admins))
	sess, err := bench.Login(ctx, bench.Config{
		BaseURL: base, Users: users, Admins: admins, Duration: duration, Think: think,
		User: responsable, Admin: admin, EquipementID: data.machines, InterventionID: data.interventions,
		OpenInterventionID: data.open, PieceID: data.pieces,
	})
	if err != nil {
		return err
	}
	defer sess.Close()
	step(fmt.Sprintf("%d virtual users (%d admins) for %s, think time %s", users, admins, duration, think))
	res, err := sess.Mix(ctx)
	if err != nil {
		return err
	}
	ops, overall, login := res.Summarise()
	errs := res.Errors

	// Health and each floor's HTTP operation alone, with the same users: what the floors are
	// compared with.
	var single []bench.Stats
	for _, name := range append([]string{"health"}, floorAPIs()...) {
		step(fmt.Sprintf("%s alone: %d users (as responsables) for %s", name, users, floorDuration))
		r, err := sess.Alone(ctx, name, floorDuration)
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		single = append(single, r.Stats(name))
		errs = append(errs, r.Errors...)
	}
	open, err := openLoop(ctx, sess, rate, overall.RPS, duration)
	if err != nil {
		return err
	}
	errs = append(errs, open.errors...)
	srv.stop() // flushes the CPU profile; the floors run on a quiet machine

	pk, floor, err := runFloor(ctx, dbURL, int32(dbMaxConns), users, floorDuration, data.interventions, data.responsableID, single, ops)
	if err != nil {
		return err
	}
	rep := &bench.Report{
		Started: started,
		Settings: bench.Settings{
			Users: users, Admins: admins, DurationS: duration.Seconds(), Think: think.String(), Scale: scale,
			Mix: bench.MixDescription(), RateLimit: "0 (off)", Interventions: data.count,
			DBMaxConns: dbMaxConns, BcryptCost: atoiOr(env("BCRYPT_COST", "12")), FloorS: floorDuration.Seconds(),
		},
		Machine: machine(erpBin, data.pgVersion),
		Overall: overall, Operations: ops, Login: login, Single: single, Floor: floor, PKFloor: &pk, Open: open.report,
	}
	rep.SetPKShares()
	fmt.Println()
	rep.Table(os.Stdout)
	for _, e := range errs {
		fmt.Println("error:", e)
	}
	path, err := rep.Write(resultsDir)
	if err != nil {
		return err
	}
	fmt.Printf("\nwritten: %s (+ .md, .svg; latest.md, latest.svg)\n", path)
	if profilePath != "" {
		if fi, err := os.Stat(profilePath); err != nil || fi.Size() == 0 {
			fmt.Printf("CPU profile missing or empty: %s (see %s)\n", profilePath, logPath)
		} else {
			fmt.Printf("CPU profile (server, logins, load and single-operation phases; -ignore=bcrypt leaves the load): %s\n  go tool pprof -top -ignore=bcrypt %s %s\n",
				profilePath, erpBin, profilePath)
		}
	}
	checkTargets(rep)
	return nil
}

// dataset is what prepare found in (or put into) the database.
type dataset struct {
	count         int           // interventions
	seeded        time.Duration // time spent seeding, 0 when the data was there
	machines      []int64       // operational machines (create_intervention)
	interventions []int64       // existing interventions, random (get_intervention and its floor)
	open          []int64       // open interventions, random (consume_piece)
	pieces        []int64       // parts stocked for the run (consume_piece)
	responsableID int64
	pgVersion     string
}

// prepare migrates the database, seeds the demo data and the scale data if it holds fewer than
// want interventions, and reads what the virtual users need.
func prepare(ctx context.Context, erpBin, dbURL string, want int) (*dataset, error) {
	step("erp migrate up")
	if err := erp(ctx, erpBin, dbURL, "migrate", "up"); err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	d := &dataset{}
	count := func() error { return pool.QueryRow(ctx, `SELECT count(*) FROM interventions`).Scan(&d.count) }
	if err := count(); err != nil {
		return nil, err
	}
	if d.count < want {
		t0 := time.Now()
		step("erp seed (demo accounts and data)")
		if err := erp(ctx, erpBin, dbURL, "seed"); err != nil {
			return nil, err
		}
		if err := count(); err != nil {
			return nil, err
		}
		if d.count < want {
			step(fmt.Sprintf("erp seed --scale %d (%d interventions present, %d wanted)", want-d.count, d.count, want))
			if err := erp(ctx, erpBin, dbURL, "seed", "--scale", strconv.Itoa(want-d.count)); err != nil {
				return nil, err
			}
			if err := count(); err != nil {
				return nil, err
			}
		}
		d.seeded = time.Since(t0)
		fmt.Printf("seeded in %s\n", d.seeded.Round(time.Millisecond))
	} else {
		step(fmt.Sprintf("scale data present (%d interventions >= %d)", d.count, want))
	}
	// Every run starts from tables in the same state: the writes of the runs before leave dead
	// rows and pages no longer marked all-visible, which a PostgreSQL without autovacuum (the
	// benchmark machine's) keeps until vacuumed, and the next run pays for them (the ten parts
	// consume_piece updates had 106 000 dead row versions after a few runs).
	step("VACUUM (ANALYZE)")
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return nil, fmt.Errorf("vacuum before the run: %w", err)
	}
	if d.machines, err = ids(ctx, pool, `SELECT id FROM equipements WHERE statut = 'operationnel' ORDER BY id LIMIT 2000`); err != nil {
		return nil, err
	}
	if d.interventions, err = ids(ctx, pool, `SELECT id FROM interventions ORDER BY random() LIMIT 5000`); err != nil {
		return nil, err
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, responsable.Email).Scan(&d.responsableID); err != nil {
		return nil, fmt.Errorf("%s: %w", responsable.Email, err)
	}
	if d.open, err = ids(ctx, pool, `SELECT id FROM interventions
		WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') ORDER BY random() LIMIT 2000`); err != nil {
		return nil, err
	}
	if d.pieces, err = stockBenchParts(ctx, pool, d.responsableID); err != nil {
		return nil, err
	}
	if err := pool.QueryRow(ctx, `SHOW server_version`).Scan(&d.pgVersion); err != nil {
		return nil, err
	}
	return d, nil
}

// Bench parts: consume_piece issues one unit of one of them at a time.
const (
	benchParts = 10
	benchStock = 10_000_000
)

// stockBenchParts makes sure the parts BENCH-P-1..10 exist with benchStock units each, topping
// them up through their ledger (an entree, the balance written with it under the row lock), and
// returns their ids.
func stockBenchParts(ctx context.Context, pool *pgxpool.Pool, userID int64) ([]int64, error) {
	var out []int64
	for i := 1; i <= benchParts; i++ {
		ref := fmt.Sprintf("BENCH-P-%d", i)
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO pieces (nom, reference, prix_unitaire) VALUES ($1, $2, 1500)
				ON CONFLICT DO NOTHING`, "Pièce du banc de charge "+strconv.Itoa(i), ref); err != nil {
				return err
			}
			var id int64
			var stock int
			if err := tx.QueryRow(ctx, `SELECT id, stock_actuel FROM pieces WHERE reference = $1 FOR UPDATE`, ref).Scan(&id, &stock); err != nil {
				return err
			}
			out = append(out, id)
			if stock >= benchStock/2 {
				return nil
			}
			if _, err := tx.Exec(ctx, `INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres,
					cout_unitaire, devise, motif, user_id)
				SELECT id, 'entree', $2 - stock_actuel, stock_actuel, $2, 1500, devise, 'Banc de charge', $3 FROM pieces WHERE id = $1`,
				id, benchStock, userID); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE pieces SET stock_actuel = $2, cout_moyen = 1500, derniere_entree = now(),
				version = version + 1 WHERE id = $1`, id, benchStock)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("stock bench part %s: %w", ref, err)
		}
	}
	return out, nil
}

func ids(ctx context.Context, pool *pgxpool.Pool, sql string) ([]int64, error) {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// serve starts `erp serve` on a free port and waits until it answers; it returns the API's base URL.
func serve(ctx context.Context, erpBin, dbURL, logPath string, extraEnv ...string) (*server, string, error) {
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	step(fmt.Sprintf("erp serve on port %d (log: %s)", port, logPath))
	srv, err := startServer(erpBin, dbURL, port, logPath, extraEnv...)
	if err != nil {
		return nil, "", err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/api/v1", port)
	if err := waitHealthy(ctx, base+"/health", srv); err != nil {
		srv.stop()
		return nil, "", err
	}
	return srv, base, nil
}

func machine(erpBin, pgVersion string) bench.Machine {
	return bench.Machine{Cores: runtime.NumCPU(), CPU: cpuModel(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Go: runtime.Version(), PostgreSQL: pgVersion, Server: serverVersion(erpBin)}
}

// checkTargets prints issue 12's targets against this run (reported, not asserted).
func checkTargets(r *bench.Report) {
	verdict := bench.Verdict
	errors := r.Overall.Errors
	for _, s := range r.Single {
		errors += s.Errors
	}
	if r.Open != nil {
		errors += r.Open.Overall.Errors
	}
	fmt.Printf("target 0 errors (closed loop, alone, open loop): %s (%d errors)\n", verdict(errors == 0), errors)
	alone := map[string]float64{"get_intervention": 0.30, "list_interventions": 0.10, "list_equipements": 0.10, "dashboard_stats": 0.15}
	for _, s := range r.Single {
		if want, ok := alone[s.Name]; ok {
			fmt.Printf("target %s alone >= %.0f%% of the PK floor: %s (%.1f%%)\n", s.Name, want*100, verdict(s.PKShare >= want), s.PKShare*100)
		}
	}
	fmt.Printf("target mixed closed loop >= 10%% of the PK floor: %s (%.1f%%)\n", verdict(r.Overall.PKShare >= 0.10), r.Overall.PKShare*100)
	if r.Open != nil {
		var slow []string
		for _, o := range r.Open.Operations {
			if o.P99ms > 50 {
				slow = append(slow, fmt.Sprintf("%s %.1f ms", o.Name, o.P99ms))
			}
		}
		fmt.Printf("target open loop at %.0f req/s, p99 <= 50 ms for every operation: %s %s\n", r.Open.RateOffered,
			verdict(len(slow) == 0 && r.Open.Overall.Requests > 0), strings.Join(slow, ", "))
	}
}

func step(s string) { fmt.Println("==>", s) }

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func erp(ctx context.Context, bin, dbURL string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err)
	}
	return nil
}

func serverVersion(bin string) string {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type server struct {
	cmd     *exec.Cmd
	done    chan error
	log     *os.File
	stopped sync.Once
}

// startServer runs `erp serve` with the real settings, except: no rate limit (100 users share
// one IP); of the background jobs only the compaction of the pre-aggregated figures (the others
// would add their own load: catching up on the scale data's due plans and overdue notices); no
// migration at start (done above).
func startServer(bin, dbURL string, port int, logPath string, extraEnv ...string) (*server, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	secret := os.Getenv("SECRET_KEY")
	if secret == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		secret = hex.EncodeToString(b)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "PORT="+strconv.Itoa(port), "RATE_LIMIT_PER_MINUTE=0",
		"ENABLE_SCHEDULER=true", "SCHEDULER_JOBS=stats.compact", "MIGRATE_ON_START=false", "SECRET_KEY="+secret)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1), log: logf}
	go func() { s.done <- cmd.Wait() }()
	return s, nil
}

// stop ends the server gracefully (SIGTERM, so a CPU profile is flushed); only the first call acts.
func (s *server) stop() {
	s.stopped.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		s.log.Close()
		step("server stopped")
	})
}

func waitHealthy(ctx context.Context, url string, s *server) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("erp serve exited: %v (see %s)", err, s.log.Name())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("erp serve did not answer /health within 60s")
}

// openPhase is the open loop's report and its first errors.
type openPhase struct {
	report *bench.OpenLoopReport
	errors []string
}

// openLoop offers the mix at rate requests per second (half closedRPS when rate is 0) for d.
func openLoop(ctx context.Context, sess *bench.Session, rate, closedRPS float64, d time.Duration) (openPhase, error) {
	source := "BENCH_RATE"
	if rate == 0 {
		rate, source = math.Round(closedRPS/2*10)/10, "half the closed-loop throughput"
	}
	if rate <= 0 {
		return openPhase{}, errors.New("bench: the closed loop served nothing, no rate for the open loop")
	}
	step(fmt.Sprintf("open loop: the mix at %.1f req/s (%s) for %s", rate, source, d))
	res, err := sess.Open(ctx, bench.OpenLoop{Rate: rate, Duration: d})
	if err != nil {
		return openPhase{}, err
	}
	ops, overall, _ := res.Summarise()
	return openPhase{
		report: &bench.OpenLoopReport{RateOffered: rate, RateSource: source, Offered: res.Offered, DurationS: d.Seconds(),
			MaxLagMs: float64(res.Lag.Microseconds()) / 1000, Overall: overall, Operations: ops},
		errors: res.Errors,
	}, nil
}
