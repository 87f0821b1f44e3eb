package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// meterPlanFixture is a machine with a cumulative meter and a gauge, and helpers to read them
// and to make plans on them.
type meterPlanFixture struct {
	*ivFixture
	machine, heures, temp int64
}

func newMeterPlanFixture(t *testing.T, env *testenv.Env) *meterPlanFixture {
	t.Helper()
	f := &meterPlanFixture{ivFixture: newIvFixtureOn(t, env)}
	f.machine = f.machine2()
	f.heures = f.id(`INSERT INTO compteurs (equipement_id, nom, unite, type_compteur) VALUES ($1, 'Heures', 'h', 'cumulatif') RETURNING id`, f.machine)
	f.temp = f.id(`INSERT INTO compteurs (equipement_id, nom, unite, type_compteur) VALUES ($1, 'Température', '°C', 'jauge') RETURNING id`, f.machine)
	return f
}

func (f *meterPlanFixture) machine2() int64 { return f.ivFixture.machine(&f.company, nil) }

func (f *meterPlanFixture) read(env *testenv.Env, compteur int64, v float64, at *time.Time) {
	f.t.Helper()
	r, err := env.Client.CreateReleveWithResponse(f.t.Context(), compteur, api.ReleveCreate{Valeur: v, LuLe: at}, testenv.As(f.resp))
	if err != nil || r.JSON201 == nil {
		f.t.Fatalf("reading %v: %v %d %s", v, err, r.StatusCode(), r.Body)
	}
}

func (f *meterPlanFixture) plan(body api.PlanningCreate) *api.CreatePlanningResponse {
	f.t.Helper()
	r, err := f.env.Client.CreatePlanningWithResponse(f.t.Context(), body, testenv.As(f.resp))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *meterPlanFixture) get(id int64) api.Planning {
	f.t.Helper()
	r, err := f.env.Client.GetPlanningWithResponse(f.t.Context(), id, testenv.As(f.resp))
	if err != nil || r.JSON200 == nil {
		f.t.Fatalf("plan %d: %v %s", id, err, r.Body)
	}
	return *r.JSON200
}

func (f *meterPlanFixture) generated(plan int64) int {
	f.t.Helper()
	return f.count(`SELECT count(*) FROM interventions WHERE planning_id = $1`, plan)
}

func meterPlan(machine, compteur int64, c api.PlanningCompteurInput) api.PlanningCreate {
	base := api.PlanningBaseCompteur
	c.CompteurId = compteur
	return api.PlanningCreate{EquipementId: machine, Frequence: "semestriel", Base: &base, Compteur: &c}
}

// TestMeterPlanEveryNUnits: a plan every 500 running hours generates one intervention when a
// reading reaches the next value, with the calendar's defaults and notifications; while it is
// open a crossing only counts as missed; each generation moves the next value on and restarts
// the calendar.
func TestMeterPlanEveryNUnits(t *testing.T) {
	t.Parallel()
	f := newMeterPlanFixture(t, testenv.NewEnv(t, pg, nil))
	f.read(f.env, f.heures, 100, nil)
	r := f.plan(meterPlan(f.machine, f.heures, api.PlanningCompteurInput{Intervalle: ptrTo(500.0)}))
	if r.JSON201 == nil || r.JSON201.Compteur == nil || *r.JSON201.Compteur.Prochain != 600 || r.JSON201.Compteur.Declenchements != 0 ||
		r.JSON201.Base != api.PlanningBaseCompteur {
		t.Fatalf("plan: %d %s", r.StatusCode(), r.Body)
	}
	p := r.JSON201.Id
	f.read(f.env, f.heures, 599.5, nil)
	if n := f.generated(p); n != 0 {
		t.Fatalf("%d interventions below the next value", n)
	}
	f.read(f.env, f.heures, 612, nil)
	if n := f.generated(p); n != 1 {
		t.Fatalf("%d interventions after crossing 600, want 1", n)
	}
	var iv int64
	var desc, typ, statut string
	if err := f.env.Pool.QueryRow(t.Context(), `SELECT id, description, type_intervention::text, statut::text FROM interventions
		WHERE planning_id = $1`, p).Scan(&iv, &desc, &typ, &statut); err != nil {
		t.Fatal(err)
	}
	if typ != "preventive" || statut != "ouverte" || !strings.Contains(desc, "Déclenchée par le relevé du compteur « Heures » : 612 h") {
		t.Errorf("generated %s %s %q", typ, statut, desc)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE intervention_id = $1`, iv); n == 0 {
		t.Error("no notification of the generated intervention")
	}
	got := f.get(p)
	// The generation's day, read back from the database (the test's clock may be past midnight).
	var today time.Time
	if err := f.env.Pool.QueryRow(t.Context(), `SELECT date_creation FROM interventions WHERE id = $1`, iv).Scan(&today); err != nil {
		t.Fatal(err)
	}
	today = today.UTC()
	if *got.Compteur.Prochain != 1112 || got.Compteur.Declenchements != 1 || got.DerniereDate == nil ||
		got.DerniereDate.Format(time.DateOnly) != today.Format(time.DateOnly) ||
		got.ProchaineDate.Format(time.DateOnly) != today.AddDate(0, 6, 0).Format(time.DateOnly) {
		t.Errorf("plan after the crossing: %+v %+v", got, *got.Compteur)
	}
	// Crossing again while the intervention is open: counted, not generated.
	f.read(f.env, f.heures, 1200, nil)
	got = f.get(p)
	if n := f.generated(p); n != 1 || got.OccurrencesManquees != 1 || *got.Compteur.Prochain != 1700 {
		t.Fatalf("crossing while open: %d interventions, %d missed, next %v", n, got.OccurrencesManquees, *got.Compteur.Prochain)
	}
	f.exec(`UPDATE interventions SET statut = 'cloturee', date_fin_travaux = now(), date_cloture = now() WHERE id = $1`, iv)
	f.read(f.env, f.heures, 1750, nil)
	if n := f.generated(p); n != 2 || f.get(p).Compteur.Declenchements != 2 {
		t.Fatalf("%d interventions after the next crossing, want 2", n)
	}
	// A CSV import is looked at line by line: 2 300 crosses 2 250 (next: 2 800), 2 400 does not.
	f.exec(`UPDATE interventions SET statut = 'cloturee', date_fin_travaux = now(), date_cloture = now() WHERE planning_id = $1`, p)
	at := func(d time.Duration) string { return time.Now().UTC().Add(d).Format(time.RFC3339) }
	imp, err := f.env.Client.ImportRelevesWithBodyWithResponse(t.Context(), f.heures, nil, "text/csv",
		strings.NewReader("lu_le,valeur\n"+at(10*time.Second)+",2300\n"+at(20*time.Second)+",2400\n"), testenv.As(f.resp))
	if err != nil || imp.JSON200 == nil || imp.JSON200.Importees != 2 {
		t.Fatalf("import: %v %s", err, imp.Body)
	}
	if got := f.get(p); f.generated(p) != 3 || got.Compteur.Declenchements != 3 || *got.Compteur.Prochain != 2800 {
		t.Fatalf("after the import: %d interventions, trigger %+v", f.generated(p), *got.Compteur)
	}
}

// TestMeterPlanCalendarComesFirst: a meter-based plan generated on its calendar restarts its
// meter trigger from the meter's latest value.
func TestMeterPlanCalendarComesFirst(t *testing.T) {
	t.Parallel()
	f := newMeterPlanFixture(t, testenv.NewEnv(t, pg, nil))
	f.read(f.env, f.heures, 300, nil)
	r := f.plan(meterPlan(f.machine, f.heures, api.PlanningCompteurInput{Intervalle: ptrTo(500.0)}))
	if r.JSON201 == nil || *r.JSON201.Compteur.Prochain != 800 {
		t.Fatalf("plan: %s", r.Body)
	}
	f.read(f.env, f.heures, 420, nil)
	g, err := f.env.Client.GeneratePlanningWithResponse(t.Context(), r.JSON201.Id, testenv.As(f.resp))
	if err != nil || g.StatusCode() != http.StatusCreated {
		t.Fatalf("generate: %v %d %s", err, g.StatusCode(), g.Body)
	}
	if got := f.get(r.JSON201.Id); *got.Compteur.Prochain != 920 || got.Compteur.Declenchements != 0 {
		t.Errorf("trigger after a calendar generation: %+v", *got.Compteur)
	}
}

// TestMeterPlanThreshold: a gauge plan generates once per crossing of its threshold by the
// latest reading; staying beyond, late readings and readings back under generate nothing.
func TestMeterPlanThreshold(t *testing.T) {
	t.Parallel()
	f := newMeterPlanFixture(t, testenv.NewEnv(t, pg, nil))
	op := api.PlanningCompteurInputOperateurGreaterThan
	r := f.plan(meterPlan(f.machine, f.temp, api.PlanningCompteurInput{Seuil: ptrTo(90.0), Operateur: &op}))
	if r.JSON201 == nil || *r.JSON201.Compteur.Seuil != 90 || *r.JSON201.Compteur.Operateur != ">" || r.JSON201.Compteur.Intervalle != nil {
		t.Fatalf("plan: %d %s", r.StatusCode(), r.Body)
	}
	p := r.JSON201.Id
	at := func(minutes int) *time.Time {
		v := time.Now().UTC().Add(time.Duration(minutes-60) * time.Minute)
		return &v
	}
	steps := []struct {
		v    float64
		at   int
		want int
	}{
		{80, 0, 0},
		{95, 5, 1},  // crosses
		{97, 10, 1}, // still beyond: same crossing
		{99, 7, 1},  // late
		{70, 15, 1}, // back under
	}
	for _, s := range steps {
		f.read(f.env, f.temp, s.v, at(s.at))
		if n := f.generated(p); n != s.want {
			t.Fatalf("after %v at +%d min: %d interventions, want %d", s.v, s.at, n, s.want)
		}
	}
	f.exec(`UPDATE interventions SET statut = 'cloturee', date_fin_travaux = now(), date_cloture = now() WHERE planning_id = $1`, p)
	f.read(f.env, f.temp, 93, at(20))
	if n := f.generated(p); n != 2 || f.get(p).Compteur.Declenchements != 2 {
		t.Fatalf("second crossing: %d interventions", n)
	}
}

// TestMeterPlanBadInput: the trigger must fit the plan's base and its meter, which must be one
// of the plan's machine; the base of a plan does not change to or from compteur.
func TestMeterPlanBadInput(t *testing.T) {
	t.Parallel()
	f := newMeterPlanFixture(t, testenv.NewEnv(t, pg, nil))
	other := f.machine2()
	otherMeter := f.id(`INSERT INTO compteurs (equipement_id, nom, unite, type_compteur) VALUES ($1, 'Heures', 'h', 'cumulatif') RETURNING id`, other)
	base := api.PlanningBaseCompteur
	fixed := api.PlanningBaseFixed
	op := api.PlanningCompteurInputOperateurLessThan
	cases := []struct {
		name  string
		body  api.PlanningCreate
		field string
	}{
		{"base compteur without a trigger", api.PlanningCreate{EquipementId: f.machine, Frequence: "mensuel", Base: &base}, "compteur"},
		{"a trigger on another base", api.PlanningCreate{EquipementId: f.machine, Frequence: "mensuel", Base: &fixed,
			Compteur: &api.PlanningCompteurInput{CompteurId: f.heures, Intervalle: ptrTo(10.0)}}, "base"},
		{"a meter of another machine", meterPlan(f.machine, otherMeter, api.PlanningCompteurInput{Intervalle: ptrTo(10.0)}), "compteur.compteur_id"},
		{"a cumulative meter without interval", meterPlan(f.machine, f.heures, api.PlanningCompteurInput{Seuil: ptrTo(5.0), Operateur: &op}), "compteur.intervalle"},
		{"a gauge without threshold", meterPlan(f.machine, f.temp, api.PlanningCompteurInput{Intervalle: ptrTo(5.0)}), "compteur.seuil"},
	}
	for _, c := range cases {
		r := f.plan(c.body)
		if r.StatusCode() != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", c.name, r.StatusCode(), r.Body)
			continue
		}
		if got := fieldsOf(decodeProblem(t, r.Body)); !slices.Contains(got, c.field) {
			t.Errorf("%s: fields %v, want %s", c.name, got, c.field)
		}
	}
	if n := f.count(`SELECT count(*) FROM plannings WHERE equipement_id IN ($1, $2)`, f.machine, other); n != 0 {
		t.Errorf("%d plans written by refused requests", n)
	}
	r := f.plan(api.PlanningCreate{EquipementId: f.machine, Frequence: "mensuel"})
	if r.JSON201 == nil || r.JSON201.Compteur != nil {
		t.Fatalf("calendar plan: %s", r.Body)
	}
	u, err := f.env.Client.UpdatePlanningWithResponse(t.Context(), r.JSON201.Id, api.PlanningUpdate{Base: &base}, testenv.As(f.resp))
	if err != nil {
		t.Fatal(err)
	}
	stockProblem(t, u.StatusCode(), u.Body, http.StatusUnprocessableEntity, "base")
}

// TestMeterPlanTwoReplicasRaceOnOneCrossing: readings sent at once through two server instances
// on the same database, all past the next value: exactly one intervention.
func TestMeterPlanTwoReplicasRaceOnOneCrossing(t *testing.T) {
	t.Parallel()
	a := testenv.NewEnv(t, pg, nil)
	b := a.SecondInstance(nil)
	f := newMeterPlanFixture(t, a)
	r := f.plan(meterPlan(f.machine, f.heures, api.PlanningCompteurInput{Intervalle: ptrTo(100.0), Prochain: ptrTo(100.0)}))
	if r.JSON201 == nil {
		t.Fatalf("plan: %s", r.Body)
	}
	p := r.JSON201.Id
	t0 := time.Now().UTC().Add(-time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 20 {
		env := a
		if i%2 == 1 {
			env = b
		}
		wg.Go(func() {
			at := t0.Add(time.Duration(i) * time.Second)
			res, err := env.Client.CreateReleveWithResponse(t.Context(), f.heures, api.ReleveCreate{Valeur: 100 + float64(i), LuLe: &at},
				testenv.As(env.Token("responsable")))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			codes[res.StatusCode()]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusCreated] != 20 {
		t.Fatalf("answers %v", codes)
	}
	if n := f.generated(p); n != 1 {
		t.Fatalf("%d interventions for one crossing, want 1", n)
	}
	if got := f.get(p); got.Compteur.Declenchements != 1 || *got.Compteur.Prochain < 200 {
		t.Errorf("trigger after the race: %+v", *got.Compteur)
	}
}
