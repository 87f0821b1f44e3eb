package interventions_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestCostUpdatesTouchNoIndex: recording a cost on an intervention (a part consumed, labour, an
// expense) writes no index entry (migration 000034): no index of interventions holds a cost, and
// the row is updated in place (a heap-only tuple) where its page has room. Before, each such
// update wrote an entry in each of the table's 25 indexes.
func TestCostUpdatesTouchNoIndex(t *testing.T) {
	t.Parallel()
	pool := pg.NewPool(t, 2)
	ctx := t.Context()
	var fillfactor string
	if err := pool.QueryRow(ctx, `SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class
		WHERE oid = 'interventions'::regclass`).Scan(&fillfactor); err != nil || fillfactor != "fillfactor=90" {
		t.Errorf("interventions' options: %q (%v), want fillfactor=90", fillfactor, err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var id int64
	if err := tx.QueryRow(ctx, `WITH e AS (INSERT INTO equipements (nom, type_equipement, localisation, statut)
			VALUES ('HOT ' || gen_random_uuid(), 'pompe', 'Atelier', 'operationnel') RETURNING id)
		INSERT INTO interventions (titre, type_intervention, equipement_id) SELECT 'Coûts en place', 'corrective', e.id FROM e
		RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	hot := func() int64 {
		t.Helper()
		var n int64
		if err := tx.QueryRow(ctx, `SELECT pg_stat_get_xact_tuples_hot_updated('interventions'::regclass)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := hot()
	for _, set := range []string{
		"cout_pieces = 1500", "cout_main_oeuvre = 4200", "cout_autres = 900",
	} {
		if _, err := tx.Exec(ctx, `UPDATE interventions SET `+set+`, version = version + 1, updated_at = now() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := hot() - before; got != 3 {
		t.Errorf("%d of the 3 cost updates were heap-only, want 3 (an index holds a cost again?)", got)
	}
	var indexed []string
	rows, err := tx.Query(ctx, `SELECT i.indexrelid::regclass::text FROM pg_index i
		WHERE i.indrelid = 'interventions'::regclass
		  AND (pg_get_indexdef(i.indexrelid) ~ '\m(cout_pieces|cout_main_oeuvre|cout_autres|version|updated_at)\M')`)
	if err != nil {
		t.Fatal(err)
	}
	if indexed, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if len(indexed) > 0 {
		t.Errorf("indexes holding a column the cost updates change: %v", indexed)
	}
}
