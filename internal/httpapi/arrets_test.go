package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestBreakdownOpensAndClosingEndsDowntime: a corrective intervention that reports its machine
// down sets it in panne and opens one downtime record linked to it; closing the intervention
// ends the record and restarts the machine; every statut change is in the machine's history.
func TestBreakdownOpensAndClosingEndsDowntime(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	machine := f.machine(&f.company, nil)

	create := func(token string, typ api.InterventionType, eq int64) *api.CreateInterventionResponse {
		t.Helper()
		r, err := env.Client.CreateInterventionWithResponse(ctx, nil, api.InterventionCreate{Titre: "Compresseur à l'arrêt",
			Type: ptrTo(typ), EquipementId: eq, EquipementEnPanne: ptrTo(true)}, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	statut := func(eq int64) string {
		t.Helper()
		r, err := env.Client.GetEquipementWithResponse(ctx, eq, testenv.As(f.resp))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("machine: %v %s", err, r.Body)
		}
		return string(r.JSON200.Statut)
	}
	list := func(token string, eq int64) []api.Arret {
		t.Helper()
		r, err := env.Client.ListArretsWithResponse(ctx, eq, nil, testenv.As(token))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("downtime: %v %d %s", err, r.StatusCode(), r.Body)
		}
		return *r.JSON200
	}

	// The client reports the breakdown.
	r := create(f.client, api.InterventionTypeCorrective, machine)
	if r.JSON201 == nil {
		t.Fatalf("report: %d %s", r.StatusCode(), r.Body)
	}
	iv := r.JSON201.Id
	if s := statut(machine); s != "panne" {
		t.Fatalf("machine %s after the report, want panne", s)
	}
	arrets := list(f.client, machine)
	if len(arrets) != 1 || arrets[0].Fin != nil || arrets[0].Motif != api.MotifArretPanne || arrets[0].Source != api.ArretSourceAutomatique ||
		arrets[0].InterventionId == nil || *arrets[0].InterventionId != iv || arrets[0].DureeMinutes != nil {
		t.Fatalf("downtime after the report: %+v", arrets)
	}
	// A second report on the machine already down opens no second record.
	if r := create(f.resp, api.InterventionTypeCorrective, machine); r.JSON201 == nil {
		t.Fatalf("second report: %s", r.Body)
	}
	if n := f.count(`SELECT count(*) FROM arrets WHERE equipement_id = $1`, machine); n != 1 {
		t.Fatalf("%d downtime records after two reports", n)
	}

	// Only a corrective intervention reports a breakdown; a retired machine cannot break down.
	bad := create(f.resp, api.InterventionTypePreventive, machine)
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "equipement_en_panne")
	retired := f.machine(&f.company, nil)
	f.exec(`UPDATE equipements SET statut = 'retire' WHERE id = $1`, retired)
	bad = create(f.resp, api.InterventionTypeCorrective, retired)
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "equipement_en_panne")
	if n := f.count(`SELECT count(*) FROM interventions WHERE equipement_id = $1`, retired); n != 0 {
		t.Fatalf("a refused report left %d interventions", n)
	}

	// The work: assigned, started, closed.
	act := func(a api.InterventionAction, token string, in api.InterventionActionInput) {
		t.Helper()
		r, err := env.Client.ApplyInterventionActionWithResponse(ctx, iv, a, nil, in, testenv.As(token))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("%s: %v %d %s", a, err, r.StatusCode(), r.Body)
		}
	}
	act(api.InterventionActionAssign, f.resp, api.InterventionActionInput{TechnicienId: &f.techID})
	act(api.InterventionActionStart, f.tech, api.InterventionActionInput{})
	if s := statut(machine); s != "panne" {
		t.Fatalf("machine %s during the work, want panne", s)
	}
	act(api.InterventionActionClose, f.tech, api.InterventionActionInput{Rapport: ptrTo("Clapet remplacé")})
	if s := statut(machine); s != "operationnel" {
		t.Fatalf("machine %s after closing, want operationnel", s)
	}
	arrets = list(f.resp, machine)
	if len(arrets) != 1 || arrets[0].Fin == nil || !arrets[0].Fin.After(arrets[0].Debut) || arrets[0].DureeMinutes == nil {
		t.Fatalf("downtime after closing: %+v", arrets)
	}
	var closed time.Time
	f.env.Pool.QueryRow(ctx, `SELECT date_cloture FROM interventions WHERE id = $1`, iv).Scan(&closed)
	if d := arrets[0].Fin.Sub(closed); d < -time.Second || d > time.Second {
		t.Errorf("downtime ends at %s, the intervention closed at %s", arrets[0].Fin, closed)
	}

	h, err := env.Client.ListEquipementStatutsWithResponse(ctx, machine, nil, testenv.As(f.client))
	if err != nil || h.JSON200 == nil || h.Headers200.XTotalCount != 2 {
		t.Fatalf("history: %v %s", err, h.Body)
	}
	last, first := (*h.JSON200)[0], (*h.JSON200)[1]
	if first.StatutAvant == nil || *first.StatutAvant != "operationnel" || first.StatutApres != "panne" ||
		first.Source != api.EquipementStatutChangeSourceIntervention || *first.InterventionId != iv || *first.UserId != f.id(`SELECT id FROM users WHERE username = 'client'`) {
		t.Errorf("first change %+v", first)
	}
	if *last.StatutAvant != "panne" || last.StatutApres != "operationnel" || *last.InterventionId != iv || *last.UserId != f.techUserID {
		t.Errorf("last change %+v", last)
	}
	if _, err := f.env.Pool.Exec(ctx, `UPDATE equipements_statuts SET statut_apres = 'retire' WHERE equipement_id = $1`, machine); err == nil {
		t.Error("the status history was edited")
	}
	if _, err := f.env.Pool.Exec(ctx, `DELETE FROM equipements_statuts WHERE equipement_id = $1`, machine); err == nil {
		t.Error("the status history was deleted")
	}
}

// TestMachineStatutDrivesDowntime: PATCH of a machine's statut opens and ends downtime, kept
// in its history with who changed it.
func TestMachineStatutDrivesDowntime(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	c, err := env.Client.CreateEquipementWithResponse(ctx, nil, api.EquipementCreate{Nom: "Presse P-12", Type: "presse",
		Localisation: "Atelier A"}, testenv.As(f.resp))
	if err != nil || c.JSON201 == nil {
		t.Fatalf("machine: %v %s", err, c.Body)
	}
	machine := c.JSON201.Id
	set := func(s api.EquipementStatut) {
		t.Helper()
		r, err := env.Client.UpdateEquipementWithResponse(ctx, machine, nil, api.EquipementUpdate{Statut: &s}, testenv.As(f.resp))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("statut %s: %v %s", s, err, r.Body)
		}
	}
	set(api.EquipementStatutMaintenance)
	set(api.EquipementStatutPanne) // still stopped: the same record
	set(api.EquipementStatutOperationnel)
	set(api.EquipementStatutPanne)
	r, err := env.Client.ListArretsWithResponse(ctx, machine, nil, testenv.As(f.resp))
	if err != nil || r.JSON200 == nil || len(*r.JSON200) != 2 {
		t.Fatalf("downtime: %v %s", err, r.Body)
	}
	open, ended := (*r.JSON200)[0], (*r.JSON200)[1]
	if ended.Motif != api.MotifArretPreventif || ended.Fin == nil || open.Motif != api.MotifArretPanne || open.Fin != nil ||
		open.InterventionId != nil || *open.CreatedBy != f.id(`SELECT id FROM users WHERE username = 'responsable'`) {
		t.Errorf("downtime %+v", *r.JSON200)
	}
	h, err := env.Client.ListEquipementStatutsWithResponse(ctx, machine, &api.ListEquipementStatutsParams{Limit: ptrTo(2)}, testenv.As(f.tech))
	if err != nil || h.JSON200 == nil || h.Headers200.XTotalCount != 5 || len(*h.JSON200) != 2 {
		t.Fatalf("history: %v %s", err, h.Body)
	}
	all, _ := env.Client.ListEquipementStatutsWithResponse(ctx, machine, nil, testenv.As(f.resp))
	var path []string
	for _, s := range *all.JSON200 {
		path = append([]string{string(s.StatutApres) + "/" + string(s.Source)}, path...)
	}
	if got := strings.Join(path, " "); got != "operationnel/creation maintenance/manuel panne/manuel operationnel/manuel panne/manuel" {
		t.Errorf("history %s", got)
	}
}

// TestDowntimeRecords: manual records by managers and by a technicien working on the machine,
// overlaps refused (also under concurrency), corrections, deletion, filters, and who reads.
func TestDowntimeRecords(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	machine := f.machine(&f.company, nil)
	other := f.machine(&f.company, nil)
	otherIv := f.insert("en_cours", other, &f.techID)
	hours := func(h int) time.Time {
		return time.Now().UTC().Truncate(time.Minute).Add(time.Duration(-h) * time.Hour)
	}
	post := func(token string, in api.ArretCreate) *api.CreateArretResponse {
		t.Helper()
		r, err := env.Client.CreateArretWithResponse(ctx, machine, in, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := post(f.resp, api.ArretCreate{Debut: hours(48), Fin: ptrTo(hours(45)), Motif: api.MotifArretExterne,
		Commentaire: ptrTo("Coupure de courant")})
	if first.JSON201 == nil || *first.JSON201.DureeMinutes != 180 || first.JSON201.Source != api.ArretSourceManuel {
		t.Fatalf("record: %d %s", first.StatusCode(), first.Body)
	}
	a := *first.JSON201

	t.Run("bad input", func(t *testing.T) {
		r := post(f.resp, api.ArretCreate{Debut: hours(46), Fin: ptrTo(hours(44)), Motif: api.MotifArretAutre})
		p := stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict, "debut")
		if p.Detail == nil || !strings.Contains(*p.Detail, "l'arrêt ") {
			t.Errorf("overlap problem %+v", p)
		}
		r = post(f.resp, api.ArretCreate{Debut: hours(-2), Motif: api.MotifArretAutre})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "debut")
		r = post(f.resp, api.ArretCreate{Debut: hours(10), Fin: ptrTo(hours(11)), Motif: api.MotifArretAutre})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "fin")
		r = post(f.resp, api.ArretCreate{Debut: hours(10), Fin: ptrTo(hours(9)), Motif: api.MotifArretPanne, InterventionId: &otherIv})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "intervention_id")
		r, err := env.Client.CreateArretWithResponse(ctx, machine, api.ArretCreate{Debut: hours(10), Motif: "vacances"},
			testenv.As(f.resp), testenv.InvalidOnPurpose)
		if err != nil {
			t.Fatal(err)
		}
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "motif")
		raw, err := env.Client.CreateArretWithBodyWithResponse(ctx, machine, "application/json",
			strings.NewReader(`{"debut":"2026-11-01T08:00:00Z","motif":"autre","commentaire":"a\u0000b"}`), testenv.As(f.resp))
		if err != nil {
			t.Fatal(err)
		}
		stockProblem(t, raw.StatusCode(), raw.Body, http.StatusUnprocessableEntity, "commentaire")
		if n := f.count(`SELECT count(*) FROM arrets WHERE equipement_id = $1`, machine); n != 1 {
			t.Errorf("%d records after refusals", n)
		}
	})
	t.Run("who records and reads", func(t *testing.T) {
		r := post(f.tech, api.ArretCreate{Debut: hours(30), Fin: ptrTo(hours(29)), Motif: api.MotifArretPanne})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden) // no work on this machine yet
		r = post(f.client, api.ArretCreate{Debut: hours(30), Fin: ptrTo(hours(29)), Motif: api.MotifArretPanne})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden)
		work := f.insert("en_cours", machine, &f.techID)
		r = post(f.tech, api.ArretCreate{Debut: hours(30), Fin: ptrTo(hours(29)), Motif: api.MotifArretPanne, InterventionId: &work})
		if r.JSON201 == nil || *r.JSON201.CreatedBy != f.techUserID || *r.JSON201.InterventionId != work {
			t.Fatalf("the technicien at work records: %d %s", r.StatusCode(), r.Body)
		}
		if u, _ := env.Client.UpdateArretWithResponse(ctx, r.JSON201.Id, api.ArretUpdate{Motif: ptrTo(api.MotifArretAutre)},
			testenv.As(f.tech)); u.StatusCode() != http.StatusForbidden {
			t.Errorf("a technicien corrects: %d", u.StatusCode())
		}
		l, err := env.Client.ListArretsWithResponse(ctx, machine, nil, testenv.As(f.client))
		if err != nil || l.JSON200 == nil || l.Headers200.XTotalCount != 2 {
			t.Fatalf("the client reads its machine's downtime: %v %s", err, l.Body)
		}
		_, otherClient := f.clientAccount()
		if l, _ := env.Client.ListArretsWithResponse(ctx, machine, nil, testenv.As(otherClient)); l.StatusCode() != http.StatusNotFound {
			t.Errorf("another client reads the downtime: %d", l.StatusCode())
		}
		if l, _ := env.Client.ListEquipementStatutsWithResponse(ctx, machine, nil, testenv.As(otherClient)); l.StatusCode() != http.StatusNotFound {
			t.Errorf("another client reads the history: %d", l.StatusCode())
		}
	})
	t.Run("corrections", func(t *testing.T) {
		u, err := env.Client.UpdateArretWithResponse(ctx, a.Id, api.ArretUpdate{Fin: nullable.NewNullableWithValue(hours(46)),
			Commentaire: nullable.NewNullNullable[string]()}, testenv.As(f.resp))
		if err != nil || u.JSON200 == nil || *u.JSON200.DureeMinutes != 120 || u.JSON200.Commentaire != nil {
			t.Fatalf("correct: %v %s", err, u.Body)
		}
		// Reopening it would overlap the records after it.
		u, _ = env.Client.UpdateArretWithResponse(ctx, a.Id, api.ArretUpdate{Fin: nullable.NewNullNullable[time.Time]()}, testenv.As(f.resp))
		stockProblem(t, u.StatusCode(), u.Body, http.StatusConflict, "debut")
		u, _ = env.Client.UpdateArretWithResponse(ctx, a.Id, api.ArretUpdate{Debut: ptrTo(hours(40))}, testenv.As(f.resp))
		stockProblem(t, u.StatusCode(), u.Body, http.StatusUnprocessableEntity, "fin")
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'arret.corrige' AND details->>'arret_id' = ($1::bigint)::text`, a.Id); n != 1 {
			t.Errorf("%d audit entries of the correction", n)
		}
	})
	t.Run("window and reason filters", func(t *testing.T) {
		l, err := env.Client.ListArretsWithResponse(ctx, machine, &api.ListArretsParams{Depuis: ptrTo(hours(47)),
			JusquA: ptrTo(hours(40))}, testenv.As(f.resp))
		if err != nil || l.JSON200 == nil || l.Headers200.XTotalCount != 1 || (*l.JSON200)[0].Id != a.Id {
			t.Fatalf("window: %v %s", err, l.Body)
		}
		l, _ = env.Client.ListArretsWithResponse(ctx, machine, &api.ListArretsParams{Motif: ptrTo(api.MotifArretPanne)}, testenv.As(f.resp))
		if l.JSON200 == nil || l.Headers200.XTotalCount != 1 || (*l.JSON200)[0].Motif != api.MotifArretPanne {
			t.Fatalf("reason: %s", l.Body)
		}
	})
	t.Run("concurrent overlapping records: one lands", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := range 10 {
			wg.Go(func() {
				r, err := env.Client.CreateArretWithResponse(ctx, machine, api.ArretCreate{Debut: hours(20).Add(time.Duration(i) * time.Minute),
					Fin: ptrTo(hours(18)), Motif: api.MotifArretAutre}, testenv.As(f.resp))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				codes[r.StatusCode()]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes[http.StatusCreated] != 1 || codes[http.StatusConflict] != 9 {
			t.Fatalf("answers %v", codes)
		}
	})
	t.Run("deletion", func(t *testing.T) {
		if d, _ := env.Client.DeleteArretWithResponse(ctx, a.Id, testenv.As(f.tech)); d.StatusCode() != http.StatusForbidden {
			t.Errorf("a technicien deletes: %d", d.StatusCode())
		}
		d, err := env.Client.DeleteArretWithResponse(ctx, a.Id, testenv.As(f.resp))
		if err != nil || d.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
		}
		if d, _ := env.Client.DeleteArretWithResponse(ctx, a.Id, testenv.As(f.resp)); d.StatusCode() != http.StatusNotFound {
			t.Errorf("delete twice: %d", d.StatusCode())
		}
	})
}
