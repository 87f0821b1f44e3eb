package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestDispatchSuggestionsAndAutoAssign: the technicians are ranked by the contract's table for
// an intervention whose plan needs a competence; an automatic assignment takes the best one who
// is not on leave.
func TestDispatchSuggestionsAndAutoAssign(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	machine := f.machine(&f.company, nil)
	hydro := f.id(`INSERT INTO competences (nom) VALUES ('hydraulique dispatch') RETURNING id`)
	plan := f.id(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date, modele_duree_minutes)
		VALUES ($1, 'mensuel', current_date, current_date, 90) RETURNING id`, machine)
	f.exec(`INSERT INTO planning_competences (planning_id, competence_id) VALUES ($1, $2)`, plan, hydro)
	iv := f.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, planning_id, occurrence, date_limite)
		SELECT 'Contrôle hydraulique', 'preventive', 'ouverte', e.id, e.client_id, $2, current_date, now() + interval '3 hours'
		FROM equipements e WHERE e.id = $1 RETURNING id`, machine, plan)

	expert := f.profile("Expert Hydraulique", "disponible", 0)
	f.exec(`INSERT INTO technicien_competences (technicien_id, competence_id, niveau) VALUES ($1, $2, 'expert')`, expert, hydro)
	for range 2 { // closed work on this machine
		f.exec(`UPDATE interventions SET technicien_id = $2, statut = 'cloturee' WHERE id = $1`, f.insert("ouverte", machine, nil), expert)
	}
	onLeave := f.profile("En Congé", "conge", 0)
	f.exec(`INSERT INTO technicien_competences (technicien_id, competence_id, niveau) VALUES ($1, $2, 'expert')`, onLeave, hydro)
	busy := f.profile("Très Chargé", "disponible", 0)
	f.exec(`INSERT INTO technicien_competences (technicien_id, competence_id, niveau) VALUES ($1, $2, 'debutant')`, busy, hydro)
	for range 3 {
		f.insert("en_cours", f.machine(&f.company, nil), &busy) // 3 x 120 min, more than the 3 h left
	}
	// Working hours that never match (the clock would make the test depend on the time of day):
	// the expert is on call, the others get no points for hours.
	f.exec(`UPDATE techniciens SET horaires_travail = 'sur appel', astreinte = (id = $1)`, expert)

	r, err := env.Client.ListInterventionSuggestionsWithResponse(ctx, iv, nil, testenv.As(f.resp))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("suggestions: %v %d %s", err, r.StatusCode(), r.Body)
	}
	byID := map[int64]api.Suggestion{}
	for _, s := range *r.JSON200 {
		byID[s.TechnicienId] = s
	}
	e, l, b := byID[expert], byID[onLeave], byID[busy]
	if e.Details.Competences != 30 || e.Details.Disponibilite != 25 || e.Details.Machine != 10 || e.Details.Charge != 25 ||
		e.Details.Horaires != 8 || e.Score != 98 || e.InterventionsOuvertes != 0 {
		t.Errorf("expert %+v", e)
	}
	if l.Details.Disponibilite != 0 || l.Details.Horaires != 0 || l.Score != 55 {
		t.Errorf("on leave %+v", l)
	}
	if b.Details.Competences != 15 || b.Details.Echeance != -15 || b.ChargeMinutes != 360 || b.InterventionsOuvertes != 3 {
		t.Errorf("busy %+v", b)
	}
	if (*r.JSON200)[0].TechnicienId != expert {
		t.Errorf("first %+v, want the expert", (*r.JSON200)[0])
	}
	for i := 1; i < len(*r.JSON200); i++ {
		if (*r.JSON200)[i].Score > (*r.JSON200)[i-1].Score {
			t.Fatalf("not ranked: %+v", *r.JSON200)
		}
	}
	if r, _ := env.Client.ListInterventionSuggestionsWithResponse(ctx, iv, &api.ListInterventionSuggestionsParams{Limit: ptrTo(2)},
		testenv.As(f.resp)); r.JSON200 == nil || len(*r.JSON200) != 2 {
		t.Errorf("limit 2: %s", r.Body)
	}
	for _, tok := range []string{f.tech, f.client} {
		if r, _ := env.Client.ListInterventionSuggestionsWithResponse(ctx, iv, nil, testenv.As(tok)); r.StatusCode() != http.StatusForbidden {
			t.Errorf("suggestions for a non-manager: %d", r.StatusCode())
		}
	}
	if r, _ := env.Client.ListInterventionSuggestionsWithResponse(ctx, 999999, nil, testenv.As(f.resp)); r.StatusCode() != http.StatusNotFound {
		t.Errorf("unknown intervention: %d", r.StatusCode())
	}

	// Automatic assignment: the expert; auto with a technician, or on another action, is refused.
	act := func(a api.InterventionAction, in api.InterventionActionInput) *api.ApplyInterventionActionResponse {
		t.Helper()
		r, err := env.Client.ApplyInterventionActionWithResponse(ctx, iv, a, nil, in, testenv.As(f.resp))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	bad := act(api.InterventionActionAssign, api.InterventionActionInput{Auto: ptrTo(true), TechnicienId: &busy})
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "auto")
	bad = act(api.InterventionActionStart, api.InterventionActionInput{Auto: ptrTo(true)})
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "auto")
	a := act(api.InterventionActionAssign, api.InterventionActionInput{Auto: ptrTo(true)})
	if a.JSON200 == nil || a.JSON200.Intervention.TechnicienId == nil || *a.JSON200.Intervention.TechnicienId != expert ||
		a.JSON200.Intervention.Statut != api.InterventionStatutAffectee {
		t.Fatalf("auto assign: %d %s", a.StatusCode(), a.Body)
	}
	// Nobody available: 409.
	f.exec(`UPDATE techniciens SET disponibilite = 'conge'`)
	other := f.insert("ouverte", machine, nil)
	r2, err := env.Client.ApplyInterventionActionWithResponse(ctx, other, api.InterventionActionAssign, nil,
		api.InterventionActionInput{Auto: ptrTo(true)}, testenv.As(f.resp))
	if err != nil {
		t.Fatal(err)
	}
	stockProblem(t, r2.StatusCode(), r2.Body, http.StatusConflict)
}

// TestWorkloadBoard: capacity from the working hours on weekdays (none on leave), open work on
// its deadline's day, planned work on the occurrences of the plans that assign the technician.
func TestWorkloadBoard(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, ctx := f.env, t.Context()
	machine := f.machine(&f.company, nil)
	tech := f.profile("Charge Matin", "disponible", 0)
	f.exec(`UPDATE techniciens SET horaires_travail = '08:00-12:00' WHERE id = $1`, tech)
	away := f.profile("Charge Congé", "conge", 0)
	// A Monday two weeks ahead, so the week is whole and in the future.
	monday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 14)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	day := func(k int) time.Time { return monday.AddDate(0, 0, k) }
	iv := f.insert("affectee", machine, &tech)
	f.exec(`UPDATE interventions SET date_limite = $2 WHERE id = $1`, iv, day(1).Add(10*time.Hour)) // Tuesday: 120 min
	f.exec(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date, modele_duree_minutes, modele_technicien_id)
		VALUES ($1, 'journalier', $2, $2, 60, $3)`, machine, day(2), tech) // every day from Wednesday: 60 min

	from, to := day(0), day(6)
	r, err := env.Client.GetTechniciensChargeWithResponse(ctx, &api.GetTechniciensChargeParams{
		From: &openapi_types.Date{Time: from}, To: &openapi_types.Date{Time: to}}, testenv.As(f.resp))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("board: %v %d %s", err, r.StatusCode(), r.Body)
	}
	rows := map[int64]api.ChargeTechnicien{}
	for _, c := range *r.JSON200 {
		rows[c.TechnicienId] = c
	}
	got := rows[tech].Jours
	if len(got) != 7 {
		t.Fatalf("days %+v", got)
	}
	want := []struct{ capacite, ouvertes, planifiees, pourcent int }{
		{240, 0, 0, 0}, {240, 120, 0, 50}, {240, 0, 60, 25}, {240, 0, 60, 25}, {240, 0, 60, 25}, {0, 0, 60, -1}, {0, 0, 60, -1},
	}
	for k, w := range want {
		g := got[k]
		pct := -1
		if g.ChargePourcent != nil {
			pct = *g.ChargePourcent
		}
		if !g.Date.Time.Equal(day(k)) || g.CapaciteMinutes != w.capacite || g.OuvertesMinutes != w.ouvertes ||
			g.PlanifieesMinutes != w.planifiees || pct != w.pourcent {
			t.Errorf("day %d: %+v (%d%%), want %+v", k, g, pct, w)
		}
	}
	for _, d := range rows[away].Jours {
		if d.CapaciteMinutes != 0 || d.ChargePourcent != nil {
			t.Errorf("on leave: %+v", d)
		}
	}
	bad, _ := env.Client.GetTechniciensChargeWithResponse(ctx, &api.GetTechniciensChargeParams{
		From: &openapi_types.Date{Time: from}, To: &openapi_types.Date{Time: from.AddDate(0, 0, 31)}}, testenv.As(f.resp))
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "to")
	bad, _ = env.Client.GetTechniciensChargeWithResponse(ctx, &api.GetTechniciensChargeParams{
		From: &openapi_types.Date{Time: from}, To: &openapi_types.Date{Time: from.AddDate(0, 0, -1)}}, testenv.As(f.resp))
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "to")
	if r, _ := env.Client.GetTechniciensChargeWithResponse(ctx, nil, testenv.As(f.tech)); r.StatusCode() != http.StatusForbidden {
		t.Errorf("board for a technicien: %d", r.StatusCode())
	}
}
