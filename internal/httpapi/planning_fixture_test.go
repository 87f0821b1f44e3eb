package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apitypes"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/testenv"
)

// plFixture builds planning scenarios on one test's database (the intervention fixture's demo
// company, technician profile and tokens).
type plFixture struct {
	*ivFixture
	svc *planning.Service
}

func newPlFixture(t *testing.T) *plFixture {
	t.Helper()
	env := testenv.NewEnv(t, pg, nil)
	return &plFixture{ivFixture: newIvFixtureOn(t, env), svc: planning.NewService(env.Pool)}
}

func (f *plFixture) with(t *testing.T) *plFixture {
	return &plFixture{ivFixture: f.ivFixture.with(t), svc: f.svc}
}

func plPath(id int64, rest ...string) string {
	return "/api/v1/planning/" + strconv.FormatInt(id, 10) + strings.Join(rest, "")
}

// plToday is the server's today (UTC).
func plToday() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ds(t time.Time) string { return t.Format(time.DateOnly) }

// dateOrEmpty is a nullable date as text ("" for null).
func dateOrEmpty(d *apitypes.Date) string {
	if d == nil {
		return ""
	}
	return d.Format(time.DateOnly)
}

// deref is *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

// send sends a JSON request (body "" for none) and returns the response and its body.
func (f *plFixture) send(method, path, token, body string) (*http.Response, []byte) {
	f.t.Helper()
	return f.do(method, path, token, body, nil, false)
}

// create posts a plan as the responsable and fails unless 201.
func (f *plFixture) create(body string) api.Planning {
	f.t.Helper()
	resp, b := f.send(http.MethodPost, "/api/v1/planning", f.resp, body)
	if resp.StatusCode != http.StatusCreated {
		f.t.Fatalf("create plan %s: %d %s", body, resp.StatusCode, b)
	}
	p := decodeJSON[api.Planning](f.t, b)
	if loc := resp.Header.Get("Location"); loc != plPath(p.Id) {
		f.t.Errorf("Location %q, want %q", loc, plPath(p.Id))
	}
	return p
}

// plan creates a plan on machine with extra JSON fields (",..." or "").
func (f *plFixture) plan(machine int64, frequence, fields string) api.Planning {
	f.t.Helper()
	return f.create(fmt.Sprintf(`{"equipement_id":%d,"frequence":%q%s}`, machine, frequence, fields))
}

func (f *plFixture) get(token string, id int64) (int, api.Planning) {
	f.t.Helper()
	resp, b := f.send(http.MethodGet, plPath(id), token, "")
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, api.Planning{}
	}
	return resp.StatusCode, decodeJSON[api.Planning](f.t, b)
}

func (f *plFixture) mustGet(id int64) api.Planning {
	f.t.Helper()
	st, p := f.get(f.admin, id)
	if st != http.StatusOK {
		f.t.Fatalf("get plan %d: %d", id, st)
	}
	return p
}

// occurrences lists GET /planning/{id}/occurrences?<query> as text.
func (f *plFixture) occurrences(token string, id int64, query string) (int, []string) {
	f.t.Helper()
	resp, b := f.send(http.MethodGet, plPath(id, "/occurrences?", query), token, "")
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	var days []openapi_types.Date
	if err := json.Unmarshal(b, &days); err != nil {
		f.t.Fatal(err)
	}
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Format(time.DateOnly)
	}
	return resp.StatusCode, out
}

// generate is POST /planning/{id}/generate as the responsable.
func (f *plFixture) generate(id int64) (*http.Response, []byte) {
	f.t.Helper()
	return f.send(http.MethodPost, plPath(id, "/generate"), f.resp, "")
}

// runJob runs the scheduler's job for today and fails on error.
func (f *plFixture) runJob() planning.Report {
	f.t.Helper()
	rep, err := f.svc.GenerateDue(f.t.Context(), time.Now())
	if err != nil {
		f.t.Fatalf("GenerateDue: %v", err)
	}
	return rep
}

// setDates writes a plan's next date and reference date directly (a plan made due in the past).
func (f *plFixture) setNext(id int64, next time.Time) {
	f.t.Helper()
	f.exec(`UPDATE plannings SET prochaine_date = $2, date_reference = $2 WHERE id = $1`, id, next)
}

// generatedOf lists the interventions a plan generated (id, occurrence, statut), oldest first.
func (f *plFixture) generatedOf(id int64) []genRow {
	f.t.Helper()
	rows, err := f.env.Pool.Query(f.t.Context(), `SELECT id, occurrence, statut::text FROM interventions
		WHERE planning_id = $1 ORDER BY id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []genRow
	for rows.Next() {
		var g genRow
		var occ time.Time
		if err := rows.Scan(&g.ID, &occ, &g.Statut); err != nil {
			f.t.Fatal(err)
		}
		g.Occurrence = ds(occ)
		out = append(out, g)
	}
	return out
}

type genRow struct {
	ID         int64
	Occurrence string
	Statut     string
}

// closeIntervention closes an intervention directly, on the given moment.
func (f *plFixture) closeIntervention(id int64, at time.Time) {
	f.t.Helper()
	f.exec(`UPDATE interventions SET statut = 'cloturee', date_debut_travaux = $2, date_fin_travaux = $2,
		date_cloture = $2 WHERE id = $1`, id, at)
}
