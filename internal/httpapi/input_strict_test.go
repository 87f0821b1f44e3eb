package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mif-erp/erp/internal/testenv"
)

// TestJSONBodyWithTrailingDataOrDuplicateKeysIs400: a JSON body is one value, whose objects
// name each key once; anything after it (but white space) or a key given twice (where the
// decoders kept the last or the first, silently) answers 400.
func TestJSONBodyWithTrailingDataOrDuplicateKeysIs400(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	admin := env.Token("admin")
	for _, c := range []struct{ path, body string }{
		{"/techniciens/competences", `{"nom":"a"} x`},
		{"/techniciens/competences", `{"nom":"a"}{}`},
		{"/techniciens/competences", `{}{}`},
		{"/techniciens/competences", `{"nom":"a"} null`},
		{"/techniciens/competences", `{"nom":"a","nom":"b"}`},
		{"/techniciens/competences", `{"nom":"a","domaine":"x","nom":"a"}`},
		{"/checklists", `{"nom":"n","items":[{"libelle":"a","type_item":"case","libelle":"b"}]}`},
	} {
		resp, b := env.Do(http.MethodPost, "/api/v1"+c.path, admin, "application/json", strings.NewReader(c.body), true)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("POST %s %s: got %d %s, want a 400 problem", c.path, c.body, resp.StatusCode, b)
		}
	}
	// White space after the value is not junk.
	resp, b := env.Do(http.MethodPost, "/api/v1/techniciens/competences", admin, "application/json",
		strings.NewReader("{\"nom\":\"Soudure TIG\"}\r\n\t \n"), false)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("a body followed by white space: got %d %s, want 201", resp.StatusCode, b)
	}
}

// TestUnknownKeyInNestedObjectIs422NamingItsPath: an unknown key inside a nested object (a
// plan's modele) is refused as one at the top level is, the field named by its path.
func TestUnknownKeyInNestedObjectIs422NamingItsPath(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	admin := env.Token("admin")
	for _, c := range []struct{ method, path, body, field string }{
		{"POST", "/planning", `{"equipement_id":1,"frequence":"mensuel","modele":{"titre":"x","inconnu":1}}`, "modele.inconnu"},
		{"PUT", "/planning/1", `{"modele":{"priorite":"haute","Titre":"x"}}`, "modele.Titre"},
		{"POST", "/planning", `{"equipement_id":1,"frequence":"mensuel","inconnu":1}`, "inconnu"},
	} {
		resp, b := env.Do(c.method, "/api/v1"+c.path, admin, "application/json", strings.NewReader(c.body), true)
		if p := decodeProblem(t, b); resp.StatusCode != http.StatusUnprocessableEntity || !names(p, c.field) {
			t.Errorf("%s %s %s: got %d %s, want 422 naming %s", c.method, c.path, c.body, resp.StatusCode, b, c.field)
		}
	}
}

// TestDatesOutsideYears1900To2999Are422: a year 0000 or 9999 (a typo, a sentinel) in a date
// or date-time, of a body or a query string, is refused naming the field; 1900 and 2999 are
// taken.
func TestDatesOutsideYears1900To2999Are422(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, admin := f.env, f.admin
	contrat := func(debut, fin string) string {
		return fmt.Sprintf(`{"client_id":%d,"numero_contrat":"Y-%s","nom_contrat":"N","type_contrat":"maintenance_complete","date_debut":%q,"date_fin":%q}`,
			f.company, debut[:4], debut, fin)
	}
	for _, c := range []struct{ method, path, body, field string }{
		{"POST", "/contrats", contrat("0000-01-01", "2026-12-31"), "date_debut"},
		{"POST", "/contrats", contrat("2026-01-01", "9999-12-31"), "date_fin"},
		{"POST", "/contrats", contrat("2026-01-01", "9999-12-31T00:00:00Z"), "date_fin"},
		{"PATCH", "/contrats/1", `{"date_signature":"1899-12-31"}`, "date_signature"},
		{"POST", "/equipements", `{"nom":"n","type":"t","localisation":"l","date_acquisition":"0000-01-01"}`, "date_acquisition"},
		{"PATCH", "/equipements/1", `{"date_fin_garantie":"9999-12-31"}`, "date_fin_garantie"},
		{"POST", "/techniciens", `{"user_id":1,"date_embauche":"0000-01-01"}`, "date_embauche"},
		{"PUT", "/techniciens/1", `{"date_embauche":"3000-01-01"}`, "date_embauche"},
		{"POST", "/interventions", `{"titre":"t","type":"corrective","equipement_id":1,"date_limite":"9999-12-31T23:59:59Z"}`, "date_limite"},
		{"PATCH", "/interventions/1", `{"date_limite":"0000-01-01T00:00:00Z"}`, "date_limite"},
		{"GET", "/interventions?created_from=0000-01-01T00:00:00Z", "", "created_from"},
		{"GET", "/interventions?deadline_before=" + url.QueryEscape("9999-12-31T23:59:59+01:00"), "", "deadline_before"},
		{"GET", "/kpis?from=0000-01-01", "", "from"},
		{"GET", "/planning?due_before=9999-12-31", "", "due_before"},
	} {
		resp, b := env.Do(c.method, "/api/v1"+c.path, admin, "application/json", strings.NewReader(c.body), true)
		p := decodeProblem(t, b)
		if resp.StatusCode != http.StatusUnprocessableEntity || !names(p, c.field) {
			t.Errorf("%s %s %s: got %d %s, want 422 naming %s", c.method, c.path, c.body, resp.StatusCode, b, c.field)
			continue
		}
		for _, e := range *p.Errors {
			if e.Field == c.field && e.Message != "l'année doit être comprise entre 1900 et 2999" {
				t.Errorf("%s %s %s: %s %q, want the years in French", c.method, c.path, c.body, e.Field, e.Message)
			}
		}
	}
	// The bounds are in.
	resp, b := env.Do("POST", "/api/v1/contrats", admin, "application/json", strings.NewReader(contrat("1900-01-01", "2999-12-31")), false)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("a contract from 1900-01-01 to 2999-12-31: got %d %s, want 201", resp.StatusCode, b)
	}
	resp, b = env.Do("GET", "/api/v1/interventions?created_from=1900-01-01T00:00:00Z&deadline_before=2999-12-31T23:59:59Z", admin, "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("dates at the bounds in a query: got %d %s, want 200", resp.StatusCode, b)
	}
}

// TestEveryDateInputOfTheContractRefusesYearsOutside1900To2999 is generated from the contract:
// every `date` and `date-time` query parameter and top-level body property of every operation,
// sent with the years 0000, 1899, 3000 and 9999, answers a 4xx, and a 422 names it.
func TestEveryDateInputOfTheContractRefusesYearsOutside1900To2999(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	admin := env.Token("admin")
	checked := 0
	for _, o := range sweepOps(t) {
		type input struct {
			name, format string
			query        bool
		}
		var inputs []input
		for _, ref := range o.Params {
			s := single(ref.Value.Schema)
			if ref.Value.In == openapi3.ParameterInQuery && (s.Format == "date" || s.Format == "date-time") {
				inputs = append(inputs, input{ref.Value.Name, s.Format, true})
			}
		}
		mt := o.mediaTypes()[0]
		if mt == "application/json" {
			for name, prop := range objectProperties(single(o.bodySchema(mt))) {
				if s := single(prop); s.Format == "date" || s.Format == "date-time" {
					inputs = append(inputs, input{name, s.Format, false})
				}
			}
		}
		if len(inputs) == 0 {
			continue
		}
		checked += len(inputs)
		t.Run(o.String(), func(t *testing.T) {
			t.Parallel()
			env := env.For(t)
			for _, in := range inputs {
				for _, year := range []string{"0000", "1899", "3000", "9999"} {
					v := year + "-01-01"
					if in.format == "date-time" {
						v += "T00:00:00Z"
					}
					r := baseRequest(o, nil)
					if in.query {
						r.query.Set(in.name, v)
						r.withBody(mt, nil, "")
					} else {
						r.withBody(mt, map[string]any{in.name: v}, "")
					}
					status, p, b := r.send(t, env, admin)
					if status != http.StatusUnprocessableEntity || !names(p, in.name) {
						t.Errorf("%s=%s: got %d %s, want 422 naming it", in.name, v, status, truncated(b))
					}
				}
			}
		})
	}
	if checked < 40 {
		t.Errorf("only %d date inputs found in the contract", checked)
	}
}
