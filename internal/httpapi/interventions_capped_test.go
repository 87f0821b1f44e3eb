package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/mif-erp/erp/internal/interventions"
)

// A text search counts its matches up to interventions.TotalCap: beyond, the total says the cap
// and X-Total-Count-Capped says there are more; below it, and without q, the count is exact.
func TestTextSearchTotalIsCappedBeyondTenThousandMatches(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	m := f.machine(nil, nil)
	many := interventions.TotalCap + 7
	f.exec(`INSERT INTO interventions (titre, description, type_intervention, statut, equipement_id)
		SELECT 'Fuite d''huile ' || n, 'fuite visible', 'corrective', 'ouverte', $1 FROM generate_series(1, $2) n`, m, many)
	f.exec(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id)
		SELECT 'Roulement bruyant ' || n, 'corrective', 'ouverte', $1 FROM generate_series(1, 3) n`, m)

	get := func(query string) (total, capped string, rows int) {
		t.Helper()
		resp, b := f.env.Do(http.MethodGet, "/api/v1/interventions?limit=5&"+query, f.resp, "", nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET ?%s: %d %s", query, resp.StatusCode, b)
		}
		return resp.Header.Get("X-Total-Count"), resp.Header.Get("X-Total-Count-Capped"),
			len(decodeJSON[[]struct{ ID int64 }](t, b))
	}
	cases := []struct {
		query, total, capped string
	}{
		{"q=fuite", strconv.Itoa(interventions.TotalCap), "true"},
		{"q=fuite&sort=pertinence&offset=10005", strconv.Itoa(interventions.TotalCap), "true"},
		{"q=roulement", "3", ""},
		{"", strconv.Itoa(many + 3), ""}, // no text: exact, whatever the size
		{"statut=ouverte", strconv.Itoa(many + 3), ""},
	}
	for _, c := range cases {
		total, capped, rows := get(c.query)
		if total != c.total || capped != c.capped || rows == 0 {
			t.Errorf("?%s: X-Total-Count %q, X-Total-Count-Capped %q, %d rows; want %q, %q and rows",
				c.query, total, capped, rows, c.total, c.capped)
		}
	}
}
