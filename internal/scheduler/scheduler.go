// Package scheduler runs the background jobs (generation of due preventive interventions) with
// gocron, on one replica at a time.
//
// Every run of a job first takes a PostgreSQL session advisory lock named after the job
// (Locker, gocron's distributed locker): when another replica holds it the run is skipped, so N
// API replicas sharing one database run each job once per interval between them. The jobs are
// idempotent on their own as well (the generation locks each plan and relies on a unique key),
// so a lock lost with its connection cannot duplicate work.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/planning"
)

// Job is work run every Interval.
type Job struct {
	Name     string // also the name of its advisory lock
	Interval time.Duration
	Run      func(ctx context.Context) error
}

// Scheduler runs jobs until its context is cancelled or Stop is called.
type Scheduler struct {
	cron    gocron.Scheduler
	jobs    []Job
	log     *slog.Logger
	metrics *Metrics

	mu      sync.Mutex
	started bool
	stopped chan struct{} // closed by Stop
	stopErr error

	closeLocks func() // closes the locks' own pool (nil with Options.Locker)
}

// Options tune a scheduler.
type Options struct {
	Logger      *slog.Logger  // default: discard
	StopTimeout time.Duration // how long Stop waits for running jobs (default 10 s)
	// Locker decides which replica runs a job (default: a PostgreSQL advisory lock, held on a
	// connection of a small pool of its own, see New).
	Locker gocron.Locker
	// Metrics records the runs (nil: not recorded).
	Metrics *Metrics
}

// New builds a scheduler running jobs on the database of pool.
func New(pool *pgxpool.Pool, opts Options, jobs ...Job) (*Scheduler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" || j.Run == nil || j.Interval <= 0 {
			return nil, fmt.Errorf("scheduler: job %q needs a name, a function and a positive interval", j.Name)
		}
		if seen[j.Name] {
			return nil, fmt.Errorf("scheduler: two jobs named %q", j.Name)
		}
		seen[j.Name] = true
	}
	var closeLocks func()
	if opts.Locker == nil && pool != nil {
		// A lock holds its connection for the whole run, while the job needs connections of its
		// own: taken from the application's pool, the locks of jobs starting together (every job
		// runs at start-up) could hold every connection, leaving none to the jobs, which would
		// then wait forever (nor to the requests). The locks get a pool of their own, one
		// connection per job at most, opened when needed.
		cfg := pool.Config()
		cfg.MaxConns, cfg.MinConns = int32(max(1, len(jobs))), 0
		lockPool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			return nil, fmt.Errorf("scheduler: lock pool: %w", err)
		}
		opts.Locker, closeLocks = NewLocker(lockPool), lockPool.Close
	} else if opts.Locker == nil {
		opts.Locker = NewLocker(pool)
	}
	cron, err := gocron.NewScheduler(
		gocron.WithDistributedLocker(opts.Locker),
		gocron.WithStopTimeout(opts.StopTimeout),
		gocron.WithLogger(slogLogger{opts.Logger}),
	)
	if err != nil {
		if closeLocks != nil {
			closeLocks()
		}
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return &Scheduler{cron: cron, jobs: jobs, log: opts.Logger, metrics: opts.Metrics, stopped: make(chan struct{}),
		closeLocks: closeLocks}, nil
}

// Start schedules the jobs, each run once at once and then every interval, and returns. The
// jobs receive a context cancelled when ctx is or when Stop is called; cancelling ctx also
// stops the scheduler (call Stop to wait for it).
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("scheduler: already started")
	}
	select {
	case <-s.stopped:
		return errors.New("scheduler: stopped")
	default:
	}
	for _, j := range s.jobs {
		_, err := s.cron.NewJob(
			gocron.DurationJob(j.Interval),
			gocron.NewTask(s.runner(j)),
			gocron.WithName(j.Name),
			gocron.WithContext(ctx),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithStartAt(gocron.WithStartImmediately()),
		)
		if err != nil {
			_ = s.cron.Shutdown()
			return fmt.Errorf("scheduler: job %s: %w", j.Name, err)
		}
		s.metrics.scheduled(j)
	}
	s.cron.Start()
	s.started = true
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Stop()
		case <-s.stopped:
		}
	}()
	s.log.Info("scheduler started", "jobs", len(s.jobs))
	return nil
}

// Stop stops scheduling, cancels the running jobs and waits for them (up to the stop timeout).
// It may be called more than once; later calls return the first result.
func (s *Scheduler) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.stopped:
		return s.stopErr
	default:
	}
	s.stopErr = s.cron.Shutdown()
	if s.closeLocks != nil && !errors.Is(s.stopErr, gocron.ErrStopJobsTimedOut) {
		s.closeLocks() // (after a timeout, jobs still running may unlock yet; the process ends anyway)
	}
	close(s.stopped)
	if s.started {
		s.log.Info("scheduler stopped", "error", s.stopErr)
	}
	return s.stopErr
}

// runner wraps a job for gocron: it logs and counts the outcome (gocron hands the job's context
// in).
func (s *Scheduler) runner(j Job) func(ctx context.Context) {
	return func(ctx context.Context) {
		start := time.Now()
		ctx, span := startJobSpan(ctx, j.Name)
		err := j.Run(ctx)
		endJobSpan(span, err)
		switch {
		case err != nil && ctx.Err() != nil:
			s.log.Info("job interrupted", "job", j.Name, "error", err)
		case err != nil:
			s.metrics.ran(j.Name, false, time.Now())
			s.log.Error("job failed", "job", j.Name, "duration", time.Since(start).String(), "error", err)
		default:
			s.metrics.ran(j.Name, true, time.Now())
			s.log.Debug("job done", "job", j.Name, "duration", time.Since(start).String())
		}
	}
}

// GenerationJobName names the generation job (and its advisory lock).
const GenerationJobName = "planning.generate_due"

// GenerationJob generates the due preventive interventions of the plans every interval
// (planning.Service.GenerateDue for the current day).
func GenerationJob(svc *planning.Service, interval time.Duration, log *slog.Logger) Job {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return Job{Name: GenerationJobName, Interval: interval, Run: func(ctx context.Context) error {
		rep, err := RunGeneration(ctx, svc)
		if rep.Generated+rep.Missed+rep.Rescheduled+rep.Failed > 0 {
			log.Info("preventive plans processed", "plans", rep.Plans, "generated", rep.Generated,
				"missed", rep.Missed, "rescheduled", rep.Rescheduled, "failed", rep.Failed)
		}
		return err
	}}
}

// RunGeneration runs the generation once, now, without waiting for the timer (nor taking the
// lock: it is safe to run concurrently).
func RunGeneration(ctx context.Context, svc *planning.Service) (planning.Report, error) {
	return svc.GenerateDue(ctx, time.Now())
}

// slogLogger adapts slog to gocron's logger (gocron's own messages are debug details).
type slogLogger struct{ l *slog.Logger }

func (g slogLogger) Debug(msg string, args ...any) { g.l.Debug("gocron: "+msg, args...) }
func (g slogLogger) Info(msg string, args ...any)  { g.l.Debug("gocron: "+msg, args...) }
func (g slogLogger) Warn(msg string, args ...any)  { g.l.Warn("gocron: "+msg, args...) }
func (g slogLogger) Error(msg string, args ...any) { g.l.Error("gocron: "+msg, args...) }
