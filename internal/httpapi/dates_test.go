package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestDateFieldsTakeATimestampToo: a front end's date picker sends an ISO timestamp; a `date`
// field (body or query) takes it as the day written in it, takes a plain day as before, still
// refuses what is neither, and leaves timestamps in other fields alone.
func TestDateFieldsTakeATimestampToo(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	admin := env.Token("admin")

	body := `{"nom":"Presse datée","type":"presse","localisation":"Atelier",
		"description":"posée le 2026-01-05T08:00:00Z",
		"date_acquisition":"2026-03-04T23:30:00-05:00",
		"date_mise_en_service":"2026-03-10T00:00:00.000Z",
		"date_fin_garantie":"2028-03-04"}`
	resp, b := env.Do(http.MethodPost, "/api/v1/equipements", admin, "application/json", strings.NewReader(body), false)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create with timestamps: %d %s", resp.StatusCode, b)
	}
	var m struct {
		ID                int64  `json:"id"`
		Description       string `json:"description"`
		DateAcquisition   string `json:"date_acquisition"`
		DateMiseEnService string `json:"date_mise_en_service"`
		DateFinGarantie   string `json:"date_fin_garantie"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.DateAcquisition != "2026-03-04" || m.DateMiseEnService != "2026-03-10" || m.DateFinGarantie != "2028-03-04" {
		t.Errorf("days kept: %+v, want 2026-03-04 (as written, not UTC's 5th), 2026-03-10, 2028-03-04", m)
	}
	if m.Description != "posée le 2026-01-05T08:00:00Z" {
		t.Errorf("a text field was rewritten: %q", m.Description)
	}

	// A query parameter of format date.
	resp, b = env.Do(http.MethodGet, "/api/v1/kpis?from=2026-01-01T00:00:00%2B01:00&to=2026-01-31T22:00:00Z", admin, "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /kpis with timestamps: %d %s", resp.StatusCode, b)
	}
	var k struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := json.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	if k.From != "2026-01-01" || k.To != "2026-01-31" {
		t.Errorf("GET /kpis period %s to %s, want 2026-01-01 to 2026-01-31", k.From, k.To)
	}

	// Neither a day nor a timestamp, or a day that does not exist: 422 naming the field.
	for _, bad := range []string{`"2026-02-30"`, `"2026-03-04T25:00:00Z"`, `"2026-03-04T10:00:00"`, `"04/03/2026"`} {
		body := `{"nom":"P","type":"presse","localisation":"A","date_acquisition":` + bad + `}`
		resp, b := env.Do(http.MethodPost, "/api/v1/equipements", admin, "application/json", strings.NewReader(body), true)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"field":"date_acquisition"`) {
			t.Errorf("date_acquisition %s: %d %s", bad, resp.StatusCode, b)
		}
	}
}
