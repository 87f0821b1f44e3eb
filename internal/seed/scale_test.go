package seed_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

func TestScaleAddsABatchWithRealisticProportionsAndCoherentData(t *testing.T) {
	const n = 2000
	env := testenv.NewEnv(t, pg, nil) // the real server on a fresh database with the demo accounts
	ctx := context.Background()
	pool := env.Pool
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(ctx, pool, hasher); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		var c int
		if err := pool.QueryRow(ctx, q).Scan(&c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return c
	}
	before := count(`SELECT count(*) FROM interventions`)

	res, err := seed.Scale(ctx, pool, hasher, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scale %d: %+v", n, res)
	eq, tech, cli, plans := seed.ScaleSizes(n)
	if eq != 100 || tech != 20 || cli != 5 || plans != 25 {
		t.Fatalf("sizes of %d: %d %d %d %d", n, eq, tech, cli, plans)
	}
	if res.Batch != 1 || res.Interventions != n || res.Equipements != eq || res.Techniciens != tech ||
		res.Clients != cli || res.Contrats != cli || res.Plannings != plans || res.Users != tech+cli {
		t.Errorf("batch: %+v", res)
	}
	if res.Pieces != 20 || res.Mouvements != res.Pieces || res.Sorties < n/20 {
		t.Errorf("parts %d, receipts %d, issues %d", res.Pieces, res.Mouvements, res.Sorties)
	}
	// Every balance equals its ledger, each ledger chains, and issues only follow closed work.
	if off := count(`SELECT count(*) FROM pieces p WHERE p.stock_actuel < 0 OR p.stock_actuel <> (
			SELECT sum(stock_apres - stock_avant) FROM mouvements_stock m WHERE m.piece_id = p.id)`); off != 0 {
		t.Errorf("%d parts off their ledger", off)
	}
	if broken := count(`SELECT count(*) FROM (SELECT stock_avant, lag(stock_apres, 1, 0) OVER (PARTITION BY piece_id ORDER BY id) AS prev
			FROM mouvements_stock) l WHERE stock_avant <> prev`); broken != 0 {
		t.Errorf("%d ledger lines do not start where the previous one ended", broken)
	}
	if open := count(`SELECT count(*) FROM mouvements_stock m JOIN interventions i ON i.id = m.intervention_id
			WHERE i.statut NOT IN ('cloturee', 'archivee') OR m.date_mouvement <> i.date_fin_travaux`); open != 0 {
		t.Errorf("%d issues on interventions not closed or dated otherwise", open)
	}
	if off := count(`SELECT count(*) FROM interventions i JOIN (SELECT intervention_id, sum(quantite::bigint * cout_unitaire) AS cout
			FROM interventions_pieces GROUP BY intervention_id) l ON l.intervention_id = i.id
			WHERE i.cout_pieces IS DISTINCT FROM l.cout`); off != 0 {
		t.Errorf("%d interventions whose parts cost is not their line's", off)
	}
	// Each machine has its history, and its downtime: records that never overlap, an open one for
	// each machine now down, none for a machine running.
	if res.Compteurs != eq/4 || res.Releves != 13*res.Compteurs {
		t.Errorf("%d meters, %d readings for %d machines", res.Compteurs, res.Releves, eq)
	}
	if res.Checklists < n/100 {
		t.Errorf("%d checklist items copied for %d interventions", res.Checklists, n)
	}
	if open := count(`SELECT count(*) FROM interventions_checklist l JOIN interventions i ON i.id = l.intervention_id
			WHERE i.statut IN ('cloturee', 'archivee') AND l.obligatoire AND l.rempli_le IS NULL`); open != 0 {
		t.Errorf("%d required items unanswered on closed work", open)
	}
	if res.Statuts < eq || res.Arrets < eq/10 {
		t.Errorf("%d status changes, %d downtime records for %d machines", res.Statuts, res.Arrets, eq)
	}
	if off := count(`SELECT count(*) FROM equipements e WHERE e.statut IS DISTINCT FROM (SELECT statut_apres FROM equipements_statuts s
			WHERE s.equipement_id = e.id ORDER BY change_le DESC, id DESC LIMIT 1)`); off != 0 {
		t.Errorf("%d machines whose history does not end with their statut", off)
	}
	if off := count(`SELECT count(*) FROM equipements e WHERE (e.statut IN ('panne', 'maintenance')) <>
			EXISTS (SELECT 1 FROM arrets a WHERE a.equipement_id = e.id AND a.fin IS NULL)`); off != 0 {
		t.Errorf("%d machines whose open downtime does not match their statut", off)
	}
	if got := count(`SELECT count(*) FROM interventions`) - before; got != n {
		t.Errorf("%d interventions added, want %d", got, n)
	}
	// One history row per intervention (its creation) plus one per status step.
	if res.Historique <= n || res.Historique > 5*n {
		t.Errorf("%d history rows for %d interventions", res.Historique, n)
	}
	if res.Notifications < n*2/5 || res.Notifications > n*3/5 {
		t.Errorf("%d notifications, want about %d", res.Notifications, n/2)
	}
	// Spread over two years, and the statuses reasonably mixed.
	if d := count(`SELECT extract(day FROM now() - min(date_creation))::int FROM interventions`); d < 700 || d > 731 {
		t.Errorf("oldest intervention %d days old, want about two years", d)
	}
	if open := count(`SELECT count(*) FROM interventions WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')`); open < n/20 || open > n/2 {
		t.Errorf("%d open interventions of %d", open, n)
	}
	if future := count(`SELECT count(*) FROM interventions WHERE greatest(date_creation, date_affectation, date_debut_travaux,
		date_cloture, date_archivage, updated_at) > now()`); future != 0 {
		t.Errorf("%d interventions with dates in the future", future)
	}
	if bad := count(`SELECT count(*) FROM interventions i JOIN techniciens t ON t.id = i.technicien_id
		JOIN users u ON u.id = t.user_id WHERE u.role <> 'technicien'`); bad != 0 {
		t.Errorf("%d interventions assigned to a non-technician", bad)
	}
	// Every status present, coherent dates and history: the checks of the demo data, on everything.
	checkDemoInterventions(t, pool)

	// The scale accounts log in with the shared password.
	env.Login("scale1.tech1@mif.test", seed.ScalePassword)
	env.Login("scale1.client5@mif.test", seed.ScalePassword)

	// The API lists work on it (the client validates the answers against the contract).
	tok := env.Token("responsable")
	for _, path := range []string{"/api/v1/interventions?limit=50", "/api/v1/interventions?statut=en_cours&limit=20",
		"/api/v1/equipements?limit=50", "/api/v1/techniciens", "/api/v1/planning", "/api/v1/dashboard/stats"} {
		resp, body := env.Do(http.MethodGet, path, tok, "", nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		if !json.Valid(body) {
			t.Fatalf("GET %s: not JSON", path)
		}
	}
	resp, _ := env.Do(http.MethodGet, "/api/v1/interventions?limit=1", tok, "", nil, false)
	if total := resp.Header.Get("X-Total-Count"); total != "2007" {
		t.Errorf("X-Total-Count %q, want 2007", total)
	}

	// A second run adds another batch.
	res2, err := seed.Scale(ctx, pool, hasher, 100)
	if err != nil || res2.Batch != 2 || res2.Interventions != 100 || res2.Techniciens != 20 {
		t.Fatalf("second batch: %+v %v", res2, err)
	}
	checkDemoInterventions(t, pool)
}
