package platform_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/testenv"
)

// pg is the PostgreSQL of this package's tests: one migrated template, a database per test.
var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// TestOpenPoolSessionSettings: the API's connections keep PostgreSQL's plan cache (catch-all
// queries go through PlanEachCall), run without JIT and without parallel workers, unless
// DATABASE_URL says otherwise.
func TestOpenPoolSessionSettings(t *testing.T) {
	ctx := context.Background()
	url := pg.NewDatabase(t)
	show := func(url string) map[string]string {
		t.Helper()
		pool, err := platform.OpenPool(ctx, url, 2)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		got := map[string]string{}
		for _, name := range []string{"jit", "plan_cache_mode", "max_parallel_workers_per_gather"} {
			var v string
			if err := pool.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
				t.Fatal(err)
			}
			got[name] = v
		}
		return got
	}
	want := map[string]string{"jit": "off", "plan_cache_mode": "auto", "max_parallel_workers_per_gather": "0"}
	for k, v := range show(url) {
		if want[k] != v {
			t.Errorf("%s = %q, want %q", k, v, want[k])
		}
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	overridden := show(url + sep + "max_parallel_workers_per_gather=2&plan_cache_mode=force_custom_plan")
	if overridden["max_parallel_workers_per_gather"] != "2" || overridden["plan_cache_mode"] != "force_custom_plan" {
		t.Errorf("DATABASE_URL overrides ignored: %v", overridden)
	}
}

// TestPlanEachCallNeverCachesAPlan: a statement run prepared gets its generic plan cached after
// five executions; the same kind of statement run through PlanEachCall is never kept as a
// prepared statement, so PostgreSQL plans it with its values on every call.
func TestPlanEachCallNeverCachesAPlan(t *testing.T) {
	ctx := context.Background()
	pool, err := platform.OpenPool(ctx, pg.NewDatabase(t), 1) // one connection: its statements are the ones seen
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	const prepared = "SELECT count(*) FROM users WHERE id = $1"
	const each = "SELECT count(*) FROM users WHERE id = $1 AND true"
	var n int64
	for i := range 8 {
		if err := pool.QueryRow(ctx, prepared, int64(i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := platform.PlanEachCall(pool).QueryRow(ctx, each, int64(i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := platform.PlanEachCall(pool).Exec(ctx, "UPDATE users SET full_name = full_name WHERE id = $1", int64(0)); err != nil {
		t.Fatal(err)
	}
	plans := func(sql string) (generic, custom int64, found bool) {
		t.Helper()
		err := pool.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1`, sql).Scan(&generic, &custom)
		if err != nil {
			return 0, 0, false
		}
		return generic, custom, true
	}
	if g, c, ok := plans(prepared); !ok || g == 0 || c != 5 {
		t.Errorf("prepared statement: found %v, %d generic and %d custom plans; want its generic plan used after 5 custom ones", ok, g, c)
	}
	if _, _, ok := plans(each); ok {
		t.Error("the statement run through PlanEachCall was kept as a prepared statement (its plan may be cached)")
	}
}
