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

// TestOpenPoolSessionSettings: the API's connections plan each statement with its values, run
// without JIT and without parallel workers, unless DATABASE_URL says otherwise.
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
	want := map[string]string{"jit": "off", "plan_cache_mode": "force_custom_plan", "max_parallel_workers_per_gather": "0"}
	for k, v := range show(url) {
		if want[k] != v {
			t.Errorf("%s = %q, want %q", k, v, want[k])
		}
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	overridden := show(url + sep + "max_parallel_workers_per_gather=2&plan_cache_mode=auto")
	if overridden["max_parallel_workers_per_gather"] != "2" || overridden["plan_cache_mode"] != "auto" {
		t.Errorf("DATABASE_URL overrides ignored: %v", overridden)
	}
}
