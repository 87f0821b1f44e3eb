package httpapi

import (
	"context"
	"runtime"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/platform"
)

// GetRoot is the welcome message of the original API.
func (s *Server) GetRoot(context.Context, api.GetRootRequestObject) (api.GetRootResponseObject, error) {
	return api.GetRoot200JSONResponse{
		Body: api.RootInfo{
			Message: "Bienvenue sur l'API ERP MIF Maroc",
			Version: s.deps.Version,
			Docs:    "/docs",
			Redoc:   "/redoc",
		},
	}, nil
}

// GetHealth answers without touching the database.
func (s *Server) GetHealth(context.Context, api.GetHealthRequestObject) (api.GetHealthResponseObject, error) {
	return api.GetHealth200JSONResponse{Status: api.HealthStatusStatusOk, Timestamp: time.Now().UTC(), Service: s.deps.Config.ProjectName}, nil
}

// GetLive answers while the process serves requests.
func (s *Server) GetLive(context.Context, api.GetLiveRequestObject) (api.GetLiveResponseObject, error) {
	return api.GetLive200JSONResponse{Status: api.HealthStatusStatusAlive, Timestamp: time.Now().UTC(), Service: s.deps.Config.ProjectName}, nil
}

// GetReady checks the database and Redis; 503 when a critical one is unreachable.
func (s *Server) GetReady(ctx context.Context, _ api.GetReadyRequestObject) (api.GetReadyResponseObject, error) {
	out := api.Readiness{Status: api.ReadinessStatusReady, Timestamp: time.Now().UTC(), Service: s.deps.Config.ProjectName}
	out.Checks.Database = api.CheckResult{Status: api.CheckResultStatusHealthy, Message: ptr("connexion OK")}
	if _, err := s.pingDB(ctx); err != nil {
		out.Status = api.ReadinessStatusNotReady
		out.Checks.Database = api.CheckResult{Status: api.CheckResultStatusUnhealthy, Message: ptr(err.Error())}
	}
	out.Checks.Redis = api.CheckResult{Status: api.CheckResultStatusNotConfigured, Message: ptr("REDIS_URL non défini")}
	if s.deps.Redis != nil {
		out.Checks.Redis = api.CheckResult{Status: api.CheckResultStatusHealthy, Message: ptr("connexion OK")}
		if _, err := s.pingRedis(ctx); err != nil {
			// Redis only shares the rate limit; the API works without it, so it is not critical.
			out.Checks.Redis = api.CheckResult{Status: api.CheckResultStatusUnhealthy, Message: ptr(err.Error())}
		}
	}
	if out.Status == api.ReadinessStatusNotReady {
		return api.GetReady503JSONResponse(out), nil
	}
	return api.GetReady200JSONResponse(out), nil
}

// GetHealthDetailed reports versions, latencies and uptime.
func (s *Server) GetHealthDetailed(ctx context.Context, _ api.GetHealthDetailedRequestObject) (api.GetHealthDetailedResponseObject, error) {
	now := time.Now().UTC()
	out := api.HealthDetailed{
		Status:        api.HealthDetailedStatusOk,
		Timestamp:     now,
		Service:       s.deps.Config.ProjectName,
		Version:       s.deps.Version,
		StartedAt:     s.deps.Started.UTC(),
		UptimeSeconds: int64(now.Sub(s.deps.Started).Seconds()),
		GoVersion:     runtime.Version(),
	}
	dbc := &out.Checks.Database
	dbc.Status = api.HealthDetailedChecksDatabaseStatusHealthy
	if latency, err := s.pingDB(ctx); err != nil {
		out.Status = api.HealthDetailedStatusUnhealthy
		dbc.Status = api.HealthDetailedChecksDatabaseStatusUnhealthy
		dbc.Message = ptr(err.Error())
	} else {
		dbc.LatencyMs = ptr(latency)
		if v, err := db.New(s.deps.Pool).ServerVersion(ctx); err == nil {
			dbc.Version = &v
		}
		if v, dirty, err := platform.SchemaVersion(ctx, s.deps.Pool); err == nil {
			dbc.MigrationVersion, dbc.MigrationDirty = &v, &dirty
		}
	}
	rc := &out.Checks.Redis
	rc.Status = api.HealthDetailedChecksRedisStatusNotConfigured
	if s.deps.Redis != nil {
		if latency, err := s.pingRedis(ctx); err != nil {
			rc.Status, rc.Message = api.HealthDetailedChecksRedisStatusUnhealthy, ptr(err.Error())
		} else {
			rc.Status, rc.LatencyMs = api.HealthDetailedChecksRedisStatusHealthy, ptr(latency)
			if info, err := s.deps.Redis.InfoMap(ctx, "server").Result(); err == nil {
				if v, ok := info["Server"]["redis_version"]; ok {
					rc.Version = &v
				}
			}
		}
	}
	return api.GetHealthDetailed200JSONResponse(out), nil
}

// GetMetrics serves the Prometheus text exposition.
func (s *Server) GetMetrics(context.Context, api.GetMetricsRequestObject) (api.GetMetricsResponseObject, error) {
	body, err := gatherText(s.registry)
	if err != nil {
		return nil, err
	}
	return metricsResponse{body: body}, nil
}

// pingDB returns the round-trip time of a ping in milliseconds.
func (s *Server) pingDB(ctx context.Context) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.deps.Pool.Ping(ctx); err != nil {
		return 0, err
	}
	return float64(time.Since(start).Microseconds()) / 1000, nil
}

func (s *Server) pingRedis(ctx context.Context) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.deps.Redis.Ping(ctx).Err(); err != nil {
		return 0, err
	}
	return float64(time.Since(start).Microseconds()) / 1000, nil
}
