package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mif-erp/erp/gen/db"
)

// A text search with statut and priorite filters answers exactly the text's matches that pass
// the filters, for every statut and priorite: the filters are checked as lexemes of the search
// (migrations 000011 and 000033), not by a second SQL predicate, so a lexeme mapped wrong for
// one value would show here.
func TestTextSearchFiltersByEveryStatutAndPriorite(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	m := f.machine(nil, nil)
	word := fmt.Sprintf("cavitation%d", f.next()) // this test's rows only, whatever else the database holds
	type row struct {
		id               int64
		statut, priorite string
		text             bool
	}
	var statuts, priorites []string
	for _, s := range db.AllInterventionStatutValues() {
		statuts = append(statuts, string(s))
	}
	for _, p := range db.AllInterventionPrioriteValues() {
		priorites = append(priorites, string(p))
	}
	var rows []row
	for _, s := range statuts {
		for _, p := range priorites {
			for _, text := range []bool{true, false} {
				titre := "Contrôle " + s
				if text {
					titre = "Bruit de " + word + " " + s
				}
				id := f.id(`INSERT INTO interventions (titre, type_intervention, statut, priorite, equipement_id)
					VALUES ($1, 'corrective', $2, $3, $4) RETURNING id`, titre, s, p, m)
				rows = append(rows, row{id, s, p, text})
			}
		}
	}
	check := func(statuts, priorites []string) {
		t.Helper()
		var want []int64
		for _, r := range rows {
			if r.text && (len(statuts) == 0 || slices.Contains(statuts, r.statut)) &&
				(len(priorites) == 0 || slices.Contains(priorites, r.priorite)) {
				want = append(want, r.id)
			}
		}
		query := "sort=id&limit=500&q=" + word
		for _, s := range statuts {
			query += "&statut=" + s
		}
		for _, p := range priorites {
			query += "&priorite=" + p
		}
		ids, total := f.list(f.admin, "/api/v1/interventions?"+query)
		if !slices.Equal(ids, want) || total != len(want) {
			t.Errorf("?%s: %v (total %d), want %v", query, ids, total, want)
		}
	}
	check(nil, nil)
	for _, s := range statuts {
		check([]string{s}, nil)
		for _, p := range priorites {
			check([]string{s}, []string{p})
		}
	}
	for _, p := range priorites {
		check(nil, []string{p})
	}
	check(statuts[:4], priorites[:2])
	check(statuts[3:], priorites[2:])
	check(statuts, priorites)
	if t.Failed() {
		t.Logf("statuts %s, priorites %s", strings.Join(statuts, ","), strings.Join(priorites, ","))
	}
}
