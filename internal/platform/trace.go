package platform

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolOption adjusts the configuration of a pool OpenPool opens.
type PoolOption func(*pgxpool.Config)

// WithQueryTracer adds t to the pool's tracers (telemetry.Tracing.QueryTracer: spans of the
// statements); a tracer already set (by DATABASE_URL's parsing, or an earlier option) keeps
// tracing, both chained. A nil t changes nothing.
func WithQueryTracer(t pgx.QueryTracer) PoolOption {
	return func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = ChainQueryTracers(cfg.ConnConfig.Tracer, t)
	}
}

// ChainQueryTracers returns a tracer calling every non-nil tracer of ts (query, batch, copy,
// prepare, connect and pool acquire/release hooks, each where the tracer implements it); nil
// when there is none, the only one when there is one.
func ChainQueryTracers(ts ...pgx.QueryTracer) pgx.QueryTracer {
	var keep []pgx.QueryTracer
	for _, t := range ts {
		if t != nil {
			keep = append(keep, t)
		}
	}
	switch len(keep) {
	case 0:
		return nil
	case 1:
		return keep[0]
	}
	return multitracer.New(keep...)
}
