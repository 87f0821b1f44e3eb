package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/planning"
)

func TestPlanningCreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	machine := f.machine(&f.company, nil)
	comp := f.id(`SELECT id FROM competences WHERE nom = 'mécanique'`)
	today := plToday()

	// Feminine label in, masculine out; the dates and the modele as given.
	p := f.plan(machine, " Mensuelle ", fmt.Sprintf(`,"intervalle":2,"prochaine_date":"2031-01-31","derniere_date":"2030-11-30",
		"commentaire":"Contrat cadre","modele":{"titre":"Révision compresseur","description":"Vidange et filtres",
		"priorite":"haute","duree_estimee_minutes":120,"technicien_id":%d,"equipe":"Équipe A","competence_ids":[%d,%d]}`,
		f.techID, comp, comp))
	m := p.Modele
	if p.Frequence != api.PlanningFrequenceMensuel || p.Intervalle != 2 || p.Base != api.PlanningBaseFixed ||
		p.Statut != api.PlanningStatutActif || dateOrEmpty(p.ProchaineDate) != "2031-01-31" ||
		dateOrEmpty(p.DerniereDate) != "2030-11-30" || *p.Commentaire != "Contrat cadre" ||
		m.Titre.MustGet() != "Révision compresseur" || m.Description.MustGet() != "Vidange et filtres" ||
		*m.Priorite != api.InterventionPrioriteHaute || m.DureeEstimeeMinutes.MustGet() != 120 ||
		m.TechnicienId.MustGet() != f.techID || m.Equipe.MustGet() != "Équipe A" ||
		!slices.Equal(*m.CompetenceIds, []int64{comp}) || p.EstEnRetard || p.JoursRetard != 0 ||
		p.OccurrencesManquees != 0 || p.DerniereInterventionId != nil || p.EquipementId != machine {
		t.Errorf("created plan %+v", p)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'planning.created' AND resource_id = $1`, fmt.Sprint(p.Id)); n != 1 {
		t.Errorf("%d planning.created audit rows", n)
	}
	if _, got := f.get(f.tech, p.Id); got.Id != p.Id || dateOrEmpty(got.ProchaineDate) != "2031-01-31" {
		t.Errorf("GET as technicien: %+v", got)
	}

	// prochaine_date defaults to derniere_date + one period, on the calendar (31 Jan -> 29 Feb),
	// and a next date in the past is overdue.
	late := f.plan(machine, "mensuel", `,"derniere_date":"2024-01-31"`)
	if dateOrEmpty(late.ProchaineDate) != "2024-02-29" || !late.EstEnRetard ||
		late.JoursRetard != int(today.Sub(day("2024-02-29")).Hours()/24) {
		t.Errorf("default from derniere_date: next %s, overdue %v (%d days)", dateOrEmpty(late.ProchaineDate),
			late.EstEnRetard, late.JoursRetard)
	}
	// ... else today + one period.
	for _, tc := range []struct {
		frequence  string
		intervalle int
		want       time.Time
	}{
		{"mensuelle", 1, planning.NewRecurrence(today, db.PlanningFrequenceMensuel, 1).At(1)},
		{"hebdomadaire", 2, today.AddDate(0, 0, 14)},
		{"journalier", 1, today.AddDate(0, 0, 1)},
		{"annuelle", 1, planning.NewRecurrence(today, db.PlanningFrequenceAnnuel, 1).At(1)},
		{"SEMESTRIELLE", 1, planning.NewRecurrence(today, db.PlanningFrequenceSemestriel, 1).At(1)},
		{"trimestriel", 3, planning.NewRecurrence(today, db.PlanningFrequenceTrimestriel, 3).At(1)},
	} {
		got := f.plan(machine, tc.frequence, fmt.Sprintf(`,"intervalle":%d,"base":"completion"`, tc.intervalle))
		if dateOrEmpty(got.ProchaineDate) != ds(tc.want) || got.Base != api.PlanningBaseCompletion || got.EstEnRetard {
			t.Errorf("%s x%d: next %s, want %s", tc.frequence, tc.intervalle, dateOrEmpty(got.ProchaineDate), ds(tc.want))
		}
	}

	// List: soonest first by default, filters, X-Total-Count, pagination.
	other := f.machine(nil, nil)
	f.plan(other, "annuel", `,"prochaine_date":"2030-06-01"`)
	list := func(query string) ([]api.Planning, string) {
		t.Helper()
		resp, b := f.send(http.MethodGet, "/api/v1/planning?"+query, f.admin, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("list %s: %d %s", query, resp.StatusCode, b)
		}
		return decodeJSON[[]api.Planning](t, b), resp.Header.Get("X-Total-Count")
	}
	all, total := list("")
	if len(all) != 9 || total != "9" || all[0].Id != late.Id || dateOrEmpty(all[len(all)-1].ProchaineDate) != "2031-01-31" {
		t.Errorf("list: %d plans, total %s, first %d", len(all), total, all[0].Id)
	}
	for i := 1; i < len(all); i++ {
		if dateOrEmpty(all[i].ProchaineDate) < dateOrEmpty(all[i-1].ProchaineDate) {
			t.Errorf("list not sorted by prochaine_date at %d", i)
		}
	}
	if got, total := list(fmt.Sprintf("equipement_id=%d", other)); len(got) != 1 || total != "1" {
		t.Errorf("equipement filter: %d plans, total %s", len(got), total)
	}
	if got, total := list("due_before=2030-12-31&limit=1&sort=-prochaine_date"); len(got) != 1 || total != "8" ||
		dateOrEmpty(got[0].ProchaineDate) != "2030-06-01" {
		t.Errorf("due_before + limit + sort: %d plans, total %s", len(got), total)
	}
	if got, _ := list("sort=-id&limit=2&offset=1"); len(got) != 2 || got[0].Id <= got[1].Id {
		t.Errorf("sort=-id: %+v", got)
	}

	// PUT is a partial update: absent keeps, null clears, feminine labels accepted.
	resp, b := f.send(http.MethodPut, plPath(p.Id), f.resp, `{"frequence":"Trimestrielle","commentaire":null,
		"modele":{"titre":null,"priorite":"basse","competence_ids":[]}}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update: %d %s", resp.StatusCode, b)
	}
	u := decodeJSON[api.Planning](t, b)
	if u.Frequence != api.PlanningFrequenceTrimestriel || u.Intervalle != 2 || u.Commentaire != nil ||
		!u.Modele.Titre.IsNull() || *u.Modele.Priorite != api.InterventionPrioriteBasse ||
		u.Modele.Equipe.MustGet() != "Équipe A" || len(*u.Modele.CompetenceIds) != 0 ||
		dateOrEmpty(u.ProchaineDate) != "2031-01-31" || dateOrEmpty(u.DerniereDate) != "2030-11-30" {
		t.Errorf("updated plan %+v", u)
	}
	// The calendar restarts from the next date with the new period.
	if _, occ := f.occurrences(f.admin, p.Id, "from=2031-01-01&to=2032-12-31"); !slices.Equal(occ,
		[]string{"2031-01-31", "2031-07-31", "2032-01-31", "2032-07-31"}) {
		t.Errorf("occurrences after the update: %v", occ)
	}
	resp, b = f.send(http.MethodPut, plPath(p.Id), f.resp, `{"prochaine_date":"2031-03-15","intervalle":1}`)
	if u = decodeJSON[api.Planning](t, b); resp.StatusCode != http.StatusOK || dateOrEmpty(u.ProchaineDate) != "2031-03-15" || u.Intervalle != 1 {
		t.Errorf("update next date: %d %s", resp.StatusCode, b)
	}

	// DELETE: 204, then 404; the interventions it generated stay, unlinked.
	resp, b = f.generate(p.Id)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("generate: %d %s", resp.StatusCode, b)
	}
	iv := decodeJSON[api.Intervention](t, b)
	if resp, b := f.send(http.MethodDelete, plPath(p.Id), f.resp, ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	if st, _ := f.get(f.admin, p.Id); st != http.StatusNotFound {
		t.Errorf("GET after delete: %d", st)
	}
	if resp, b := f.send(http.MethodDelete, plPath(p.Id), f.resp, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("second delete: %d %s", resp.StatusCode, b)
	}
	if n := f.count(`SELECT count(*) FROM interventions WHERE id = $1 AND planning_id IS NULL`, iv.Id); n != 1 {
		t.Errorf("the generated intervention did not survive its plan unlinked")
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'planning.deleted' AND resource_id = $1`, fmt.Sprint(p.Id)); n != 1 {
		t.Errorf("%d planning.deleted audit rows", n)
	}
}

func TestPlanningValidation(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	machine := f.machine(&f.company, nil)
	p := f.plan(machine, "mensuel", "")
	body := func(fields string) string {
		return fmt.Sprintf(`{"equipement_id":%d,"frequence":"mensuel"%s}`, machine, fields)
	}
	cases := []struct {
		name, method, path, body string
		status                   int
		detail                   string
		field                    string
	}{
		{"unknown frequency", "POST", "/api/v1/planning", fmt.Sprintf(`{"equipement_id":%d,"frequence":"bimensuel"}`, machine), 422, "", "frequence"},
		{"frequency with digits", "POST", "/api/v1/planning", fmt.Sprintf(`{"equipement_id":%d,"frequence":"mensuel2"}`, machine), 422, "", ""},
		{"interval 0", "POST", "/api/v1/planning", body(`,"intervalle":0`), 422, "", ""},
		{"interval 101", "POST", "/api/v1/planning", body(`,"intervalle":101`), 422, "", ""},
		{"unknown base", "POST", "/api/v1/planning", body(`,"base":"closing"`), 422, "", ""},
		{"unknown priority", "POST", "/api/v1/planning", body(`,"modele":{"priorite":"critique"}`), 422, "", ""},
		{"duration 0", "POST", "/api/v1/planning", body(`,"modele":{"duree_estimee_minutes":0}`), 422, "", ""},
		{"21 competences", "POST", "/api/v1/planning", body(`,"modele":{"competence_ids":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]}`), 422, "", ""},
		{"NUL in the title", "POST", "/api/v1/planning", body(`,"modele":{"titre":"a\u0000b"}`), 422, "", "modele.titre"},
		{"date out of range", "POST", "/api/v1/planning", body(`,"prochaine_date":"1850-01-01"`), 422, "", "prochaine_date"},
		{"unknown field", "POST", "/api/v1/planning", body(`,"jour":3`), 422, "", ""},
		{"missing equipment", "POST", "/api/v1/planning", `{"equipement_id":999999,"frequence":"mensuel"}`, 404, "Équipement introuvable", ""},
		{"missing technician", "POST", "/api/v1/planning", body(`,"modele":{"technicien_id":999999}`), 404, "Technicien introuvable", ""},
		{"missing competence", "POST", "/api/v1/planning", body(`,"modele":{"competence_ids":[999999]}`), 404, "Compétence introuvable : 999999", ""},
		{"update: unknown frequency", "PUT", plPath(p.Id), `{"frequence":"hourly"}`, 422, "", "frequence"},
		{"update: empty body", "PUT", plPath(p.Id), `{}`, 422, "", ""},
		{"update: missing technician", "PUT", plPath(p.Id), `{"modele":{"technicien_id":999999}}`, 404, "Technicien introuvable", ""},
		{"update: missing plan", "PUT", plPath(999999), `{"frequence":"annuel"}`, 404, "Planning introuvable", ""},
		{"get: missing plan", "GET", plPath(999999), ``, 404, "Planning introuvable", ""},
		{"occurrences: missing plan", "GET", plPath(999999, "/occurrences"), ``, 404, "Planning introuvable", ""},
		{"replan: missing plan", "PATCH", plPath(999999, "/dates?nouvelle_date=2030-01-01"), ``, 404, "Planning introuvable", ""},
		{"action: missing plan", "POST", plPath(999999, "/actions/suspend"), ``, 404, "Planning introuvable", ""},
		{"generate: missing plan", "POST", plPath(999999, "/generate"), ``, 404, "Planning introuvable", ""},
		{"delete: missing plan", "DELETE", plPath(999999), ``, 404, "Planning introuvable", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := f.with(t)
			resp, b := f.do(c.method, c.path, f.resp, c.body, nil, c.status == 422)
			var fields []string
			if c.field != "" {
				fields = []string{c.field}
			}
			wantIvProblem(t, c.name, resp, b, c.status, c.detail, fields...)
		})
	}
	if got := f.mustGet(p.Id); got.Frequence != api.PlanningFrequenceMensuel {
		t.Errorf("a refused update changed the plan: %+v", got)
	}
	if n := f.count(`SELECT count(*) FROM plannings`); n != 1 {
		t.Errorf("%d plans after refused creations, want 1", n)
	}
}

func TestPlanningOccurrencesFollowTheCalendar(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	machine := f.machine(&f.company, nil)
	cases := []struct {
		name, frequence, fields, query string
		want                           []string
	}{
		{"monthly from 31 January", "mensuelle", `,"prochaine_date":"2027-01-31"`, "from=2027-01-01&to=2027-06-30",
			[]string{"2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30"}},
		{"monthly from 31 January, leap year", "mensuel", `,"prochaine_date":"2028-01-31"`, "from=2028-01-01&to=2028-03-31",
			[]string{"2028-01-31", "2028-02-29", "2028-03-31"}},
		{"yearly from 29 February", "annuelle", `,"prochaine_date":"2028-02-29"`, "from=2028-01-01&to=2032-12-31",
			[]string{"2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"}},
		{"half-yearly from 31 August", "semestrielle", `,"prochaine_date":"2027-08-31"`, "from=2027-01-01&to=2029-01-01",
			[]string{"2027-08-31", "2028-02-29", "2028-08-31"}},
		{"quarterly, every 2 quarters", "trimestriel", `,"intervalle":2,"prochaine_date":"2027-05-31"`, "from=2027-01-01&to=2028-12-31",
			[]string{"2027-05-31", "2027-11-30", "2028-05-31", "2028-11-30"}},
		{"every 2 weeks", "hebdomadaire", `,"intervalle":2,"prochaine_date":"2027-12-22"`, "from=2027-12-01&to=2028-01-31",
			[]string{"2027-12-22", "2028-01-05", "2028-01-19"}},
		{"window starting after the next date", "mensuel", `,"prochaine_date":"2027-01-31"`, "from=2027-03-01&to=2027-05-31",
			[]string{"2027-03-31", "2027-04-30", "2027-05-31"}},
		{"from and to on one occurrence", "mensuel", `,"prochaine_date":"2027-01-31"`, "from=2027-02-28&to=2027-02-28",
			[]string{"2027-02-28"}},
		{"window before the next date", "mensuel", `,"prochaine_date":"2027-01-31"`, "from=2026-01-01&to=2026-12-31",
			[]string{}},
	}
	for _, c := range cases {
		p := f.plan(machine, c.frequence, c.fields)
		if st, got := f.occurrences(f.client, p.Id, c.query); st != http.StatusOK || !slices.Equal(got, c.want) {
			t.Errorf("%s: %d %v, want %v", c.name, st, got, c.want)
		}
	}

	// Defaults: from today, one year; at most 500.
	daily := f.plan(machine, "journalier", "")
	_, got := f.occurrences(f.admin, daily.Id, "")
	today := plToday()
	if len(got) != int(today.AddDate(1, 0, 0).Sub(today).Hours()/24) || got[0] != ds(today.AddDate(0, 0, 1)) {
		t.Errorf("default window of a daily plan: %d days from %v", len(got), got[:1])
	}
	if _, got := f.occurrences(f.admin, daily.Id, "to="+ds(today.AddDate(10, 0, 0))); len(got) != planning.MaxOccurrences {
		t.Errorf("10 years of a daily plan: %d dates, want %d", len(got), planning.MaxOccurrences)
	}
	// Bounds: to before from, more than 10 years.
	for _, q := range []string{"from=2027-02-01&to=2027-01-31", "from=2027-01-01&to=2037-01-02", "to=" + ds(today.AddDate(-1, 0, 0))} {
		resp, b := f.do(http.MethodGet, plPath(daily.Id, "/occurrences?", q), f.admin, "", nil, true)
		wantIvProblem(t, q, resp, b, http.StatusUnprocessableEntity, "", "to")
	}
	if st, got := f.occurrences(f.admin, daily.Id, "from=2027-01-01&to=2037-01-01"); st != http.StatusOK || len(got) != planning.MaxOccurrences {
		t.Errorf("exactly 10 years: %d, %d dates", st, len(got))
	}
	// A suspended or terminated plan has none.
	if resp, b := f.send(http.MethodPost, plPath(daily.Id, "/actions/suspend"), f.resp, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("suspend: %d %s", resp.StatusCode, b)
	}
	if st, got := f.occurrences(f.admin, daily.Id, ""); st != http.StatusOK || len(got) != 0 {
		t.Errorf("suspended plan: %d %v", st, got)
	}
}

func TestPlanningReplan(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	machine := f.machine(&f.company, nil)
	p := f.plan(machine, "mensuel", `,"prochaine_date":"2027-01-31","derniere_date":"2026-12-31"`)
	replan := func(value string) (*http.Response, []byte) {
		return f.do(http.MethodPatch, plPath(p.Id, "/dates?nouvelle_date=", value), f.admin, "", nil, true)
	}
	for _, tc := range []struct{ value, want string }{
		{"2027-03-15", "2027-03-15"},
		{"2027-04-30T10%3A30%3A00%2B02%3A00", "2027-04-30"},
		{"2027-05-31T23%3A59%3A59Z", "2027-05-31"},
	} {
		value, want := tc.value, tc.want
		resp, b := replan(value)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("replan %s: %d %s", value, resp.StatusCode, b)
		}
		got := decodeJSON[api.Planning](t, b)
		if dateOrEmpty(got.ProchaineDate) != want || dateOrEmpty(got.DerniereDate) != "2026-12-31" {
			t.Errorf("replan %s: next %s last %s", value, dateOrEmpty(got.ProchaineDate), dateOrEmpty(got.DerniereDate))
		}
	}
	// The calendar restarts from the new date.
	if _, occ := f.occurrences(f.admin, p.Id, "from=2027-01-01&to=2027-08-31"); !slices.Equal(occ, []string{"2027-05-31", "2027-06-30", "2027-07-31", "2027-08-31"}) {
		t.Errorf("occurrences after replan: %v", occ)
	}
	for _, bad := range []string{"demain", "2027-02-30", "31%2F01%2F2027", "", "1850-01-01"} {
		resp, b := replan(bad)
		wantIvProblem(t, "replan "+bad, resp, b, http.StatusUnprocessableEntity, "")
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'planning.replanned'`); n != 3 {
		t.Errorf("%d planning.replanned audit rows, want 3", n)
	}
	if resp, b := f.send(http.MethodPost, plPath(p.Id, "/actions/terminate"), f.resp, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("terminate: %d %s", resp.StatusCode, b)
	}
	resp, b := replan("2027-06-01")
	wantIvProblem(t, "replan a terminated plan", resp, b, http.StatusConflict, "Le planning est terminé : il ne peut plus être modifié")
}

func TestPlanningStateMachine(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	machine := f.machine(&f.company, nil)
	today := plToday()
	p := f.plan(machine, "mensuel", "")
	past := today.AddDate(0, -3, -5)
	f.setNext(p.Id, past)
	act := func(action, body string) (*http.Response, []byte) {
		return f.do(http.MethodPost, plPath(p.Id, "/actions/", action), f.resp, body, nil, false)
	}
	resp, b := act("suspend", `{"commentaire":"Machine à l'arrêt"}`)
	s := decodeJSON[api.Planning](t, b)
	if resp.StatusCode != http.StatusOK || s.Statut != api.PlanningStatutSuspendu || *s.Commentaire != "Machine à l'arrêt" ||
		s.EstEnRetard || dateOrEmpty(s.ProchaineDate) != ds(past) {
		t.Errorf("suspend: %d %s", resp.StatusCode, b)
	}
	// A suspended plan generates nothing, even when due.
	if rep := f.runJob(); rep.Generated != 0 || rep.Missed != 0 {
		t.Errorf("job on a suspended plan: %+v", rep)
	}
	resp, b = f.generate(p.Id)
	wantIvProblem(t, "generate a suspended plan", resp, b, http.StatusConflict, "")
	resp, b = act("suspend", "")
	wantIvProblem(t, "suspend twice", resp, b, http.StatusConflict,
		"Action suspend impossible : le planning est suspendu (actions possibles : resume, terminate)")

	// Resume: the next date moves to the first occurrence on or after today, on the calendar.
	resp, b = act("resume", "")
	r := decodeJSON[api.Planning](t, b)
	want := planning.NewRecurrence(past, db.PlanningFrequenceMensuel, 1).OnOrAfter(today)
	if resp.StatusCode != http.StatusOK || r.Statut != api.PlanningStatutActif || dateOrEmpty(r.ProchaineDate) != ds(want) ||
		r.EstEnRetard || r.OccurrencesManquees != 0 {
		t.Errorf("resume: %d %s, want next %s", resp.StatusCode, b, ds(want))
	}
	resp, b = act("resume", "")
	wantIvProblem(t, "resume an active plan", resp, b, http.StatusConflict,
		"Action resume impossible : le planning est actif (actions possibles : suspend, terminate)")

	resp, b = act("terminate", "")
	tm := decodeJSON[api.Planning](t, b)
	if resp.StatusCode != http.StatusOK || tm.Statut != api.PlanningStatutTermine || tm.ProchaineDate != nil {
		t.Errorf("terminate: %d %s", resp.StatusCode, b)
	}
	for _, a := range []string{"suspend", "resume", "terminate"} {
		resp, b = act(a, "")
		wantIvProblem(t, a+" a terminated plan", resp, b, http.StatusConflict,
			fmt.Sprintf("Action %s impossible : le planning est termine (actions possibles : aucune (état final))", a))
	}
	resp, b = f.send(http.MethodPut, plPath(p.Id), f.resp, `{"frequence":"annuel"}`)
	wantIvProblem(t, "update a terminated plan", resp, b, http.StatusConflict, "")
	resp, b = f.generate(p.Id)
	wantIvProblem(t, "generate a terminated plan", resp, b, http.StatusConflict, "")
	if rep := f.runJob(); rep.Plans != 0 {
		t.Errorf("job on a terminated plan: %+v", rep)
	}
	resp, b = f.do(http.MethodPost, plPath(p.Id, "/actions/pause"), f.resp, "", nil, true)
	if resp.StatusCode < 400 || resp.StatusCode > 499 {
		t.Errorf("unknown action: %d %s", resp.StatusCode, b)
	}
	for _, a := range []string{"suspend", "resume", "terminate"} {
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = $1 AND resource_id = $2`, "planning."+a, fmt.Sprint(p.Id)); n != 1 {
			t.Errorf("%d planning.%s audit rows", n, a)
		}
	}
}

func TestPlanningGenerateNow(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	normale := 10
	contrat := f.contrat(f.company, [4]*int{nil, nil, &normale, nil})
	machine := f.id(`INSERT INTO equipements (nom, type_equipement, localisation, client_id, contrat_id)
		VALUES ('Compresseur C7', 'compresseur', 'Atelier', $1, $2) RETURNING id`, f.company, contrat)
	today := plToday()

	// Without modele: the default title, normale with the contract's response time, open,
	// client and contract from the machine, one history row without author.
	p := f.plan(machine, "mensuel", `,"prochaine_date":"`+ds(today.AddDate(0, 0, 10))+`"`)
	resp, b := f.generate(p.Id)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("generate: %d %s", resp.StatusCode, b)
	}
	iv := decodeJSON[api.Intervention](t, b)
	if resp.Header.Get("Location") != ivPath(iv.Id) || iv.Titre != "Maintenance préventive - Compresseur C7" ||
		iv.Type != api.InterventionTypePreventive || iv.Statut != api.InterventionStatutOuverte ||
		iv.Priorite != api.InterventionPrioriteNormale || *iv.ClientId != f.company ||
		*iv.ContratId != contrat || iv.EquipementId != machine || iv.TechnicienId != nil ||
		!strings.Contains(*iv.Description, fmt.Sprintf("planning #%d", p.Id)) {
		t.Errorf("generated intervention %+v (%s)", iv, b)
	}
	if dl := (*iv.DateLimite).Sub(iv.DateCreation); dl < 10*time.Hour-time.Second || dl > 10*time.Hour+time.Second {
		t.Errorf("deadline %v after creation, want the contract's 10 h", dl)
	}
	hist := f.history(iv.Id)
	wantRemark := fmt.Sprintf("Intervention générée depuis le planning #%d", p.Id)
	if len(hist) != 1 || hist[0].UserID != nil || hist[0].Remarque == nil || *hist[0].Remarque != wantRemark || hist[0].Apres != "ouverte" {
		t.Errorf("history %+v", hist)
	}
	// The plan moved on: last date, next date, last intervention.
	got := f.mustGet(p.Id)
	next := planning.NewRecurrence(today.AddDate(0, 0, 10), db.PlanningFrequenceMensuel, 1).At(1)
	if dateOrEmpty(got.DerniereDate) != ds(today.AddDate(0, 0, 10)) || dateOrEmpty(got.ProchaineDate) != ds(next) ||
		*got.DerniereInterventionId != iv.Id || got.OccurrencesManquees != 0 {
		t.Errorf("plan after generate: last %s next %s (want %s) intervention %v", dateOrEmpty(got.DerniereDate),
			dateOrEmpty(got.ProchaineDate), ds(next), got.DerniereInterventionId)
	}
	if gen := f.generatedOf(p.Id); len(gen) != 1 || gen[0].Occurrence != ds(today.AddDate(0, 0, 10)) {
		t.Errorf("generated %+v", gen)
	}
	// 409 while it is open.
	resp, b = f.generate(p.Id)
	wantIvProblem(t, "generate while open", resp, b, http.StatusConflict,
		fmt.Sprintf("L'intervention #%d générée par ce planning est encore ouverte", iv.Id))
	if n := len(f.generatedOf(p.Id)); n != 1 {
		t.Errorf("%d interventions after the refused generation", n)
	}
	// Once it is closed, the next occurrence can be generated.
	f.closeIntervention(iv.Id, time.Now())
	resp, b = f.generate(p.Id)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("generate after closing: %d %s", resp.StatusCode, b)
	}
	if gen := f.generatedOf(p.Id); len(gen) != 2 || gen[1].Occurrence != ds(next) {
		t.Errorf("generated %+v, want a second one on %s", gen, ds(next))
	}

	// With a modele: its title, priority and technician (affectee), the default SLA of haute.
	comp := f.id(`SELECT id FROM competences WHERE nom = 'mécanique'`)
	q := f.plan(f.machine(&f.company, nil), "hebdomadaire", fmt.Sprintf(`,"modele":{"titre":"Graissage","description":"Graisser les paliers",
		"priorite":"haute","technicien_id":%d,"equipe":"Maintenance B","duree_estimee_minutes":45,"competence_ids":[%d]}`, f.techID, comp))
	resp, b = f.generate(q.Id)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("generate with modele: %d %s", resp.StatusCode, b)
	}
	iv = decodeJSON[api.Intervention](t, b)
	desc := *iv.Description
	if iv.Titre != "Graissage" || iv.Priorite != api.InterventionPrioriteHaute || iv.Statut != api.InterventionStatutAffectee ||
		*iv.TechnicienId != f.techID || iv.DateAffectation == nil || !strings.HasPrefix(desc, "Graisser les paliers") ||
		!strings.Contains(desc, "Maintenance B") || !strings.Contains(desc, "45 min") || !strings.Contains(desc, "mécanique") {
		t.Errorf("generated with modele %+v", iv)
	}
	if dl := (*iv.DateLimite).Sub(iv.DateCreation); dl < 24*time.Hour-time.Second || dl > 24*time.Hour+time.Second {
		t.Errorf("deadline %v after creation, want 24 h (haute)", dl)
	}
	// The assigned technicien reads it; the client of the machine too.
	if st, _ := f.ivFixture.get(f.tech, iv.Id); st != http.StatusOK {
		t.Errorf("the assigned technicien reads the generated intervention: %d", st)
	}
	if st, _ := f.ivFixture.get(f.client, iv.Id); st != http.StatusOK {
		t.Errorf("the client reads the generated intervention of its machine: %d", st)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'planning.generated' AND actor_role = 'responsable'`); n != 3 {
		t.Errorf("%d planning.generated audit rows by the responsable, want 3", n)
	}
}

func TestPlanningGenerationJob(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	today := plToday()
	machine := f.machine(&f.company, nil)

	// A plan due today: one intervention, then nothing more when the job runs again.
	due := f.plan(machine, "mensuel", `,"prochaine_date":"`+ds(today)+`","modele":{"priorite":"basse"}`)
	idle := f.plan(machine, "mensuel", `,"prochaine_date":"`+ds(today.AddDate(0, 0, 1))+`"`)
	rep := f.runJob()
	if rep.Generated != 1 || rep.Missed != 0 || rep.Failed != 0 {
		t.Errorf("first run: %+v", rep)
	}
	gen := f.generatedOf(due.Id)
	if len(gen) != 1 || gen[0].Occurrence != ds(today) {
		t.Fatalf("generated %+v", gen)
	}
	next := planning.NewRecurrence(today, db.PlanningFrequenceMensuel, 1).At(1)
	got := f.mustGet(due.Id)
	if dateOrEmpty(got.DerniereDate) != ds(today) || dateOrEmpty(got.ProchaineDate) != ds(next) || got.EstEnRetard {
		t.Errorf("plan after the job: last %s next %s", dateOrEmpty(got.DerniereDate), dateOrEmpty(got.ProchaineDate))
	}
	for range 3 {
		if rep := f.runJob(); rep.Plans != 0 || rep.Generated != 0 {
			t.Errorf("later run: %+v", rep)
		}
	}
	if n := len(f.generatedOf(due.Id)); n != 1 {
		t.Errorf("%d interventions after several runs, want 1", n)
	}
	if n := len(f.generatedOf(idle.Id)); n != 0 {
		t.Errorf("a plan due tomorrow generated %d", n)
	}
	var actor *int64
	var role string
	if err := f.env.Pool.QueryRow(t.Context(), `SELECT actor_id, actor_role FROM audit_log WHERE action = 'planning.generated'
		AND resource_id = $1`, fmt.Sprint(due.Id)).Scan(&actor, &role); err != nil || actor != nil || role != planning.SystemRole {
		t.Errorf("audit of the job: actor %v role %q (%v)", actor, role, err)
	}
	_, iv := f.ivFixture.get(f.admin, gen[0].ID)
	if iv.Priorite != api.InterventionPrioriteBasse || iv.Type != api.InterventionTypePreventive {
		t.Errorf("generated by the job: %+v", iv)
	}
	if h := f.history(gen[0].ID); len(h) != 1 || h[0].UserID != nil ||
		*h[0].Remarque != fmt.Sprintf("Intervention générée depuis le planning #%d", due.Id) {
		t.Errorf("history of a generated intervention %+v", h)
	}

	// While it is open, later occurrences are not piled up: they are counted and skipped.
	missedFrom := today.AddDate(0, 0, -65)
	rec := planning.NewRecurrence(missedFrom, db.PlanningFrequenceMensuel, 1)
	missed := 1 + rec.CountIn(missedFrom, today) // 3, or 2 when a month ends early
	f.setNext(due.Id, missedFrom)
	rep = f.runJob()
	if rep.Generated != 0 || rep.Missed != missed || missed < 2 {
		t.Errorf("run with an open intervention: %+v, want %d missed", rep, missed)
	}
	got = f.mustGet(due.Id)
	if n := len(f.generatedOf(due.Id)); n != 1 || got.OccurrencesManquees != int(missed) ||
		dateOrEmpty(got.ProchaineDate) != ds(rec.After(today)) {
		t.Errorf("after missed occurrences: %d interventions, %d missed, next %s", n, got.OccurrencesManquees, dateOrEmpty(got.ProchaineDate))
	}
	if rep := f.runJob(); rep.Plans != 0 {
		t.Errorf("run after the skip: %+v", rep)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'planning.occurrences_missed' AND actor_role = 'system'`); n != 1 {
		t.Errorf("%d planning.occurrences_missed audit rows", n)
	}

	// Catching up (the scheduler was off): one intervention for the due occurrence, the later
	// ones passed counted as missed, the next date after today.
	f.closeIntervention(gen[0].ID, time.Now())
	start := today.AddDate(0, 0, -21)
	weekly := f.plan(machine, "hebdomadaire", `,"prochaine_date":"`+ds(start)+`"`)
	rep = f.runJob()
	if rep.Generated != 1 || rep.Missed != 3 {
		t.Errorf("catch-up run: %+v", rep)
	}
	w := f.mustGet(weekly.Id)
	if g := f.generatedOf(weekly.Id); len(g) != 1 || g[0].Occurrence != ds(start) || w.OccurrencesManquees != 3 ||
		dateOrEmpty(w.ProchaineDate) != ds(today.AddDate(0, 0, 7)) || dateOrEmpty(w.DerniereDate) != ds(start) {
		t.Errorf("catch-up: %+v, plan next %s missed %d", g, dateOrEmpty(w.ProchaineDate), w.OccurrencesManquees)
	}

	// A suspended plan, due, generates nothing; resumed it does again.
	s := f.plan(machine, "annuel", `,"prochaine_date":"`+ds(today)+`"`)
	f.send(http.MethodPost, plPath(s.Id, "/actions/suspend"), f.resp, "")
	if rep := f.runJob(); rep.Generated != 0 || len(f.generatedOf(s.Id)) != 0 {
		t.Errorf("suspended plan: %+v", rep)
	}
	f.send(http.MethodPost, plPath(s.Id, "/actions/resume"), f.resp, "")
	if rep := f.runJob(); rep.Generated != 1 || len(f.generatedOf(s.Id)) != 1 {
		t.Errorf("resumed plan: %+v", rep)
	}
}

func TestPlanningCompletionBasis(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	today := plToday()
	machine := f.machine(&f.company, nil)
	p := f.plan(machine, "mensuel", `,"base":"completion","prochaine_date":"`+ds(today)+`"`)
	if rep := f.runJob(); rep.Generated != 1 {
		t.Fatalf("first run: %+v", rep)
	}
	gen := f.generatedOf(p.Id)
	// While the intervention is open the plan has no next date, and the job leaves it alone.
	got := f.mustGet(p.Id)
	if got.ProchaineDate != nil || dateOrEmpty(got.DerniereDate) != ds(today) || got.EstEnRetard {
		t.Errorf("completion plan while open: next %s last %s", dateOrEmpty(got.ProchaineDate), dateOrEmpty(got.DerniereDate))
	}
	if st, occ := f.occurrences(f.admin, p.Id, ""); st != http.StatusOK || len(occ) != 0 {
		t.Errorf("occurrences while waiting for the closing: %d %v", st, occ)
	}
	if rep := f.runJob(); rep.Plans != 0 || rep.Generated != 0 {
		t.Errorf("run while open: %+v", rep)
	}
	resp, b := f.generate(p.Id)
	wantIvProblem(t, "generate while open", resp, b, http.StatusConflict, "")

	// Closed 10 days later than planned: the next date is the closing day + one period.
	closing := today.AddDate(0, 0, 10)
	f.closeIntervention(gen[0].ID, closing.Add(15*time.Hour))
	if rep := f.runJob(); rep.Rescheduled != 1 || rep.Generated != 0 {
		t.Errorf("run after the closing: %+v", rep)
	}
	want := planning.NewRecurrence(closing, db.PlanningFrequenceMensuel, 1).At(1)
	if got := f.mustGet(p.Id); dateOrEmpty(got.ProchaineDate) != ds(want) {
		t.Errorf("next date after the closing: %s, want %s", dateOrEmpty(got.ProchaineDate), ds(want))
	}
	if _, occ := f.occurrences(f.admin, p.Id, "to="+ds(want.AddDate(0, 1, 0))); len(occ) < 1 || occ[0] != ds(want) {
		t.Errorf("occurrences after the closing: %v", occ)
	}

	// Closed long ago (the next date already passed): rescheduled and generated in one run.
	q := f.plan(machine, "hebdomadaire", `,"base":"completion","prochaine_date":"`+ds(today.AddDate(0, 0, -20))+`"`)
	if rep := f.runJob(); rep.Generated != 1 {
		t.Fatalf("run: %+v", rep)
	}
	first := f.generatedOf(q.Id)[0]
	f.closeIntervention(first.ID, today.AddDate(0, 0, -9))
	if rep := f.runJob(); rep.Rescheduled != 1 || rep.Generated != 1 {
		t.Errorf("run after an old closing: %+v", rep)
	}
	if g := f.generatedOf(q.Id); len(g) != 2 || g[1].Occurrence != ds(today.AddDate(0, 0, -2)) {
		t.Errorf("generated %+v, want a second one for %s", g, ds(today.AddDate(0, 0, -2)))
	}

	// A cancelled intervention counts as the end of the work; generate now computes the date.
	r := f.plan(machine, "trimestriel", `,"base":"completion"`)
	resp, b = f.generate(r.Id)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("generate: %d %s", resp.StatusCode, b)
	}
	iv := decodeJSON[api.Intervention](t, b)
	if resp, b := f.act(f.resp, iv.Id, "cancel", `{"motif":"Machine vendue"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d %s", resp.StatusCode, b)
	}
	resp, b = f.generate(r.Id)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("generate after cancel: %d %s", resp.StatusCode, b)
	}
	// The cancelled one was generated ahead for today + 3 months: the next one cannot reuse that
	// occurrence, it takes the following one.
	if g := f.generatedOf(r.Id); len(g) != 2 || g[1].Occurrence != ds(planning.NewRecurrence(today, db.PlanningFrequenceTrimestriel, 1).At(2)) {
		t.Errorf("generated after a cancellation %+v", g)
	}

	// Switching a waiting plan to the fixed basis gives it a next date after today, on its
	// calendar (weekly from the closing 9 days ago).
	resp, b = f.send(http.MethodPut, plPath(q.Id), f.resp, `{"base":"fixed"}`)
	u := decodeJSON[api.Planning](t, b)
	if resp.StatusCode != http.StatusOK || u.Base != api.PlanningBaseFixed || dateOrEmpty(u.ProchaineDate) != ds(today.AddDate(0, 0, 5)) {
		t.Errorf("update base: %d %s, want next %s", resp.StatusCode, b, ds(today.AddDate(0, 0, 5)))
	}
}

func TestPlanningRowAccess(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	mine := f.plan(f.machine(&f.company, nil), "mensuel", "")
	otherCompany, otherClient := f.clientAccount()
	theirs := f.plan(f.machine(&otherCompany, nil), "annuel", "")
	internal := f.plan(f.machine(nil, nil), "hebdomadaire", "")
	_, noCompany := f.account(api.UserRoleClient)

	ids := func(token string) []int64 {
		t.Helper()
		resp, b := f.send(http.MethodGet, "/api/v1/planning?sort=id", token, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("list: %d %s", resp.StatusCode, b)
		}
		var out []int64
		for _, p := range decodeJSON[[]api.Planning](t, b) {
			out = append(out, p.Id)
		}
		if resp.Header.Get("X-Total-Count") != fmt.Sprint(len(out)) {
			t.Errorf("X-Total-Count %s for %d plans", resp.Header.Get("X-Total-Count"), len(out))
		}
		return out
	}
	all := []int64{mine.Id, theirs.Id, internal.Id}
	for name, tc := range map[string]struct {
		token string
		want  []int64
	}{
		"admin": {f.admin, all}, "responsable": {f.resp, all}, "technicien": {f.tech, all},
		"client": {f.client, []int64{mine.Id}}, "other client": {otherClient, []int64{theirs.Id}},
		"client without company": {noCompany, nil},
	} {
		if got := ids(tc.token); !slices.Equal(got, tc.want) {
			t.Errorf("%s lists %v, want %v", name, got, tc.want)
		}
		for _, p := range all {
			wantStatus := http.StatusNotFound
			if slices.Contains(tc.want, p) {
				wantStatus = http.StatusOK
			}
			if st, _ := f.get(tc.token, p); st != wantStatus {
				t.Errorf("%s GET plan %d: %d, want %d", name, p, st, wantStatus)
			}
			if st, _ := f.occurrences(tc.token, p, ""); st != wantStatus {
				t.Errorf("%s GET occurrences of plan %d: %d, want %d", name, p, st, wantStatus)
			}
		}
	}
	// Writes: 403 for techniciens and clients, whatever the plan.
	for _, token := range []string{f.tech, f.client} {
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/v1/planning", fmt.Sprintf(`{"equipement_id":%d,"frequence":"mensuel"}`, mine.EquipementId)},
			{"PUT", plPath(mine.Id), `{"frequence":"annuel"}`},
			{"DELETE", plPath(mine.Id), ""},
			{"PATCH", plPath(mine.Id, "/dates?nouvelle_date=2030-01-01"), ""},
			{"POST", plPath(mine.Id, "/actions/suspend"), ""},
			{"POST", plPath(mine.Id, "/generate"), ""},
		} {
			resp, b := f.send(c.method, c.path, token, c.body)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d %s, want 403", c.method, c.path, resp.StatusCode, b)
			}
		}
	}
	if got := f.mustGet(mine.Id); got.Frequence != api.PlanningFrequenceMensuel || got.Statut != api.PlanningStatutActif {
		t.Errorf("a refused write changed the plan: %+v", got)
	}
}

// TestPlanningBadInputsAre4xx sends malformed ids, dates, enums and bodies to every planning
// operation: each answers a 4xx problem, never a 500.
func TestPlanningBadInputsAre4xx(t *testing.T) {
	t.Parallel()
	f := newPlFixture(t)
	p := f.plan(f.machine(&f.company, nil), "mensuel", "")
	pp := plPath(p.Id)
	cases := []struct {
		method, path, ctype, body string
		status                    int // 0: any 4xx
	}{
		{"GET", "/api/v1/planning/abc", "", "", 0},
		{"GET", "/api/v1/planning/0", "", "", 0},
		{"GET", "/api/v1/planning/-1", "", "", 0},
		{"GET", "/api/v1/planning/1.5", "", "", 0},
		{"GET", "/api/v1/planning/99999999999999999999", "", "", 0},
		{"GET", "/api/v1/planning/9223372036854775807", "", "", 404},
		{"PUT", "/api/v1/planning/abc", "application/json", `{"frequence":"annuel"}`, 0},
		{"DELETE", "/api/v1/planning/0", "", "", 0},
		{"PATCH", "/api/v1/planning/x/dates?nouvelle_date=2030-01-01", "", "", 0},
		{"POST", "/api/v1/planning/-5/actions/suspend", "", "", 0},
		{"POST", "/api/v1/planning/abc/generate", "", "", 0},
		{"GET", "/api/v1/planning/abc/occurrences", "", "", 0},
		{"GET", "/api/v1/planning?limit=0", "", "", 422},
		{"GET", "/api/v1/planning?limit=501", "", "", 422},
		{"GET", "/api/v1/planning?offset=-1", "", "", 422},
		{"GET", "/api/v1/planning?sort=frequence", "", "", 422},
		{"GET", "/api/v1/planning?statut=en_retard", "", "", 422},
		{"GET", "/api/v1/planning?equipement_id=abc", "", "", 422},
		{"GET", "/api/v1/planning?equipement_id=0", "", "", 422},
		{"GET", "/api/v1/planning?due_before=demain", "", "", 422},
		{"GET", "/api/v1/planning?due_before=2027-02-30", "", "", 422},
		{"GET", pp + "/occurrences?from=hier", "", "", 422},
		{"GET", pp + "/occurrences?to=2027-13-01", "", "", 422},
		{"PATCH", pp + "/dates", "", "", 422},
		{"PATCH", pp + "/dates?nouvelle_date=" + strings.Repeat("9", 41), "", "", 422},
		{"PATCH", pp + "/dates?nouvelle_date=%00", "", "", 422},
		{"PATCH", pp + "/dates?nouvelle_date=9999-12-31", "", "", 422},
		{"POST", pp + "/actions/fly", "", "", 0},
		{"POST", pp + "/actions/suspend", "application/json", `not json`, 400},
		{"POST", pp + "/actions/suspend", "application/json", `{"commentaire":1}`, 422},
		{"POST", pp + "/actions/suspend", "application/json", `{"motif":"x"}`, 422},
		{"POST", pp + "/actions/suspend", "application/json", `{"commentaire":"` + strings.Repeat("x", 1001) + `"}`, 422},
		{"POST", pp + "/actions/suspend", "text/plain", `x`, 415},
		{"POST", "/api/v1/planning", "application/json", `not json`, 400},
		{"POST", "/api/v1/planning", "application/json", `[]`, 0},
		{"POST", "/api/v1/planning", "application/json", `null`, 0},
		{"POST", "/api/v1/planning", "application/json", `{}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":"1","frequence":"mensuel"}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":3}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1e40,"frequence":"mensuel"}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":"mensuel","prochaine_date":"2027-02-30"}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":"mensuel","derniere_date":"hier"}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":"mensuel","intervalle":1.5}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":"mensuel","modele":{"technicien_id":0}}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":"mensuel","modele":{"competence_ids":["a"]}}`, 422},
		{"POST", "/api/v1/planning", "application/json", `{"equipement_id":1,"frequence":"mensuel","modele":"x"}`, 422},
		{"POST", "/api/v1/planning", "text/plain", `x`, 415},
		{"PUT", pp, "application/json", `{"prochaine_date":null}`, 422},
		{"PUT", pp, "application/json", `{"intervalle":-1}`, 422},
		{"PUT", pp, "application/json", `{"statut":"termine"}`, 422},
		{"PUT", pp, "application/json", `{"equipement_id":2}`, 422},
		{"PUT", pp, "application/json", `{"frequence":"annuel"`, 400},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			f := f.with(t)
			headers := map[string]string{}
			if c.ctype != "" {
				headers["Content-Type"] = c.ctype
			}
			resp, b := f.do(c.method, c.path, f.admin, c.body, headers, true)
			switch {
			case c.status != 0 && resp.StatusCode != c.status:
				t.Errorf("got %d %s, want %d", resp.StatusCode, b, c.status)
			case resp.StatusCode < 400 || resp.StatusCode > 499:
				t.Errorf("got %d %s, want 4xx\n%s", resp.StatusCode, b, serverErrors(f.env))
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if got := f.mustGet(p.Id); got.Statut != api.PlanningStatutActif || got.UpdatedAt != p.UpdatedAt {
		t.Errorf("bad inputs changed the plan: %+v", got)
	}
	if errs := serverErrors(f.env); errs != "" {
		t.Errorf("the server logged errors:\n%s", errs)
	}
}
