package config

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The readers of the settings that take several variables or check more than a value's form:
// the database, the keys, the storage, e-mail, reports, the time zone and tracing.

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
