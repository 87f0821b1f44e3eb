package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/ratelimit"
)

// APIPrefix is the versioned base path; every route is also served without it.
const APIPrefix = "/api/v1"

// headerOriginalPath carries the path as the client sent it, for problem `instance` fields.
const headerOriginalPath = "X-Mif-Original-Path"

// headAsGet answers a HEAD request like the GET of the same URL, without its body (RFC 9110
// 9.3.2): load-balancer probes and `curl -I` use it. The routes and the contract see a GET (of
// a copy of the request) whose body is dropped; the server, which still has the HEAD, sends
// the status and the headers only. The event stream, which never ends, is left out (405).
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead || strings.HasSuffix(strings.TrimRight(r.URL.Path, "/"), "/notifications/stream") {
			next.ServeHTTP(w, r)
			return
		}
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		next.ServeHTTP(headOnly{w}, get)
	})
}

// headOnly drops the body of a response to a HEAD request.
type headOnly struct{ http.ResponseWriter }

func (h headOnly) Write(b []byte) (int, error) { return len(b), nil }

// Unwrap lets http.ResponseController reach the server's writer.
func (h headOnly) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// normalizePath strips the /api/v1 prefix and a trailing slash, so /api/v1/users/, /users/ and
// /users all reach the same route.
func normalizePath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		orig := r.URL.Path
		r.Header.Set(headerOriginalPath, orig)
		p := orig
		if p == APIPrefix || strings.HasPrefix(p, APIPrefix+"/") {
			p = strings.TrimPrefix(p, APIPrefix)
		}
		if len(p) > 1 {
			p = strings.TrimRight(p, "/")
		}
		if p == "" {
			p = "/"
		}
		if p != orig {
			r.URL.Path = p
			r.URL.RawPath = ""
		}
		return next(c)
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestMeta echoes a well-formed X-Request-ID (or makes one) and records who is calling.
func requestMeta(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := r.Header.Get(echo.HeaderXRequestID)
		if !requestIDPattern.MatchString(id) {
			id = uuid.NewString()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		ctx := audit.WithMeta(r.Context(), audit.Meta{
			ClientIP:  c.RealIP(),
			RequestID: id,
			UserAgent: r.UserAgent(),
			Path:      r.Header.Get(headerOriginalPath),
		})
		c.SetRequest(r.WithContext(ctx))
		return next(c)
	}
}

// accessLog logs one JSON line per request and feeds the HTTP metrics.
func accessLog(log *slog.Logger, m *httpMetrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			m.inFlight.Inc()
			err := next(c)
			if err != nil {
				c.Error(err) // write the problem now so the status below is the real one
			}
			m.inFlight.Dec()
			elapsed := time.Since(start)
			status := c.Response().Status
			route, _ := c.Get(ctxRoute).(string)
			if route == "" {
				// Refused before the gate (429, 413): Echo's path, written as the contract does.
				route = echoRouteTemplate(c.Path())
			}
			if route == "" || status == http.StatusNotFound && c.Get(ctxRoute) == nil {
				route = "unmatched"
			}
			m.observe(c.Request().Method, route, status, elapsed)
			attrs := []slog.Attr{
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method),
				slog.String("route", route),
				slog.String("path", c.Request().Header.Get(headerOriginalPath)),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
				slog.String("client_ip", c.RealIP()),
				slog.Int64("bytes_out", c.Response().Size),
			}
			if op, ok := c.Get(ctxOperationID).(string); ok {
				attrs = append(attrs, slog.String("operation", op))
			}
			if p, ok := auth.PrincipalFrom(c.Request().Context()); ok && p.UserID != 0 {
				attrs = append(attrs, slog.Int64("user_id", p.UserID))
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		}
	}
}

// echoRouteTemplate writes an Echo route path (/users/:user_id) the way the contract does
// (/users/{user_id}), so that a route has one metrics label whoever answered the request.
func echoRouteTemplate(p string) string {
	if !strings.Contains(p, ":") {
		return p
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// securityHeaders sets the headers the original only set in nginx.
func securityHeaders(docsCSP string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			h.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=(), payment=(), usb=()")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			p := c.Request().URL.Path
			if p == "/docs" || p == "/redoc" || strings.HasPrefix(p, "/docs/") || strings.HasPrefix(p, "/redoc/") {
				h.Set("Content-Security-Policy", docsCSP)
			} else {
				h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
				h.Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	}
}

// exemptFromRateLimit are the health probes, which orchestrators call often.
var exemptFromRateLimit = map[string]bool{"/health": true, "/live": true, "/ready": true}

// rateLimit refuses a client IP beyond its quota with 429, Retry-After and X-RateLimit-* headers.
// When the limiter's store fails, requests are let through and the failure is logged. Both are
// counted in m.
func rateLimit(l ratelimit.Limiter, log *slog.Logger, m *httpMetrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if exemptFromRateLimit[c.Request().URL.Path] || c.Request().Method == http.MethodOptions {
				return next(c)
			}
			ctx, cancel := context.WithTimeout(c.Request().Context(), 500*time.Millisecond)
			res, err := l.Allow(ctx, c.RealIP())
			cancel()
			if err != nil {
				m.rateLimitErrors.Inc()
				log.WarnContext(c.Request().Context(), "rate limiter unavailable; request let through", "error", err)
				return next(c)
			}
			h := c.Response().Header()
			h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(res.Remaining))
			h.Set("X-RateLimit-Reset", strconv.Itoa(ceilSeconds(res.ResetAfter)))
			if !res.Allowed {
				m.rateLimited.Inc()
				secs := ceilSeconds(res.RetryAfter)
				return newProblem(http.StatusTooManyRequests,
					"Trop de requêtes. Réessayez dans "+strconv.Itoa(secs)+" secondes.").
					withHeader("Retry-After", strconv.Itoa(secs))
			}
			return next(c)
		}
	}
}

func ceilSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 0)
}
