package seed_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func TestSeedCreatesTheDemoDataOnceAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	pool := pg.NewPool(t, 4)
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	first, err := seed.Run(ctx, pool, hasher)
	if err != nil || first.UsersCreated != len(seed.Accounts) {
		t.Fatalf("first run: %+v %v", first, err)
	}
	demo, err := seed.Demo(ctx, pool, hasher)
	if err != nil || demo.UsersCreated != 2 || demo.RowsCreated == 0 {
		t.Fatalf("first demo run: %+v %v", demo, err)
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"users", "clients", "contrats", "equipements", "competences", "techniciens", "technicien_competences",
			"interventions", "intervention_historique", "plannings", "pieces", "pieces_equipements", "mouvements_stock", "interventions_pieces", "interventions_temps",
			"equipements_statuts", "arrets", "compteurs", "releves", "plannings_compteurs", "checklists", "checklist_items"} {
			var n int
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	got := counts()
	want := map[string]int{"users": 6, "clients": 1, "contrats": 1, "equipements": 4, "competences": 3, "techniciens": 3,
		"technicien_competences": 5, "interventions": 7, "intervention_historique": 22, "plannings": 3,
		"pieces": 10, "pieces_equipements": 13, "mouvements_stock": 12, "interventions_pieces": 3, "interventions_temps": 2,
		"equipements_statuts": 7, "arrets": 6, "compteurs": 4, "releves": 4 * 53, "plannings_compteurs": 1,
		"checklists": 1, "checklist_items": 6}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d rows, want %d", k, got[k], v)
		}
	}
	// The client's machines belong to its company and contract.
	var owned int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM equipements e JOIN clients c ON c.id = e.client_id
		JOIN users u ON u.id = c.user_id JOIN contrats k ON k.id = e.contrat_id AND k.client_id = c.id
		WHERE u.email = 'client@mif.ma'`).Scan(&owned); err != nil || owned != 4 {
		t.Errorf("machines of the demo client under its contract: %d (%v), want 4", owned, err)
	}

	checkDemoInterventions(t, pool)
	checkDemoStock(t, pool)
	checkDemoAtelier(t, pool)

	again, err := seed.Run(ctx, pool, hasher)
	if err != nil || again.UsersCreated != 0 {
		t.Fatalf("second run: %+v %v", again, err)
	}
	demo2, err := seed.Demo(ctx, pool, hasher)
	if err != nil || demo2.UsersCreated != 0 || demo2.RowsCreated != 0 {
		t.Fatalf("second demo run created something: %+v %v", demo2, err)
	}
	for k, v := range counts() {
		if got[k] != v {
			t.Errorf("%s changed on the second run: %d -> %d", k, got[k], v)
		}
	}
}

// checkDemoInterventions: one intervention in every status, with dates, reports and a history
// that follow the lifecycle (DESIGN section 9).
func checkDemoInterventions(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := t.Context()
	checks := []struct{ what, query string }{
		{"statuses missing", `SELECT 7 - count(DISTINCT statut) FROM interventions`},
		{"interventions not on the client's machines under its contract", `SELECT count(*) FROM interventions i
			JOIN equipements e ON e.id = i.equipement_id
			WHERE i.client_id IS DISTINCT FROM e.client_id OR i.contrat_id IS DISTINCT FROM e.contrat_id OR i.client_id IS NULL`},
		{"incoherent dates", `SELECT count(*) FROM interventions WHERE
			date_limite <= date_creation
			OR (technicien_id IS NULL) <> (statut IN ('ouverte', 'annulee'))
			OR (statut IN ('affectee', 'en_cours', 'en_attente', 'cloturee', 'archivee')) <> (date_affectation IS NOT NULL)
			OR (statut IN ('en_cours', 'en_attente', 'cloturee', 'archivee')) <> (date_debut_travaux IS NOT NULL)
			OR (statut IN ('cloturee', 'archivee')) <> (date_cloture IS NOT NULL AND date_fin_travaux IS NOT NULL)
			OR (statut = 'archivee') <> (date_archivage IS NOT NULL)
			OR date_affectation < date_creation OR date_debut_travaux < date_affectation
			OR date_cloture < date_debut_travaux OR date_archivage < date_cloture`},
		{"closed without report or costs", `SELECT count(*) FROM interventions WHERE statut IN ('cloturee', 'archivee')
			AND (rapport IS NULL OR duree_minutes IS NULL OR cout_main_oeuvre IS NULL OR cout_pieces IS NULL)`},
		{"cancelled without reason", `SELECT count(*) FROM interventions WHERE (statut = 'annulee') <> (motif_annulation IS NOT NULL)`},
		{"history not ending in the current status", `SELECT count(*) FROM interventions i WHERE i.statut <>
			(SELECT h.statut_apres FROM intervention_historique h WHERE h.intervention_id = i.id ORDER BY h.created_at DESC, h.id DESC LIMIT 1)`},
		{"history not starting with the creation", `SELECT count(*) FROM interventions i WHERE NOT EXISTS (
			SELECT 1 FROM intervention_historique h WHERE h.intervention_id = i.id AND h.action = 'create'
			AND h.statut_avant IS NULL AND h.created_at = i.date_creation)`},
		{"broken history chains", `SELECT count(*) FROM (
			SELECT statut_avant, lag(statut_apres) OVER (PARTITION BY intervention_id ORDER BY created_at, id) AS prev, action
			FROM intervention_historique) x
			WHERE x.action <> 'create' AND x.statut_avant IS DISTINCT FROM x.prev`},
		{"history without author", `SELECT count(*) FROM intervention_historique WHERE user_id IS NULL`},
	}
	for _, c := range checks {
		var n int
		if err := pool.QueryRow(ctx, c.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("demo interventions: %s (%d)", c.what, n)
		}
	}
}

// checkDemoStock: every balance equals its ledger, the closed interventions consumed parts, and
// the reorder list has lines.
func checkDemoStock(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var drift, consumed, toOrder, costOff int
	err := pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pieces p WHERE p.stock_actuel <> (SELECT coalesce(sum(stock_apres - stock_avant), 0)
			FROM mouvements_stock m WHERE m.piece_id = p.id)),
		(SELECT count(DISTINCT intervention_id) FROM mouvements_stock m JOIN interventions i ON i.id = m.intervention_id
			WHERE m.type_mouvement = 'sortie' AND i.statut IN ('cloturee', 'archivee')),
		(SELECT count(*) FROM pieces WHERE is_active AND stock_actuel <= stock_minimum),
		(SELECT count(*) FROM interventions i WHERE EXISTS (SELECT 1 FROM interventions_pieces l WHERE l.intervention_id = i.id)
			AND i.cout_pieces <> (SELECT sum(quantite::bigint * cout_unitaire) FROM interventions_pieces l
				WHERE l.intervention_id = i.id AND l.statut = 'consommee'))
		+ (SELECT count(*) FROM interventions i WHERE EXISTS (SELECT 1 FROM interventions_temps x WHERE x.intervention_id = i.id)
			AND (i.cout_main_oeuvre <> (SELECT sum(montant) FROM interventions_temps x WHERE x.intervention_id = i.id)
				OR i.duree_minutes <> (SELECT sum(minutes) FROM interventions_temps x WHERE x.intervention_id = i.id)))`).Scan(&drift, &consumed, &toOrder, &costOff)
	if err != nil || drift != 0 || consumed != 2 || toOrder < 2 || costOff != 0 {
		t.Errorf("demo stock: %d balances off their ledger, %d closed interventions with parts, %d parts to reorder, "+
			"%d parts or labour costs off their lines (%v)", drift, consumed, toOrder, costOff, err)
	}
}

// checkDemoAtelier: each machine's history ends with its statut, the machine under maintenance
// has its open downtime and no other does, the pump's breakdown is linked to its intervention,
// and the cumulative meters never go down.
func checkDemoAtelier(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	var offHistory, offOpen, linked, down int
	err := pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM equipements e WHERE e.statut IS DISTINCT FROM (SELECT statut_apres FROM equipements_statuts s
			WHERE s.equipement_id = e.id ORDER BY change_le DESC, id DESC LIMIT 1)),
		(SELECT count(*) FROM equipements e WHERE (e.statut IN ('panne', 'maintenance')) <>
			EXISTS (SELECT 1 FROM arrets a WHERE a.equipement_id = e.id AND a.fin IS NULL)),
		(SELECT count(*) FROM arrets a JOIN interventions i ON i.id = a.intervention_id
			WHERE i.titre = 'Panne électrique pompe' AND a.motif = 'panne' AND a.fin = i.date_fin_travaux),
		(SELECT count(*) FROM (SELECT r.valeur < lag(r.valeur) OVER (PARTITION BY r.compteur_id ORDER BY r.lu_le) AS down
			FROM releves r JOIN compteurs c ON c.id = r.compteur_id WHERE c.type_compteur = 'cumulatif') x WHERE down)`).
		Scan(&offHistory, &offOpen, &linked, &down)
	if err != nil || offHistory != 0 || offOpen != 0 || linked != 1 || down != 0 {
		t.Errorf("demo shop floor: %d machines off their history, %d off their open downtime, %d breakdowns linked (want 1), "+
			"%d readings going down (%v)", offHistory, offOpen, linked, down, err)
	}
}
