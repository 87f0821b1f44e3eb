package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The readers of one variable each: every one records a bad value as an error naming the
// variable (fail) and returns the default, so that Load reports every error at once.

type reader struct {
	getenv Getenv
	errs   []error
}

// DefaultDBMaxConns is the pool size when DB_MAX_CONNS is unset: 3 connections per CPU (6 on the
// 2-core benchmark machine). There, in the closed loop of `make bench`, 6 gave about 4 % less
// throughput than 12 (7 alternated runs: 1 055 against 1 100 req/s on average; 4 gave 18 % less,
// 20 less too), but at half that rate 12 backends running at once stretched each statement's
// turn on the CPUs: the writes' p99 was 47-79 ms with 12, 42-57 with 8 and 25-30 with 6 (a write
// is 7 to 10 statements).
func DefaultDBMaxConns() int {
	return 3 * runtime.NumCPU()
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
