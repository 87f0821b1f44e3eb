package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// ivListData is a known set of interventions for the list tests.
type ivListData struct {
	A, B, C, D, E, F, G int64 // see newIvListData
	machine1, machine2  int64
	machine3            int64 // another client's
	other               int64 // another client's company
	otherTech           int64
	contrat             int64
}

func newIvListData(f *ivFixture) ivListData {
	f.t.Helper()
	var d ivListData
	d.other, _ = f.clientAccount()
	d.otherTech = f.profile("Autre Technicien", "disponible", 1)
	d.contrat = f.contrat(f.company, [4]*int{})
	d.machine1, d.machine2, d.machine3 = f.machine(&f.company, nil), f.machine(&f.company, nil), f.machine(&d.other, nil)
	ins := func(titre string, description *string, typ, statut, priorite string, urgence bool, machine int64, tech *int64,
		created, limite, cloture *time.Duration, contrat *int64) int64 {
		at := func(d *time.Duration) *time.Time {
			if d == nil {
				return nil
			}
			t := time.Now().Add(*d)
			return &t
		}
		return f.id(`INSERT INTO interventions (titre, description, type_intervention, statut, priorite, urgence, equipement_id,
				client_id, contrat_id, technicien_id, date_creation, date_limite, date_debut_travaux, date_cloture, date_fin_travaux)
			SELECT $1, $2, $3::intervention_type, $4::intervention_statut, $5::intervention_priorite, $6, e.id, e.client_id, $12,
				$8, $9, $10, $11::timestamptz - interval '3 hours', $11, $11
			FROM equipements e WHERE e.id = $7 RETURNING id`,
			titre, description, typ, statut, priorite, urgence, machine, tech, at(created), at(limite), at(cloture), contrat)
	}
	h := func(hours float64) *time.Duration { d := time.Duration(hours * float64(time.Hour)); return &d }
	d.A = ins("Fuite d'huile compresseur", ptrTo("Fuite au niveau du carter"), "corrective", "ouverte", "haute", false,
		d.machine1, nil, h(-24), h(24), nil, nil)
	d.B = ins("Panne électrique moteur", ptrTo("Court-circuit sur le bornier"), "corrective", "en_cours", "urgente", true,
		d.machine2, &f.techID, h(-72), h(-1), nil, nil)
	d.C = ins("Révision annuelle", ptrTo("Contrôle des fuites et graissage"), "preventive", "affectee", "programmee", false,
		d.machine1, &d.otherTech, h(-40*24), nil, nil, nil)
	d.D = ins("Diagnostic capteur", nil, "diagnostic", "cloturee", "basse", false,
		d.machine2, &f.techID, h(-10*24), h(-9*24), h(-9.5*24), nil)
	d.E = ins("Remplacement courroie", ptrTo("Courroie usée"), "ameliorative", "annulee", "normale", false,
		d.machine3, nil, h(-5*24), h(-2*24), nil, nil)
	d.F = ins("Fuites multiples pompe", ptrTo("Plusieurs fuites sur la pompe"), "corrective", "en_attente", "normale", false,
		d.machine1, &f.techID, h(-2), h(70), nil, &d.contrat)
	d.G = ins("Graissage convoyeur", nil, "preventive", "archivee", "basse", false,
		d.machine2, &f.techID, h(-30*24), h(-29*24), h(-28*24), nil) // closed late
	return d
}

// TestListInterventionsFiltersSortsAndPages: every filter, sort key and the pagination, on both
// endpoints, which answer the same.
func TestListInterventionsFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	d := newIvListData(f)
	iso := func(h float64) string {
		return url.QueryEscape(time.Now().Add(time.Duration(h * float64(time.Hour))).UTC().Format(time.RFC3339))
	}
	cases := []struct {
		query string
		want  []int64 // in order when sorted, else sorted by id (the query adds sort=id)
	}{
		{"", []int64{d.A, d.B, d.C, d.D, d.E, d.F, d.G}},
		{"statut=ouverte&statut=en_cours", []int64{d.A, d.B}},
		{"priorite=urgente&priorite=haute", []int64{d.A, d.B}},
		{"type=preventive", []int64{d.C, d.G}},
		{"urgence=true", []int64{d.B}},
		{"urgence=false&statut=annulee", []int64{d.E}},
		{fmt.Sprintf("technicien_id=%d", f.techID), []int64{d.B, d.D, d.F, d.G}},
		{"technicien_id=0", []int64{d.A, d.B, d.C, d.D, d.E, d.F, d.G}},
		{fmt.Sprintf("equipement_id=%d", d.machine1), []int64{d.A, d.C, d.F}},
		{fmt.Sprintf("client_id=%d", d.other), []int64{d.E}},
		{fmt.Sprintf("contrat_id=%d", d.contrat), []int64{d.F}},
		{"created_from=" + iso(-4*24), []int64{d.A, d.B, d.F}},
		{"created_to=" + iso(-4*24), []int64{d.C, d.D, d.E, d.G}},
		{"created_from=" + iso(-6*24) + "&created_to=" + iso(-4*24), []int64{d.E}},
		{"deadline_before=" + iso(0), []int64{d.B, d.D, d.E, d.G}},
		{"en_retard=true", []int64{d.B}},
		{"en_retard=false", []int64{d.A, d.C, d.D, d.E, d.F, d.G}},
		// Full text: French stemming ("fuites" finds "fuite"), accents ignored both ways.
		{"q=fuites", []int64{d.A, d.C, d.F}},
		{"q=FUITE", []int64{d.A, d.C, d.F}},
		{"q=electrique", []int64{d.B}},
		{"q=%C3%A9lectriques", []int64{d.B}},
		{"q=revision", []int64{d.C}},
		{"q=fuite%20-pompe", []int64{d.A, d.C}},
		{"q=%22fuite%20d%27huile%22", []int64{d.A}},
		{"q=carter%20or%20bornier", []int64{d.A, d.B}},
		{"q=grue", nil},
		{"q=%20%20", []int64{d.A, d.B, d.C, d.D, d.E, d.F, d.G}},
		{"q=fuite&statut=en_attente", []int64{d.F}},
	}
	for _, c := range cases {
		for _, endpoint := range []string{"/api/v1/interventions", "/api/v1/filters/interventions"} {
			path := endpoint + "?sort=id&" + c.query
			ids, total := f.list(f.admin, path)
			if !slices.Equal(ids, c.want) || total != len(c.want) {
				t.Errorf("%s: %v (total %d), want %v", path, ids, total, c.want)
			}
		}
	}
	sorts := []struct {
		sort string
		want []int64
	}{
		{"priorite", []int64{d.B, d.A, d.E, d.F, d.G, d.D, d.C}},    // most urgent first, then oldest (ties follow the direction)
		{"-priorite", []int64{d.C, d.D, d.G, d.F, d.E, d.A, d.B}},   // least urgent first, then newest
		{"date_limite", []int64{d.G, d.D, d.E, d.B, d.A, d.F, d.C}}, // no deadline last
		{"-date_limite", []int64{d.F, d.A, d.B, d.E, d.D, d.G, d.C}},
		{"date_creation", []int64{d.C, d.G, d.D, d.E, d.B, d.A, d.F}},
		{"-date_creation", []int64{d.F, d.A, d.B, d.E, d.D, d.G, d.C}},
		{"titre", []int64{d.D, d.A, d.F, d.G, d.B, d.E, d.C}},
		{"-titre", []int64{d.C, d.E, d.B, d.G, d.F, d.A, d.D}},
		{"statut", []int64{d.A, d.C, d.B, d.F, d.D, d.E, d.G}},
		{"-id", []int64{d.G, d.F, d.E, d.D, d.C, d.B, d.A}},
	}
	for _, s := range sorts {
		if ids, _ := f.list(f.admin, "/api/v1/interventions?sort="+s.sort); !slices.Equal(ids, s.want) {
			t.Errorf("sort=%s: %v, want %v", s.sort, ids, s.want)
		}
	}
	// Default order: newest first, also with q; sort=pertinence puts the best match first (title
	// weighs more) and needs q.
	if ids, _ := f.list(f.admin, "/api/v1/interventions"); !slices.Equal(ids, []int64{d.F, d.A, d.B, d.E, d.D, d.G, d.C}) {
		t.Errorf("default order %v", ids)
	}
	// C (older) has both words, one in its title; G (newer) one word in its title.
	if ids, _ := f.list(f.admin, "/api/v1/filters/interventions?q=revision%20or%20graissage"); !slices.Equal(ids, []int64{d.G, d.C}) {
		t.Errorf("default order with q %v, want the newest first", ids)
	}
	if ids, _ := f.list(f.admin, "/api/v1/filters/interventions?q=revision%20or%20graissage&sort=pertinence"); !slices.Equal(ids, []int64{d.C, d.G}) {
		t.Errorf("relevance order %v, want the best match first", ids)
	}
	// Equal ranks: the newest first (F and A both have fuite in title and description).
	if ids, _ := f.list(f.admin, "/api/v1/interventions?q=fuite&sort=pertinence"); !slices.Equal(ids, []int64{d.F, d.A, d.C}) {
		t.Errorf("relevance order %v, want the title matches first, newest first among equals", ids)
	}
	// A text search filtered by statut and priorite (answered inside one index, migration 000011)
	// returns exactly the matches of the text that pass the filters, with their count.
	for _, q := range []string{"fuite", "fuites%20or%20graissage", "revision", "le"} {
		text, _ := f.list(f.admin, "/api/v1/interventions?sort=id&q="+q)
		for _, filters := range []string{"statut=ouverte", "statut=en_attente&statut=affectee", "priorite=haute",
			"priorite=urgente&priorite=basse&statut=en_cours&statut=ouverte", "statut=cloturee&priorite=normale"} {
			only, _ := f.list(f.admin, "/api/v1/interventions?sort=id&"+filters)
			var want []int64
			for _, id := range text {
				if slices.Contains(only, id) {
					want = append(want, id)
				}
			}
			got, total := f.list(f.admin, "/api/v1/interventions?sort=id&q="+q+"&"+filters)
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("q=%s&%s: %v (total %d), want %v", q, filters, got, total, want)
			}
		}
	}
	// Pages.
	for _, p := range []struct {
		query string
		want  []int64
	}{
		{"limit=2", []int64{d.A, d.B}},
		{"limit=2&offset=2", []int64{d.C, d.D}},
		{"limit=5&offset=5", []int64{d.F, d.G}},
		{"offset=7", nil},
		{"limit=500", []int64{d.A, d.B, d.C, d.D, d.E, d.F, d.G}},
	} {
		ids, total := f.list(f.admin, "/api/v1/interventions?sort=id&"+p.query)
		if !slices.Equal(ids, p.want) || total != 7 {
			t.Errorf("%s: %v (total %d)", p.query, ids, total)
		}
	}
	// Filters apply within the caller's rows.
	if ids, total := f.list(f.client, "/api/v1/filters/interventions?sort=id&q=fuite"); !slices.Equal(ids, []int64{d.A, d.C, d.F}) || total != 3 {
		t.Errorf("client search: %v", ids)
	}
	if ids, _ := f.list(f.client, fmt.Sprintf("/api/v1/interventions?client_id=%d", d.other)); len(ids) != 0 {
		t.Errorf("a client filtered another client's rows into view: %v", ids)
	}
	if ids, _ := f.list(f.tech, "/api/v1/interventions?sort=id&statut=cloturee&statut=archivee"); !slices.Equal(ids, []int64{d.D, d.G}) {
		t.Errorf("technicien: %v", ids)
	}
	// The generated client sends the array parameters the same way.
	r, err := f.env.Client.ListInterventionsWithResponse(t.Context(), &api.ListInterventionsParams{
		Statut:   &[]api.InterventionStatut{api.InterventionStatutEnCours, api.InterventionStatutEnAttente},
		Priorite: &[]api.InterventionPriorite{api.InterventionPrioriteUrgente}, Sort: ptrTo(api.InterventionSortId),
	}, testenv.As(f.admin))
	if err != nil || r.JSON200 == nil || len(*r.JSON200) != 1 || (*r.JSON200)[0].Id != d.B {
		t.Errorf("generated client: %v %s", err, r.Body)
	}
	// The original's filter call (ANALYSIS 5.2).
	if ids, _ := f.list(f.admin, "/api/v1/filters/interventions?statut=ouverte"); !slices.Contains(ids, d.A) {
		t.Errorf("filters?statut=ouverte misses the open intervention: %v", ids)
	}
}

// TestInterventionComputedFields: overdue, remaining delay, SLA, total cost and the actions the
// caller may apply, read from the row.
func TestInterventionComputedFields(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	d := newIvListData(f)
	f.exec(`UPDATE interventions SET cout_main_oeuvre = 20000, cout_pieces = 5050 WHERE id = $1`, d.D)
	byID := map[int64]api.Intervention{}
	r, err := f.env.Client.ListInterventionsWithResponse(t.Context(), nil, testenv.As(f.admin))
	if err != nil || r.JSON200 == nil {
		t.Fatal(err)
	}
	for _, v := range *r.JSON200 {
		byID[v.Id] = v
	}
	actions := func(v api.Intervention) []string {
		var out []string
		for _, a := range v.ActionsPossibles {
			out = append(out, string(a))
		}
		return out
	}
	cases := []struct {
		id        int64
		retard    bool
		delai     *float64 // nil: null
		sla       *bool    // nil: null
		coutTotal int64
		admin     []string
	}{
		{d.A, false, ptrTo(24.0), nil, 0, []string{"assign", "cancel"}},
		{d.B, true, ptrTo(-1.0), nil, 0, []string{"pause", "close", "cancel"}},
		{d.C, false, nil, nil, 0, []string{"assign", "start", "cancel"}},
		{d.D, false, nil, ptrTo(true), 25050, []string{"archive"}},
		{d.E, false, nil, nil, 0, nil},
		{d.G, false, nil, ptrTo(false), 0, nil},
	}
	for _, c := range cases {
		v := byID[c.id]
		if v.EstEnRetard != c.retard {
			t.Errorf("%d (%s): est_en_retard %v", c.id, v.Titre, v.EstEnRetard)
		}
		if (c.delai == nil) != (v.DelaiRestantHeures == nil) || c.delai != nil && (*v.DelaiRestantHeures > *c.delai+0.02 || *v.DelaiRestantHeures < *c.delai-0.1) {
			t.Errorf("%d (%s): delai_restant_heures %+v, want %v", c.id, v.Titre, v.DelaiRestantHeures, c.delai)
		}
		if (c.sla == nil) != (v.SlaRespecte == nil) || c.sla != nil && *v.SlaRespecte != *c.sla {
			t.Errorf("%d (%s): sla_respecte %+v, want %v", c.id, v.Titre, v.SlaRespecte, c.sla)
		}
		if v.CoutTotal != c.coutTotal {
			t.Errorf("%d: cout_total %d", c.id, v.CoutTotal)
		}
		if got := actions(v); !slices.Equal(got, c.admin) {
			t.Errorf("%d (%s): admin actions %v, want %v", c.id, v.Titre, got, c.admin)
		}
	}
	// The same rows seen by their technicien and their client.
	for _, c := range []struct {
		token string
		id    int64
		want  []string
	}{
		{f.tech, d.B, []string{"pause", "close"}},
		{f.tech, d.F, []string{"resume", "close"}},
		{f.tech, d.D, nil},
		{f.client, d.B, nil},
		{f.client, d.A, nil},
	} {
		code, v := f.get(c.token, c.id)
		if code != 200 || !slices.Equal(actions(v), c.want) || v.ActionsPossibles == nil {
			t.Errorf("%d for %s: %d %v, want %v", c.id, c.token[:8], code, actions(v), c.want)
		}
	}
}

// TestInterventionListsCostABoundedNumberOfQueries: a page costs the same number of queries
// whatever its size, for every role (no N+1), and so do a read, a history page and the dashboard.
func TestInterventionListsCostABoundedNumberOfQueries(t *testing.T) {
	t.Parallel()
	env, counter := testenv.NewCountingEnv(t, pg, nil)
	f := newIvFixtureOn(t, env)
	machine := f.machine(&f.company, nil)
	f.exec(`INSERT INTO interventions (titre, description, type_intervention, statut, equipement_id, client_id, technicien_id,
			date_limite, cout_main_oeuvre)
		SELECT 'Fuite ' || g, 'Fuite numéro ' || g, 'corrective', 'en_cours', $1, $2, $3, now() + g * interval '1 hour', g
		FROM generate_series(1, 60) g`, machine, f.company, f.techID)
	one := f.id(`SELECT min(id) FROM interventions`)
	f.exec(`INSERT INTO intervention_historique (intervention_id, action, statut_apres) SELECT $1, 'update', 'en_cours' FROM generate_series(1, 40)`, one)
	measure := func(token, path string, wantRows int) int64 {
		t.Helper()
		return counter.Measure(func() {
			resp, b := f.do(http.MethodGet, path, token, "", nil, false)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
			}
			if wantRows >= 0 {
				if rows := decodeInto[[]map[string]any](t, b); len(rows) != wantRows {
					t.Fatalf("GET %s: %d rows, want %d", path, len(rows), wantRows)
				}
			}
		})
	}
	measure(f.admin, "/api/v1/interventions?limit=1", 1) // warm up
	for _, who := range []struct{ name, token string }{{"admin", f.admin}, {"technicien", f.tech}, {"client", f.client}} {
		for _, path := range []string{"/api/v1/interventions", "/api/v1/filters/interventions?q=fuite&en_retard=false",
			fmt.Sprintf("/api/v1/equipements/%d/interventions", machine)} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			small := measure(who.token, path+sep+"limit=1", 1)
			large := measure(who.token, path+sep+"limit=60", 60)
			t.Logf("%s %s: %d queries for 1 row, %d for 60", who.name, path, small, large)
			if small != large || large > 5 {
				t.Errorf("%s %s: %d queries for 1 row, %d for 60 (want equal, at most 5: token, scope, page, total)",
					who.name, path, small, large)
			}
		}
	}
	if n := measure(f.tech, fmt.Sprintf("/api/v1/techniciens/%d/interventions?limit=60", f.techID), 60); n > 5 {
		t.Errorf("technician's list: %d queries", n)
	}
	if n := measure(f.client, ivPath(one), -1); n > 4 {
		t.Errorf("get: %d queries", n)
	}
	if a, b := measure(f.admin, ivPath(one, "/historique?limit=1"), 1), measure(f.admin, ivPath(one, "/historique?limit=40"), 40); a != b || b > 6 {
		t.Errorf("history: %d queries for 1 row, %d for 40", a, b)
	}
	for _, tok := range []string{f.admin, f.tech, f.client} {
		if n := measure(tok, "/api/v1/dashboard/stats", -1); n > 7 {
			t.Errorf("dashboard: %d queries", n)
		}
	}
}
