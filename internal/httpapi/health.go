package httpapi

import (
	"context"
	"runtime"
	"time"

	api "github.com/mif-erp/erp/gen/api"
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
	if c := s.deps.Health.Database(ctx, false); c.Err != nil {
		out.Status = api.ReadinessStatusNotReady
		out.Checks.Database = api.CheckResult{Status: api.CheckResultStatusUnhealthy, Message: ptr(c.Err.Error())}
	}
	out.Checks.Redis = api.CheckResult{Status: api.CheckResultStatusNotConfigured, Message: ptr("REDIS_URL non défini")}
	if c := s.deps.Health.Redis(ctx, false); c.Configured {
		out.Checks.Redis = api.CheckResult{Status: api.CheckResultStatusHealthy, Message: ptr("connexion OK")}
		if c.Err != nil {
			// Redis only shares the rate limit; the API works without it, so it is not critical.
			out.Checks.Redis = api.CheckResult{Status: api.CheckResultStatusUnhealthy, Message: ptr(c.Err.Error())}
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
	if c := s.deps.Health.Database(ctx, true); c.Err != nil {
		out.Status = api.HealthDetailedStatusUnhealthy
		dbc.Status = api.HealthDetailedChecksDatabaseStatusUnhealthy
		dbc.Message = ptr(c.Err.Error())
	} else {
		dbc.LatencyMs = ptr(milliseconds(c.Latency))
		dbc.Version = nonEmpty(c.Version)
		dbc.MigrationVersion, dbc.MigrationDirty = c.Migration, c.MigrationDirty
	}
	rc := &out.Checks.Redis
	rc.Status = api.HealthDetailedChecksRedisStatusNotConfigured
	if c := s.deps.Health.Redis(ctx, true); c.Configured {
		if c.Err != nil {
			rc.Status, rc.Message = api.HealthDetailedChecksRedisStatusUnhealthy, ptr(c.Err.Error())
		} else {
			rc.Status, rc.LatencyMs = api.HealthDetailedChecksRedisStatusHealthy, ptr(milliseconds(c.Latency))
			rc.Version = nonEmpty(c.Version)
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

// milliseconds writes a latency in milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// nonEmpty is nil for an unknown (empty) version.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
