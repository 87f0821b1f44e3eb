package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestMeters: cumulative meters never go down over time (late readings checked against both
// neighbours, concurrent ones against each other), readings in the future are refused, CSV
// import with a dry run, and who may read or record.
func TestMeters(t *testing.T) {
	t.Parallel()
	iv := newIvFixture(t)
	env := iv.env
	ctx := t.Context()
	machine := iv.machine(&iv.company, nil)
	iv.insert("en_cours", machine, &iv.techID) // the demo technicien works on it

	mk := func(nom string, typ api.TypeCompteur) api.Compteur {
		r, err := env.Client.CreateCompteurWithResponse(ctx, machine, api.CompteurCreate{Nom: nom, Unite: "h", TypeCompteur: typ}, testenv.As(iv.resp))
		if err != nil || r.JSON201 == nil {
			t.Fatalf("meter %s: %v %s", nom, err, r.Body)
		}
		return *r.JSON201
	}
	heures := mk("Heures de marche", api.TypeCompteurCumulatif)
	temp := mk("Température huile", api.TypeCompteurJauge)
	if r, _ := env.Client.CreateCompteurWithResponse(ctx, machine, api.CompteurCreate{Nom: "heures de MARCHE", Unite: "h",
		TypeCompteur: api.TypeCompteurCumulatif}, testenv.As(iv.resp)); r.StatusCode() != http.StatusConflict {
		t.Errorf("duplicate name: %d", r.StatusCode())
	}
	day := func(d int) *time.Time { v := time.Now().UTC().Truncate(time.Hour).AddDate(0, 0, -d); return &v }
	read := func(token string, id int64, v float64, at *time.Time) *api.CreateReleveResponse {
		t.Helper()
		r, err := env.Client.CreateReleveWithResponse(ctx, id, api.ReleveCreate{Valeur: v, LuLe: at}, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		v float64
		d int
	}{{100, 10}, {150, 5}, {210, 1}} {
		if r := read(iv.tech, heures.Id, c.v, day(c.d)); r.JSON201 == nil {
			t.Fatalf("reading %v: %d %s", c.v, r.StatusCode(), r.Body)
		}
	}
	t.Run("a cumulative meter never goes down", func(t *testing.T) {
		r := read(iv.tech, heures.Id, 200, nil) // now, below 210
		p := stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "valeur")
		if !strings.Contains((*p.Errors)[0].Message, "au moins 210") {
			t.Errorf("problem %+v", p)
		}
		r = read(iv.tech, heures.Id, 160, day(3)) // late, between 150 (5 days ago) and 210 (1 day ago): fine
		if r.JSON201 == nil {
			t.Fatalf("late reading in order: %s", r.Body)
		}
		r = read(iv.tech, heures.Id, 220, day(2)) // late, above the reading after it
		p = stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "valeur")
		if !strings.Contains((*p.Errors)[0].Message, "au plus 210") {
			t.Errorf("problem %+v", p)
		}
		future := time.Now().UTC().Add(time.Hour)
		r = read(iv.tech, heures.Id, 500, &future)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "lu_le")
		if r := read(iv.tech, temp.Id, 60, day(2)); r.JSON201 == nil {
			t.Fatalf("gauge: %s", r.Body)
		}
		if r := read(iv.tech, temp.Id, 40, nil); r.JSON201 == nil { // a gauge may go down
			t.Fatalf("gauge down: %s", r.Body)
		}
	})
	t.Run("concurrent readings are checked against each other", func(t *testing.T) {
		m := mk("Cycles", api.TypeCompteurCumulatif)
		at := time.Now().UTC().Add(-time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := range 8 {
			wg.Go(func() {
				// Same time, values 100..107: whichever lands first, a later smaller value at the
				// same time is refused, so the stored values never decrease with time and id.
				r, err := env.Client.CreateReleveWithResponse(ctx, m.Id, api.ReleveCreate{Valeur: float64(100 + i), LuLe: &at},
					testenv.As(iv.resp))
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
		if codes[http.StatusCreated] < 1 || codes[http.StatusCreated]+codes[http.StatusUnprocessableEntity] != 8 {
			t.Fatalf("answers %v", codes)
		}
		if n := iv.count(`SELECT count(*) FROM (SELECT valeur < lag(valeur) OVER (ORDER BY lu_le, id) AS down
				FROM releves WHERE compteur_id = $1) x WHERE down`, m.Id); n != 0 {
			t.Errorf("%d readings below the one before them", n)
		}
	})
	t.Run("CSV import with a dry run, all or nothing", func(t *testing.T) {
		m := mk("Compteur importé", api.TypeCompteurCumulatif)
		imp := func(body string, dry bool) *api.ImportRelevesResponse {
			r, err := env.Client.ImportRelevesWithBodyWithResponse(ctx, m.Id, &api.ImportRelevesParams{DryRun: &dry}, "text/csv",
				strings.NewReader(body), testenv.As(iv.resp))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		bad := "lu_le;valeur\n2026-11-01 08:00;1200\n2026-11-15T08:00:00Z;1310,5\n2026-11-10T08:00:00Z;1500\nhier;12\n"
		r := imp(bad, true)
		if r.JSON200 == nil || r.JSON200.Importees != 2 || len(r.JSON200.Erreurs) != 2 || r.JSON200.Lignes != 4 {
			t.Fatalf("dry run: %d %s", r.StatusCode(), r.Body)
		}
		r = imp(bad, false)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity)
		if n := iv.count(`SELECT count(*) FROM releves WHERE compteur_id = $1`, m.Id); n != 0 {
			t.Fatalf("a refused import wrote %d readings", n)
		}
		r = imp("lu_le,valeur\n2026-11-15T08:00:00Z,1310.5\n2026-11-01T08:00:00Z,1200\n", false)
		if r.JSON200 == nil || r.JSON200.Importees != 2 {
			t.Fatalf("import: %d %s", r.StatusCode(), r.Body)
		}
		l, err := env.Client.ListCompteursWithResponse(ctx, machine, testenv.As(iv.client))
		if err != nil || l.JSON200 == nil {
			t.Fatalf("the client lists its machine's meters: %v %s", err, l.Body)
		}
		for _, c := range *l.JSON200 {
			if c.Id == m.Id && (c.DerniereValeur == nil || *c.DerniereValeur != 1310.5) {
				t.Errorf("latest reading %+v", c)
			}
		}
	})
	t.Run("who records and reads", func(t *testing.T) {
		_, other := iv.techAccount()
		r := read(other, heures.Id, 999, nil)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden)
		_, otherClient := iv.clientAccount()
		if l, _ := env.Client.ListRelevesWithResponse(ctx, heures.Id, nil, testenv.As(otherClient)); l.StatusCode() != http.StatusNotFound {
			t.Errorf("another client reads the readings: %d", l.StatusCode())
		}
		l, err := env.Client.ListRelevesWithResponse(ctx, heures.Id, nil, testenv.As(iv.client))
		if err != nil || l.JSON200 == nil || l.Headers200.XTotalCount != 4 || (*l.JSON200)[0].Valeur != 210 {
			t.Fatalf("the client reads its readings: %v %s", err, l.Body)
		}
	})
}
