package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/mif-erp/erp/internal/interventions"
)

// A text search counts its matches up to interventions.TotalAhead past the page's offset: beyond,
// the total says offset+TotalAhead and X-Total-Count-Capped says there are more; below it, and
// without q, the count is exact.
func TestTextSearchTotalIsCappedAThousandPastTheOffset(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	m := f.machine(nil, nil)
	many := 3*interventions.TotalAhead + 7
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
	ahead := interventions.TotalAhead
	cases := []struct {
		query, total, capped string
	}{
		{"q=fuite", strconv.Itoa(ahead), "true"},
		{"q=fuite&statut=ouverte&priorite=normale", strconv.Itoa(ahead), "true"},
		// Deeper pages count further: the total is never below the rows already passed.
		{"q=fuite&offset=1500", strconv.Itoa(1500 + ahead), "true"},
		{"q=fuite&sort=pertinence&offset=1500", strconv.Itoa(1500 + ahead), "true"},
		// Within offset+TotalAhead of the last match: exact.
		{"q=fuite&offset=" + strconv.Itoa(many-ahead), strconv.Itoa(many), ""},
		{"q=fuite&offset=" + strconv.Itoa(many-5), strconv.Itoa(many), ""},
		{"q=roulement", "3", ""},
		{"q=fuite&statut=cloturee", "0", ""},
		{"", strconv.Itoa(many + 3), ""}, // no text: exact, whatever the size
		{"statut=ouverte", strconv.Itoa(many + 3), ""},
	}
	for _, c := range cases {
		total, capped, rows := get(c.query)
		wantRows := c.total != "0"
		if total != c.total || capped != c.capped || (rows > 0) != wantRows {
			t.Errorf("?%s: X-Total-Count %q, X-Total-Count-Capped %q, %d rows; want %q, %q and rows: %v",
				c.query, total, capped, rows, c.total, c.capped, wantRows)
		}
	}
}
