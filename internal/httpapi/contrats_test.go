package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

func TestContratLifecycle(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	c, owner := f.newCompany("Cycle de vie SA")
	resp := env.Token("responsable")

	r, err := env.Client.CreateContratWithResponse(ctx, api.ContratCreate{
		ClientId: c.Id, NumeroContrat: " CTR-2026-001 ", NomContrat: "Maintenance complète atelier",
		TypeContrat: api.ContratTypeMaintenanceComplete, DateDebut: ccDate("2026-01-01"), DateFin: ccDate("2026-12-31"),
		MontantAnnuel: ptrTo(int64(12000000)), NbInterventionsIncluses: ptrTo(24),
		DelaiUrgenteHeures: ptrTo(4), DelaiNormaleHeures: ptrTo(48),
	}, testenv.As(resp))
	if err != nil {
		t.Fatal(err)
	}
	if r.JSON201 == nil {
		t.Fatalf("create: %d %s", r.StatusCode(), r.Body)
	}
	k := *r.JSON201
	if got, want := r.HTTPResponse.Header.Get("Location"), contratPath(k.Id); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if k.ClientId != c.Id || k.NumeroContrat != "CTR-2026-001" || k.Statut != api.ContratStatutBrouillon || k.Devise != "MAD" ||
		k.DateDebut.String() != "2026-01-01" || k.DateFin.String() != "2026-12-31" || k.DateSignature != nil ||
		*k.MontantAnnuel != 12000000 || *k.NbInterventionsIncluses != 24 ||
		k.NbInterventionsUtilisees != 0 || *k.QuotaRestant != 24 || k.EstActif ||
		*k.DelaiUrgenteHeures != 4 || k.DelaiHauteHeures != nil || *k.DelaiNormaleHeures != 48 ||
		k.DelaiBasseHeures != nil || k.Description != nil {
		t.Errorf("created contract %+v", k)
	}
	if n := f.auditCount("contrat.created", "contrat", k.Id); n != 1 {
		t.Errorf("%d contrat.created rows, want 1", n)
	}

	for _, token := range []string{f.admin, owner} {
		g, err := env.Client.GetContratWithResponse(ctx, k.Id, testenv.As(token))
		if err != nil || g.JSON200 == nil {
			t.Fatalf("get: %v %d %s", err, g.StatusCode(), g.Body)
		}
		if g.JSON200.NumeroContrat != k.NumeroContrat || !g.JSON200.CreatedAt.Equal(k.CreatedAt) {
			t.Errorf("get %+v, created %+v", *g.JSON200, k)
		}
	}

	// Absent keeps, null clears, a value sets.
	u, err := env.Client.UpdateContratWithResponse(ctx, k.Id, api.ContratUpdate{
		Statut:                  ptrTo(api.ContratStatutEnCours),
		Description:             nullable.NewNullableWithValue("Atelier de Casablanca"),
		DateSignature:           nullable.NewNullableWithValue(ccDate("2025-12-15")),
		MontantAnnuel:           nullable.NewNullNullable[int64](),
		NbInterventionsIncluses: nullable.NewNullNullable[int](),
		DelaiHauteHeures:        nullable.NewNullableWithValue(4), // equal to urgente: allowed
		Devise:                  ptrTo("EUR"),
	}, testenv.As(f.admin))
	if err != nil || u.JSON200 == nil {
		t.Fatalf("update: %v %d %s", err, u.StatusCode(), u.Body)
	}
	up := *u.JSON200
	if up.Statut != api.ContratStatutEnCours || *up.Description != "Atelier de Casablanca" ||
		(*up.DateSignature).String() != "2025-12-15" || up.MontantAnnuel != nil ||
		up.NbInterventionsIncluses != nil || up.QuotaRestant != nil || *up.DelaiHauteHeures != 4 ||
		*up.DelaiUrgenteHeures != 4 || *up.DelaiNormaleHeures != 48 || up.Devise != "EUR" ||
		up.NomContrat != k.NomContrat || up.ClientId != c.Id || up.DateFin.String() != "2026-12-31" {
		t.Errorf("updated contract %+v", up)
	}
	var changed, before, after string
	if err := env.Pool.QueryRow(ctx, `SELECT details->>'changed', details->>'statut_before', details->>'statut_after'
		FROM audit_log WHERE action = 'contrat.updated' AND resource_id = $1`, strconv.FormatInt(k.Id, 10)).
		Scan(&changed, &before, &after); err != nil {
		t.Fatalf("contrat.updated row: %v", err)
	}
	if before != "brouillon" || after != "en_cours" || !strings.Contains(changed, "montant_annuel") || strings.Contains(changed, "nom_contrat") {
		t.Errorf("audit: changed %s, statut %s -> %s", changed, before, after)
	}

	// Its own number in another case is allowed.
	u, err = env.Client.UpdateContratWithResponse(ctx, k.Id, api.ContratUpdate{NumeroContrat: ptrTo("ctr-2026-001")}, testenv.As(f.admin))
	if err != nil || u.JSON200 == nil || u.JSON200.NumeroContrat != "ctr-2026-001" {
		t.Fatalf("renumber to itself: %v %d %s", err, u.StatusCode(), u.Body)
	}

	d, err := env.Client.DeleteContratWithResponse(ctx, k.Id, testenv.As(resp))
	if err != nil || d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
	}
	if n := f.auditCount("contrat.deleted", "contrat", k.Id); n != 1 {
		t.Errorf("%d contrat.deleted rows, want 1", n)
	}
	g, err := env.Client.GetContratWithResponse(ctx, k.Id, testenv.As(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "get deleted", g.StatusCode(), g.Body, 404, "Contrat introuvable", nil)
	d, err = env.Client.DeleteContratWithResponse(ctx, k.Id, testenv.As(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "delete again", d.StatusCode(), d.Body, 404, "Contrat introuvable", nil)
}

func TestCreateContratRefusalsWriteNothing(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	c, _ := f.newCompany("Refus SA")
	f.contrat(c.Id, func(k *api.ContratCreate) { k.NumeroContrat = "CTR-EXISTANT" })
	body := func(changes map[string]any) map[string]any {
		b := map[string]any{"client_id": c.Id, "numero_contrat": "CTR-NOUVEAU", "nom_contrat": "Contrat",
			"type_contrat": "maintenance_preventive", "date_debut": "2026-01-01", "date_fin": "2026-12-31"}
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name      string
		body      any
		onPurpose bool
		status    int
		detail    string
		fields    []string
	}{
		{name: "unknown client", body: body(map[string]any{"client_id": 999999}), status: 404, detail: "Client introuvable"},
		{name: "number taken in another case", body: body(map[string]any{"numero_contrat": "ctr-existant"}), status: 409,
			detail: "Numéro de contrat déjà utilisé"},
		{name: "number taken with spaces around", body: body(map[string]any{"numero_contrat": " CTR-EXISTANT "}), status: 409,
			detail: "Numéro de contrat déjà utilisé"},
		{name: "ends the day it starts", body: body(map[string]any{"date_fin": "2026-01-01"}), status: 422, fields: []string{"date_fin"}},
		{name: "ends before it starts", body: body(map[string]any{"date_fin": "2025-06-30"}), status: 422, fields: []string{"date_fin"}},
		{name: "haute faster than urgente", body: body(map[string]any{"delai_urgente_heures": 10, "delai_haute_heures": 5}),
			status: 422, fields: []string{"delai_haute_heures"}},
		{name: "normale faster than urgente, haute unset", body: body(map[string]any{"delai_urgente_heures": 48, "delai_normale_heures": 24}),
			status: 422, fields: []string{"delai_normale_heures"}},
		{name: "basse faster than normale", body: body(map[string]any{"delai_normale_heures": 72, "delai_basse_heures": 48}),
			status: 422, fields: []string{"delai_basse_heures"}},
		{name: "two decreases", body: body(map[string]any{"delai_urgente_heures": 8, "delai_haute_heures": 4, "delai_normale_heures": 2}),
			status: 422, fields: []string{"delai_haute_heures", "delai_normale_heures"}},
		{name: "blank number and name", body: body(map[string]any{"numero_contrat": "  ", "nom_contrat": " "}), status: 422,
			fields: []string{"nom_contrat", "numero_contrat"}},
		{name: "response time out of bounds", body: body(map[string]any{"delai_urgente_heures": 200}), onPurpose: true, status: 422},
		{name: "unknown status", body: body(map[string]any{"statut": "actif"}), onPurpose: true, status: 422},
		{name: "lower-case currency", body: body(map[string]any{"devise": "mad"}), onPurpose: true, status: 422},
		{name: "negative amount", body: body(map[string]any{"montant_annuel": -5}), onPurpose: true, status: 422},
		{name: "huge quota", body: body(map[string]any{"nb_interventions_incluses": 1 << 40}), onPurpose: true, status: 422,
			fields: []string{"nb_interventions_incluses"}},
		{name: "missing dates", body: body(map[string]any{"date_debut": nil, "date_fin": nil}), onPurpose: true, status: 422},
		{name: "invalid date", body: body(map[string]any{"date_fin": "2026-02-30"}), onPurpose: true, status: 422},
	}
	before := countRows(t, env, "SELECT count(*) FROM contrats")
	auditBefore := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'contrat.created'")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := sendJSON(t, env, http.MethodPost, "/api/v1/contrats", f.admin, tc.body, tc.onPurpose)
			if tc.name == "invalid date" && resp.StatusCode == http.StatusBadRequest {
				return // refused while decoding: fine too
			}
			wantProblem(t, tc.name, resp.StatusCode, b, tc.status, tc.detail, tc.fields)
		})
	}
	if n := countRows(t, env, "SELECT count(*) FROM contrats"); n != before {
		t.Errorf("%d contracts written by refused requests", n-before)
	}
	if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'contrat.created'"); n != auditBefore {
		t.Errorf("%d contrat.created rows written by refused requests", n-auditBefore)
	}
	// Equal response times, and any subset in order, are fine.
	for i, delais := range []map[string]any{
		{"delai_urgente_heures": 24, "delai_haute_heures": 24, "delai_normale_heures": 24, "delai_basse_heures": 24},
		{"delai_urgente_heures": 2, "delai_basse_heures": 2160},
		{"delai_haute_heures": 8, "delai_normale_heures": 72},
	} {
		delais["numero_contrat"] = fmt.Sprintf("CTR-OK-%d", i)
		resp, b := sendJSON(t, env, http.MethodPost, "/api/v1/contrats", f.admin, body(delais), false)
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("response times %v: %d %s", delais, resp.StatusCode, b)
		}
	}
}

func TestUpdateContratChecksTheResultingContract(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	c, _ := f.newCompany("Mise à jour SA")
	other, _ := f.newCompany("Autre SA")
	f.contrat(other.Id, func(k *api.ContratCreate) { k.NumeroContrat = "CTR-AUTRE" })
	k := f.contrat(c.Id, func(k *api.ContratCreate) {
		k.DelaiUrgenteHeures, k.DelaiNormaleHeures = ptrTo(4), ptrTo(48)
	})
	cases := []struct {
		name      string
		id        int64
		body      any
		onPurpose bool
		status    int
		detail    string
		fields    []string
	}{
		{name: "unknown contract", id: 999999, body: map[string]any{"statut": "suspendu"}, status: 404, detail: "Contrat introuvable"},
		{name: "start after the current end", id: k.Id, body: map[string]any{"date_debut": "2027-01-01"}, status: 422,
			fields: []string{"date_debut"}},
		{name: "end before the current start", id: k.Id, body: map[string]any{"date_fin": "2025-12-31"}, status: 422,
			fields: []string{"date_fin"}},
		{name: "both dates in the wrong order", id: k.Id, body: map[string]any{"date_debut": "2027-01-01", "date_fin": "2026-06-01"},
			status: 422, fields: []string{"date_fin"}},
		{name: "haute faster than the current urgente", id: k.Id, body: map[string]any{"delai_haute_heures": 2}, status: 422,
			fields: []string{"delai_haute_heures"}},
		{name: "urgente slower than the current normale", id: k.Id, body: map[string]any{"delai_urgente_heures": 72}, status: 422,
			fields: []string{"delai_normale_heures"}},
		{name: "number of another contract", id: k.Id, body: map[string]any{"numero_contrat": "ctr-autre"}, status: 409,
			detail: "Numéro de contrat déjà utilisé"},
		{name: "blank name", id: k.Id, body: map[string]any{"nom_contrat": "   "}, status: 422, fields: []string{"nom_contrat"}},
		{name: "client cannot change", id: k.Id, body: map[string]any{"client_id": other.Id}, onPurpose: true, status: 422},
		{name: "null on a required date", id: k.Id, body: map[string]any{"date_fin": nil}, onPurpose: true, status: 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := sendJSON(t, env, http.MethodPatch, contratPath(tc.id), f.admin, tc.body, tc.onPurpose)
			wantProblem(t, tc.name, resp.StatusCode, b, tc.status, tc.detail, tc.fields)
		})
	}
	g, err := env.Client.GetContratWithResponse(t.Context(), k.Id, testenv.As(f.admin))
	if err != nil || g.JSON200 == nil {
		t.Fatal(err)
	}
	if !g.JSON200.UpdatedAt.Equal(k.UpdatedAt) || g.JSON200.ClientId != c.Id {
		t.Errorf("refused updates changed the contract: %+v", *g.JSON200)
	}
	if n := f.auditCount("contrat.updated", "contrat", k.Id); n != 0 {
		t.Errorf("%d contrat.updated rows written by refused requests", n)
	}

	// Clearing urgente first makes a faster haute acceptable; moving both dates together works.
	u, err := env.Client.UpdateContratWithResponse(t.Context(), k.Id, api.ContratUpdate{
		DelaiUrgenteHeures: nullable.NewNullNullable[int](), DelaiHauteHeures: nullable.NewNullableWithValue(2),
		DateDebut: ptrTo(ccDate("2027-01-01")), DateFin: ptrTo(ccDate("2027-12-31")),
	}, testenv.As(f.admin))
	if err != nil || u.JSON200 == nil {
		t.Fatalf("valid update: %v %d %s", err, u.StatusCode(), u.Body)
	}
	if u.JSON200.DelaiUrgenteHeures != nil || *u.JSON200.DelaiHauteHeures != 2 || u.JSON200.DateDebut.String() != "2027-01-01" {
		t.Errorf("updated %+v", *u.JSON200)
	}
}

func TestDeleteContratIsRefusedWhileReferenced(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	const inUse = "Contrat utilisé par des équipements ou des interventions"
	c, _ := f.newCompany("Références SA")
	byEquipement := f.contrat(c.Id, nil)
	eq := f.equipement(&c.Id, &byEquipement.Id)
	byIntervention := f.contrat(c.Id, nil)
	iv := f.intervention(&c.Id, &byIntervention.Id, "annulee") // even a cancelled one

	for _, k := range []api.Contrat{byEquipement, byIntervention} {
		r, err := env.Client.DeleteContratWithResponse(ctx, k.Id, testenv.As(f.admin))
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "delete "+k.NumeroContrat, r.StatusCode(), r.Body, 409, inUse, nil)
	}
	if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'contrat.deleted'"); n != 0 {
		t.Errorf("%d contrat.deleted rows for refused deletions", n)
	}
	if _, err := env.Pool.Exec(ctx, "UPDATE equipements SET contrat_id = NULL WHERE id = $1", eq); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, "UPDATE interventions SET contrat_id = NULL WHERE id = $1", iv); err != nil {
		t.Fatal(err)
	}
	for _, k := range []api.Contrat{byEquipement, byIntervention} {
		r, err := env.Client.DeleteContratWithResponse(ctx, k.Id, testenv.As(f.admin))
		if err != nil || r.StatusCode() != http.StatusNoContent {
			t.Errorf("delete %s once free: %v %d %s", k.NumeroContrat, err, r.StatusCode(), r.Body)
		}
	}
}

func TestContratConsumptionAndActivity(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	today := f.today()
	day := func(offset int) openapi_types.Date { return openapi_types.Date{Time: today.AddDate(0, 0, offset)} }
	c, owner := f.newCompany("Quota SA")
	mk := func(statut api.ContratStatut, from, to int, incluses *int) api.Contrat {
		return f.contrat(c.Id, func(k *api.ContratCreate) {
			k.Statut, k.DateDebut, k.DateFin, k.NbInterventionsIncluses = &statut, day(from), day(to), incluses
		})
	}
	cases := []struct {
		name     string
		k        api.Contrat
		statuts  []string // interventions on the contract
		used     int
		quota    *int
		estActif bool
	}{
		{name: "active, quota partly used", k: mk(api.ContratStatutEnCours, -10, 10, ptrTo(5)),
			statuts: []string{"ouverte", "en_cours", "cloturee", "archivee", "annulee", "annulee"}, used: 4, quota: ptrTo(1), estActif: true},
		{name: "quota exceeded never goes below zero", k: mk(api.ContratStatutEnCours, -10, 10, ptrTo(2)),
			statuts: []string{"ouverte", "affectee", "en_attente"}, used: 3, quota: ptrTo(0), estActif: true},
		{name: "unlimited", k: mk(api.ContratStatutEnCours, -10, 10, nil),
			statuts: []string{"ouverte"}, used: 1, quota: nil, estActif: true},
		{name: "zero included", k: mk(api.ContratStatutEnCours, 0, 10, ptrTo(0)), used: 0, quota: ptrTo(0), estActif: true},
		{name: "last day", k: mk(api.ContratStatutEnCours, -10, 0, ptrTo(3)), used: 0, quota: ptrTo(3), estActif: true},
		{name: "ended yesterday", k: mk(api.ContratStatutEnCours, -10, -1, ptrTo(3)), used: 0, quota: ptrTo(3)},
		{name: "starts tomorrow", k: mk(api.ContratStatutEnCours, 1, 10, ptrTo(3)), used: 0, quota: ptrTo(3)},
		{name: "draft within its dates", k: mk(api.ContratStatutBrouillon, -10, 10, ptrTo(3)), used: 0, quota: ptrTo(3)},
		{name: "suspended within its dates", k: mk(api.ContratStatutSuspendu, -10, 10, nil), statuts: []string{"annulee"}, used: 0},
	}
	for _, tc := range cases {
		for _, s := range tc.statuts {
			f.intervention(&c.Id, &tc.k.Id, s)
		}
	}
	f.intervention(&c.Id, nil, "ouverte") // on the client, no contract: counts nowhere

	check := func(where string, got api.Contrat, want int, quota *int, active bool) {
		t.Helper()
		gotQuota := "null"
		if got.QuotaRestant != nil {
			gotQuota = strconv.Itoa(*got.QuotaRestant)
		}
		wantQuota := "null"
		if quota != nil {
			wantQuota = strconv.Itoa(*quota)
		}
		if got.NbInterventionsUtilisees != want || gotQuota != wantQuota || got.EstActif != active {
			t.Errorf("%s: utilisees %d quota %s est_actif %v, want %d %s %v", where,
				got.NbInterventionsUtilisees, gotQuota, got.EstActif, want, wantQuota, active)
		}
	}
	list, err := env.Client.ListContratsWithResponse(ctx, &api.ListContratsParams{Limit: ptrTo(500)}, testenv.As(owner))
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	byID := map[int64]api.Contrat{}
	for _, k := range *list.JSON200 {
		byID[k.Id] = k
	}
	for _, tc := range cases {
		g, err := env.Client.GetContratWithResponse(ctx, tc.k.Id, testenv.As(f.admin))
		if err != nil || g.JSON200 == nil {
			t.Fatalf("%s: get: %v %s", tc.name, err, g.Body)
		}
		check(tc.name+" (get)", *g.JSON200, tc.used, tc.quota, tc.estActif)
		check(tc.name+" (client's list)", byID[tc.k.Id], tc.used, tc.quota, tc.estActif)
	}
	// The company counts the active ones.
	g, err := env.Client.GetClientWithResponse(ctx, c.Id, testenv.As(owner))
	if err != nil || g.JSON200 == nil || g.JSON200.NbContratsActifs != 5 {
		t.Errorf("nb_contrats_actifs: %v %s", err, g.Body)
	}
}

func TestListContratsPagesSortsAndFilters(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	a, _ := f.newCompany("Liste A")
	b, _ := f.newCompany("Liste B")
	mk := func(client int64, numero string, typ api.ContratType, statut api.ContratStatut, debut, fin string) {
		f.contrat(client, func(k *api.ContratCreate) {
			k.NumeroContrat, k.TypeContrat, k.Statut, k.DateDebut, k.DateFin = numero, typ, &statut, ccDate(debut), ccDate(fin)
		})
	}
	mk(a.Id, "c-3", api.ContratTypeMaintenancePreventive, api.ContratStatutEnCours, "2026-03-01", "2026-12-31")
	mk(a.Id, "A-1", api.ContratTypeSupportTechnique, api.ContratStatutBrouillon, "2026-01-01", "2027-06-30")
	mk(b.Id, "b-2", api.ContratTypeMaintenancePreventive, api.ContratStatutExpire, "2024-01-01", "2024-12-31")
	mk(b.Id, "D-4", api.ContratTypeContratCadre, api.ContratStatutEnCours, "2026-02-01", "2026-03-01")

	list := func(p api.ListContratsParams) ([]string, string) {
		t.Helper()
		r, err := env.Client.ListContratsWithResponse(t.Context(), &p, testenv.As(f.admin))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("list %+v: %v %d %s", p, err, r.StatusCode(), r.Body)
		}
		var out []string
		for _, k := range *r.JSON200 {
			out = append(out, k.NumeroContrat)
		}
		return out, r.HTTPResponse.Header.Get("X-Total-Count")
	}
	sortP := func(s api.ListContratsParamsSort) *api.ListContratsParamsSort { return &s }
	cases := []struct {
		name  string
		p     api.ListContratsParams
		want  []string
		total string
	}{
		{"default: latest start first", api.ListContratsParams{}, []string{"c-3", "D-4", "A-1", "b-2"}, "4"},
		{"by number, case-insensitive", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortNumeroContrat)},
			[]string{"A-1", "b-2", "c-3", "D-4"}, "4"},
		{"by number descending", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortMinusNumeroContrat)},
			[]string{"D-4", "c-3", "b-2", "A-1"}, "4"},
		{"by end", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortDateFin)}, []string{"b-2", "D-4", "c-3", "A-1"}, "4"},
		{"by end descending, page 2", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortMinusDateFin), Limit: ptrTo(2), Offset: ptrTo(2)},
			[]string{"D-4", "b-2"}, "4"},
		{"by start", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortDateDebut), Limit: ptrTo(1)}, []string{"b-2"}, "4"},
		{"by id", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortId)}, []string{"c-3", "A-1", "b-2", "D-4"}, "4"},
		{"newest first", api.ListContratsParams{Sort: sortP(api.ListContratsParamsSortMinusCreatedAt)}, []string{"D-4", "b-2", "A-1", "c-3"}, "4"},
		{"of one client", api.ListContratsParams{ClientId: &b.Id, Sort: sortP(api.ListContratsParamsSortId)}, []string{"b-2", "D-4"}, "2"},
		{"of an unknown client", api.ListContratsParams{ClientId: ptrTo(int64(999999))}, nil, "0"},
		{"by status", api.ListContratsParams{Statut: ptrTo(api.ContratStatutEnCours), Sort: sortP(api.ListContratsParamsSortId)},
			[]string{"c-3", "D-4"}, "2"},
		{"by type", api.ListContratsParams{TypeContrat: ptrTo(api.ContratTypeMaintenancePreventive), Sort: sortP(api.ListContratsParamsSortId)},
			[]string{"c-3", "b-2"}, "2"},
		{"every filter", api.ListContratsParams{ClientId: &a.Id, Statut: ptrTo(api.ContratStatutEnCours),
			TypeContrat: ptrTo(api.ContratTypeMaintenancePreventive)}, []string{"c-3"}, "1"},
		{"offset past the end", api.ListContratsParams{Offset: ptrTo(4)}, nil, "4"},
	}
	for _, tc := range cases {
		got, total := list(tc.p)
		if !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("%s: got %v (total %s), want %v (total %s)", tc.name, got, total, tc.want, tc.total)
		}
	}
}
