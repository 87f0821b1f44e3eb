// Package app wires the configuration, the services and the HTTP layer together; the command
// and the integration tests build the server the same way.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/arrets"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/audit/trail"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/calendar"
	"github.com/mif-erp/erp/internal/checklists"
	"github.com/mif-erp/erp/internal/clients"
	"github.com/mif-erp/erp/internal/compteurs"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/couts"
	"github.com/mif-erp/erp/internal/dispatch"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/factures"
	"github.com/mif-erp/erp/internal/httpapi"
	"github.com/mif-erp/erp/internal/idempotency"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/kpis"
	"github.com/mif-erp/erp/internal/live"
	"github.com/mif-erp/erp/internal/mail"
	"github.com/mif-erp/erp/internal/namecache"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/pieces"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/rapports"
	"github.com/mif-erp/erp/internal/ratelimit"
	"github.com/mif-erp/erp/internal/scheduler"
	"github.com/mif-erp/erp/internal/storage"
	"github.com/mif-erp/erp/internal/techniciens"
	"github.com/mif-erp/erp/internal/telemetry"
	"github.com/mif-erp/erp/internal/temps"
	"github.com/mif-erp/erp/internal/users"
)

// Handler wires the services into the HTTP layer.
func Handler(cfg config.Config, pool *pgxpool.Pool, rdb *redis.Client, log *slog.Logger, version string, started time.Time, opts ...Option) (http.Handler, error) {
	log = telemetry.Logger(log) // the lines logged during a request carry its trace_id
	hasher, err := auth.NewHasher(cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	docs, err := Documents(context.Background(), cfg, pool, log)
	if err != nil {
		return nil, err
	}
	o := optionsOf(opts)
	// The authentication cache serves only on an instance that hears of account changes: one
	// with its live hub (LISTEN connection), and AUTH_CACHE_TTL not 0.
	var accounts *auth.AccountCache
	// Likewise the names the lists of interventions show (NAMES_CACHE_TTL not 0).
	var names *namecache.Cache
	if o.live != nil {
		if accounts = auth.NewAccountCache(cfg.AuthCacheTTL); accounts != nil {
			o.live.WatchAccounts(accounts)
		}
		if names = namecache.New(cfg.NamesCacheTTL); names != nil {
			o.live.WatchNames(names)
		}
	}
	throttle := auth.ThrottlePolicy{MaxFailures: cfg.LoginMaxFailures, AddressMaxFailures: cfg.LoginAddressMaxFailures,
		AccountMaxFailures: cfg.LoginAccountMaxFailures, Window: cfg.LoginFailureWindow, Lockout: cfg.LoginLockout}
	authSvc := auth.NewService(pool, auth.Config{
		Tokens:       auth.NewTokens(cfg.SecretKey, cfg.AccessTokenTTL),
		Hasher:       hasher,
		RefreshTTL:   cfg.RefreshTokenTTL,
		Throttle:     throttle,
		MetricsToken: cfg.MetricsToken,
		Logger:       log,
		Accounts:     accounts,
	})
	plans, ivs := planning.NewService(pool).WithZone(cfg.Zone), interventions.NewService(pool).WithSettlers(pieces.Settle, temps.Settle).
		WithQuotaMode(cfg.ContratQuotaMode).WithZone(cfg.Zone).WithNameCache(names)
	deps := httpapi.Deps{
		Config:        cfg,
		Logger:        log,
		Version:       version,
		Started:       started,
		Auth:          authSvc,
		Users:         users.NewService(pool, hasher).WithAccountCache(accounts).WithNameCache(names),
		Equipements:   equipements.NewService(pool).WithNameCache(names),
		Techniciens:   techniciens.NewService(pool).WithAccountCache(accounts),
		Clients:       clients.NewService(pool).WithAccountCache(accounts),
		Interventions: ivs,
		Documents:     docs,
		Planning:      plans,
		Notifications: notifications.NewService(pool).WithReminderBefore(cfg.ReminderBefore).WithZone(cfg.Zone),
		Stream:        notifications.NewStream(pool),
		Calendar:      calendar.NewService(pool, plans, ivs).WithZone(cfg.Zone),
		Pieces:        pieces.NewService(pool, cfg.DefaultCurrency),
		Temps:         temps.NewService(pool),
		Couts:         couts.NewService(pool),
		Factures:      factures.NewService(pool),
		Compteurs:     compteurs.NewService(pool).WithZone(cfg.Zone),
		Arrets:        arrets.NewService(pool),
		Dispatch:      dispatch.NewService(pool).WithZone(cfg.Zone),
		Checklists:    checklists.NewService(pool).WithZone(cfg.Zone),
		Kpis:          kpis.NewService(pool, cfg.DefaultCurrency).WithCache(cfg.KpiCacheTTL, cfg.KpiCacheMinCost),
		Rapports:      Rapports(cfg, pool, docs, log),
		Audit:         audit.NewRecorder(pool),
		Trail:         trail.New(pool),
		PoolMetrics:   platform.NewPoolCollector(pool),
		Collectors:    append([]prometheus.Collector{mail.NewOutboxCollector(pool)}, o.metrics.collectors()...),
		Idempotency:   idempotency.NewStore(pool),
		Health:        platform.NewHealth(pool, rdb),
		RateLimit:     rateLimit(cfg, rdb),
		StreamTokens:  live.NewTokens(cfg.SecretKey),
		Live:          o.live,
	}
	if o.tracing.Enabled() {
		deps.TracerProvider = o.tracing.Provider
	}
	return httpapi.New(deps)
}

// rateLimit is the limiter of RATE_LIMIT_PER_MINUTE: shared by the replicas through Redis when
// REDIS_URL is set, per instance otherwise; nil (no limit) when the setting is 0.
func rateLimit(cfg config.Config, rdb *redis.Client) ratelimit.Limiter {
	if cfg.RateLimitPerMinute <= 0 {
		return nil
	}
	if rdb != nil {
		return ratelimit.NewRedis(rdb, cfg.RateLimitPerMinute)
	}
	return ratelimit.NewMemory(cfg.RateLimitPerMinute)
}

// Option adjusts the wiring of Handler.
type Option func(*options)

type options struct {
	live    *live.Hub
	metrics *Metrics
	tracing *telemetry.Tracing
}

func optionsOf(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLive hands Handler the hub of this instance (see Live): the event streams get the new
// notifications, and the authentication cache (AUTH_CACHE_TTL) hears of account changes through
// it. Without it the streams get replays and heartbeats only, and every request reads its account.
func WithLive(h *live.Hub) Option { return func(o *options) { o.live = h } }

// WithTracing traces the requests (a server span each, see telemetry) with t; without it, or
// with tracing off, no tracing middleware is installed. The pool's tracer is set where the pool
// is opened (platform.WithQueryTracer(t.QueryTracer())).
func WithTracing(t *telemetry.Tracing) Option { return func(o *options) { o.tracing = t } }

// Metrics are the metrics of the background work of one process: its scheduled jobs and its
// e-mail deliveries. `erp serve` hands the same Metrics (WithMetrics) to Handler, whose /metrics
// exposes them, and to Scheduler, whose jobs record them.
type Metrics struct {
	Jobs *scheduler.Metrics
	Mail *mail.Metrics
}

// NewMetrics returns the metrics of the background work, nothing recorded yet.
func NewMetrics() *Metrics { return &Metrics{Jobs: scheduler.NewMetrics(), Mail: mail.NewMetrics()} }

func (m *Metrics) collectors() []prometheus.Collector {
	if m == nil {
		return nil
	}
	return []prometheus.Collector{m.Jobs, m.Mail}
}

// WithMetrics shares m between Handler (exposed on /metrics) and Scheduler and Mailer (recorded).
func WithMetrics(m *Metrics) Option { return func(o *options) { o.metrics = m } }

// Live builds the hub pushing new notifications to the event streams of this instance: one
// dedicated connection (not one of the pool's) LISTENing on the 'notifications' channel. Start it
// before serving and Stop it on shutdown (it ends the open streams), before closing the pool.
func Live(pool *pgxpool.Pool, log *slog.Logger) *live.Hub {
	return live.New(pool.Config().ConnConfig, live.Options{Logger: log})
}

// Documents builds the documents service: its bucket (STORAGE_URL), key ring (DOCUMENT_KEYS)
// and URL signer (SECRET_KEY, DOWNLOAD_URL_TTL). `erp serve` and `erp documents` share it.
func Documents(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, log *slog.Logger) (*documents.Service, error) {
	keys, err := documents.NewKeyRing(cfg.DocumentKeys)
	if err != nil {
		return nil, err
	}
	bucket, err := storage.Open(ctx, cfg.StorageURL)
	if err != nil {
		return nil, err
	}
	return documents.NewService(documents.Config{
		Pool: pool, Bucket: bucket, Keys: keys, Signer: documents.NewSigner(cfg.SecretKey, cfg.DownloadURLTTL),
		MaxUpload: cfg.MaxUploadBytes, Logger: log,
	}), nil
}

// Rapports builds the generated reports' service over the documents' bucket and keys, with
// download links signed by a key of their own (SECRET_KEY, DOWNLOAD_URL_TTL), and the
// read services of the intervention report.
func Rapports(cfg config.Config, pool *pgxpool.Pool, docs *documents.Service, log *slog.Logger) *rapports.Service {
	return rapports.NewService(rapports.Config{Pool: pool, Files: docs, Kpis: kpis.NewService(pool, cfg.DefaultCurrency),
		Signer:    documents.NewSignerFor(cfg.SecretKey, "mif-erp/rapports/download-url/v1", cfg.DownloadURLTTL),
		Retention: cfg.RapportRetention, Devise: cfg.DefaultCurrency, PublicURL: cfg.PublicURL, Logger: log, Zone: cfg.Zone,
		Sources: rapports.Sources{Interventions: interventions.NewService(pool), Checklists: checklists.NewService(pool),
			Pieces: pieces.NewService(pool, cfg.DefaultCurrency), Temps: temps.NewService(pool), Couts: couts.NewService(pool)}})
}

// Scheduler builds the background jobs `erp serve` runs when ENABLE_SCHEDULER is on, each on one
// replica at a time (PostgreSQL advisory lock): the generation of due preventive interventions
// every SCHEDULER_INTERVAL_SECONDS, the queued reports every RAPPORT_WORKER_INTERVAL_SECONDS,
// the sweep of document blobs left by deletions every 15 minutes, the housekeeping of expired
// rows and reports every hour, and the folding of the pre-aggregated intervention figures every
// statsCompactInterval. Start it, and Stop it before closing the pool. The runs are recorded in
// the Metrics given WithMetrics.
func Scheduler(ctx context.Context, cfg config.Config, pool *pgxpool.Pool, log *slog.Logger, opts ...Option) (*scheduler.Scheduler, error) {
	docs, err := Documents(ctx, cfg, pool, log)
	if err != nil {
		return nil, err
	}
	reports := Rapports(cfg, pool, docs, log)
	jobs := []scheduler.Job{
		scheduler.GenerationJob(planning.NewService(pool).WithZone(cfg.Zone), cfg.SchedulerInterval, log),
		scheduler.Job{Name: "documents.sweep", Interval: 15 * time.Minute, Run: func(ctx context.Context) error {
			_, err := docs.Sweep(ctx, documents.OrphanAge)
			return err
		}},
		scheduler.Job{Name: "housekeeping", Interval: time.Hour, Run: Housekeeping(cfg, pool)},
		scheduler.Job{Name: "rapports.generate", Interval: cfg.RapportWorkerInterval, Run: func(ctx context.Context) error {
			if _, err := reports.RunSchedules(ctx); err != nil {
				return err
			}
			_, err := reports.RunPending(ctx)
			return err
		}},
		scheduler.Job{Name: "rapports.expire", Interval: time.Hour, Run: func(ctx context.Context) error {
			_, err := reports.Expire(ctx)
			return err
		}},
		scheduler.Job{Name: "stats.compact", Interval: statsCompactInterval, Run: CompactStats(pool)},
		scheduler.DeadlinesJob(notifications.NewService(pool).WithReminderBefore(cfg.ReminderBefore).WithZone(cfg.Zone),
			cfg.SchedulerInterval, log),
	}
	deliverer, err := Mailer(cfg, pool, log, opts...)
	if err != nil {
		return nil, err
	}
	if deliverer != nil {
		jobs = append(jobs, scheduler.DeliveryJob(deliverer.WithAttachments(reports), cfg.EmailDeliveryInterval, log))
	}
	jobs, err = selectJobs(jobs, cfg.SchedulerJobs)
	if err != nil {
		return nil, err
	}
	var jobMetrics *scheduler.Metrics
	if m := optionsOf(opts).metrics; m != nil {
		jobMetrics = m.Jobs
	}
	return scheduler.New(pool, scheduler.Options{Logger: log, Metrics: jobMetrics}, jobs...)
}

// Mailer builds the delivery of the e-mail outbox from the SMTP settings; nil (with a warning
// logged) when SMTP_HOST is not set: the e-mails then stay queued until a server is configured.
// The attempts are counted in the Metrics given WithMetrics.
func Mailer(cfg config.Config, pool *pgxpool.Pool, log *slog.Logger, opts ...Option) (*mail.Deliverer, error) {
	if !cfg.EmailEnabled() {
		log.Warn("SMTP_HOST is not set: notification e-mails stay queued in the outbox and are not sent")
		return nil, nil
	}
	sender, err := mail.NewSMTP(mail.Config{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, User: cfg.SMTPUser, Password: cfg.SMTPPassword,
		TLS: cfg.SMTPTLS, FromEmail: cfg.EmailsFromEmail, FromName: cfg.EmailsFromName,
	})
	if err != nil {
		return nil, err
	}
	var mailMetrics *mail.Metrics
	if m := optionsOf(opts).metrics; m != nil {
		mailMetrics = m.Mail
	}
	return mail.NewDeliverer(pool, mail.Traced(sender), mail.Options{MaxAttempts: cfg.SMTPMaxAttempts, Logger: log, Metrics: mailMetrics}), nil
}

// selectJobs keeps the jobs named in names (SCHEDULER_JOBS), all of them when names is empty.
func selectJobs(jobs []scheduler.Job, names []string) ([]scheduler.Job, error) {
	if len(names) == 0 {
		return jobs, nil
	}
	byName := map[string]scheduler.Job{}
	known := make([]string, 0, len(jobs))
	for _, j := range jobs {
		byName[j.Name] = j
		known = append(known, j.Name)
	}
	var out []scheduler.Job
	for _, n := range names {
		j, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("SCHEDULER_JOBS: unknown job %q (jobs: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, j)
	}
	return out, nil
}

// vacuumStats clears the dead rows the compaction leaves in the two small figure tables, which
// every dashboard and list total reads: autovacuum would get to them only every minute at best.
const vacuumStats = `VACUUM (SKIP_LOCKED) intervention_stats, equipement_stats`

// CompactStats folds the deltas of the pre-aggregated figures and vacuums their tables when
// anything was folded (VACUUM cannot run in a transaction: it is its own statement).
func CompactStats(pool *pgxpool.Pool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		folded, err := db.New(pool).StatsCompact(ctx)
		if err != nil {
			return fmt.Errorf("compact figures: %w", err)
		}
		if folded == 0 {
			return nil
		}
		if _, err := pool.Exec(ctx, vacuumStats); err != nil {
			return fmt.Errorf("vacuum figures: %w", err)
		}
		return nil
	}
}

// statsCompactInterval is how often the deltas of the pre-aggregated intervention figures are
// folded: the global dashboard and list totals sum the rows written since the last fold.
const statsCompactInterval = 5 * time.Second
