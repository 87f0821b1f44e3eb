package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/oapi-codegen/nullable"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

func competencePath(id int64) string { return "/api/v1/competences/" + strconv.FormatInt(id, 10) }

// listCompetences calls GET /techniciens/competences as the demo technicien.
func listCompetences(t *testing.T, env *testenv.Env, query string) ([]api.Competence, int) {
	t.Helper()
	resp, b := env.Do(http.MethodGet, "/api/v1/techniciens/competences?"+query, env.Token("technicien"), "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("list competences ?%s: %d %s", query, resp.StatusCode, b)
	}
	var rows []api.Competence
	techDecode(t, b, &rows)
	total, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if err != nil {
		t.Fatalf("X-Total-Count %q", resp.Header.Get("X-Total-Count"))
	}
	return rows, total
}

func competenceNames(cs []api.Competence) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Nom
	}
	return out
}

func TestCompetenceCatalogue(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	f := newTechFixture(t, env)
	as := testenv.As(env.Token("responsable"))

	create := func(in api.CompetenceCreate) api.Competence {
		t.Helper()
		r, err := env.Client.CreateCompetenceWithResponse(ctx, in, as)
		if err != nil {
			t.Fatal(err)
		}
		if r.JSON201 == nil {
			t.Fatalf("create %q: %d %s", in.Nom, r.StatusCode(), r.Body)
		}
		if got, want := r.HTTPResponse.Header.Get("Location"), competencePath(r.JSON201.Id); got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		return *r.JSON201
	}

	// The original's test: " plomberie " is stored trimmed and listed; domaine defaults to general.
	plomberie := create(api.CompetenceCreate{Nom: " plomberie "})
	if plomberie.Nom != "plomberie" || plomberie.Domaine != "general" || plomberie.Description != nil || plomberie.NbTechniciens != 0 {
		t.Errorf("created %+v", plomberie)
	}
	if f.audits("competence.created", "competence", plomberie.Id) != 1 {
		t.Error("no competence.created audit row")
	}
	if rows, total := listCompetences(t, env, ""); total != 1 || len(rows) != 1 || rows[0].Id != plomberie.Id {
		t.Errorf("list = %v (total %d)", competenceNames(rows), total)
	}
	elec := create(api.CompetenceCreate{Nom: "Régulation", Domaine: ptrTo(" Électrique "), Description: ptrTo("Courant fort")})
	if elec.Domaine != "Électrique" || *elec.Description != "Courant fort" {
		t.Errorf("created %+v", elec)
	}
	meca := create(api.CompetenceCreate{Nom: "mécanique", Domaine: ptrTo("Mécanique")})
	auto := create(api.CompetenceCreate{Nom: "Automatisme", Domaine: ptrTo("  ")}) // blank domain: the default
	if auto.Domaine != "general" {
		t.Errorf("blank domaine = %q", auto.Domaine)
	}

	// nb_techniciens counts the holders.
	f.technicien("Holder One", api.TechnicienCreate{CompetencesIds: &[]int64{meca.Id, elec.Id}})
	f.technicien("Holder Two", api.TechnicienCreate{CompetencesIds: &[]int64{meca.Id}})

	// Sorted by name case-insensitively, searchable on name and domain, paginated.
	cases := []struct {
		query string
		want  []string
		total int
	}{
		{"", []string{"Automatisme", "mécanique", "plomberie", "Régulation"}, 4},
		{"limit=2", []string{"Automatisme", "mécanique"}, 4},
		{"limit=2&offset=2", []string{"plomberie", "Régulation"}, 4},
		{"offset=9", []string{}, 4},
		{"q=PLOMB", []string{"plomberie"}, 1},
		{"q=électrique", []string{"Régulation"}, 1}, // domain
		{"q=general", []string{"Automatisme", "plomberie"}, 2},
		{"q=%25", []string{}, 0},
	}
	for _, tc := range cases {
		rows, total := listCompetences(t, env, tc.query)
		if !slices.Equal(competenceNames(rows), tc.want) || total != tc.total {
			t.Errorf("?%s = %v (total %d), want %v (total %d)", tc.query, competenceNames(rows), total, tc.want, tc.total)
		}
	}
	rows, _ := listCompetences(t, env, "")
	holders := map[string]int{}
	for _, c := range rows {
		holders[c.Nom] = c.NbTechniciens
	}
	if holders["mécanique"] != 2 || holders["Régulation"] != 1 || holders["plomberie"] != 0 {
		t.Errorf("nb_techniciens = %v", holders)
	}

	// Update: partial; renaming to its own name in another case is fine; null clears the description.
	u, err := env.Client.UpdateCompetenceWithResponse(ctx, elec.Id, api.CompetenceUpdate{
		Nom: ptrTo(" RÉGULATION "), Description: nullable.NewNullNullable[string](),
	}, as)
	if err != nil {
		t.Fatal(err)
	}
	if u.JSON200 == nil || u.JSON200.Nom != "RÉGULATION" || u.JSON200.Domaine != "Électrique" || u.JSON200.Description != nil ||
		u.JSON200.NbTechniciens != 1 {
		t.Fatalf("update: %d %s", u.StatusCode(), u.Body)
	}
	if u, err = env.Client.UpdateCompetenceWithResponse(ctx, plomberie.Id, api.CompetenceUpdate{Domaine: ptrTo("Hydraulique")}, as); err != nil ||
		u.JSON200 == nil || u.JSON200.Nom != "plomberie" || u.JSON200.Domaine != "Hydraulique" {
		t.Fatalf("update domaine: %v %d %s", err, u.StatusCode(), u.Body)
	}
	if f.audits("competence.updated", "competence", elec.Id) != 1 {
		t.Error("no competence.updated audit row")
	}

	// Delete: refused while held, then allowed.
	d, err := env.Client.DeleteCompetenceWithResponse(ctx, plomberie.Id, as)
	if err != nil || d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
	}
	if f.audits("competence.deleted", "competence", plomberie.Id) != 1 {
		t.Error("no competence.deleted audit row")
	}

	refusals := []struct {
		name, method, path, body string
		onPurpose                bool
		status                   int
		detail                   string
	}{
		{"duplicate name, other case and spaces", http.MethodPost, "/api/v1/techniciens/competences", `{"nom": "  MÉCANIQUE "}`, false, 409,
			"Compétence déjà existante"},
		{"blank name", http.MethodPost, "/api/v1/techniciens/competences", `{"nom": "   "}`, false, 422, "Erreur de validation des données"},
		{"empty name", http.MethodPost, "/api/v1/techniciens/competences", `{"nom": ""}`, true, 422, ""},
		{"no name", http.MethodPost, "/api/v1/techniciens/competences", `{"domaine": "x"}`, true, 422, ""},
		{"rename to a taken name", http.MethodPatch, competencePath(auto.Id), `{"nom": "Mécanique"}`, false, 409, "Compétence déjà existante"},
		{"rename to blank", http.MethodPatch, competencePath(auto.Id), `{"nom": "  "}`, false, 422, ""},
		{"blank domain", http.MethodPatch, competencePath(auto.Id), `{"domaine": " "}`, false, 422, ""},
		{"update a missing competence", http.MethodPatch, competencePath(999999), `{"nom": "x"}`, false, 404, "Compétence introuvable"},
		{"delete a held competence", http.MethodDelete, competencePath(meca.Id), "", false, 409, "Compétence détenue par des techniciens"},
		{"delete twice", http.MethodDelete, competencePath(plomberie.Id), "", false, 404, "Compétence introuvable"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			var res *http.Response
			var b []byte
			if tc.body != "" {
				res, b = sendJSON(t, env, tc.method, tc.path, env.Token("admin"), tc.body, tc.onPurpose)
			} else {
				res, b = env.Do(tc.method, tc.path, env.Token("admin"), "", nil, tc.onPurpose)
			}
			p := checkProblem(t, tc.name, res, b, tc.status)
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail = %q, want %q", detailOf(p), tc.detail)
			}
		})
	}
	if n := countRows(t, env, "SELECT count(*) FROM competences"); n != 3 {
		t.Errorf("%d competences after the refusals, want 3", n)
	}
	var nom string
	if err := env.Pool.QueryRow(ctx, "SELECT nom FROM competences WHERE id = $1", auto.Id).Scan(&nom); err != nil || nom != "Automatisme" {
		t.Errorf("a refused rename changed the name to %q (%v)", nom, err)
	}
}

// Techniciens read the catalogue and profiles; only admins and responsables write them.
func TestTechniciensReadButDoNotWrite(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newTechFixture(t, env)
	tech := f.technicien("Read Only", api.TechnicienCreate{})
	comp := f.competence("lecture")
	token := env.Token("technicien")
	reads := []string{"/api/v1/techniciens", techPath(tech.Id), "/api/v1/techniciens/competences"}
	for _, path := range reads {
		if res, b := env.Do(http.MethodGet, path, token, "", nil, false); res.StatusCode != http.StatusOK {
			t.Errorf("GET %s as technicien: %d %s", path, res.StatusCode, b)
		}
		if res, b := env.Do(http.MethodGet, path, env.Token("client"), "", nil, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s as client: %d %s", path, res.StatusCode, b)
		}
	}
	writes := []struct{ method, path, body string }{
		{http.MethodPost, "/api/v1/techniciens", fmt.Sprintf(`{"user_id": %d}`, f.user("technicien", "Someone"))},
		{http.MethodPut, techPath(tech.Id), `{"equipe": "B"}`},
		{http.MethodPost, techPath(tech.Id) + "/competences", fmt.Sprintf(`{"competence_id": %d}`, comp)},
		{http.MethodPost, "/api/v1/techniciens/competences", `{"nom": "nouvelle"}`},
		{http.MethodPatch, competencePath(comp), `{"nom": "renommée"}`},
	}
	for _, w := range writes {
		if res, b := sendJSON(t, env, w.method, w.path, token, w.body, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s as technicien: %d %s", w.method, w.path, res.StatusCode, b)
		}
	}
	for _, path := range []string{techPath(tech.Id), competencePath(comp)} {
		if res, b := env.Do(http.MethodDelete, path, token, "", nil, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("DELETE %s as technicien: %d %s", path, res.StatusCode, b)
		}
	}
}
