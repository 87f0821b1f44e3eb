// Package config reads the server configuration from environment variables and validates it.
package config

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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
	AuthCacheTTL    time.Duration
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

type reader struct {
	getenv Getenv
	errs   []error
}

// DefaultDBMaxConns is the pool size when DB_MAX_CONNS is unset: 6 connections per CPU (12 on
// the 2-core benchmark machine, where 12 to 16 gave the best throughput and 20 a lower one: more
// backends than that only wait for the CPUs and each other).
func DefaultDBMaxConns() int {
	return 6 * runtime.NumCPU()
}

func (r *reader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (r *reader) lookup(key string) (string, bool) {
	v, ok := r.getenv(key)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *reader) str(key, def string) string {
	if v, ok := r.lookup(key); ok {
		return v
	}
	return def
}

// currency reads an ISO 4217 code: three upper-case letters.
func (r *reader) currency(key, def string) string {
	v := r.str(key, def)
	if len(v) != 3 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		r.fail(key, "must be an ISO 4217 code of three upper-case letters, e.g. MAD")
		return def
	}
	return v
}

func (r *reader) oneOf(key, def string, allowed ...string) string {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	v = strings.ToLower(v)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(key, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return def
}

func (r *reader) intRange(key string, def, lo, hi int) int {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(key, "%q is not an integer", v)
		return def
	}
	if n < lo || n > hi {
		r.fail(key, "%d is outside [%d, %d]", n, lo, hi)
		return def
	}
	return n
}

func (r *reader) boolean(key string, def bool) bool {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, "%q is not a boolean (true or false)", v)
		return def
	}
	return b
}

// names reads a comma-separated list of job names (letters, digits, '.', '_', '-').
func (r *reader) names(key string) []string {
	v, ok := r.lookup(key)
	if !ok {
		return nil
	}
	var out []string
	for n := range strings.SplitSeq(v, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
			r.fail(key, "%q is not a job name", n)
			return nil
		}
		out = append(out, n)
	}
	return out
}

func (r *reader) level(key string) slog.Level {
	v, ok := r.lookup(key)
	if !ok {
		return slog.LevelInfo
	}
	switch strings.ToUpper(v) {
	case "DEBUG":
		return slog.LevelDebug
	case "INFO":
		return slog.LevelInfo
	case "WARN", "WARNING":
		return slog.LevelWarn
	case "ERROR", "CRITICAL":
		return slog.LevelError
	}
	r.fail(key, "%q is not one of DEBUG, INFO, WARN, ERROR", v)
	return slog.LevelInfo
}

func (r *reader) urlWithScheme(key string, schemes ...string) string {
	v, ok := r.lookup(key)
	if !ok {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		r.fail(key, "%q is not a URL with a host", redact(v))
		return ""
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return v
		}
	}
	r.fail(key, "scheme %q is not one of %s", u.Scheme, strings.Join(schemes, ", "))
	return ""
}

func (r *reader) origins(key string) []string {
	v, ok := r.lookup(key)
	if !ok {
		return append([]string(nil), DefaultCORSOrigins...)
	}
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if o == "*" {
			r.fail(key, "the wildcard * is refused: list the front-end origins")
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
			r.fail(key, "%q is not an origin like https://app.example.com", o)
			continue
		}
		out = append(out, o)
	}
	return out
}

func (r *reader) cidrs(key string) []*net.IPNet {
	v, ok := r.lookup(key)
	if !ok {
		return nil
	}
	var out []*net.IPNet
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			if ip := net.ParseIP(s); ip != nil {
				bits := 32
				if ip.To4() == nil {
					bits = 128
				}
				s = fmt.Sprintf("%s/%d", s, bits)
			}
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			r.fail(key, "%q is not an IP address or CIDR range", s)
			continue
		}
		out = append(out, n)
	}
	return out
}

func (r *reader) databaseURL() string {
	if v, ok := r.lookup("DATABASE_URL"); ok {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			r.fail("DATABASE_URL", "%q is not a postgres:// URL", redact(v))
			return ""
		}
		return v
	}
	u := url.URL{
		Scheme: "postgres",
		Host: net.JoinHostPort(r.str("POSTGRES_HOST", "127.0.0.1"),
			strconv.Itoa(r.intRange("POSTGRES_PORT", 5432, 1, 65535))),
		Path: "/" + r.str("POSTGRES_DB", "mif_erp"),
	}
	user := r.str("POSTGRES_USER", "postgres")
	if pw, ok := r.lookup("POSTGRES_PASSWORD"); ok {
		u.User = url.UserPassword(user, pw)
	} else {
		u.User = url.User(user)
	}
	u.RawQuery = url.Values{"sslmode": {r.oneOf("POSTGRES_SSLMODE", "disable",
		"disable", "allow", "prefer", "require", "verify-ca", "verify-full")}}.Encode()
	return u.String()
}

func (r *reader) secretKey(env string) ([]byte, bool) {
	v, ok := r.lookup("SECRET_KEY")
	switch {
	case ok && len(v) >= MinSecretKeyLen:
		return []byte(v), false
	case env == Production && !ok:
		r.fail("SECRET_KEY", "is required when ENVIRONMENT=production")
	case env == Production:
		r.fail("SECRET_KEY", "is %d characters long; at least %d are required when ENVIRONMENT=production", len(v), MinSecretKeyLen)
	case ok:
		// Outside production a short key is tolerated (the server logs a warning).
		return []byte(v), false
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on Linux.
	return []byte(hex.EncodeToString(buf)), true
}

// zone reads an IANA time zone name (Africa/Casablanca, Europe/Paris, UTC); default UTC. "Local",
// the host's zone, is refused: the texts must not change with the machine.
func (r *reader) zone(key string) *time.Location {
	v, ok := r.lookup(key)
	if !ok {
		return time.UTC
	}
	loc, err := time.LoadLocation(v)
	if err != nil || v == "Local" {
		r.fail(key, "%q is not an IANA time zone name like Africa/Casablanca or UTC", v)
		return time.UTC
	}
	return loc
}

// duration reads a Go duration ("15m", "90s", "1h").
func (r *reader) duration(key string, def, lo, hi time.Duration) time.Duration {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(key, "%q is not a duration like 15m or 90s", v)
		return def
	}
	if d < lo || d > hi {
		r.fail(key, "%s is outside [%s, %s]", d, lo, hi)
		return def
	}
	return d
}

// documentKeys reads DOCUMENT_KEYS: comma-separated base64 keys of 32 bytes, the first one
// encrypting. Production refuses to start without one; elsewhere a random key is generated (the
// files stored with it cannot be read after a restart).
func (r *reader) documentKeys(env string) ([][]byte, bool) {
	v, ok := r.lookup("DOCUMENT_KEYS")
	if !ok {
		if env == Production {
			r.fail("DOCUMENT_KEYS", "is required when ENVIRONMENT=production (generate one with: openssl rand -base64 32)")
			return nil, false
		}
		k := make([]byte, DocumentKeyLen)
		_, _ = rand.Read(k)
		return [][]byte{k}, true
	}
	var keys [][]byte
	for i, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			k, err = base64.RawStdEncoding.DecodeString(s)
		}
		if err != nil {
			r.fail("DOCUMENT_KEYS", "key %d is not base64", i+1)
			return nil, false
		}
		if len(k) != DocumentKeyLen {
			r.fail("DOCUMENT_KEYS", "key %d is %d bytes long, want %d (openssl rand -base64 32)", i+1, len(k), DocumentKeyLen)
			return nil, false
		}
		for _, prev := range keys {
			if bytes.Equal(prev, k) {
				r.fail("DOCUMENT_KEYS", "key %d is listed twice", i+1)
				return nil, false
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		r.fail("DOCUMENT_KEYS", "lists no key")
		return nil, false
	}
	return keys, false
}

// storageURL reads STORAGE_URL, the gocloud.dev/blob bucket of the documents: file:///dir (the
// default: .data/documents under the working directory; the test environment keeps them in
// memory), s3://bucket?region=...&endpoint=... or mem://.
func (r *reader) storageURL(env string) string {
	v, ok := r.lookup("STORAGE_URL")
	if !ok {
		if env == Test {
			return "mem://"
		}
		dir, err := filepath.Abs(filepath.Join(".data", "documents"))
		if err != nil {
			r.fail("STORAGE_URL", "cannot resolve the default directory: %v", err)
			return ""
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
	}
	u, err := url.Parse(v)
	if err != nil {
		r.fail("STORAGE_URL", "%q is not a URL", redact(v))
		return ""
	}
	switch u.Scheme {
	case "file":
		if u.Path == "" || u.Path == "/" {
			r.fail("STORAGE_URL", "%q names no directory (file:///var/lib/erp/documents)", v)
			return ""
		}
	case "s3":
		if u.Host == "" {
			r.fail("STORAGE_URL", "%q names no bucket (s3://bucket?region=...)", redact(v))
			return ""
		}
	case "mem":
	default:
		r.fail("STORAGE_URL", "scheme %q is not one of file, s3, mem", u.Scheme)
		return ""
	}
	return v
}

// SMTP TLS modes (SMTP_TLS).
const (
	SMTPTLSNone     = "none"
	SMTPTLSStartTLS = "starttls"
	SMTPTLSImplicit = "tls"
)

// smtp reads the e-mail settings. SMTP_TLS defaults to starttls when SMTP_USER is set (no
// password goes out in clear), else none; SMTP_PORT defaults to the mode's usual port.
func (r *reader) smtp(c *Config) {
	c.SMTPHost = r.str("SMTP_HOST", "")
	c.SMTPUser = r.str("SMTP_USER", "")
	c.SMTPPassword = r.str("SMTP_PASSWORD", "")
	def := SMTPTLSNone
	if c.SMTPUser != "" {
		def = SMTPTLSStartTLS
	}
	c.SMTPTLS = r.oneOf("SMTP_TLS", def, SMTPTLSNone, SMTPTLSStartTLS, SMTPTLSImplicit)
	port := map[string]int{SMTPTLSNone: 25, SMTPTLSStartTLS: 587, SMTPTLSImplicit: 465}[c.SMTPTLS]
	c.SMTPPort = r.intRange("SMTP_PORT", port, 1, 65535)
	c.EmailsFromEmail = r.str("EMAILS_FROM_EMAIL", "no-reply@mif.ma")
	if a, err := mail.ParseAddress(c.EmailsFromEmail); err != nil || a.Name != "" || a.Address != c.EmailsFromEmail {
		r.fail("EMAILS_FROM_EMAIL", "%q is not an e-mail address like no-reply@mif.ma", c.EmailsFromEmail)
	}
	c.EmailsFromName = r.str("EMAILS_FROM_NAME", "MIF ERP")
	if strings.ContainsAny(c.EmailsFromName, "\r\n") {
		r.fail("EMAILS_FROM_NAME", "must be one line")
	}
	c.SMTPMaxAttempts = r.intRange("SMTP_MAX_ATTEMPTS", 8, 1, 100)
	c.EmailDeliveryInterval = time.Duration(r.intRange("EMAIL_DELIVERY_INTERVAL_SECONDS", 5, 1, 3600)) * time.Second
	c.ReminderBefore = time.Duration(r.intRange("REMINDER_BEFORE_HOURS", 24, 1, 24*365)) * time.Hour
}

// rapports reads the settings of the generated reports and of the links sent by e-mail.
func (r *reader) rapports(c *Config) {
	c.RapportWorkerInterval = time.Duration(r.intRange("RAPPORT_WORKER_INTERVAL_SECONDS", 5, 1, 3600)) * time.Second
	c.RapportRetention = time.Duration(r.intRange("RAPPORT_RETENTION_DAYS", 30, 1, 3650)) * 24 * time.Hour
	c.KpiCacheTTL = time.Duration(r.intRange("KPI_CACHE_SECONDS", 60, 0, 3600)) * time.Second
	c.KpiCacheMinCost = time.Duration(r.intRange("KPI_CACHE_MIN_MS", 250, 0, 60000)) * time.Millisecond
	c.PublicURL = strings.TrimRight(r.str("PUBLIC_URL", fmt.Sprintf("http://localhost:%d", c.Port)), "/")
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		r.fail("PUBLIC_URL", "%q is not a base URL like https://erp.mif.ma", c.PublicURL)
	}
}

// tracesExporter reads the OTEL_* variables that turn tracing on (see Config.TracesExporter);
// only OTLP over HTTP/protobuf is built in.
func (r *reader) tracesExporter() string {
	disabled := r.boolean("OTEL_SDK_DISABLED", false)
	exporter := r.oneOf("OTEL_TRACES_EXPORTER", "", "otlp", "console", "none")
	endpoint := r.str("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", r.str("OTEL_EXPORTER_OTLP_ENDPOINT", ""))
	protocol := r.oneOf("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", r.oneOf("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
		"http/protobuf", "grpc", "http/json"), "http/protobuf", "grpc", "http/json")
	if exporter == "" && endpoint != "" {
		exporter = "otlp"
	}
	if disabled || exporter == "none" {
		return ""
	}
	if exporter == "otlp" && protocol != "http/protobuf" {
		r.fail("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL", "%q is not supported: only http/protobuf (port 4318) is built in", protocol)
	}
	return exporter
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
