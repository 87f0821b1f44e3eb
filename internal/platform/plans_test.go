package platform_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/internal/platform"
)

// TestPlanGenericAlwaysRunsTheGenericPlan: a page whose LIMIT is a parameter is planned on every
// call by PostgreSQL's default choice; through PlanGeneric it runs its generic plan from the
// first call. The connection's plan_cache_mode is back to the default after each statement,
// after a failed one too, and inside a transaction.
func TestPlanGenericAlwaysRunsTheGenericPlan(t *testing.T) {
	ctx := context.Background()
	pool, err := platform.OpenPool(ctx, pg.NewDatabase(t), 1) // one connection: its statements are the ones seen
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE pages AS SELECT g AS id FROM generate_series(1, 20000) g;
		CREATE INDEX ON pages (id); ANALYZE pages`); err != nil {
		t.Fatal(err)
	}
	const custom = "SELECT id FROM pages ORDER BY id LIMIT $1"
	const generic = "SELECT id FROM pages ORDER BY id DESC LIMIT $1"
	for i := range 8 {
		var ids []int32
		rows, err := pool.Query(ctx, custom, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int32]); err != nil || len(ids) != i+1 || ids[0] != 1 {
			t.Fatalf("default plan cache: %v, %v", ids, err)
		}
		if rows, err = platform.PlanGeneric(pool).Query(ctx, generic, i+1); err != nil {
			t.Fatal(err)
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int32]); err != nil || len(ids) != i+1 || ids[0] != 20000 {
			t.Fatalf("PlanGeneric: %v, %v", ids, err)
		}
	}
	var last int32
	if err := platform.PlanGeneric(pool).QueryRow(ctx, generic, 1).Scan(&last); err != nil || last != 20000 {
		t.Fatalf("PlanGeneric QueryRow: %d, %v", last, err)
	}
	if err := platform.PlanGeneric(pool).QueryRow(ctx, "SELECT id FROM pages WHERE id = $1", 0).Scan(&last); !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("PlanGeneric QueryRow without a row: %v, want pgx.ErrNoRows", err)
	}
	plans := func(sql string) (generic, custom int64) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, sql).Scan(&generic, &custom); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return generic, custom
	}
	if g, c := plans(custom); c != 8 || g != 0 {
		t.Errorf("default plan cache: %d generic and %d custom plans; want 8 custom (a LIMIT parameter keeps it planning)", g, c)
	}
	if g, c := plans(generic); c != 0 || g != 9 {
		t.Errorf("PlanGeneric: %d generic and %d custom plans; want 9 generic, no custom", g, c)
	}
	mode := func(q platform.Querier) string {
		t.Helper()
		var v string
		if err := q.QueryRow(ctx, "SELECT current_setting('plan_cache_mode')").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if m := mode(pool); m != "auto" {
		t.Errorf("plan_cache_mode after PlanGeneric = %q, want auto", m)
	}
	// A failing statement: its error is reported and the SET is rolled back with it.
	_, err = platform.PlanGeneric(pool).Exec(ctx, "INSERT INTO pages (id) VALUES (1 / $1::integer)", 0)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "22012" {
		t.Errorf("failing statement: %v, want division_by_zero", err)
	}
	if m := mode(pool); m != "auto" {
		t.Errorf("plan_cache_mode after a failed statement = %q, want auto", m)
	}
	tag, err := platform.PlanGeneric(pool).Exec(ctx, "DELETE FROM pages WHERE id > $1", 19990)
	if err != nil || tag.RowsAffected() != 10 {
		t.Errorf("PlanGeneric Exec: %v, %v", tag, err)
	}
	// Inside a transaction, which it does not end.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := platform.PlanGeneric(tx).QueryRow(ctx, generic, 1).Scan(&last); err != nil || last != 19990 {
		t.Errorf("PlanGeneric in a transaction: %d, %v", last, err)
	}
	if m := mode(tx); m != "auto" {
		t.Errorf("plan_cache_mode in the transaction after PlanGeneric = %q, want auto", m)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Errorf("commit after PlanGeneric: %v", err)
	}
}
