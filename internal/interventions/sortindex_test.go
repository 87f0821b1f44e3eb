package interventions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/interventions"
)

// lastQuery remembers the SQL and arguments of the last statement a connection sent.
type lastQuery struct {
	sql  string
	args []any
}

func (l *lastQuery) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.sql, l.args = d.SQL, d.Args
	return ctx
}

func (l *lastQuery) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// planNodes lists the node types of an EXPLAIN (FORMAT JSON) plan with their relation, if any.
func planNodes(n map[string]any, out *[]string) {
	s := fmt.Sprint(n["Node Type"])
	if rel, ok := n["Relation Name"]; ok {
		s += " on " + fmt.Sprint(rel)
	}
	*out = append(*out, s)
	if kids, ok := n["Plans"].([]any); ok {
		for _, k := range kids {
			if m, ok := k.(map[string]any); ok {
				planNodes(m, out)
			}
		}
	}
}

// TestEverySortReadsItsPageFromAnIndex: at 20 000 interventions, the page of GET /interventions
// in every sort order the API offers (and the default order under a statut filter) is read
// along an index, without sorting the table or scanning it, with the API's connection settings.
func TestEverySortReadsItsPageFromAnIndex(t *testing.T) {
	ctx := context.Background()
	url, _ := scaleDatabase(t, 20000)

	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	// The settings platform.OpenPool gives the API's connections.
	cfg.RuntimeParams["jit"] = "off"
	cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	last := &lastQuery{}
	cfg.Tracer = last
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	q := db.New(conn)

	explain := func(name string, p db.InterventionListParams) {
		t.Helper()
		if _, err := q.InterventionList(ctx, p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var raw []byte
		if err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+last.sql, last.args...).Scan(&raw); err != nil {
			t.Fatalf("%s: explain: %v", name, err)
		}
		var plans []map[string]any
		if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
			t.Fatalf("%s: plan %s: %v", name, raw, err)
		}
		var nodes []string
		planNodes(plans[0]["Plan"].(map[string]any), &nodes)
		if slices.Contains(nodes, "Sort") || slices.Contains(nodes, "Seq Scan on interventions") {
			t.Errorf("%s sorts or scans the table: %s", name, strings.Join(nodes, " > "))
		}
	}
	keys := append([]string{}, interventions.SortKeys...)
	for _, sort := range keys {
		explain("sort="+sort, db.InterventionListParams{ScopeAll: true, Statuts: []string{}, Priorites: []string{}, Sort: sort, Lim: 50})
	}
	explain("statut=ouverte", db.InterventionListParams{ScopeAll: true, Statuts: []string{"ouverte"}, Priorites: []string{},
		Sort: "-date_creation", Lim: 50})
	// A text search lists newest first by default: its page too is read along the date index,
	// instead of ranking and sorting every match. (With more selective filters on top, a few
	// hundred matches here, PostgreSQL rightly prefers fetching them from the text index and
	// sorting them; at 1 M it walks the date index again: README, Performance.)
	fuite := "fuite"
	explain("q=fuite", db.InterventionListParams{ScopeAll: true, Statuts: []string{}, Priorites: []string{},
		Q: &fuite, Sort: "-date_creation", Lim: 50})
}
