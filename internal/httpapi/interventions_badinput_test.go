package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestInterventionBadInputsAre4xx sends malformed ids, enums, dates, bodies and query strings to
// every intervention operation: each answers a 4xx problem (the status given when it matters),
// never a 500.
func TestInterventionBadInputsAre4xx(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	id := f.insert("en_cours", machine, &f.techID)
	iv := ivPath(id)
	long := strings.Repeat("x", 2001)
	create := func(fields string) string {
		return fmt.Sprintf(`{"titre":"x","type":"corrective","equipement_id":%d%s}`, machine, fields)
	}
	cases := []struct {
		method, path, token, ctype, body string
		status                           int // 0: any 4xx
	}{
		// Ids.
		{"GET", "/api/v1/interventions/abc", f.admin, "", "", 0},
		{"GET", "/api/v1/interventions/0", f.admin, "", "", 0},
		{"GET", "/api/v1/interventions/-1", f.admin, "", "", 0},
		{"GET", "/api/v1/interventions/1.5", f.admin, "", "", 0},
		{"GET", "/api/v1/interventions/99999999999999999999", f.admin, "", "", 0},
		{"GET", "/api/v1/interventions/9223372036854775807", f.admin, "", "", 404},
		{"GET", "/api/v1/interventions/abc/historique", f.admin, "", "", 0},
		{"PATCH", "/api/v1/interventions/abc", f.admin, "application/json", `{"titre":"x"}`, 0},
		{"PATCH", "/api/v1/interventions/abc/statut?statut=en_cours", f.admin, "", "", 0},
		{"POST", "/api/v1/interventions/0/actions/start", f.admin, "", "", 0},
		{"PUT", "/api/v1/interventions/x/satisfaction", f.client, "application/json", `{"satisfaction_client":5}`, 0},
		{"GET", "/api/v1/equipements/abc/interventions", f.admin, "", "", 0},
		{"GET", "/api/v1/equipements/0/interventions", f.admin, "", "", 0},
		{"GET", "/api/v1/techniciens/-3/interventions", f.admin, "", "", 0},
		// Query strings of the lists.
		{"GET", "/api/v1/interventions?limit=0", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?limit=-1", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?limit=abc", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?limit=501", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?offset=-1", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?offset=1e3", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?offset=99999999999", f.admin, "", "", 0},
		{"GET", "/api/v1/interventions?sort=pertinence", f.admin, "", "", 422}, // needs q
		{"GET", "/api/v1/interventions?sort=pertinence&q=%20", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?sort=pertinence&q=fuite", f.admin, "", "", 200},
		{"GET", "/api/v1/interventions?sort=-nope", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?statut=fermee", f.admin, "", "", 422},
		{"GET", "/api/v1/interventions?statut=ouverte&statut=fermee", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?priorite=critique", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?type=curative", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?urgence=peut-etre", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?en_retard=2", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?technicien_id=-1", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?technicien_id=abc", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?equipement_id=0", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?client_id=x", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?contrat_id=-5", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?created_from=2026-13-45T00:00:00Z", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?created_from=hier", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?created_to=2026-01-01", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?created_from=2026-02-01T00:00:00Z&created_to=2026-01-01T00:00:00Z", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?deadline_before=demain", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?q=" + strings.Repeat("a", 201), f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?q=%00", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?q=%FF%FE", f.admin, "", "", 422},
		{"GET", "/api/v1/filters/interventions?q=%22%22%22!!%26%7C(%3A*", f.admin, "", "", 200}, // any text is a valid search
		{"GET", "/api/v1/filters/interventions?q=or%20-%20and", f.admin, "", "", 200},
		{"GET", iv + "/historique?limit=0", f.admin, "", "", 422},
		{"GET", iv + "/historique?offset=-2", f.admin, "", "", 422},
		{"GET", fmt.Sprintf("/api/v1/equipements/%d/interventions?statut=x", machine), f.admin, "", "", 422},
		{"GET", fmt.Sprintf("/api/v1/techniciens/%d/interventions?sort=priority", f.techID), f.admin, "", "", 422},
		// Creation bodies.
		{"POST", "/api/v1/interventions", f.admin, "application/json", `not json`, 400},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{"titre":`, 400},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `[]`, 0},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `null`, 0},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{}`, 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{"titre":1,"type":"corrective","equipement_id":1}`, 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"type":"curative"`), 400}, // type given twice
		{"POST", "/api/v1/interventions", f.admin, "application/json", fmt.Sprintf(`{"titre":"x","type":"curative","equipement_id":%d}`, machine), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"priorite":"critique"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"statut":"fermee"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"inconnu":1`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"date_limite":"2026-13-01T00:00:00Z"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"date_limite":"demain"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"technicien_id":"1"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"technicien_id":0`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"contrat_id":1e40`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"urgence":"oui"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", create(`,"description":"a\u0000b"`), 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{"titre":"` + strings.Repeat("é", 256) + `","type":"corrective","equipement_id":1}`, 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{"titre":"nul\u0000","type":"corrective","equipement_id":1}`, 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{"titre":"x","type":"corrective","equipement_id":-4}`, 422},
		{"POST", "/api/v1/interventions", f.admin, "application/json", `{"titre":"x","type":"corrective","equipement_id":99999999999999999999}`, 422},
		{"POST", "/api/v1/interventions", f.admin, "text/plain", create(""), 415},
		// Update bodies.
		{"PATCH", iv, f.admin, "application/json", `{}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"statut":"cloturee"}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"titre":null}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"date_limite":"bientôt"}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"cout_pieces":-1}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"duree_minutes":1.5}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"contrat_id":0}`, 422},
		{"PATCH", iv, f.admin, "application/json", `{"description":"\u0000"}`, 422},
		{"PATCH", iv, f.admin, "application/json", `null`, 0},
		{"PATCH", iv, f.admin, "application/json", `{"titre":"x"`, 400},
		// The original's status call.
		{"PATCH", iv + "/statut", f.admin, "", "", 422},
		{"PATCH", iv + "/statut?statut=terminee", f.admin, "", "", 422},
		{"PATCH", iv + "/statut?statut=", f.admin, "", "", 422},
		{"PATCH", iv + "/statut?statut=en_attente&remarque=" + long, f.admin, "", "", 422},
		{"PATCH", iv + "/statut?statut=en_attente&remarque=%00", f.admin, "", "", 422},
		{"PATCH", iv + "/statut?statut=en_attente&remarque=%C3%28", f.admin, "", "", 422},
		// Actions.
		{"POST", iv + "/actions/fly", f.admin, "", "", 422},
		{"POST", iv + "/actions/close", f.admin, "application/json", `not json`, 400},
		{"POST", iv + "/actions/close", f.admin, "application/json", `{"duree_minutes":-5}`, 422},
		{"POST", iv + "/actions/close", f.admin, "application/json", `{"duree_minutes":"long"}`, 422},
		{"POST", iv + "/actions/close", f.admin, "application/json", `{"cout_pieces":-1}`, 422},
		{"POST", iv + "/actions/close", f.admin, "application/json", `{"rapport":"\u0000"}`, 422},
		{"POST", iv + "/actions/close", f.admin, "application/json", `{"inconnu":true}`, 422},
		{"POST", iv + "/actions/cancel", f.admin, "application/json", `{"motif":""}`, 422},
		{"POST", iv + "/actions/assign", f.admin, "application/json", `{"technicien_id":"x"}`, 422},
		{"POST", iv + "/actions/pause", f.admin, "application/json", `{"remarque":"` + long + `"}`, 422},
		{"POST", iv + "/actions/pause", f.admin, "text/plain", `x`, 415},
		// Satisfaction.
		{"PUT", iv + "/satisfaction", f.client, "application/json", `{"satisfaction_client":"5"}`, 422},
		{"PUT", iv + "/satisfaction", f.client, "application/json", `{"satisfaction_client":3.5}`, 422},
		{"PUT", iv + "/satisfaction", f.client, "application/json", `{"commentaire":"sans note"}`, 422},
		{"PUT", iv + "/satisfaction", f.client, "application/json", `{"satisfaction_client":4,"commentaire":"\u0000"}`, 0},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			f := f.with(t)
			headers := map[string]string{}
			if c.ctype != "" {
				headers["Content-Type"] = c.ctype
			}
			resp, b := f.do(c.method, c.path, c.token, c.body, headers, true)
			switch {
			case c.status == http.StatusOK:
				if resp.StatusCode != http.StatusOK {
					t.Errorf("got %d %s, want 200", resp.StatusCode, b)
				}
				return
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
	if st := f.state(id); st.Version != 1 || st.HistoryRows != 0 {
		t.Errorf("bad inputs changed the intervention: %+v", st)
	}
	if errs := serverErrors(f.env); errs != "" {
		t.Errorf("the server logged errors:\n%s", errs)
	}
}
