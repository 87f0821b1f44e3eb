package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestLabourOnInterventions: time entries at the technician's rate (or a manager's), timers,
// cancellations, and the labour cost and duration of the intervention computed from them.
func TestLabourOnInterventions(t *testing.T) {
	t.Parallel()
	iv := newIvFixture(t)
	env := iv.env
	ctx := t.Context()
	machine := iv.machine(&iv.company, nil)
	work := iv.insert("en_cours", machine, &iv.techID)

	// The hourly rate is on the technician's profile, for managers' eyes only.
	u, err := env.Client.UpdateTechnicienWithResponse(ctx, iv.techID, api.TechnicienUpdate{TauxHoraire: nullable.NewNullableWithValue[int64](15000)},
		testenv.As(iv.resp))
	if err != nil || u.JSON200 == nil || u.JSON200.TauxHoraire == nil || *u.JSON200.TauxHoraire != 15000 {
		t.Fatalf("set rate: %v %s", err, u.Body)
	}
	if g, _ := env.Client.GetTechnicienWithResponse(ctx, iv.techID, testenv.As(iv.tech)); g.JSON200 == nil || g.JSON200.TauxHoraire != nil {
		t.Errorf("a technicien reads a rate: %s", g.Body)
	}

	add := func(token string, id int64, body api.InterventionTempsCreate) *api.AddInterventionTempsResponse {
		t.Helper()
		r, err := env.Client.AddInterventionTempsWithResponse(ctx, id, body, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	labour := func(id int64) (cost *int64, minutes *int) {
		s := iv.state(id)
		return s.CoutMainOeuvre, s.DureeMinutes
	}
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	day := time.Now().UTC().Add(-24 * time.Hour).Format("2006-01-02")

	r := add(iv.tech, work, api.InterventionTempsCreate{Debut: at(day + "T08:00:00Z"), Fin: at(day + "T10:30:00Z"), Commentaire: ptrTo("Démontage")})
	if r.JSON201 == nil || r.JSON201.Minutes == nil || *r.JSON201.Minutes != 150 || r.JSON201.Montant == nil || *r.JSON201.Montant != 37500 ||
		r.JSON201.TauxHoraire != 15000 || r.JSON201.EnCours {
		t.Fatalf("entry by times: %d %s", r.StatusCode(), r.Body)
	}
	if c, m := labour(work); c == nil || *c != 37500 || m == nil || *m != 150 {
		t.Errorf("labour after one entry: %v %v", c, m)
	}
	r = add(iv.resp, work, api.InterventionTempsCreate{Minutes: ptrTo(45), TauxHoraire: ptrTo[int64](20000)})
	if r.JSON201 == nil || *r.JSON201.Montant != 15000 || r.JSON201.TechnicienId != iv.techID {
		t.Fatalf("manager's entry at its own rate: %d %s", r.StatusCode(), r.Body)
	}
	managerEntry := *r.JSON201

	t.Run("bad entries name the field and write nothing", func(t *testing.T) {
		future := time.Now().UTC().Add(2 * time.Hour)
		cases := []struct {
			token  string
			body   api.InterventionTempsCreate
			status int
			fields []string
		}{
			{iv.tech, api.InterventionTempsCreate{Debut: at(day + "T10:00:00Z"), Fin: at(day + "T09:00:00Z")}, 422, []string{"fin"}},
			{iv.tech, api.InterventionTempsCreate{Debut: at(day + "T10:00:00Z"), Fin: &future}, 422, []string{"fin"}},
			{iv.tech, api.InterventionTempsCreate{Debut: at(day + "T10:00:00Z")}, 422, []string{"minutes"}},
			{iv.tech, api.InterventionTempsCreate{Minutes: ptrTo(10), Debut: at(day + "T10:00:00Z"), Fin: at(day + "T11:00:00Z")}, 422, []string{"minutes"}},
			{iv.tech, api.InterventionTempsCreate{Minutes: ptrTo(10), TauxHoraire: ptrTo[int64](1)}, 403, nil},
			{iv.resp, api.InterventionTempsCreate{Minutes: ptrTo(10), TechnicienId: ptrTo[int64](999999)}, 422, []string{"technicien_id"}},
		}
		for _, c := range cases {
			r := add(c.token, work, c.body)
			stockProblem(t, r.StatusCode(), r.Body, c.status, c.fields...)
		}
		if c, _ := labour(work); c == nil || *c != 52500 {
			t.Errorf("refused entries changed the labour cost: %v", c)
		}
		_, other := iv.techAccount()
		r := add(other, work, api.InterventionTempsCreate{Minutes: ptrTo(10)})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusNotFound)
		r = add(iv.client, work, api.InterventionTempsCreate{Minutes: ptrTo(10)})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden)
	})
	t.Run("timers: one running per technician", func(t *testing.T) {
		other := iv.insert("en_cours", machine, &iv.techID)
		s, err := env.Client.StartInterventionTimerWithResponse(ctx, work, api.TimerInput{}, testenv.As(iv.tech))
		if err != nil || s.JSON201 == nil || !s.JSON201.EnCours || s.JSON201.Minutes != nil {
			t.Fatalf("start: %v %s", err, s.Body)
		}
		s2, _ := env.Client.StartInterventionTimerWithResponse(ctx, other, api.TimerInput{}, testenv.As(iv.tech))
		stockProblem(t, s2.StatusCode(), s2.Body, http.StatusConflict)
		st, _ := env.Client.StopInterventionTimerWithResponse(ctx, other, testenv.As(iv.tech))
		stockProblem(t, st.StatusCode(), st.Body, http.StatusConflict) // it runs on work, not on other
		st, err = env.Client.StopInterventionTimerWithResponse(ctx, work, testenv.As(iv.tech))
		if err != nil || st.JSON200 == nil || st.JSON200.EnCours || *st.JSON200.Minutes != 1 || *st.JSON200.Montant != 250 {
			t.Fatalf("stop (under a minute: 1 minute at 150.00/h): %v %s", err, st.Body)
		}
		if c, m := labour(work); *c != 52750 || *m != 196 {
			t.Errorf("labour after the timer: %v %v", *c, *m)
		}
		st, _ = env.Client.StopInterventionTimerWithResponse(ctx, work, testenv.As(iv.tech))
		stockProblem(t, st.StatusCode(), st.Body, http.StatusConflict)
	})
	t.Run("cancelling an entry keeps it out of the sums", func(t *testing.T) {
		c, err := env.Client.CancelInterventionTempsWithResponse(ctx, work, managerEntry.Id, testenv.As(iv.resp))
		if err != nil || c.JSON200 == nil || c.JSON200.AnnuleeAt == nil {
			t.Fatalf("cancel: %v %s", err, c.Body)
		}
		if cost, _ := labour(work); *cost != 37750 {
			t.Errorf("labour after cancelling: %d", *cost)
		}
		c, _ = env.Client.CancelInterventionTempsWithResponse(ctx, work, managerEntry.Id, testenv.As(iv.resp))
		stockProblem(t, c.StatusCode(), c.Body, http.StatusConflict)
		l, err := env.Client.ListInterventionTempsWithResponse(ctx, work, testenv.As(iv.client))
		if err != nil || l.JSON200 == nil || len(*l.JSON200) != 3 {
			t.Fatalf("the client reads its intervention's entries: %v %s", err, l.Body)
		}
	})
	t.Run("closing stops a running timer and computes the labour", func(t *testing.T) {
		if s, _ := env.Client.StartInterventionTimerWithResponse(ctx, work, api.TimerInput{}, testenv.As(iv.tech)); s.JSON201 == nil {
			t.Fatalf("start: %s", s.Body)
		}
		resp, b := iv.act(iv.tech, work, "close", `{"rapport":"Fait","cout_main_oeuvre":1,"duree_minutes":1}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("close: %d %s", resp.StatusCode, b)
		}
		if c, m := labour(work); *c != 38000 || *m != 152 {
			t.Errorf("labour after closing: %d %d, want 38000 and 152 (not the ones typed)", *c, *m)
		}
		l, _ := env.Client.ListInterventionTempsWithResponse(ctx, work, testenv.As(iv.resp))
		for _, e := range *l.JSON200 {
			if e.EnCours {
				t.Errorf("a timer still runs after closing: %+v", e)
			}
		}
		r := add(iv.resp, work, api.InterventionTempsCreate{Minutes: ptrTo(5)})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
	})
}
