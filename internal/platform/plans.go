package platform

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is what sqlc's generated code runs its statements on (db.DBTX): a pool, a connection
// or a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PlanEachCall wraps q so that the statements run through it are planned with their parameter
// values on every execution: pgx sends them as PostgreSQL's unnamed statement (parsed again each
// time, so never given a cached generic plan), still in one round trip (its description is
// cached).
//
// It is for the catch-all queries: lists and counts with optional filters
// ("$1 IS NULL OR col = $1"), a sort key chosen by a parameter, a row scope that is everything
// for managers and one technician's or company's rows for the others, and aggregates over such
// scopes. A generic plan cannot simplify those predicates and scans and sorts whole tables
// (GET /equipements: 10 s instead of 90 ms at 100k interventions); a plan made with the values
// keeps them on indexes. Every other statement (reads by key, writes) runs prepared with
// PostgreSQL's default plan cache: its generic plan, cached after five executions, is as good as
// a custom one and saves planning each call (GET /interventions/{id}: +42 % req/s measured).
func PlanEachCall(q Querier) Querier { return planEachCall{q} }

type planEachCall struct{ q Querier }

func withPlanEachCall(args []any) []any {
	return append([]any{pgx.QueryExecModeCacheDescribe}, args...)
}

func (p planEachCall) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return p.q.Exec(ctx, sql, withPlanEachCall(args)...)
}

func (p planEachCall) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return p.q.Query(ctx, sql, withPlanEachCall(args)...)
}

func (p planEachCall) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return p.q.QueryRow(ctx, sql, withPlanEachCall(args)...)
}
