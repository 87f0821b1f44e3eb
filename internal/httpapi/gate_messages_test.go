package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestFieldMessagesAreFrench: what the contract refuses is explained in French, field by
// field, whatever the keyword that failed.
func TestFieldMessagesAreFrench(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	cases := []struct {
		method, path, body string
		want               map[string]string
	}{
		{"POST", "/rapports/modeles", `{"nom":"","type":"hebdo","format":"pdf","titre_modele":12,"couleur":"bleu"}`,
			map[string]string{
				"nom":          "doit contenir au moins 1 caractère(s)",
				"type":         "doit être l'une des valeurs : interventions, equipements, techniciens, clients, dashboard, planning, stock, financial",
				"titre_modele": "doit être un texte",
				"couleur":      "champ inconnu",
			}},
		{"POST", "/rapports/planifies", `{"nom":"P","cron":"@daily","destinataires":{"emails":["pas-une-adresse"]}}`,
			map[string]string{
				"modele_id":              "obligatoire",
				"destinataires.emails.0": "doit être une adresse e-mail",
			}},
		{"GET", "/kpis?from=hier&equipement_id=0&granularite=heure", "",
			map[string]string{
				"from":          "doit être une date AAAA-MM-JJ (ou un horodatage RFC 3339)",
				"equipement_id": "doit être supérieur ou égal à 1",
				"granularite":   "doit être l'une des valeurs : jour, semaine, mois",
			}},
		{"GET", "/equipements?limit=beaucoup", "", map[string]string{"limit": "valeur invalide"}},
	}
	for _, c := range cases {
		ct := ""
		if c.body != "" {
			ct = "application/json"
		}
		resp, b := env.Do(c.method, "/api/v1"+c.path, env.Token("admin"), ct, strings.NewReader(c.body), true)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, b)
			continue
		}
		p := decodeProblem(t, b)
		got := map[string]string{}
		if p.Errors != nil {
			for _, e := range *p.Errors {
				got[e.Field] = e.Message
			}
		}
		for field, msg := range c.want {
			if got[field] != msg {
				t.Errorf("%s %s: %s = %q, want %q (all: %v)", c.method, c.path, field, got[field], msg, got)
			}
		}
	}
}

// TestHeadAnswersLikeGet: HEAD on a GET route answers its status and headers without a body,
// for the probes, the docs, the contract and the API; the event stream and a route without GET
// do not.
func TestHeadAnswersLikeGet(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	head := func(path, token string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodHead, env.Root+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"/health", "/api/v1/health", "/docs", "/openapi.json", "/openapi.yaml", "/api/v1/ready"} {
		if resp := head(path, ""); resp.StatusCode != http.StatusOK || resp.ContentLength > 0 && resp.Header.Get("Content-Length") == "" {
			t.Errorf("HEAD %s: %d", path, resp.StatusCode)
		}
	}
	resp := head("/api/v1/equipements", env.Token("admin"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Total-Count") == "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD /equipements: %d %v", resp.StatusCode, resp.Header)
	}
	if resp := head("/api/v1/equipements", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("HEAD without a token: %d", resp.StatusCode)
	}
	if resp := head("/api/v1/auth/logout", env.Token("admin")); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD on a POST-only route: %d", resp.StatusCode)
	}
}
