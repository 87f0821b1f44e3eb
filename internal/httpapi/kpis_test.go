package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// kpiWork is an intervention of the KPI fixture, written with its own dates.
type kpiWork struct {
	typ, statut                string
	machine                    int64
	tech                       *int64
	created                    time.Time
	debut, cloture, limite     *time.Time
	satisfaction               *int
	pieces, mainOeuvre, autres int64
	plan                       *int64
	occurrence                 *time.Time
}

func (f *ivFixture) kpiWork(w kpiWork) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, contrat_id,
			technicien_id, date_creation, date_debut_travaux, date_fin_travaux, date_cloture, date_limite,
			satisfaction_client, cout_pieces, cout_main_oeuvre, cout_autres, planning_id, occurrence)
		SELECT 'KPI', $1::intervention_type, $2::intervention_statut, e.id, e.client_id, e.contrat_id,
			$4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14::date
		FROM equipements e WHERE e.id = $3 RETURNING id`,
		w.typ, w.statut, w.machine, w.tech, w.created, w.debut, w.cloture, w.limite, w.satisfaction,
		w.pieces, w.mainOeuvre, w.autres, w.plan, w.occurrence)
}

// mar is a time of March 2026 (UTC).
func mar(d, h int) time.Time { return time.Date(2026, time.March, d, h, 0, 0, 0, time.UTC) }

// kpiFixture writes the hand-computed scenario of TestKpisMatchTheHandComputedFixture.
type kpiFixture struct {
	*ivFixture
	m1, m2, m4, other int64
}

func newKpiFixture(t *testing.T) *kpiFixture {
	return newKpiFixtureOn(t, testenv.NewEnv(t, pg, nil))
}

func newKpiFixtureOn(t *testing.T, env *testenv.Env) *kpiFixture {
	f := &kpiFixture{ivFixture: newIvFixtureOn(t, env)}
	k := f.contrat(f.company, [4]*int{})
	f.other, _ = f.clientAccount()
	f.m1 = f.machine(&f.company, &k)
	f.m2 = f.machine(nil, nil)
	f.m4 = f.machine(&f.other, nil)
	m3 := f.machine(nil, nil)
	f.exec(`UPDATE equipements SET date_mise_en_service = '2025-01-01' WHERE id = $1`, f.m1)
	f.exec(`UPDATE equipements SET date_mise_en_service = '2026-03-06' WHERE id = $1`, f.m2)
	f.exec(`UPDATE equipements SET date_mise_en_service = '2020-01-01' WHERE id = $1`, f.m4)
	f.exec(`UPDATE equipements SET statut = 'retire', date_mise_en_service = '2020-01-01' WHERE id = $1`, m3)
	// Downtime: cut by the window's start, by a week boundary, by the window's end, still open;
	// one of a retired machine (left out).
	for _, a := range []struct {
		m     int64
		debut time.Time
		fin   *time.Time
		motif string
	}{
		{f.m1, time.Date(2026, 2, 28, 22, 0, 0, 0, time.UTC), ptrTo(mar(1, 2)), "panne"},
		{f.m1, mar(8, 20), ptrTo(mar(9, 4)), "panne"},
		{f.m1, mar(10, 12), ptrTo(mar(12, 0)), "preventif"},
		{f.m2, mar(7, 10), nil, "panne"},
		{m3, mar(2, 0), ptrTo(mar(3, 0)), "panne"},
	} {
		f.exec(`INSERT INTO arrets (equipement_id, debut, fin, motif) VALUES ($1, $2, $3, $4::motif_arret)`, a.m, a.debut, a.fin, a.motif)
	}
	monthly := f.id(`INSERT INTO plannings (equipement_id, frequence, statut, date_reference, modele_duree_minutes)
		VALUES ($1, 'mensuel', 'suspendu', '2026-01-06', 90) RETURNING id`, f.m1)
	weekly := f.id(`INSERT INTO plannings (equipement_id, frequence, statut, date_reference)
		VALUES ($1, 'hebdomadaire', 'suspendu', '2026-01-07') RETURNING id`, f.m1)
	tech := &f.techID
	i1 := f.kpiWork(kpiWork{typ: "corrective", statut: "cloturee", machine: f.m1, tech: tech, created: mar(2, 8),
		debut: ptrTo(mar(2, 10)), cloture: ptrTo(mar(3, 8)), limite: ptrTo(mar(4, 0)), satisfaction: ptrTo(5),
		pieces: 10000, mainOeuvre: 6000})
	i2 := f.kpiWork(kpiWork{typ: "corrective", statut: "cloturee", machine: f.m2, tech: tech, created: mar(5, 9),
		debut: ptrTo(mar(5, 13)), cloture: ptrTo(mar(9, 12)), limite: ptrTo(mar(8, 0)), satisfaction: ptrTo(3),
		mainOeuvre: 3000, autres: 2500})
	i3 := f.kpiWork(kpiWork{typ: "preventive", statut: "cloturee", machine: f.m1, created: time.Date(2026, 2, 20, 8, 0, 0, 0, time.UTC),
		debut: ptrTo(mar(6, 9)), cloture: ptrTo(mar(6, 12)), limite: ptrTo(mar(6, 0)), pieces: 4000,
		plan: &monthly, occurrence: ptrTo(mar(6, 0))})
	i4 := f.kpiWork(kpiWork{typ: "preventive", statut: "archivee", machine: f.m1, created: mar(1, 6),
		debut: ptrTo(mar(1, 7)), cloture: ptrTo(mar(7, 0)), limite: ptrTo(mar(8, 0))})
	f.kpiWork(kpiWork{typ: "preventive", statut: "ouverte", machine: f.m2, created: mar(3, 0), limite: ptrTo(mar(9, 0))})
	f.kpiWork(kpiWork{typ: "corrective", statut: "annulee", machine: f.m1, created: mar(4, 0)})
	f.kpiWork(kpiWork{typ: "diagnostic", statut: "cloturee", machine: f.m2, created: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		cloture: ptrTo(mar(10, 10)), autres: 1000})
	f.kpiWork(kpiWork{typ: "corrective", statut: "cloturee", machine: f.m1, created: mar(12, 0), cloture: ptrTo(mar(12, 5)), pieces: 7000})
	f.kpiWork(kpiWork{typ: "corrective", statut: "affectee", machine: f.m4, created: mar(3, 0), pieces: 99900})
	f.kpiWork(kpiWork{typ: "preventive", statut: "cloturee", machine: f.m1, created: time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC),
		cloture: ptrTo(mar(4, 20)), limite: ptrTo(mar(4, 0)), plan: &weekly, occurrence: ptrTo(mar(4, 0))})
	f.kpiWork(kpiWork{typ: "preventive", statut: "cloturee", machine: f.m1, created: mar(9, 8), debut: ptrTo(mar(9, 10)),
		cloture: ptrTo(mar(9, 18)), satisfaction: ptrTo(4), mainOeuvre: 500, plan: &monthly, occurrence: ptrTo(mar(9, 0))})
	// Open work of today, by age (the backlog is measured now).
	now := time.Now().UTC()
	f.kpiWork(kpiWork{typ: "corrective", statut: "ouverte", machine: f.m2, created: now.Add(-2 * 24 * time.Hour),
		plan: &monthly, occurrence: ptrTo(now)})
	f.kpiWork(kpiWork{typ: "corrective", statut: "en_attente", machine: f.m2, tech: tech, created: now.Add(-20 * 24 * time.Hour)})
	f.kpiWork(kpiWork{typ: "corrective", statut: "en_cours", machine: f.m2, tech: tech, created: now.Add(-60 * 24 * time.Hour)})
	// Labour: in the window on corrective and planned work, one before it, one cancelled.
	for _, e := range []struct {
		iv      int64
		debut   time.Time
		minutes int
		annulee bool
	}{{i1, mar(2, 10), 120, false}, {i4, mar(1, 7), 60, false}, {i3, mar(6, 9), 180, false},
		{i2, time.Date(2026, 2, 27, 8, 0, 0, 0, time.UTC), 90, false}, {i1, mar(2, 12), 500, true}} {
		f.exec(`INSERT INTO interventions_temps (intervention_id, technicien_id, debut, minutes, taux_horaire, montant, user_id, annulee_at)
			VALUES ($1, $2, $3, $4, 6000, $4 * 100, $5, CASE WHEN $6 THEN now() END)`, e.iv, f.techID, e.debut, e.minutes, f.adminID, e.annulee)
	}
	// The crew: the demo technicien 8 hours a day; one on leave does not count.
	f.exec(`UPDATE techniciens SET horaires_travail = '08:00-16:00' WHERE id = $1`, f.techID)
	f.profile("En congé", "conge", 0)
	return f
}

func (f *kpiFixture) kpis(token string, p api.GetKpisParams, editors ...api.RequestEditorFn) *api.GetKpisResponse {
	f.t.Helper()
	r, err := f.env.Client.GetKpisWithResponse(f.t.Context(), &p, append([]api.RequestEditorFn{testenv.As(token)}, editors...)...)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func marchWindow(p api.GetKpisParams) api.GetKpisParams {
	p.From = &openapi_types.Date{Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	p.To = &openapi_types.Date{Time: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}
	if p.Granularite == nil {
		p.Granularite = ptrTo(api.KpiGranulariteSemaine)
	}
	return p
}

func wantFigure[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantRatio(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %v", what, fmtPtr(got), want)
	}
}

func fmtPtr(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

// TestKpisMatchTheHandComputedFixture: every figure of GET /kpis against numbers computed by
// hand from the fixture above (2026-03-01..10 by weeks: Sun 1 | Mon 2..Sun 8 | Mon 9..Tue 10).
func TestKpisMatchTheHandComputedFixture(t *testing.T) {
	t.Parallel()
	f := newKpiFixture(t)

	r := f.kpis(f.resp, marchWindow(api.GetKpisParams{}))
	if r.JSON200 == nil {
		t.Fatalf("%d %s", r.StatusCode(), r.Body)
	}
	k := r.JSON200
	wantFigure(t, "from", k.From.String(), "2026-03-01")
	wantFigure(t, "regle_pm", k.ReglePm, api.KpiReglePmEcheance)

	// Machines m1 (14 400 min), m2 (in service on 03-06: 7 200), m4 (14 400); downtime 120 + 480
	// + 720 (m1) + 5 160 (m2, open) = 6 480; availability 29 520 / 36 000; MTBF 492 h / 2
	// failures (m1's 03-08, m2's 03-07); MTTR (4 h + 8 h) / 2 restorations.
	e := k.Equipements
	wantFigure(t, "equipements", e.Equipements, 3)
	wantFigure(t, "temps_minutes", e.TempsMinutes, int64(36000))
	wantFigure(t, "arret_minutes", e.ArretMinutes, int64(6480))
	wantFigure(t, "panne_minutes", e.PanneMinutes, int64(5760))
	wantRatio(t, "disponibilite", e.DisponibilitePourcent, 82)
	wantFigure(t, "pannes", e.Pannes, 2)
	wantRatio(t, "mtbf", e.MtbfHeures, 246)
	wantFigure(t, "reparations", e.Reparations, 2)
	wantRatio(t, "mttr", e.MttrHeures, 6)
	if len(k.TopArrets) != 2 || k.TopArrets[0].EquipementId != f.m2 || k.TopArrets[0].ArretMinutes != 5160 ||
		k.TopArrets[1].EquipementId != f.m1 || k.TopArrets[1].ArretMinutes != 1320 || k.TopArrets[1].Pannes != 1 {
		t.Errorf("top_arrets %+v", k.TopArrets)
	}

	// Created in the window: 4 corrective (one cancelled, one of the other company) and 3
	// preventive; first response 2 + 4 + 1 + 2 h over 4 started; closed: 7, 5 with a deadline of
	// which 2 on time; ratings 5, 3, 4.
	iv := k.Interventions
	wantFigure(t, "creees", iv.Creees, 7)
	wantFigure(t, "correctives", iv.Correctives, 4)
	wantFigure(t, "preventives", iv.Preventives, 3)
	wantRatio(t, "reactif", iv.ReactifPourcent, 57.14)
	wantFigure(t, "mtta_n", iv.MttaN, 4)
	wantRatio(t, "mtta", iv.MttaHeures, 2.25)
	wantFigure(t, "cloturees", iv.Cloturees, 7)
	wantFigure(t, "sla_n", iv.SlaN, 5)
	wantFigure(t, "sla_respectees", iv.SlaRespectees, 2)
	wantRatio(t, "sla", iv.SlaPourcent, 40)
	wantFigure(t, "satisfaction_n", iv.SatisfactionN, 3)
	wantRatio(t, "satisfaction_moyenne", iv.SatisfactionMoyenne, 4)
	wantRatio(t, "satisfaction", iv.SatisfactionPourcent, 66.67)

	// Preventive work due: 03-06 (closed 12 h late, monthly plan), 03-08 (on time), 03-09 (open),
	// 03-04 (closed 20 h late, weekly plan), the 03-09 occurrence (due 03-10, on time).
	// Labour: 120 + 60 + 180 min in the window, 240 on planned work.
	pm := k.Preventif
	wantFigure(t, "dues", pm.Dues, 5)
	wantFigure(t, "a_temps", pm.ATemps, 2)
	wantRatio(t, "conformite", pm.ConformitePourcent, 40)
	wantFigure(t, "heures_totales", pm.HeuresTotales, 6.0)
	wantFigure(t, "heures_planifiees", pm.HeuresPlanifiees, 4.0)
	wantRatio(t, "pmp", pm.PmpPourcent, 66.67)
	for rule, want := range map[api.KpiReglePm]float64{api.KpiReglePmJour: 80, api.KpiReglePmDixPourcent: 60} {
		r := f.kpis(f.resp, marchWindow(api.GetKpisParams{ReglePm: &rule}))
		if r.JSON200 == nil {
			t.Fatalf("%s: %d %s", rule, r.StatusCode(), r.Body)
		}
		wantRatio(t, "conformite "+string(rule), r.JSON200.Preventif.ConformitePourcent, want)
	}

	// Open now: two of March, one of 2, 20 and 60 days ago; 120 min each but 90 for the one of
	// the monthly plan; 40 h a week of crew.
	b := k.Backlog
	wantFigure(t, "ouvertes", b.Ouvertes, 5)
	wantFigure(t, "heures_estimees", b.HeuresEstimees, 9.5)
	wantFigure(t, "capacite_hebdo_heures", b.CapaciteHebdoHeures, 40.0)
	wantRatio(t, "semaines", b.Semaines, 0.24)
	wantFigure(t, "anciennete", b.Anciennete, api.KpiAnciennete{J07: 1, J830: 1, J3190: 1, Plus90: 2})

	// Costs on the closing (else creation) day: m4 99 900, m1 16 000 + 4 000 + 500, m2 5 500 + 1 000.
	c := k.Couts
	if c == nil {
		t.Fatal("no costs for a responsable")
	}
	wantFigure(t, "devise", c.Devise, "MAD")
	wantFigure(t, "cost interventions", c.Interventions, 10)
	wantFigure(t, "pieces", c.Pieces, int64(113900))
	wantFigure(t, "main_oeuvre", c.MainOeuvre, int64(9500))
	wantFigure(t, "autres", c.Autres, int64(3500))
	wantFigure(t, "total", c.Total, int64(126900))
	if len(c.ParMois) != 1 || c.ParMois[0].Mois != "2026-03" || c.ParMois[0].Total != 126900 {
		t.Errorf("par_mois %+v", c.ParMois)
	}
	if len(c.ParEquipement) != 3 || c.ParEquipement[0].Id != f.m4 || c.ParEquipement[0].Total != 99900 ||
		c.ParEquipement[1].Id != f.m1 || c.ParEquipement[1].Total != 20500 || c.ParEquipement[2].Total != 6500 {
		t.Errorf("par_equipement %+v", c.ParEquipement)
	}
	if len(c.ParClient) != 2 || c.ParClient[0].Id != f.other || c.ParClient[1].Id != f.company || c.ParClient[1].Total != 20500 ||
		c.ParClient[1].Nom != "Société ABC" {
		t.Errorf("par_client %+v", c.ParClient)
	}
	if len(c.ParContrat) != 1 || c.ParContrat[0].Total != 20500 {
		t.Errorf("par_contrat %+v", c.ParContrat)
	}

	// The weeks.
	want := []struct {
		creees, cloturees int
		arret, cout       int64
		dispo             float64
	}{{1, 0, 120, 0, 95.83}, {5, 4, 2520, 119900, 89.71}, {1, 3, 3840, 7000, 55.56}}
	if len(k.Serie) != len(want) {
		t.Fatalf("serie %+v", k.Serie)
	}
	for i, w := range want {
		s := k.Serie[i]
		if s.Creees != w.creees || s.Cloturees != w.cloturees || s.ArretMinutes != w.arret || s.CoutTotal == nil ||
			*s.CoutTotal != w.cout || s.DisponibilitePourcent == nil || *s.DisponibilitePourcent != w.dispo {
			t.Errorf("week %d: %+v (cout %v, dispo %v), want %+v", i, s, s.CoutTotal, fmtPtr(s.DisponibilitePourcent), w)
		}
	}
	if k.Serie[2].Debut.String() != "2026-03-09" || k.Serie[2].Fin.String() != "2026-03-10" {
		t.Errorf("last week %s..%s", k.Serie[2].Debut, k.Serie[2].Fin)
	}

	// type narrows the intervention figures, not the machines'.
	corr := api.InterventionTypeCorrective
	r = f.kpis(f.resp, marchWindow(api.GetKpisParams{Type: &corr}))
	if r.JSON200 == nil || r.JSON200.Interventions.Creees != 4 || r.JSON200.Interventions.Preventives != 0 ||
		r.JSON200.Preventif.Dues != 0 || r.JSON200.Equipements.ArretMinutes != 6480 {
		t.Errorf("type=corrective: %d %s", r.StatusCode(), r.Body)
	}
}

// TestKpisAreScopedToTheCaller: a client sees its company's machines, work and costs; a
// technicien its assigned work, every machine, and no costs; filters outside the scope are 404.
func TestKpisAreScopedToTheCaller(t *testing.T) {
	t.Parallel()
	f := newKpiFixture(t)

	r := f.kpis(f.client, marchWindow(api.GetKpisParams{}))
	if r.JSON200 == nil {
		t.Fatalf("client: %d %s", r.StatusCode(), r.Body)
	}
	k := r.JSON200
	// m1 alone: 14 400 min, 1 320 down, one failure starting in the window, two restorations.
	wantFigure(t, "client equipements", k.Equipements.Equipements, 1)
	wantRatio(t, "client disponibilite", k.Equipements.DisponibilitePourcent, 90.83)
	wantRatio(t, "client mtbf", k.Equipements.MtbfHeures, 218)
	wantRatio(t, "client mttr", k.Equipements.MttrHeures, 6)
	wantFigure(t, "client creees", k.Interventions.Creees, 4)
	wantRatio(t, "client reactif", k.Interventions.ReactifPourcent, 50)
	wantRatio(t, "client mtta", k.Interventions.MttaHeures, 1.67)
	wantRatio(t, "client sla", k.Interventions.SlaPourcent, 50)
	wantRatio(t, "client satisfaction", k.Interventions.SatisfactionMoyenne, 4.5)
	wantFigure(t, "client ouvertes", k.Backlog.Ouvertes, 0)
	wantRatio(t, "client semaines", k.Backlog.Semaines, 0)
	if k.Couts == nil || k.Couts.Total != 20500 || len(k.Couts.ParClient) != 1 || k.Couts.ParClient[0].Id != f.company ||
		len(k.Couts.ParEquipement) != 1 || k.Couts.ParEquipement[0].Id != f.m1 {
		t.Errorf("client costs %+v", k.Couts)
	}

	r = f.kpis(f.tech, marchWindow(api.GetKpisParams{}))
	if r.JSON200 == nil {
		t.Fatalf("technicien: %d %s", r.StatusCode(), r.Body)
	}
	k = r.JSON200
	wantFigure(t, "technicien creees", k.Interventions.Creees, 2)
	wantFigure(t, "technicien equipements", k.Equipements.Equipements, 3)
	wantFigure(t, "technicien ouvertes", k.Backlog.Ouvertes, 2)
	if k.Couts != nil || k.Serie[1].CoutTotal != nil {
		t.Errorf("a technicien sees costs: %s", r.Body)
	}

	// Another company's machine or company: not found for the client, fine for a manager.
	for name, p := range map[string]api.GetKpisParams{
		"equipement_id": {EquipementId: &f.m4}, "client_id": {ClientId: &f.other},
	} {
		r := f.kpis(f.client, marchWindow(p))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusNotFound)
		if r := f.kpis(f.resp, marchWindow(p)); r.JSON200 == nil || r.JSON200.Equipements.Equipements != 1 {
			t.Errorf("manager with %s: %d %s", name, r.StatusCode(), r.Body)
		}
	}
	r = f.kpis(f.resp, marchWindow(api.GetKpisParams{EquipementId: &f.m1}))
	if r.JSON200 == nil || r.JSON200.Interventions.Creees != 4 || r.JSON200.Couts.Total != 20500 {
		t.Errorf("equipement_id=m1: %d %s", r.StatusCode(), r.Body)
	}
}

// TestKpisRefuseBadInput: each bad parameter is a 422 naming it.
func TestKpisRefuseBadInput(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := &kpiFixture{ivFixture: newIvFixtureOn(t, env)}
	day := func(y int, m time.Month, d int) *openapi_types.Date {
		return &openapi_types.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	}
	for field, p := range map[string]api.GetKpisParams{
		"to":          {From: day(2026, 3, 2), To: day(2026, 3, 1)},
		"to ":         {From: day(2020, 1, 1), To: day(2025, 1, 1)},
		"granularite": {From: day(2025, 1, 1), To: day(2026, 3, 1), Granularite: ptrTo(api.KpiGranulariteJour)},
	} {
		r := f.kpis(f.resp, p)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, trimSpace(field))
	}
	for field, p := range map[string]api.GetKpisParams{
		"granularite": {Granularite: ptrTo(api.KpiGranularite("heure"))},
		"regle_pm":    {ReglePm: ptrTo(api.KpiReglePm("toujours"))},
		"type":        {Type: ptrTo(api.InterventionType("urgence"))},
	} {
		r := f.kpis(f.resp, p, testenv.InvalidOnPurpose)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, field)
	}
	// Nothing to count: ratios are null, not zero.
	r := f.kpis(f.resp, api.GetKpisParams{})
	if r.JSON200 == nil || r.JSON200.Equipements.DisponibilitePourcent != nil || r.JSON200.Interventions.SlaPourcent != nil ||
		len(r.JSON200.Serie) != 30 || r.JSON200.Granularite != api.KpiGranulariteJour {
		t.Errorf("empty: %d %s", r.StatusCode(), r.Body)
	}
}

func trimSpace(s string) string {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// TestKpisCacheKeepsCostlyFiguresPerScope: with the cache on (every computation costly enough),
// the same request of the same scope gets the kept figures until they expire; another scope or
// another request computes its own.
func TestKpisCacheKeepsCostlyFiguresPerScope(t *testing.T) {
	t.Parallel()
	f := newKpiFixtureOn(t, testenv.NewEnv(t, pg, testenv.Options{"KPI_CACHE_SECONDS": "60", "KPI_CACHE_MIN_MS": "0"}))
	first := f.kpis(f.resp, marchWindow(api.GetKpisParams{}))
	if first.JSON200 == nil || first.JSON200.Interventions.Creees != 7 {
		t.Fatalf("%d %s", first.StatusCode(), first.Body)
	}
	f.kpiWork(kpiWork{typ: "corrective", statut: "ouverte", machine: f.m1, created: mar(5, 5)})
	again := f.kpis(f.resp, marchWindow(api.GetKpisParams{}))
	if again.JSON200 == nil || again.JSON200.Interventions.Creees != 7 || !again.JSON200.CalculeLe.Equal(first.JSON200.CalculeLe) {
		t.Errorf("the same request within the cache's time: %s", again.Body)
	}
	// Another scope is never served a manager's figures; another request computes.
	if r := f.kpis(f.client, marchWindow(api.GetKpisParams{})); r.JSON200 == nil || r.JSON200.Interventions.Creees != 5 {
		t.Errorf("the client: %s", r.Body)
	}
	rule := api.KpiReglePmJour
	if r := f.kpis(f.resp, marchWindow(api.GetKpisParams{ReglePm: &rule})); r.JSON200 == nil || r.JSON200.Interventions.Creees != 8 ||
		!r.JSON200.CalculeLe.After(first.JSON200.CalculeLe) {
		t.Errorf("another request: %s", r.Body)
	}
}
