package interventions_test

import (
	"testing"
)

// The extra lexemes of a row (mif_filtres_tsv, migration 000033) are exactly those migration
// 000011 computed, for every statut and priorite: the text index built with the first body stays
// valid (its entries are what the queries recompute when they check a row), and the search's
// filter lexemes (mif_recherche_tsq) name them the same way.
func TestSearchFilterLexemesKeepTheirValues(t *testing.T) {
	t.Parallel()
	pool := pg.NewPool(t, 2)
	var bad []string
	rows, err := pool.Query(t.Context(), `
		SELECT s::text, p::text
		FROM unnest(enum_range(NULL::intervention_statut)) s, unnest(enum_range(NULL::intervention_priorite)) p
		WHERE mif_filtres_tsv(s, p) IS DISTINCT FROM ('st0' || replace(s::text, '_', '') || ' pr0' || p::text)::tsvector
		   OR NOT (to_tsvector('french', 'fuite') || mif_filtres_tsv(s, p))
		          @@ mif_recherche_tsq('fuite', ARRAY[s::text], ARRAY[p::text])`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s, p string
		if err := rows.Scan(&s, &p); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, s+"/"+p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("mif_filtres_tsv differs from migration 000011's values for %v", bad)
	}
	var pairs int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM unnest(enum_range(NULL::intervention_statut)) s,
		unnest(enum_range(NULL::intervention_priorite)) p`).Scan(&pairs); err != nil || pairs != 35 {
		t.Errorf("%d statut x priorite pairs (%v), want 35", pairs, err)
	}
}
