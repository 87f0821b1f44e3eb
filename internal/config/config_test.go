package config_test

import (
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/config"
)

// env turns a map into the Getenv Load reads.
func env(vars map[string]string) config.Getenv {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func load(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	c, err := config.Load(env(vars))
	if err != nil {
		t.Fatalf("Load(%v): %v", vars, err)
	}
	return c
}

func TestDefaultsNeedNoVariable(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Environment", c.Environment, config.Development},
		{"ProjectName", c.ProjectName, "MIF ERP"},
		{"Port", c.Port, 8000},
		{"DatabaseURL", c.DatabaseURL, "postgres://postgres@127.0.0.1:5432/mif_erp?sslmode=disable"},
		{"DBMaxConns", c.DBMaxConns, int32(3 * runtime.NumCPU())},
		{"MigrateOnStart", c.MigrateOnStart, true},
		{"DefaultCurrency", c.DefaultCurrency, "MAD"},
		{"ContratQuotaMode", c.ContratQuotaMode, "signaler"},
		{"AccessTokenTTL", c.AccessTokenTTL, 15 * time.Minute},
		{"RefreshTokenTTL", c.RefreshTokenTTL, 7 * 24 * time.Hour},
		{"BcryptCost", c.BcryptCost, 12},
		{"LoginMaxFailures", c.LoginMaxFailures, 5},
		{"LoginAddressMaxFailures", c.LoginAddressMaxFailures, 20},
		{"LoginAccountMaxFailures", c.LoginAccountMaxFailures, 50},
		{"LoginFailureWindow", c.LoginFailureWindow, 15 * time.Minute},
		{"LoginLockout", c.LoginLockout, 5 * time.Minute},
		{"RateLimitPerMinute", c.RateLimitPerMinute, 120},
		{"TrustedProxies", len(c.TrustedProxies), 0},
		{"RedisURL", c.RedisURL, ""},
		{"MetricsToken", c.MetricsToken, ""},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"MaxBodyBytes", c.MaxBodyBytes, int64(1 << 20)},
		{"ShutdownTimeout", c.ShutdownTimeout, 15 * time.Second},
		{"SecretKeyGenerated", c.SecretKeyGenerated, true},
		{"MaxUploadBytes", c.MaxUploadBytes, int64(20 << 20)},
		{"DownloadURLTTL", c.DownloadURLTTL, 15 * time.Minute},
		{"DocumentKeysGenerated", c.DocumentKeysGenerated, true},
		{"DocumentKeys", len(c.DocumentKeys), 1},
		{"StorageURL is an absolute file URL", strings.HasPrefix(c.StorageURL, "file:///") && strings.HasSuffix(c.StorageURL, "/.data/documents"), true},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	for _, o := range []string{"http://localhost:3000", "http://localhost:3001", "http://localhost:5173", "http://localhost:8000"} {
		if !slices.Contains(c.CORSAllowOrigins, o) {
			t.Errorf("default CORS origins %v lack %s", c.CORSAllowOrigins, o)
		}
	}
	if len(c.SecretKey) < config.MinSecretKeyLen {
		t.Errorf("generated secret key is %d bytes, want >= %d", len(c.SecretKey), config.MinSecretKeyLen)
	}
	if other := load(t, nil); string(other.SecretKey) == string(c.SecretKey) {
		t.Error("two generated secret keys are equal: not random")
	}
}

func TestValuesAreRead(t *testing.T) {
	t.Parallel()
	c := load(t, map[string]string{
		"ENVIRONMENT":                 " Production ",
		"SECRET_KEY":                  strings.Repeat("k", 40),
		"PORT":                        "9090",
		"MIGRATE_ON_START":            "false",
		"ACCESS_TOKEN_EXPIRE_MINUTES": "30",
		"REFRESH_TOKEN_EXPIRE_DAYS":   "2",
		"CORS_ALLOW_ORIGINS":          "https://erp.example.com/, http://localhost:4200",
		"TRUSTED_PROXIES":             "10.0.0.0/8, 192.168.1.7, ::1",
		"REDIS_URL":                   "rediss://:pw@cache.example.com:6380/2",
		"METRICS_TOKEN":               "0123456789abcdef",
		"LOG_LEVEL":                   "warning",
		"RATE_LIMIT_PER_MINUTE":       "0",
		"DATABASE_URL":                "postgresql://erp:pw@db:5433/erp",
		"DOCUMENT_KEYS":               testDocumentKey,
		"DEFAULT_CURRENCY":            "EUR",
	})
	if c.DefaultCurrency != "EUR" {
		t.Errorf("DefaultCurrency %q", c.DefaultCurrency)
	}
	if c.Environment != config.Production || c.Port != 9090 || c.MigrateOnStart ||
		c.AccessTokenTTL != 30*time.Minute || c.RefreshTokenTTL != 48*time.Hour ||
		c.LogLevel != slog.LevelWarn || c.RateLimitPerMinute != 0 || c.SecretKeyGenerated ||
		c.RedisURL != "rediss://:pw@cache.example.com:6380/2" || c.DatabaseURL != "postgresql://erp:pw@db:5433/erp" {
		t.Errorf("values not read: %+v", c)
	}
	if want := []string{"https://erp.example.com", "http://localhost:4200"}; !slices.Equal(c.CORSAllowOrigins, want) {
		t.Errorf("CORS origins = %v, want %v", c.CORSAllowOrigins, want)
	}
	var nets []string
	for _, n := range c.TrustedProxies {
		nets = append(nets, n.String())
	}
	if want := []string{"10.0.0.0/8", "192.168.1.7/32", "::1/128"}; !slices.Equal(nets, want) {
		t.Errorf("trusted proxies = %v, want %v", nets, want)
	}
	if r := c.Redacted(); strings.Contains(r, ":pw@") {
		t.Errorf("Redacted() = %q shows the password", r)
	}
}

func TestEachBadValueStopsStartUpNamingTheVariable(t *testing.T) {
	t.Parallel()
	cases := []struct{ key, value string }{
		{"PORT", "abc"},
		{"DEFAULT_CURRENCY", "mad"},
		{"CONTRAT_QUOTA_MODE", "bloquer"},
		{"DEFAULT_CURRENCY", "EURO"},
		{"DEFAULT_CURRENCY", "1AB"},
		{"PORT", "70000"},
		{"PORT", "0"},
		{"ENVIRONMENT", "staging"},
		{"LOG_LEVEL", "verbose"},
		{"MIGRATE_ON_START", "maybe"},
		{"CORS_ALLOW_ORIGINS", "*"},
		{"CORS_ALLOW_ORIGINS", "https://ok.example.com,*"},
		{"CORS_ALLOW_ORIGINS", "localhost:5173"},
		{"CORS_ALLOW_ORIGINS", "https://app.example.com/path"},
		{"CORS_ALLOW_ORIGINS", "http://localhost:5173?x=1"},
		{"CORS_ALLOW_ORIGINS", "https://app.example.com#top"},
		{"CORS_ALLOW_ORIGINS", "https://user@app.example.com"},
		{"CORS_ALLOW_ORIGINS", "ftp://files.example.com"},
		{"TRUSTED_PROXIES", "nonsense"},
		{"TRUSTED_PROXIES", "10.0.0.0/33"},
		{"REDIS_URL", "http://x"},
		{"REDIS_URL", "redis://"},
		{"DATABASE_URL", "mysql://x"},
		{"POSTGRES_PORT", "port"},
		{"POSTGRES_SSLMODE", "sometimes"},
		{"ACCESS_TOKEN_EXPIRE_MINUTES", "-5"},
		{"REFRESH_TOKEN_EXPIRE_DAYS", "0"},
		{"RATE_LIMIT_PER_MINUTE", "-1"},
		{"RATE_LIMIT_PER_MINUTE", "lots"},
		{"MAX_BODY_BYTES", "10"},
		{"BCRYPT_COST", "3"},
		{"DB_MAX_CONNS", "0"},
		{"SHUTDOWN_TIMEOUT_SECONDS", "1.5"},
		{"METRICS_TOKEN", "short"},
		{"MAX_UPLOAD_MB", "0"},
		{"MAX_UPLOAD_MB", "twenty"},
		{"DOCUMENT_KEYS", "not base64!"},
		{"DOCUMENT_KEYS", "c2hvcnQ="},
		{"DOCUMENT_KEYS", testDocumentKey + "," + testDocumentKey},
		{"DOCUMENT_KEYS", " , "},
		{"STORAGE_URL", "ftp://files/documents"},
		{"STORAGE_URL", "file:///"},
		{"STORAGE_URL", "s3://"},
		{"DOWNLOAD_URL_TTL", "soon"},
		{"DOWNLOAD_URL_TTL", "0s"},
		{"DOWNLOAD_URL_TTL", "720h"},
		{"LOGIN_ADDRESS_MAX_FAILURES", "0"},
		{"LOGIN_ACCOUNT_MAX_FAILURES", "many"},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(env(map[string]string{tc.key: tc.value}))
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.key, tc.value)
			}
			if !strings.HasPrefix(err.Error(), tc.key+": ") {
				t.Errorf("error %q does not start with the variable name %s", err, tc.key)
			}
			if strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("one bad value gave several errors: %q", err)
			}
		})
	}
}

func TestLoginThrottleSettings(t *testing.T) {
	t.Parallel()
	// The address and account thresholds follow LOGIN_MAX_FAILURES unless set.
	c := load(t, map[string]string{"LOGIN_MAX_FAILURES": "3"})
	if c.LoginMaxFailures != 3 || c.LoginAddressMaxFailures != 12 || c.LoginAccountMaxFailures != 30 {
		t.Errorf("derived thresholds %d/%d/%d, want 3/12/30", c.LoginMaxFailures, c.LoginAddressMaxFailures, c.LoginAccountMaxFailures)
	}
	c = load(t, map[string]string{"LOGIN_MAX_FAILURES": "4", "LOGIN_ADDRESS_MAX_FAILURES": "25",
		"LOGIN_ACCOUNT_MAX_FAILURES": "200", "LOGIN_FAILURE_WINDOW_SECONDS": "600", "LOGIN_LOCKOUT_SECONDS": "60"})
	if c.LoginMaxFailures != 4 || c.LoginAddressMaxFailures != 25 || c.LoginAccountMaxFailures != 200 ||
		c.LoginFailureWindow != 10*time.Minute || c.LoginLockout != time.Minute {
		t.Errorf("login settings not read: %d/%d/%d %v %v", c.LoginMaxFailures, c.LoginAddressMaxFailures,
			c.LoginAccountMaxFailures, c.LoginFailureWindow, c.LoginLockout)
	}
}

func TestBadURLsDoNotPrintTheirPassword(t *testing.T) {
	t.Parallel()
	_, err := config.Load(env(map[string]string{
		"DATABASE_URL": "mysql://root:hunter2-db@x/erp",
		"REDIS_URL":    "http://:hunter2-redis@cache",
	}))
	if err == nil {
		t.Fatal("bad URLs accepted")
	}
	for _, secret := range []string{"hunter2-db", "hunter2-redis"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q prints the password %s", err, secret)
		}
	}
}

func TestProductionRequiresALongSecretKey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, key string
		ok        bool
	}{
		{"missing", "", false},
		{"blank", "   ", false},
		{"short", strings.Repeat("x", config.MinSecretKeyLen-1), false},
		{"exactly long enough", strings.Repeat("x", config.MinSecretKeyLen), true},
		{"long", "a-real-production-secret-key-of-48-characters!!!", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{"ENVIRONMENT": "production", "DOCUMENT_KEYS": testDocumentKey}
			if tc.key != "" {
				vars["SECRET_KEY"] = tc.key
			}
			c, err := config.Load(env(vars))
			if !tc.ok {
				if err == nil || !strings.HasPrefix(err.Error(), "SECRET_KEY: ") {
					t.Fatalf("got %v, want a SECRET_KEY error", err)
				}
				if tc.key != "" && strings.TrimSpace(tc.key) != "" && strings.Contains(err.Error(), tc.key) {
					t.Errorf("error %q prints the key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(c.SecretKey) != tc.key || c.SecretKeyGenerated {
				t.Errorf("secret key not used as given: generated=%t", c.SecretKeyGenerated)
			}
		})
	}
}

func TestOutsideProductionAMissingOrShortKeyIsTolerated(t *testing.T) {
	t.Parallel()
	for _, environment := range []string{"development", "test"} {
		c := load(t, map[string]string{"ENVIRONMENT": environment, "SECRET_KEY": "short"})
		if string(c.SecretKey) != "short" || c.SecretKeyGenerated {
			t.Errorf("%s: short key not kept", environment)
		}
		c = load(t, map[string]string{"ENVIRONMENT": environment})
		if !c.SecretKeyGenerated || len(c.SecretKey) < config.MinSecretKeyLen {
			t.Errorf("%s: no random key generated", environment)
		}
	}
}

func TestPostgresVariablesAssembleTheDatabaseURL(t *testing.T) {
	t.Parallel()
	c := load(t, map[string]string{
		"POSTGRES_HOST":     "db.internal",
		"POSTGRES_PORT":     "5433",
		"POSTGRES_USER":     "erp_user",
		"POSTGRES_PASSWORD": "p@ss:w/rd #1",
		"POSTGRES_DB":       "mif_prod",
		"POSTGRES_SSLMODE":  "require",
	})
	pc, err := pgconn.ParseConfig(c.DatabaseURL)
	if err != nil {
		t.Fatalf("assembled URL %q does not parse: %v", c.DatabaseURL, err)
	}
	if pc.Host != "db.internal" || pc.Port != 5433 || pc.User != "erp_user" ||
		pc.Password != "p@ss:w/rd #1" || pc.Database != "mif_prod" || pc.TLSConfig == nil {
		t.Errorf("assembled URL %q parses to host=%s port=%d user=%s password=%q db=%s tls=%t",
			c.DatabaseURL, pc.Host, pc.Port, pc.User, pc.Password, pc.Database, pc.TLSConfig != nil)
	}
	u, _ := url.Parse(c.DatabaseURL)
	if u.Query().Get("sslmode") != "require" {
		t.Errorf("sslmode lost: %s", c.DatabaseURL)
	}

	// IPv6 hosts are bracketed; DATABASE_URL wins over POSTGRES_*.
	c = load(t, map[string]string{"POSTGRES_HOST": "::1", "POSTGRES_DB": "x"})
	if c.DatabaseURL != "postgres://postgres@[::1]:5432/x?sslmode=disable" {
		t.Errorf("IPv6 host: %s", c.DatabaseURL)
	}
	c = load(t, map[string]string{"POSTGRES_HOST": "ignored", "DATABASE_URL": "postgres://a@b/c"})
	if c.DatabaseURL != "postgres://a@b/c" {
		t.Errorf("DATABASE_URL does not win over POSTGRES_*: %s", c.DatabaseURL)
	}
}

func TestAllBadValuesAreReportedTogether(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"PORT":               "abc",
		"ENVIRONMENT":        "staging",
		"LOG_LEVEL":          "verbose",
		"MIGRATE_ON_START":   "maybe",
		"CORS_ALLOW_ORIGINS": "*",
		"TRUSTED_PROXIES":    "nonsense",
		"REDIS_URL":          "http://x",
		"DATABASE_URL":       "mysql://x",
	}
	_, err := config.Load(env(bad))
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(bad) {
		t.Errorf("got %d errors, want %d:\n%v", len(lines), len(bad), err)
	}
	for key := range bad {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, key+": ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no error names %s:\n%v", key, err)
		}
	}
}

func TestSchedulerSettings(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	if !c.EnableScheduler || c.SchedulerInterval != time.Minute {
		t.Errorf("defaults: EnableScheduler=%v SchedulerInterval=%v, want true and 1m", c.EnableScheduler, c.SchedulerInterval)
	}
	if c.SchedulerJobs != nil {
		t.Errorf("defaults: SchedulerJobs=%v, want every job", c.SchedulerJobs)
	}
	c = load(t, map[string]string{"ENABLE_SCHEDULER": "false", "SCHEDULER_INTERVAL_SECONDS": "5",
		"SCHEDULER_JOBS": " stats.compact, housekeeping,,"})
	if c.EnableScheduler || c.SchedulerInterval != 5*time.Second {
		t.Errorf("read: EnableScheduler=%v SchedulerInterval=%v, want false and 5s", c.EnableScheduler, c.SchedulerInterval)
	}
	if strings.Join(c.SchedulerJobs, "|") != "stats.compact|housekeeping" {
		t.Errorf("read: SchedulerJobs=%q", c.SchedulerJobs)
	}
	for _, tc := range []struct{ key, value string }{
		{"SCHEDULER_JOBS", "stats compact"},
		{"SCHEDULER_JOBS", "housekeeping;rm"},
		{"ENABLE_SCHEDULER", "sometimes"},
		{"SCHEDULER_INTERVAL_SECONDS", "0"},
		{"SCHEDULER_INTERVAL_SECONDS", "86401"},
		{"SCHEDULER_INTERVAL_SECONDS", "1m"},
	} {
		_, err := config.Load(env(map[string]string{tc.key: tc.value}))
		if err == nil || !strings.HasPrefix(err.Error(), tc.key+": ") {
			t.Errorf("%s=%q: error %v, want one naming the variable", tc.key, tc.value, err)
		}
	}
}

// testDocumentKey is a valid DOCUMENT_KEYS value (base64 of 32 bytes).
const testDocumentKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func TestDocumentSettings(t *testing.T) {
	t.Parallel()
	other := "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA"
	c := load(t, map[string]string{
		"MAX_UPLOAD_MB":    "5",
		"DOCUMENT_KEYS":    " " + testDocumentKey + " ," + other + ",",
		"STORAGE_URL":      "s3://mif-docs?region=eu-west-3&endpoint=http://minio:9000&use_path_style=true",
		"DOWNLOAD_URL_TTL": "90s",
	})
	if c.MaxUploadBytes != 5<<20 || c.DownloadURLTTL != 90*time.Second || c.DocumentKeysGenerated ||
		len(c.DocumentKeys) != 2 || string(c.DocumentKeys[0]) != "0123456789abcdef0123456789abcdef" ||
		string(c.DocumentKeys[1]) != "fedcba9876543210fedcba9876543210" || !strings.HasPrefix(c.StorageURL, "s3://mif-docs?") {
		t.Errorf("document settings not read: %+v", c)
	}
	if c := load(t, map[string]string{"ENVIRONMENT": "test"}); c.StorageURL != "mem://" {
		t.Errorf("test environment storage %q, want mem://", c.StorageURL)
	}
	if c := load(t, map[string]string{"STORAGE_URL": "file:///var/lib/erp/documents"}); c.StorageURL != "file:///var/lib/erp/documents" {
		t.Errorf("file storage %q", c.StorageURL)
	}
	a, b := load(t, nil), load(t, nil)
	if len(a.DocumentKeys[0]) != 32 || string(a.DocumentKeys[0]) == string(b.DocumentKeys[0]) {
		t.Error("generated document keys are not random 32-byte keys")
	}
	// Production refuses to start without a document key, and does not print a bad one.
	_, err := config.Load(env(map[string]string{"ENVIRONMENT": "production", "SECRET_KEY": strings.Repeat("k", 40)}))
	if err == nil || !strings.HasPrefix(err.Error(), "DOCUMENT_KEYS: is required") {
		t.Errorf("production without DOCUMENT_KEYS: %v", err)
	}
	secret := "c2VjcmV0LWtleS10aGF0LWlzLXRvby1zaG9ydA=="
	if _, err := config.Load(env(map[string]string{"DOCUMENT_KEYS": secret})); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("bad key: %v", err)
	}
}

func TestLiveSettings(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	if c.LiveStreamMax != time.Hour || c.SSEHeartbeat != 15*time.Second {
		t.Errorf("defaults: LiveStreamMax=%v SSEHeartbeat=%v, want 1h and 15s", c.LiveStreamMax, c.SSEHeartbeat)
	}
	c = load(t, map[string]string{"LIVE_STREAM_MAX_SECONDS": "1", "SSE_HEARTBEAT_SECONDS": "2"})
	if c.LiveStreamMax != time.Second || c.SSEHeartbeat != 2*time.Second {
		t.Errorf("read: LiveStreamMax=%v SSEHeartbeat=%v, want 1s and 2s", c.LiveStreamMax, c.SSEHeartbeat)
	}
	for _, tc := range []struct{ key, value string }{
		{"LIVE_STREAM_MAX_SECONDS", "0"},
		{"LIVE_STREAM_MAX_SECONDS", "86401"},
		{"LIVE_STREAM_MAX_SECONDS", "1h"},
		{"SSE_HEARTBEAT_SECONDS", "0"},
		{"SSE_HEARTBEAT_SECONDS", "3601"},
		{"SSE_HEARTBEAT_SECONDS", "soon"},
	} {
		_, err := config.Load(env(map[string]string{tc.key: tc.value}))
		if err == nil || !strings.HasPrefix(err.Error(), tc.key+": ") {
			t.Errorf("%s=%q: error %v, want one naming the variable", tc.key, tc.value, err)
		}
	}
}

func TestTimezoneSetting(t *testing.T) {
	t.Parallel()
	if c := load(t, nil); c.Zone != time.UTC {
		t.Errorf("default APP_TIMEZONE: %v, want UTC", c.Zone)
	}
	c := load(t, map[string]string{"APP_TIMEZONE": " Africa/Casablanca "})
	if c.Zone == nil || c.Zone.String() != "Africa/Casablanca" {
		t.Fatalf("APP_TIMEZONE=Africa/Casablanca: %v", c.Zone)
	}
	// 7 December 2026 13:30 UTC is 14:30 in Casablanca (UTC+01:00).
	if got := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC).In(c.Zone).Format("15:04 -07:00"); got != "14:30 +01:00" {
		t.Errorf("13:30 UTC in Africa/Casablanca: %s", got)
	}
	if c := load(t, map[string]string{"APP_TIMEZONE": "UTC"}); c.Zone != time.UTC {
		t.Errorf("APP_TIMEZONE=UTC: %v", c.Zone)
	}
	for _, v := range []string{"Mars/Olympus", "Local", "UTC+1", "../etc/passwd"} {
		_, err := config.Load(env(map[string]string{"APP_TIMEZONE": v}))
		if err == nil || !strings.HasPrefix(err.Error(), "APP_TIMEZONE: ") {
			t.Errorf("APP_TIMEZONE=%q: error %v, want one naming the variable", v, err)
		}
	}
}

func TestSMTPSettings(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	if c.SMTPHost != "" || c.EmailEnabled() || c.SMTPTLS != config.SMTPTLSNone || c.SMTPPort != 25 ||
		c.EmailsFromEmail != "no-reply@mif.ma" || c.EmailsFromName != "MIF ERP" || c.SMTPMaxAttempts != 8 ||
		c.ReminderBefore != 24*time.Hour || c.EmailDeliveryInterval != 5*time.Second {
		t.Errorf("defaults: %+v", []any{c.SMTPHost, c.SMTPTLS, c.SMTPPort, c.EmailsFromEmail, c.EmailsFromName,
			c.SMTPMaxAttempts, c.ReminderBefore, c.EmailDeliveryInterval})
	}
	c = load(t, map[string]string{"SMTP_HOST": "smtp.mif.ma", "SMTP_USER": "erp", "SMTP_PASSWORD": "pw"})
	if !c.EmailEnabled() || c.SMTPTLS != config.SMTPTLSStartTLS || c.SMTPPort != 587 || c.SMTPUser != "erp" || c.SMTPPassword != "pw" {
		t.Errorf("a user defaults to starttls on 587: %s %d", c.SMTPTLS, c.SMTPPort)
	}
	c = load(t, map[string]string{"SMTP_HOST": "smtp.mif.ma", "SMTP_TLS": "TLS", "EMAILS_FROM_EMAIL": "erp@mif.ma",
		"EMAILS_FROM_NAME": "ERP MIF", "SMTP_MAX_ATTEMPTS": "3", "REMINDER_BEFORE_HOURS": "2",
		"EMAIL_DELIVERY_INTERVAL_SECONDS": "30"})
	if c.SMTPTLS != config.SMTPTLSImplicit || c.SMTPPort != 465 || c.EmailsFromEmail != "erp@mif.ma" ||
		c.EmailsFromName != "ERP MIF" || c.SMTPMaxAttempts != 3 || c.ReminderBefore != 2*time.Hour ||
		c.EmailDeliveryInterval != 30*time.Second {
		t.Errorf("read: %s %d %s %s %d %v %v", c.SMTPTLS, c.SMTPPort, c.EmailsFromEmail, c.EmailsFromName,
			c.SMTPMaxAttempts, c.ReminderBefore, c.EmailDeliveryInterval)
	}
	if c := load(t, map[string]string{"SMTP_TLS": "none", "SMTP_PORT": "1025"}); c.SMTPPort != 1025 {
		t.Errorf("SMTP_PORT=1025: %d", c.SMTPPort)
	}
	for _, tc := range []struct{ key, value string }{
		{"SMTP_TLS", "ssl"},
		{"SMTP_PORT", "0"},
		{"SMTP_PORT", "65536"},
		{"EMAILS_FROM_EMAIL", "pas une adresse"},
		{"EMAILS_FROM_EMAIL", "MIF <no-reply@mif.ma>"},
		{"SMTP_MAX_ATTEMPTS", "0"},
		{"REMINDER_BEFORE_HOURS", "0"},
		{"REMINDER_BEFORE_HOURS", "un jour"},
		{"EMAIL_DELIVERY_INTERVAL_SECONDS", "0"},
	} {
		_, err := config.Load(env(map[string]string{tc.key: tc.value}))
		if err == nil || !strings.HasPrefix(err.Error(), tc.key+": ") {
			t.Errorf("%s=%q: error %v, want one naming the variable", tc.key, tc.value, err)
		}
	}
}

func TestRapportSettings(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	if c.KpiCacheTTL != time.Minute || c.KpiCacheMinCost != 250*time.Millisecond {
		t.Errorf("kpi cache defaults: %v %v", c.KpiCacheTTL, c.KpiCacheMinCost)
	}
	if c := load(t, map[string]string{"KPI_CACHE_SECONDS": "0", "KPI_CACHE_MIN_MS": "0"}); c.KpiCacheTTL != 0 || c.KpiCacheMinCost != 0 {
		t.Errorf("kpi cache off: %v %v", c.KpiCacheTTL, c.KpiCacheMinCost)
	}
	if c.RapportWorkerInterval != 5*time.Second || c.RapportRetention != 30*24*time.Hour || c.PublicURL != "http://localhost:8000" {
		t.Errorf("defaults: %v %v %s", c.RapportWorkerInterval, c.RapportRetention, c.PublicURL)
	}
	c = load(t, map[string]string{"RAPPORT_WORKER_INTERVAL_SECONDS": "2", "RAPPORT_RETENTION_DAYS": "7",
		"PUBLIC_URL": "https://erp.mif.ma/"})
	if c.RapportWorkerInterval != 2*time.Second || c.RapportRetention != 7*24*time.Hour || c.PublicURL != "https://erp.mif.ma" {
		t.Errorf("read: %v %v %s", c.RapportWorkerInterval, c.RapportRetention, c.PublicURL)
	}
	for _, tc := range []struct{ key, value string }{
		{"KPI_CACHE_SECONDS", "-1"},
		{"KPI_CACHE_MIN_MS", "soixante"},
		{"PUBLIC_URL", "erp.mif.ma"},
		{"PUBLIC_URL", "ftp://erp.mif.ma"},
		{"PUBLIC_URL", "https://erp.mif.ma/api?x=1"},
		{"RAPPORT_WORKER_INTERVAL_SECONDS", "0"},
		{"RAPPORT_RETENTION_DAYS", "0"},
		{"RAPPORT_RETENTION_DAYS", "un mois"},
	} {
		_, err := config.Load(env(map[string]string{tc.key: tc.value}))
		if err == nil || !strings.HasPrefix(err.Error(), tc.key+": ") {
			t.Errorf("%s=%q: error %v, want one naming the variable", tc.key, tc.value, err)
		}
	}
}
