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

// Batcher is a Querier that can also send a batch of statements in one round trip (a pool, a
// connection or a transaction: all of pgx's).
type Batcher interface {
	Querier
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// PlanGeneric wraps q so that the statements run through it always use their cached generic
// plan, never planned again after their first execution on a connection, whatever
// plan_cache_mode says for the others. It is for the fixed-shape pages whose generic plan is as
// good as a custom one but which PostgreSQL's default choice would plan on every call: a LIMIT
// or OFFSET given as a parameter makes it estimate the generic plan for a tenth of the table,
// never cheaper than a custom plan for the page, so it keeps making custom plans (planning
// GET /interventions' default page cost PostgreSQL more than running it: 0.22 ms against
// 0.10 ms, 12 indexes considered each time). Each statement is sent between
// "SET plan_cache_mode = force_generic_plan" and "RESET plan_cache_mode", the three in one
// round trip; if the statement fails, the batch's implicit transaction (or the caller's) rolls
// the SET back with it.
//
// q must be a Batcher (pgx's pool, connections and transactions are); anything else is used
// as is, with the default plan cache.
func PlanGeneric(q Querier) Querier {
	if b, ok := q.(Batcher); ok {
		return planGeneric{b}
	}
	return q
}

type planGeneric struct{ b Batcher }

const (
	setGeneric   = "SET plan_cache_mode = force_generic_plan"
	resetGeneric = "RESET plan_cache_mode"
)

// send queues sql between the SET and the RESET and returns the results, the SET's read.
func (p planGeneric) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.Queue(setGeneric)
	b.Queue(sql, args...)
	b.Queue(resetGeneric)
	br := p.b.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return nil, err
	}
	return br, nil
}

func (p planGeneric) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (p planGeneric) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (p planGeneric) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := p.Query(ctx, sql, args...)
	return batchRow{rows: rows, err: err}
}

// batchRows are the rows of the batch's statement; closing them reads the RESET and releases
// the batch (and, from a pool, its connection). Err reports the RESET's failure too.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
	err    error
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.Rows.Err()
	if err := r.br.Close(); r.err == nil {
		r.err = err
	}
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Err() error {
	if r.closed {
		return r.err
	}
	return r.Rows.Err()
}

// batchRow is QueryRow's row: the first row of the statement, pgx.ErrNoRows without one.
type batchRow struct {
	rows pgx.Rows
	err  error
}

func (r batchRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
