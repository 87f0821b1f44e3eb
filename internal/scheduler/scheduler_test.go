package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/scheduler"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// pools opens n pools (n "replicas") on one fresh database.
func pools(t *testing.T, n int) []*pgxpool.Pool {
	t.Helper()
	url := pg.NewDatabase(t)
	out := make([]*pgxpool.Pool, n)
	for i := range out {
		p, err := platform.OpenPool(context.Background(), url, 8)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		out[i] = p
	}
	return out
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// today is the day the job works on (UTC).
func today() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// advisoryLocks counts the advisory locks still held on the database once the schedulers
// stopped, waiting up to 5 s for them to go: a lock whose release failed is freed by closing
// its session, and PostgreSQL lists it until that backend has exited (seen under CI load). A
// leaked lock never goes and is still counted.
func advisoryLocks(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := count(t, pool, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database =
			(SELECT oid FROM pg_database WHERE datname = current_database())`)
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// duePlans inserts n active plans with work for today on fresh machines, of every kind: due
// today, late (several occurrences passed), completion-based, every 2 weeks. It returns how
// many interventions one run must generate (one per plan).
func duePlans(t *testing.T, pool *pgxpool.Pool, n int) int {
	t.Helper()
	for i := range n {
		var machine int64
		if err := pool.QueryRow(context.Background(), `INSERT INTO equipements (nom, type_equipement, localisation)
			VALUES ($1, 'pompe', 'Atelier') RETURNING id`, fmt.Sprintf("Pompe %d-%d", time.Now().UnixNano(), i)).Scan(&machine); err != nil {
			t.Fatal(err)
		}
		kinds := []struct {
			frequence, base string
			intervalle      int
			daysAgo         int
		}{
			{"mensuel", "fixed", 1, 0},
			{"hebdomadaire", "fixed", 1, 30},
			{"journalier", "completion", 1, 3},
			{"hebdomadaire", "fixed", 2, 60},
			{"annuel", "fixed", 1, 400},
		}
		k := kinds[i%len(kinds)]
		due := today().AddDate(0, 0, -k.daysAgo)
		exec(t, pool, `INSERT INTO plannings (equipement_id, frequence, intervalle, base, date_reference, prochaine_date)
			VALUES ($1, $2::planning_frequence, $3, $4::planning_base, $5, $5)`,
			machine, k.frequence, k.intervalle, k.base, due)
	}
	return n
}

// checkOnePerPlan fails unless every plan generated exactly one intervention.
func checkOnePerPlan(t *testing.T, pool *pgxpool.Pool, plans int) {
	t.Helper()
	if n := count(t, pool, `SELECT count(*) FROM interventions`); n != plans {
		t.Errorf("%d interventions for %d due plans", n, plans)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT planning_id FROM interventions GROUP BY planning_id HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d plans with more than one intervention", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM plannings WHERE NOT EXISTS (SELECT 1 FROM interventions i WHERE i.planning_id = plannings.id)`); n != 0 {
		t.Errorf("%d due plans without intervention", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM intervention_historique`); n != plans {
		t.Errorf("%d history rows for %d interventions", n, plans)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE action = 'planning.generated' AND actor_id IS NULL AND actor_role = 'system'`); n != plans {
		t.Errorf("%d planning.generated audit rows for %d interventions", n, plans)
	}
	if n := count(t, pool, `SELECT count(*) FROM plannings WHERE prochaine_date <= $1`, today()); n != 0 {
		t.Errorf("%d plans still due after the runs", n)
	}
}

// TestConcurrentRunsNeverDuplicate races the generation job itself (without the lock that
// normally keeps it on one replica) from two "replicas", each with its own pool, several
// goroutines each, several rounds: every due plan gets exactly one intervention.
func TestConcurrentRunsNeverDuplicate(t *testing.T) {
	t.Parallel()
	ps := pools(t, 2)
	plans := duePlans(t, ps[0], 25)
	var wg sync.WaitGroup
	var generated atomic.Int64
	errs := make(chan error, 64)
	for round := range 4 {
		for _, pool := range ps {
			svc := planning.NewService(pool)
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep, err := scheduler.RunGeneration(context.Background(), svc)
					if err != nil {
						errs <- fmt.Errorf("round %d: %w", round, err)
					}
					generated.Add(int64(rep.Generated))
				}()
			}
		}
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if generated.Load() != int64(plans) {
		t.Errorf("the runs report %d generated, want %d", generated.Load(), plans)
	}
	checkOnePerPlan(t, ps[0], plans)
}

// TestTwoSchedulersNeverDuplicate runs two real schedulers (two replicas, each with its own
// pool) on one database with a short interval: the due plans get one intervention each.
func TestTwoSchedulersNeverDuplicate(t *testing.T) {
	t.Parallel()
	ps := pools(t, 2)
	plans := duePlans(t, ps[0], 15)
	var scheds []*scheduler.Scheduler
	for _, pool := range ps {
		s, err := scheduler.New(pool, scheduler.Options{},
			scheduler.GenerationJob(planning.NewService(pool), 30*time.Millisecond, nil))
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for count(t, ps[0], `SELECT count(DISTINCT planning_id) FROM interventions`) < plans && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // several more intervals on both replicas
	for _, s := range scheds {
		if err := s.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
	checkOnePerPlan(t, ps[0], plans)
	if n := advisoryLocks(t, ps[0]); n != 0 {
		t.Errorf("%d advisory locks left after stopping", n)
	}
}

func TestLockerAllowsOneHolderAtATime(t *testing.T) {
	t.Parallel()
	ps := pools(t, 2)
	ctx := t.Context()
	a, b := scheduler.NewLocker(ps[0]), scheduler.NewLocker(ps[1])
	la, err := a.Lock(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, "job"); !errors.Is(err, scheduler.ErrLocked) {
		t.Errorf("second replica: %v, want ErrLocked", err)
	}
	if _, err := a.Lock(ctx, "job"); !errors.Is(err, scheduler.ErrLocked) {
		t.Errorf("same replica, another run: %v, want ErrLocked", err)
	}
	other, err := b.Lock(ctx, "another job")
	if err != nil {
		t.Errorf("another job is locked apart: %v", err)
	} else if err := other.Unlock(ctx); err != nil {
		t.Error(err)
	}
	// gocron unlocks with the job's context, cancelled at shutdown: the lock goes anyway.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := la.Unlock(cancelled); err != nil {
		t.Errorf("unlock with a cancelled context: %v", err)
	}
	lb, err := b.Lock(ctx, "job")
	if err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
	if err := lb.Unlock(ctx); err != nil {
		t.Error(err)
	}
	if err := lb.Unlock(ctx); err != nil {
		t.Errorf("second unlock: %v", err)
	}
	if n := advisoryLocks(t, ps[0]); n != 0 {
		t.Errorf("%d advisory locks left", n)
	}
	for i, p := range ps {
		if n := p.Stat().AcquiredConns(); n != 0 {
			t.Errorf("pool %d: %d connections still acquired", i, n)
		}
	}
	if scheduler.LockID("a") == scheduler.LockID("b") {
		t.Error("two job names share a lock id")
	}
}

// TestOnlyOneReplicaRunsAJobAtATime runs a slow job on two schedulers with a short interval:
// runs never overlap across the replicas, and they go on.
func TestOnlyOneReplicaRunsAJobAtATime(t *testing.T) {
	t.Parallel()
	ps := pools(t, 2)
	var running, maxRunning, runs atomic.Int64
	job := scheduler.Job{Name: "probe", Interval: 10 * time.Millisecond, Run: func(ctx context.Context) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		runs.Add(1)
		select {
		case <-time.After(60 * time.Millisecond):
		case <-ctx.Done():
		}
		return nil
	}}
	var scheds []*scheduler.Scheduler
	for _, pool := range ps {
		s, err := scheduler.New(pool, scheduler.Options{}, job)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	time.Sleep(1200 * time.Millisecond)
	for _, s := range scheds {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}
	if maxRunning.Load() != 1 {
		t.Errorf("%d runs at once across the replicas, want 1", maxRunning.Load())
	}
	if runs.Load() < 4 {
		t.Errorf("only %d runs in 1.2 s", runs.Load())
	}
	if n := advisoryLocks(t, ps[0]); n != 0 {
		t.Errorf("%d advisory locks left", n)
	}
}

// TestSchedulerStopsOnContextCancel: cancelling the context stops the scheduler and cancels the
// running job; Stop waits for it and may be called again.
func TestSchedulerStopsOnContextCancel(t *testing.T) {
	t.Parallel()
	ps := pools(t, 1)
	started := make(chan struct{}, 1)
	var sawCancel atomic.Bool
	job := scheduler.Job{Name: "blocking", Interval: time.Hour, Run: func(ctx context.Context) error {
		started <- struct{}{}
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // some cleanup
		sawCancel.Store(true)
		return ctx.Err()
	}}
	logs := &testenv.LogBuffer{}
	s, err := scheduler.New(ps[0], scheduler.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))}, job)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err == nil {
		t.Error("a second Start was accepted")
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the job never started (it should run at once)")
	}
	cancel()
	done := make(chan error, 1)
	go func() { done <- s.Stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stop: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
	if !sawCancel.Load() {
		t.Error("Stop returned before the running job ended")
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if n := advisoryLocks(t, ps[0]); n != 0 {
		t.Errorf("%d advisory locks left", n)
	}
	if n := ps[0].Stat().AcquiredConns(); n != 0 {
		t.Errorf("%d connections still acquired", n)
	}
}

func TestNewRefusesBadJobs(t *testing.T) {
	t.Parallel()
	run := func(context.Context) error { return nil }
	for name, jobs := range map[string][]scheduler.Job{
		"no name":     {{Interval: time.Second, Run: run}},
		"no function": {{Name: "x", Interval: time.Second}},
		"no interval": {{Name: "x", Run: run}},
		"same name":   {{Name: "x", Interval: time.Second, Run: run}, {Name: "x", Interval: time.Second, Run: run}},
	} {
		if _, err := scheduler.New(nil, scheduler.Options{Locker: scheduler.NewLocker(nil)}, jobs...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestLocksDoNotStarveTheJobs: on a pool smaller than the number of jobs, every job starting at
// once, each needing a connection of the pool for its work, all of them run. (The locks used to
// hold connections of that pool for the runs: the jobs then waited forever for one.)
func TestLocksDoNotStarveTheJobs(t *testing.T) {
	t.Parallel()
	pool, err := platform.OpenPool(context.Background(), pg.NewDatabase(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	const n = 6
	var ran atomic.Int32
	var jobs []scheduler.Job
	for i := range n {
		jobs = append(jobs, scheduler.Job{Name: fmt.Sprintf("starve-%d", i), Interval: time.Hour, Run: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			// Hold the connection a while, as a job's transaction does.
			if _, err := pool.Exec(ctx, "SELECT pg_sleep(0.05)"); err != nil {
				return err
			}
			ran.Add(1)
			return nil
		}})
	}
	s, err := scheduler.New(pool, scheduler.Options{}, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ran.Load() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if got := ran.Load(); got != n {
		t.Errorf("%d of %d jobs ran on a pool of 2 connections", got, n)
	}
	if n := advisoryLocks(t, pool); n != 0 {
		t.Errorf("%d advisory locks left", n)
	}
}
