// Package config reads the server configuration from environment variables and validates it.
package config

import (
	"errors"
	"log/slog"
	"net"
	"net/url"
	"time"
	_ "time/tzdata" // APP_TIMEZONE resolves whatever zone database the host has
)

// Environments accepted in ENVIRONMENT.
const (
	Development = "development"
	Test        = "test"
	Production  = "production"
)

// MinSecretKeyLen is the shortest SECRET_KEY accepted in production.
const MinSecretKeyLen = 32

// DocumentKeyLen is the length of each DOCUMENT_KEYS key, in bytes (AES-256).
const DocumentKeyLen = 32

// DefaultCORSOrigins are the original system's local development origins.
var DefaultCORSOrigins = []string{
	"http://localhost:3000",
	"http://localhost:3001",
	"http://localhost:5173",
	"http://127.0.0.1:5173",
	"http://localhost:8000",
}

// Config is the whole server configuration.
type Config struct {
	Environment string
	ProjectName string
	Port        int

	DatabaseURL    string
	DBMaxConns     int32
	MigrateOnStart bool

	SecretKey          []byte
	SecretKeyGenerated bool
	AccessTokenTTL     time.Duration
	// AuthCacheTTL bounds how long an instance keeps an account it authenticated without reading
	// it again (changes are announced at once; this bounds a missed announcement); 0: no cache.
	AuthCacheTTL time.Duration
	// NamesCacheTTL bounds how long an instance keeps the machine and technician names shown
	// beside interventions (renames are announced at once; this bounds a missed announcement);
	// 0: no cache.
	NamesCacheTTL   time.Duration
	RefreshTokenTTL time.Duration
	BcryptCost      int

	// Failed logins within LoginFailureWindow that lock: one account from one address
	// (LoginMaxFailures), one address whatever the account (LoginAddressMaxFailures), one account
	// from any address, for the addresses that failed on it (LoginAccountMaxFailures).
	LoginMaxFailures        int
	LoginAddressMaxFailures int
	LoginAccountMaxFailures int
	LoginFailureWindow      time.Duration
	LoginLockout            time.Duration

	CORSAllowOrigins   []string
	RateLimitPerMinute int
	TrustedProxies     []*net.IPNet
	RedisURL           string
	MetricsToken       string

	// DefaultCurrency is the ISO 4217 code of money amounts created without one (spare parts).
	DefaultCurrency string
	// ContratQuotaMode is what an intervention requested beyond its contract's quota gets:
	// "signaler" (accepted, flagged hors_contrat) or "refuser" (409).
	ContratQuotaMode string

	LogLevel        slog.Level
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration

	// Background jobs (generation of due preventive interventions): run by `erp serve` when
	// EnableScheduler, every SchedulerInterval, on one replica at a time.
	EnableScheduler   bool
	SchedulerInterval time.Duration
	// SchedulerJobs, when not empty, are the only jobs this replica runs (by name).
	SchedulerJobs []string

	// Documents: uploads up to MaxUploadBytes, encrypted with the first of DocumentKeys (any of
	// them decrypts), stored in the gocloud.dev/blob bucket at StorageURL; signed download URLs
	// live DownloadURLTTL.
	MaxUploadBytes        int64
	DocumentKeys          [][]byte
	DocumentKeysGenerated bool
	StorageURL            string
	DownloadURLTTL        time.Duration

	// E-mail of the notifications: the outbox is delivered over SMTP (SMTPHost empty: e-mails
	// stay queued, nothing is attempted) by a job every EmailDeliveryInterval, each e-mail
	// tried up to SMTPMaxAttempts times; SMTPTLS is none, starttls or tls. Deadline reminders
	// go out ReminderBefore the deadline.
	SMTPHost              string
	SMTPPort              int
	SMTPUser              string
	SMTPPassword          string
	SMTPTLS               string
	EmailsFromEmail       string
	EmailsFromName        string
	SMTPMaxAttempts       int
	EmailDeliveryInterval time.Duration
	ReminderBefore        time.Duration

	// Generated reports: the worker looks for queued reports every RapportWorkerInterval (on
	// the replica running the scheduler); a completed report's file is deleted after
	// RapportRetention.
	RapportWorkerInterval time.Duration
	RapportRetention      time.Duration
	// GET /kpis keeps for KpiCacheTTL (0: never) the figures whose computation took
	// KpiCacheMinCost or more, by caller's scope and request.
	KpiCacheTTL     time.Duration
	KpiCacheMinCost time.Duration
	// PublicURL is the server's address as its users reach it (scheme, host, port), for the
	// links in e-mails (a scheduled report sent as a link).
	PublicURL string

	// Zone (APP_TIMEZONE, an IANA name; default UTC) is where the texts written for people
	// (notifications, e-mails, descriptions) read local times, which name it, and where the
	// calendar days of the feed, of the technicians' working hours and of report periods fall.
	// API timestamps stay UTC.
	Zone *time.Location

	// Live notifications (GET /notifications/stream): a stream ends after LiveStreamMax (the
	// client reconnects with Last-Event-ID) and sends a heartbeat comment every SSEHeartbeat.
	LiveStreamMax time.Duration
	SSEHeartbeat  time.Duration

	// TracesExporter is where OpenTelemetry spans go (internal/telemetry): "" (tracing off, the
	// default), "otlp" (OTLP over HTTP/protobuf) or "console". Tracing is on when
	// OTEL_TRACES_EXPORTER says otlp or console, or when it is unset and an OTLP endpoint is set
	// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); never with
	// OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true. The SDK reads the other OTEL_*
	// variables (sampler, service name, headers...) itself.
	TracesExporter string
}

// Getenv looks a variable up; os.LookupEnv in production, a map in tests.
type Getenv func(key string) (string, bool)

// Load reads and validates the configuration. Every error names the variable at fault.
func Load(getenv Getenv) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		Environment:        r.oneOf("ENVIRONMENT", Development, Development, Test, Production),
		ProjectName:        r.str("PROJECT_NAME", "MIF ERP"),
		Port:               r.intRange("PORT", 8000, 1, 65535),
		DBMaxConns:         int32(r.intRange("DB_MAX_CONNS", DefaultDBMaxConns(), 1, 1000)),
		MigrateOnStart:     r.boolean("MIGRATE_ON_START", true),
		AccessTokenTTL:     time.Duration(r.intRange("ACCESS_TOKEN_EXPIRE_MINUTES", 15, 1, 24*60)) * time.Minute,
		RefreshTokenTTL:    time.Duration(r.intRange("REFRESH_TOKEN_EXPIRE_DAYS", 7, 1, 365)) * 24 * time.Hour,
		BcryptCost:         r.intRange("BCRYPT_COST", 12, 4, 16),
		LoginMaxFailures:   r.intRange("LOGIN_MAX_FAILURES", 5, 1, 1000),
		LoginFailureWindow: time.Duration(r.intRange("LOGIN_FAILURE_WINDOW_SECONDS", 900, 1, 86400)) * time.Second,
		LoginLockout:       time.Duration(r.intRange("LOGIN_LOCKOUT_SECONDS", 300, 1, 86400)) * time.Second,
		CORSAllowOrigins:   r.origins("CORS_ALLOW_ORIGINS"),
		RateLimitPerMinute: r.intRange("RATE_LIMIT_PER_MINUTE", 120, 0, 1_000_000),
		TrustedProxies:     r.cidrs("TRUSTED_PROXIES"),
		RedisURL:           r.urlWithScheme("REDIS_URL", "redis", "rediss"),
		MetricsToken:       r.str("METRICS_TOKEN", ""),
		LogLevel:           r.level("LOG_LEVEL"),
		MaxBodyBytes:       int64(r.intRange("MAX_BODY_BYTES", 1<<20, 1024, 1<<30)),
		ShutdownTimeout:    time.Duration(r.intRange("SHUTDOWN_TIMEOUT_SECONDS", 15, 1, 600)) * time.Second,
	}
	// By default the address and account thresholds follow LOGIN_MAX_FAILURES (4x and 10x).
	c.LoginAddressMaxFailures = r.intRange("LOGIN_ADDRESS_MAX_FAILURES", 4*c.LoginMaxFailures, 1, 100_000)
	c.LoginAccountMaxFailures = r.intRange("LOGIN_ACCOUNT_MAX_FAILURES", 10*c.LoginMaxFailures, 1, 100_000)
	c.DefaultCurrency = r.currency("DEFAULT_CURRENCY", "MAD")
	c.ContratQuotaMode = r.oneOf("CONTRAT_QUOTA_MODE", "signaler", "signaler", "refuser")
	c.EnableScheduler = r.boolean("ENABLE_SCHEDULER", true)
	c.SchedulerInterval = time.Duration(r.intRange("SCHEDULER_INTERVAL_SECONDS", 60, 1, 86400)) * time.Second
	c.SchedulerJobs = r.names("SCHEDULER_JOBS")
	c.DatabaseURL = r.databaseURL()
	c.SecretKey, c.SecretKeyGenerated = r.secretKey(c.Environment)
	c.MaxUploadBytes = int64(r.intRange("MAX_UPLOAD_MB", 20, 1, 10240)) << 20
	c.DocumentKeys, c.DocumentKeysGenerated = r.documentKeys(c.Environment)
	c.StorageURL = r.storageURL(c.Environment)
	c.AuthCacheTTL = r.duration("AUTH_CACHE_TTL", 10*time.Second, 0, time.Hour)
	c.NamesCacheTTL = r.duration("NAMES_CACHE_TTL", time.Minute, 0, time.Hour)
	c.DownloadURLTTL = r.duration("DOWNLOAD_URL_TTL", 15*time.Minute, time.Second, 7*24*time.Hour)
	r.smtp(&c)
	r.rapports(&c)
	c.Zone = r.zone("APP_TIMEZONE")
	c.LiveStreamMax = time.Duration(r.intRange("LIVE_STREAM_MAX_SECONDS", 3600, 1, 86400)) * time.Second
	c.SSEHeartbeat = time.Duration(r.intRange("SSE_HEARTBEAT_SECONDS", 15, 1, 3600)) * time.Second
	c.TracesExporter = r.tracesExporter()
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		r.fail("METRICS_TOKEN", "must be at least 16 characters")
	}
	if len(r.errs) > 0 {
		return Config{}, errors.Join(r.errs...)
	}
	return c, nil
}

// EmailEnabled reports whether e-mails are delivered (SMTP_HOST is set).
func (c Config) EmailEnabled() bool { return c.SMTPHost != "" }

// redact hides the password of a URL before it is printed.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// Redacted returns the database URL without its password, for logs.
func (c Config) Redacted() string { return redact(c.DatabaseURL) }
