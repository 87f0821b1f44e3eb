// Package httpapi is the HTTP layer: it implements the strict server generated from
// api/openapi.yaml, converts between API models and domain values, and wires the middleware.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	contract "github.com/mif-erp/erp/api"
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apidocs"
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
	"github.com/mif-erp/erp/internal/idempotency"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/kpis"
	"github.com/mif-erp/erp/internal/live"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/pieces"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/rapports"
	"github.com/mif-erp/erp/internal/ratelimit"
	"github.com/mif-erp/erp/internal/rbac"
	"github.com/mif-erp/erp/internal/techniciens"
	"github.com/mif-erp/erp/internal/temps"
	"github.com/mif-erp/erp/internal/users"
)

// Deps are what the HTTP layer needs from the rest of the program.
type Deps struct {
	Config        config.Config
	Logger        *slog.Logger
	Version       string
	Started       time.Time
	Auth          *auth.Service
	Users         *users.Service
	Equipements   *equipements.Service
	Techniciens   *techniciens.Service
	Clients       *clients.Service
	Interventions *interventions.Service
	Documents     *documents.Service
	Planning      *planning.Service
	Notifications *notifications.Service
	Calendar      *calendar.Service
	Pieces        *pieces.Service
	Temps         *temps.Service
	Couts         *couts.Service
	Factures      *factures.Service
	Compteurs     *compteurs.Service
	Arrets        *arrets.Service
	Dispatch      *dispatch.Service
	Checklists    *checklists.Service
	Kpis          *kpis.Service
	Rapports      *rapports.Service
	// Audit records the refusals of the gate (the services audit their changes themselves).
	Audit *audit.Recorder
	// Trail reads the audit trail for admins.
	Trail *trail.Service
	// PoolMetrics collects the database pool's statistics for /metrics (nil: none).
	PoolMetrics prometheus.Collector
	// Collectors are more metrics for /metrics (the outbox, the background jobs of this process).
	Collectors []prometheus.Collector
	// Stream reads the rows of the notification event streams (replay, catch-up, caller).
	Stream *notifications.Stream
	// Idempotency keeps the answers of the creations sent with an Idempotency-Key.
	Idempotency *idempotency.Store
	// Health probes the database and Redis for the readiness and detailed health answers.
	Health *platform.Health
	// RateLimit counts the requests of each client IP (nil: no rate limit).
	RateLimit ratelimit.Limiter
	// StreamTokens signs and verifies the tokens opening an event stream without a bearer token.
	StreamTokens *live.Tokens
	// Live fans new notifications out to the event streams (started and stopped by the caller;
	// nil: an idle hub, the streams get replays and heartbeats only).
	Live *live.Hub
	// TracerProvider makes the server span of each request (nil: tracing off, no middleware).
	TracerProvider trace.TracerProvider
}

// compiledSpec is what every server derives from the contract. It is built once per process
// and only read afterwards, so the servers of one process (the tests start a hundred) share it.
type compiledSpec struct {
	doc    *openapi3.T
	routes contractRoutes
	json   []byte // served at /openapi.json
}

var loadSpec = sync.OnceValues(func() (*compiledSpec, error) {
	doc, err := contract.Shared()
	if err != nil {
		return nil, err
	}
	b, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("convert contract to JSON: %w", err)
	}
	return &compiledSpec{doc: doc, routes: newContractRoutes(doc), json: b}, nil
})

// Server implements api.StrictServerInterface.
type Server struct {
	deps     Deps
	registry *prometheus.Registry
}

var _ api.StrictServerInterface = (*Server)(nil)

// New builds the handler serving the whole API: the Echo routes, HEAD answered like GET.
func New(d Deps) (http.Handler, error) {
	spec, err := loadSpec()
	if err != nil {
		return nil, err
	}
	doc, routes, specJSON := spec.doc, spec.routes, spec.json
	authz, err := rbac.New(Operations(doc))
	if err != nil {
		return nil, err
	}

	reg := newRegistry(d.Version, append([]prometheus.Collector{d.PoolMetrics}, d.Collectors...)...)
	metrics := newHTTPMetrics(reg)
	if d.Live == nil {
		d.Live = live.NewWithConnect(nil, live.Options{})
	}
	s := &Server{deps: d, registry: reg}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger, d.Audit)
	e.IPExtractor = ipExtractor(d.Config.TrustedProxies)

	corsAllow, corsExpose := corsHeaders(doc)
	g := &gate{routes: routes, authn: d.Auth, authz: authz, auditor: s.auditLater}

	e.Pre(normalizePath)
	e.Use(requestMeta)
	if d.TracerProvider != nil {
		e.Use(tracing(d.TracerProvider)) // around the access log, whose line gets the trace_id
	}
	e.Use(
		accessLog(d.Logger, metrics),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				d.Logger.ErrorContext(c.Request().Context(), "panic", "error", err, "stack", string(stack))
				return err
			},
		}),
		securityHeaders(apidocs.RedocCSP+"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
		middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:     d.Config.CORSAllowOrigins,
			AllowMethods:     []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
			AllowHeaders:     corsAllow,
			ExposeHeaders:    corsExpose,
			AllowCredentials: true,
			MaxAge:           600,
		}),
	)
	if d.RateLimit != nil {
		e.Use(rateLimit(d.RateLimit, d.Logger, metrics))
	}
	uploads := uploadRoutes(doc)
	e.Use(
		// Uploads are streamed under their own limit (MAX_UPLOAD_MB, checked while reading).
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit:   strconv.FormatInt(d.Config.MaxBodyBytes, 10) + "B",
			Skipper: func(c echo.Context) bool { return uploads[c.Request().Method+" "+c.Path()] },
		}),
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit:   strconv.FormatInt(uploadBodyLimit(d.Config.MaxUploadBytes), 10) + "B",
			Skipper: func(c echo.Context) bool { return !uploads[c.Request().Method+" "+c.Path()] },
		}),
		uploadDeadline(uploads, d.Config.MaxUploadBytes),
		withRequest,
		g.middleware,
		idempotent(d.Idempotency, d.Logger, idempotentOperations),
	)

	api.RegisterHandlers(e, api.NewStrictHandler(s, nil))
	if err := routes.checkRegistered(e); err != nil {
		return nil, err
	}
	apidocs.Register(e, "/openapi.json")
	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(200, echo.MIMEApplicationJSON, specJSON)
	})
	e.GET("/openapi.yaml", func(c echo.Context) error {
		return c.Blob(200, "application/yaml", contract.Spec)
	})
	return headAsGet(e), nil
}

// ipExtractor trusts X-Forwarded-For only from the configured proxies.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// auditLater writes an audit entry; a failure is logged and never fails the request.
func (s *Server) auditLater(ctx context.Context, e audit.Entry) {
	if err := s.deps.Audit.Record(ctx, e); err != nil {
		s.deps.Logger.ErrorContext(ctx, "audit write failed", "action", e.Action, "error", err)
	}
}

// principal returns the caller; the gate guarantees one on every secured operation.
func principal(ctx context.Context) auth.Principal {
	p, _ := auth.PrincipalFrom(ctx)
	return p
}

// uploadDeadline gives upload routes a read deadline of their own, sized for their limit (at least
// 1 MiB/s plus a minute), instead of the server's ReadTimeout meant for small requests.
func uploadDeadline(uploads map[string]bool, maxBytes int64) echo.MiddlewareFunc {
	limit := time.Minute + time.Duration(maxBytes/(1<<20))*time.Second
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if uploads[c.Request().Method+" "+c.Path()] {
				_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(limit))
			}
			return next(c)
		}
	}
}
