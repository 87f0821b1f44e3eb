package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// techFixture builds technicians and what surrounds them (accounts, competences, machines,
// interventions), with SQL where the API is not under test.
type techFixture struct {
	t   *testing.T
	env *testenv.Env
	seq atomic.Int64
}

func newTechFixture(t *testing.T, env *testenv.Env) *techFixture {
	return &techFixture{t: t, env: env}
}

func (f *techFixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.env.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f *techFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.env.Pool.Exec(f.t.Context(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// user inserts an account (that cannot log in) of the role and returns its id.
func (f *techFixture) user(role, fullName string) int64 {
	f.t.Helper()
	n := f.seq.Add(1)
	return f.id(`INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ($1, $2, $3, 'x', $4) RETURNING id`,
		fmt.Sprintf("tech.fix%d", n), fullName, fmt.Sprintf("tech.fix%d@example.com", n), role)
}

// competence inserts a competence and returns its id.
func (f *techFixture) competence(nom string) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO competences (nom) VALUES ($1) RETURNING id`, nom)
}

// create creates a profile through the API as the responsable and fails unless it gets 201.
func (f *techFixture) create(in api.TechnicienCreate) api.Technicien {
	f.t.Helper()
	r, err := f.env.Client.CreateTechnicienWithResponse(f.t.Context(), in, testenv.As(f.env.Token("responsable")))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON201 == nil {
		f.t.Fatalf("create technicien: status %d: %s", r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

// technicien creates a profile for a fresh account named fullName.
func (f *techFixture) technicien(fullName string, in api.TechnicienCreate) api.Technicien {
	f.t.Helper()
	in.UserId = f.user("technicien", fullName)
	return f.create(in)
}

func (f *techFixture) equipement() int64 {
	f.t.Helper()
	return f.id(`INSERT INTO equipements (nom, type_equipement, localisation) VALUES ($1, 'pompe', 'Atelier') RETURNING id`,
		fmt.Sprintf("Machine tech %d", f.seq.Add(1)))
}

func (f *techFixture) intervention(equipementID, technicienID int64, statut string) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, technicien_id)
		VALUES ('Réparation', 'corrective', $1, $2, $3) RETURNING id`, statut, equipementID, technicienID)
}

func (f *techFixture) get(id int64) api.Technicien {
	f.t.Helper()
	r, err := f.env.Client.GetTechnicienWithResponse(f.t.Context(), id, testenv.As(f.env.Token("technicien")))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON200 == nil {
		f.t.Fatalf("get technicien %d: status %d: %s", id, r.StatusCode(), r.Body)
	}
	return *r.JSON200
}

// list calls GET /techniciens as the demo technicien and returns the ids and X-Total-Count.
func (f *techFixture) list(query string) ([]int64, int) {
	f.t.Helper()
	resp, b := f.env.Do(http.MethodGet, "/api/v1/techniciens?"+query, f.env.Token("technicien"), "", nil, false)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("list ?%s: status %d: %s", query, resp.StatusCode, b)
	}
	var rows []api.Technicien
	techDecode(f.t, b, &rows)
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Id
	}
	total, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if err != nil {
		f.t.Fatalf("X-Total-Count %q", resp.Header.Get("X-Total-Count"))
	}
	return ids, total
}

func (f *techFixture) audits(action, resourceType string, id int64) int {
	f.t.Helper()
	return countRows(f.t, f.env, "SELECT count(*) FROM audit_log WHERE action = $1 AND resource_type = $2 AND resource_id = $3",
		action, resourceType, strconv.FormatInt(id, 10))
}

func techPath(id int64) string { return "/api/v1/techniciens/" + strconv.FormatInt(id, 10) }

func date(s string) *openapi_types.Date {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &openapi_types.Date{Time: d}
}

func competenceIDs(t api.Technicien) []int64 {
	out := make([]int64, len(t.Competences))
	for i, c := range t.Competences {
		out[i] = c.Id
	}
	return out
}

// The scenario of the original's tests (ANALYSIS 5.2), with the fixed answers.
func TestTechnicienLifecycleOfTheOriginalTests(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	f := newTechFixture(t, env)
	resp := env.Token("responsable")
	var demoID int64
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'technicien'").Scan(&demoID); err != nil {
		t.Fatal(err)
	}

	// Create: 201 with the user object and a Location.
	r, err := env.Client.CreateTechnicienWithResponse(ctx, api.TechnicienCreate{UserId: demoID, Equipe: ptrTo("A")}, testenv.As(resp))
	if err != nil {
		t.Fatal(err)
	}
	if r.JSON201 == nil {
		t.Fatalf("create: %d %s", r.StatusCode(), r.Body)
	}
	tech := *r.JSON201
	if tech.User.Id != demoID || tech.User.Username != "technicien" || tech.User.Email != "technicien@mif.ma" ||
		tech.User.Role != api.UserRoleTechnicien {
		t.Errorf("user object = %+v", tech.User)
	}
	if got, want := r.HTTPResponse.Header.Get("Location"), techPath(tech.Id); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if *tech.Equipe != "A" || tech.Niveau != api.NiveauCompetenceIntermediaire ||
		tech.Disponibilite != api.Disponibilite("disponible") || tech.HorairesTravail != "08:00-17:00" || tech.Astreinte ||
		tech.NumeroBadge != nil || tech.DateEmbauche != nil || tech.ZoneIntervention != nil ||
		len(tech.Competences) != 0 || tech.ChargeTravail != 0 || !tech.EstDisponible {
		t.Errorf("defaults of a new profile: %s", r.Body)
	}
	if f.audits("technicien.created", "technicien", tech.Id) != 1 {
		t.Error("no technicien.created audit row")
	}

	// The list contains it; get by id.
	if ids, total := f.list(""); !slices.Contains(ids, tech.Id) || total != 1 {
		t.Errorf("list = %v (total %d), want it to contain %d", ids, total, tech.Id)
	}
	if got := f.get(tech.Id); got.Id != tech.Id || got.User.Id != demoID {
		t.Errorf("get = %+v", got)
	}

	// PUT {"equipe":"B","disponibilite":"indisponible"} -> equipe B.
	u, err := env.Client.UpdateTechnicienWithResponse(ctx, tech.Id, api.TechnicienUpdate{
		Equipe: nullable.NewNullableWithValue("B"), Disponibilite: ptrTo(api.Disponibilite("indisponible")),
	}, testenv.As(resp))
	if err != nil {
		t.Fatal(err)
	}
	if u.JSON200 == nil || *u.JSON200.Equipe != "B" || u.JSON200.Disponibilite != "indisponible" || u.JSON200.EstDisponible {
		t.Fatalf("PUT: %d %s", u.StatusCode(), u.Body)
	}
	if f.audits("technicien.updated", "technicien", tech.Id) != 1 {
		t.Error("no technicien.updated audit row")
	}

	// An unknown disponibilite answers 422 by design (the original ignored it) and changes nothing.
	res, b := sendJSON(t, env, http.MethodPut, techPath(tech.Id), resp, `{"disponibilite":"not_a_valid_one"}`, true)
	if p := checkProblem(t, "PUT invalid disponibilite", res, b, http.StatusUnprocessableEntity); !slices.Equal(fieldsOf(p), []string{"disponibilite"}) {
		t.Errorf("fields = %v", fieldsOf(p))
	}
	if got := f.get(tech.Id); got.Disponibilite != "indisponible" {
		t.Errorf("disponibilite after a refused PUT = %s", got.Disponibilite)
	}

	// Delete: 204, then 404; the account stays.
	d, err := env.Client.DeleteTechnicienWithResponse(ctx, tech.Id, testenv.As(resp))
	if err != nil || d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
	}
	if f.audits("technicien.deleted", "technicien", tech.Id) != 1 {
		t.Error("no technicien.deleted audit row")
	}
	for _, id := range []int64{tech.Id, 999999} {
		res, b := env.Do(http.MethodGet, techPath(id), resp, "", nil, false)
		if p := checkProblem(t, "GET deleted", res, b, http.StatusNotFound); detailOf(p) != "Technicien introuvable" {
			t.Errorf("detail = %q", detailOf(p))
		}
	}
	if n := countRows(t, env, "SELECT count(*) FROM users WHERE id = $1 AND is_active", demoID); n != 1 {
		t.Error("deleting the profile touched the account")
	}
}

func TestCreateTechnicien(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newTechFixture(t, env)
	meca, elec, hydro := f.competence("mécanique"), f.competence("soudure"), f.competence("hydraulique")

	// Every field, competences given both ways; strings are trimmed.
	uid := f.user("technicien", "Ahmed Benali")
	tech := f.create(api.TechnicienCreate{
		UserId: uid, Equipe: ptrTo("  Equipe Nord "), NumeroBadge: ptrTo("B-0042"), Niveau: ptrTo(api.NiveauCompetenceAvance),
		ZoneIntervention: ptrTo("Casablanca Nord"), Disponibilite: ptrTo(api.Disponibilite("occupe")), Astreinte: ptrTo(true),
		HorairesTravail: ptrTo("07:00-16:00"), TelephoneUrgence: ptrTo("+212600000000"), DateEmbauche: date("2021-03-15"),
		CompetencesIds: &[]int64{meca, hydro},
		Competences:    &[]api.TechnicienCompetenceInput{{CompetenceId: elec, Niveau: ptrTo(api.NiveauCompetenceExpert)}},
	})
	if *tech.Equipe != "Equipe Nord" || *tech.NumeroBadge != "B-0042" || tech.Niveau != api.NiveauCompetenceAvance ||
		*tech.ZoneIntervention != "Casablanca Nord" || tech.Disponibilite != "occupe" || !tech.Astreinte ||
		tech.HorairesTravail != "07:00-16:00" || *tech.TelephoneUrgence != "+212600000000" ||
		(*tech.DateEmbauche).String() != "2021-03-15" || tech.EstDisponible || tech.User.FullName != "Ahmed Benali" {
		t.Errorf("created profile = %+v", tech)
	}
	// Competences sorted by name, with their levels.
	if got, want := competenceIDs(tech), []int64{hydro, meca, elec}; !slices.Equal(got, want) {
		t.Errorf("competences = %v, want %v (by name)", got, want)
	}
	levels := map[int64]api.NiveauCompetence{}
	for _, c := range tech.Competences {
		levels[c.Id] = c.Niveau
		if time.Since(c.DateAcquisition) > time.Minute || c.Domaine != "general" {
			t.Errorf("competence %+v", c)
		}
	}
	if levels[meca] != "intermediaire" || levels[hydro] != "intermediaire" || levels[elec] != "expert" {
		t.Errorf("levels = %v", levels)
	}

	// A blank optional text is stored as null.
	blank := f.technicien("Blank Fields", api.TechnicienCreate{Equipe: ptrTo("   "), NumeroBadge: ptrTo("")})
	if blank.Equipe != nil || blank.NumeroBadge != nil {
		t.Errorf("blank texts = %v %v, want null", blank.Equipe, blank.NumeroBadge)
	}
	// An inactive account is never available.
	inactive := f.user("technicien", "Inactive Tech")
	f.exec("UPDATE users SET is_active = false WHERE id = $1", inactive)
	if got := f.create(api.TechnicienCreate{UserId: inactive}); got.EstDisponible || got.Disponibilite != "disponible" {
		t.Errorf("inactive account: est_disponible=%v", got.EstDisponible)
	}

	clientUser := f.user("client", "Client User")
	free := f.user("technicien", "Free Tech")
	cases := []struct {
		name      string
		body      string
		onPurpose bool
		status    int
		detail    string
		fields    []string
	}{
		{name: "missing user", body: `{"user_id": 999999}`, status: 404, detail: "Utilisateur lié introuvable"},
		{name: "user of another role", body: fmt.Sprintf(`{"user_id": %d}`, clientUser), status: 422,
			detail: "L'utilisateur n'est pas un technicien", fields: []string{"user_id"}},
		{name: "second profile", body: fmt.Sprintf(`{"user_id": %d}`, uid), status: 409, detail: "Ce technicien a déjà un profil"},
		{name: "badge taken, other case", body: fmt.Sprintf(`{"user_id": %d, "numero_badge": "b-0042"}`, free), status: 409,
			detail: "Numéro de badge déjà utilisé"},
		{name: "unknown competence id", body: fmt.Sprintf(`{"user_id": %d, "competences_ids": [%d, 999999]}`, free, meca),
			status: 404, detail: "Une ou plusieurs compétences sont introuvables"},
		{name: "unknown competence with a level", body: fmt.Sprintf(`{"user_id": %d, "competences": [{"competence_id": 999999, "niveau": "expert"}]}`, free),
			status: 404, detail: "Une ou plusieurs compétences sont introuvables"},
		{name: "duplicate competence id", body: fmt.Sprintf(`{"user_id": %d, "competences_ids": [%d, %d]}`, free, meca, meca),
			status: 422, fields: []string{"competences_ids.1"}},
		{name: "same competence in both lists", body: fmt.Sprintf(`{"user_id": %d, "competences_ids": [%d], "competences": [{"competence_id": %d}]}`, free, meca, meca),
			status: 422, fields: []string{"competences.0.competence_id"}},
		{name: "unknown level", body: fmt.Sprintf(`{"user_id": %d, "niveau": "guru"}`, free), onPurpose: true, status: 422, fields: []string{"niveau"}},
		{name: "unknown competence level", body: fmt.Sprintf(`{"user_id": %d, "competences": [{"competence_id": %d, "niveau": "guru"}]}`, free, meca),
			onPurpose: true, status: 422},
		{name: "blank working hours", body: fmt.Sprintf(`{"user_id": %d, "horaires_travail": "  "}`, free), status: 422,
			fields: []string{"horaires_travail"}},
		{name: "NUL character", body: fmt.Sprintf(`{"user_id": %d, "equipe": "A\u0000B"}`, free), status: 422, fields: []string{"equipe"}},
		{name: "user_id missing", body: `{"equipe": "A"}`, onPurpose: true, status: 422},
		{name: "unknown property", body: fmt.Sprintf(`{"user_id": %d, "is_active": true}`, free), onPurpose: true, status: 422},
		{name: "malformed JSON", body: `{"user_id": `, onPurpose: true, status: 400},
	}
	before := countRows(t, env, "SELECT count(*) FROM techniciens")
	links := countRows(t, env, "SELECT count(*) FROM technicien_competences")
	audits := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'technicien.created'")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := sendJSON(t, env, http.MethodPost, "/api/v1/techniciens", env.Token("admin"), tc.body, tc.onPurpose)
			p := checkProblem(t, tc.name, res, b, tc.status)
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail = %q, want %q", detailOf(p), tc.detail)
			}
			if tc.fields != nil && !slices.Equal(fieldsOf(p), tc.fields) {
				t.Errorf("fields = %v, want %v", fieldsOf(p), tc.fields)
			}
		})
	}
	if countRows(t, env, "SELECT count(*) FROM techniciens") != before ||
		countRows(t, env, "SELECT count(*) FROM technicien_competences") != links ||
		countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'technicien.created'") != audits {
		t.Error("a refused creation wrote something")
	}
}

func TestUpdateTechnicienIsPartial(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newTechFixture(t, env)
	admin := env.Token("admin")
	other := f.technicien("Other Tech", api.TechnicienCreate{NumeroBadge: ptrTo("B-1")})
	tech := f.technicien("Partial Tech", api.TechnicienCreate{
		Equipe: ptrTo("A"), NumeroBadge: ptrTo("B-2"), ZoneIntervention: ptrTo("Nord"), TelephoneUrgence: ptrTo("0600"),
		DateEmbauche: date("2020-01-02"), Astreinte: ptrTo(true), Niveau: ptrTo(api.NiveauCompetenceExpert),
	})
	path := techPath(tech.Id)

	put := func(t *testing.T, body string) api.Technicien {
		t.Helper()
		res, b := sendJSON(t, env, http.MethodPut, path, admin, body, false)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", body, res.StatusCode, b)
		}
		var got api.Technicien
		techDecode(t, b, &got)
		return got
	}

	// Absent fields keep their value.
	got := put(t, `{"zone_intervention": "Sud", "horaires_travail": " 09:00-18:00 "}`)
	if *got.ZoneIntervention != "Sud" || got.HorairesTravail != "09:00-18:00" || *got.Equipe != "A" ||
		*got.NumeroBadge != "B-2" || *got.TelephoneUrgence != "0600" || (*got.DateEmbauche).String() != "2020-01-02" ||
		!got.Astreinte || got.Niveau != "expert" || !got.UpdatedAt.After(tech.UpdatedAt) || !got.CreatedAt.Equal(tech.CreatedAt) {
		t.Errorf("after a partial PUT: %+v", got)
	}
	// null clears the optional fields.
	got = put(t, `{"equipe": null, "numero_badge": null, "zone_intervention": null, "telephone_urgence": null, "date_embauche": null, "astreinte": false, "niveau": "debutant"}`)
	if got.Equipe != nil || got.NumeroBadge != nil || got.ZoneIntervention != nil || got.TelephoneUrgence != nil ||
		got.DateEmbauche != nil || got.Astreinte || got.Niveau != "debutant" || got.HorairesTravail != "09:00-18:00" {
		t.Errorf("after clearing: %+v", got)
	}
	var fields string
	if err := env.Pool.QueryRow(t.Context(), `SELECT details->>'fields' FROM audit_log WHERE action = 'technicien.updated'
		AND resource_id = $1 ORDER BY id DESC LIMIT 1`, strconv.FormatInt(tech.Id, 10)).Scan(&fields); err != nil {
		t.Fatal(err)
	}
	if fields != `["equipe", "numero_badge", "niveau", "zone_intervention", "astreinte", "telephone_urgence", "date_embauche"]` {
		t.Errorf("audited fields = %s", fields)
	}
	// Its own badge in another case is not a conflict.
	if got = put(t, `{"numero_badge": "b-2", "date_embauche": "2019-12-31"}`); *got.NumeroBadge != "b-2" || (*got.DateEmbauche).String() != "2019-12-31" {
		t.Errorf("badge = %v", got.NumeroBadge)
	}

	cases := []struct {
		name, path, body string
		onPurpose        bool
		status           int
		detail           string
	}{
		{"badge of another technician", path, `{"numero_badge": "B-1"}`, false, 409, "Numéro de badge déjà utilisé"},
		{"missing technician", techPath(999999), `{"equipe": "B"}`, false, 404, "Technicien introuvable"},
		{"empty body", path, `{}`, true, 422, ""},
		{"unknown disponibilite", path, `{"disponibilite": "en_vacances"}`, true, 422, ""},
		{"null disponibilite", path, `{"disponibilite": null}`, true, 422, ""},
		{"empty working hours", path, `{"horaires_travail": ""}`, true, 422, ""},
		{"blank working hours", path, `{"horaires_travail": "   "}`, false, 422, "Erreur de validation des données"},
		{"badge too long", path, `{"numero_badge": "` + strings.Repeat("9", 21) + `"}`, true, 422, ""},
		{"user_id is not editable", path, fmt.Sprintf(`{"user_id": %d}`, other.User.Id), true, 422, ""},
		{"impossible date", path, `{"date_embauche": "2024-02-30"}`, true, 422, ""},
	}
	before := f.get(tech.Id)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, b := sendJSON(t, env, http.MethodPut, tc.path, admin, tc.body, tc.onPurpose)
			p := checkProblem(t, tc.name, res, b, tc.status)
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail = %q, want %q", detailOf(p), tc.detail)
			}
		})
	}
	if after := f.get(tech.Id); !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Error("a refused update changed the profile")
	}
}

func TestTechnicienCompetences(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	f := newTechFixture(t, env)
	as := testenv.As(env.Token("responsable"))
	meca, elec := f.competence("mécanique"), f.competence("pneumatique")
	tech := f.technicien("Skilled Tech", api.TechnicienCreate{CompetencesIds: &[]int64{meca}})

	// Add: 201 with the whole technician.
	a, err := env.Client.AddTechnicienCompetenceWithResponse(ctx, tech.Id,
		api.TechnicienCompetenceInput{CompetenceId: elec, Niveau: ptrTo(api.NiveauCompetenceAvance)}, as)
	if err != nil {
		t.Fatal(err)
	}
	if a.JSON201 == nil || !slices.Equal(competenceIDs(*a.JSON201), []int64{meca, elec}) || a.JSON201.Competences[1].Niveau != "avance" ||
		a.JSON201.User.Id != tech.User.Id || !a.JSON201.UpdatedAt.After(tech.UpdatedAt) {
		t.Fatalf("add: %d %s", a.StatusCode(), a.Body)
	}
	// Without a level: intermediaire.
	third := f.competence("soudure")
	if a, err = env.Client.AddTechnicienCompetenceWithResponse(ctx, tech.Id, api.TechnicienCompetenceInput{CompetenceId: third}, as); err != nil || a.JSON201 == nil {
		t.Fatalf("add without level: %v %d %s", err, a.StatusCode(), a.Body)
	}
	for _, c := range a.JSON201.Competences {
		if c.Id == third && c.Niveau != "intermediaire" {
			t.Errorf("default level = %s", c.Niveau)
		}
	}

	// Change a level: 200 with the whole technician.
	u, err := env.Client.UpdateTechnicienCompetenceWithResponse(ctx, tech.Id, meca,
		api.TechnicienCompetenceLevel{Niveau: api.NiveauCompetenceExpert}, as)
	if err != nil {
		t.Fatal(err)
	}
	if u.JSON200 == nil {
		t.Fatalf("level: %d %s", u.StatusCode(), u.Body)
	}
	for _, c := range u.JSON200.Competences {
		if c.Id == meca && c.Niveau != "expert" || c.Id == elec && c.Niveau != "avance" {
			t.Errorf("after changing the level: %+v", u.JSON200.Competences)
		}
	}

	// Remove: 200 without it.
	rm, err := env.Client.RemoveTechnicienCompetenceWithResponse(ctx, tech.Id, elec, as)
	if err != nil {
		t.Fatal(err)
	}
	if rm.JSON200 == nil || !slices.Equal(competenceIDs(*rm.JSON200), []int64{meca, third}) {
		t.Fatalf("remove: %d %s", rm.StatusCode(), rm.Body)
	}
	for action, n := range map[string]int{"technicien.competence_added": 2, "technicien.competence_updated": 1, "technicien.competence_removed": 1} {
		if got := f.audits(action, "technicien", tech.Id); got != n {
			t.Errorf("%d %s audit rows, want %d", got, action, n)
		}
	}

	tp := techPath(tech.Id)
	cases := []struct {
		name, method, path, body string
		onPurpose                bool
		status                   int
		detail                   string
	}{
		{"add a competence held", http.MethodPost, tp + "/competences", fmt.Sprintf(`{"competence_id": %d}`, meca), false, 409,
			"Le technicien possède déjà cette compétence"},
		{"add an unknown competence", http.MethodPost, tp + "/competences", `{"competence_id": 999999}`, false, 404, "Compétence introuvable"},
		{"add to an unknown technician", http.MethodPost, techPath(999999) + "/competences", fmt.Sprintf(`{"competence_id": %d}`, elec),
			false, 404, "Technicien introuvable"},
		{"add with an unknown level", http.MethodPost, tp + "/competences", fmt.Sprintf(`{"competence_id": %d, "niveau": "guru"}`, elec),
			true, 422, ""},
		{"add without competence_id", http.MethodPost, tp + "/competences", `{"niveau": "expert"}`, true, 422, ""},
		{"level of a competence not held", http.MethodPatch, tp + fmt.Sprintf("/competences/%d", elec), `{"niveau": "expert"}`, false, 404,
			"Le technicien ne possède pas cette compétence"},
		{"level of an unknown competence", http.MethodPatch, tp + "/competences/999999", `{"niveau": "expert"}`, false, 404,
			"Le technicien ne possède pas cette compétence"},
		{"level of an unknown technician", http.MethodPatch, techPath(999999) + fmt.Sprintf("/competences/%d", meca), `{"niveau": "expert"}`,
			false, 404, "Technicien introuvable"},
		{"unknown level", http.MethodPatch, tp + fmt.Sprintf("/competences/%d", meca), `{"niveau": "guru"}`, true, 422, ""},
		{"remove a competence not held", http.MethodDelete, tp + fmt.Sprintf("/competences/%d", elec), "", false, 404,
			"Le technicien ne possède pas cette compétence"},
		{"remove from an unknown technician", http.MethodDelete, techPath(999999) + fmt.Sprintf("/competences/%d", meca), "", false, 404,
			"Technicien introuvable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body *strings.Reader
			ct := ""
			if tc.body != "" {
				body, ct = strings.NewReader(tc.body), "application/json"
			} else {
				body = strings.NewReader("")
			}
			res, b := env.Do(tc.method, tc.path, env.Token("admin"), ct, body, tc.onPurpose)
			p := checkProblem(t, tc.name, res, b, tc.status)
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail = %q, want %q", detailOf(p), tc.detail)
			}
		})
	}
	if got := f.get(tech.Id); !slices.Equal(competenceIDs(got), []int64{meca, third}) || got.Competences[0].Niveau != "expert" {
		t.Errorf("refusals changed the competences: %+v", got.Competences)
	}
}

func TestTechnicienWorkloadAndDeletion(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newTechFixture(t, env)
	busy := f.technicien("Busy Tech", api.TechnicienCreate{CompetencesIds: &[]int64{f.competence("mécanique")}})
	calm := f.technicien("Calm Tech", api.TechnicienCreate{})
	idle := f.technicien("Idle Tech", api.TechnicienCreate{})
	machine := f.equipement()
	var active []int64
	for _, s := range []string{"affectee", "en_cours", "en_attente"} {
		active = append(active, f.intervention(machine, busy.Id, s))
	}
	var closed []int64
	for _, s := range []string{"ouverte", "cloturee", "annulee", "archivee"} {
		closed = append(closed, f.intervention(machine, busy.Id, s))
	}
	f.intervention(machine, calm.Id, "en_cours")
	f.intervention(machine, idle.Id, "cloturee")

	want := map[int64]int{busy.Id: 3, calm.Id: 1, idle.Id: 0}
	for id, n := range want {
		if got := f.get(id); got.ChargeTravail != n {
			t.Errorf("get %d: charge_travail = %d, want %d", id, got.ChargeTravail, n)
		}
	}
	resp, b := env.Do(http.MethodGet, "/api/v1/techniciens?sort=-charge", env.Token("admin"), "", nil, false)
	var rows []api.Technicien
	techDecode(t, b, &rows)
	if resp.StatusCode != 200 || len(rows) != 3 {
		t.Fatalf("list: %d %s", resp.StatusCode, b)
	}
	for i, r := range rows {
		if wantID := []int64{busy.Id, calm.Id, idle.Id}[i]; r.Id != wantID || r.ChargeTravail != want[r.Id] {
			t.Errorf("row %d = %d with charge %d", i, r.Id, r.ChargeTravail)
		}
	}
	if ids, _ := f.list("sort=charge"); !slices.Equal(ids, []int64{idle.Id, calm.Id, busy.Id}) {
		t.Errorf("sort=charge: %v", ids)
	}

	// Delete is refused while work is in progress, whatever its active statut.
	as := env.Token("responsable")
	for _, id := range active {
		res, b := env.Do(http.MethodDelete, techPath(busy.Id), as, "", nil, false)
		if p := checkProblem(t, "delete busy", res, b, http.StatusConflict); detailOf(p) != "Technicien affecté à des interventions en cours" {
			t.Errorf("detail = %q", detailOf(p))
		}
		f.exec("UPDATE interventions SET statut = 'cloturee' WHERE id = $1", id)
	}
	if f.audits("technicien.deleted", "technicien", busy.Id) != 0 {
		t.Error("a refused deletion was audited")
	}
	d, err := env.Client.DeleteTechnicienWithResponse(t.Context(), busy.Id, testenv.As(as))
	if err != nil || d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
	}
	// Closed interventions keep their history without a technician; the account stays.
	if n := countRows(t, env, "SELECT count(*) FROM interventions WHERE id = ANY($1) AND technicien_id IS NULL", append(active, closed...)); n != 7 {
		t.Errorf("%d of 7 interventions kept with technicien_id null", n)
	}
	if countRows(t, env, "SELECT count(*) FROM technicien_competences WHERE technicien_id = $1", busy.Id) != 0 ||
		countRows(t, env, "SELECT count(*) FROM users WHERE id = $1", busy.User.Id) != 1 {
		t.Error("the competence links went or the account did not stay")
	}
	res, b := env.Do(http.MethodDelete, techPath(busy.Id), as, "", nil, false)
	checkProblem(t, "delete twice", res, b, http.StatusNotFound)
}

func TestListTechniciensFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newTechFixture(t, env)
	meca, elec := f.competence("mécanique"), f.competence("électricité")
	zoe := f.technicien("Zoé Alami", api.TechnicienCreate{Equipe: ptrTo("Nord"), NumeroBadge: ptrTo("B-100"),
		Niveau: ptrTo(api.NiveauCompetenceExpert), CompetencesIds: &[]int64{meca, elec}})
	ali := f.technicien("ali Berrada", api.TechnicienCreate{Equipe: ptrTo("nord"), Disponibilite: ptrTo(api.Disponibilite("conge")),
		CompetencesIds: &[]int64{elec}})
	karim := f.technicien("Karim 100% Chafik", api.TechnicienCreate{Equipe: ptrTo("Sud"), Niveau: ptrTo(api.NiveauCompetenceDebutant)})
	noTeam := f.technicien("Mehdi Drissi", api.TechnicienCreate{})
	all := []int64{zoe.Id, ali.Id, karim.Id, noTeam.Id}
	byName := []int64{ali.Id, karim.Id, noTeam.Id, zoe.Id}

	cases := []struct {
		query string
		want  []int64
		total int
	}{
		{"", byName, 4},
		{"sort=nom", byName, 4},
		{"sort=-nom", []int64{zoe.Id, noTeam.Id, karim.Id, ali.Id}, 4},
		{"sort=id", all, 4},
		{"sort=-id", []int64{noTeam.Id, karim.Id, ali.Id, zoe.Id}, 4},
		{"sort=created_at", all, 4},
		{"sort=-created_at", []int64{noTeam.Id, karim.Id, ali.Id, zoe.Id}, 4},
		{"sort=equipe", []int64{zoe.Id, ali.Id, karim.Id, noTeam.Id}, 4},
		{"sort=-equipe", []int64{karim.Id, zoe.Id, ali.Id, noTeam.Id}, 4},
		{"equipe=NORD", []int64{ali.Id, zoe.Id}, 2},
		{"equipe=Est", []int64{}, 0},
		{"disponibilite=conge", []int64{ali.Id}, 1},
		{"disponibilite=disponible&sort=id", []int64{zoe.Id, karim.Id, noTeam.Id}, 3},
		{"niveau=expert", []int64{zoe.Id}, 1},
		{"niveau=intermediaire", []int64{ali.Id, noTeam.Id}, 2},
		{fmt.Sprintf("competence_id=%d", elec), []int64{ali.Id, zoe.Id}, 2},
		{fmt.Sprintf("competence_id=%d&equipe=nord&niveau=expert", meca), []int64{zoe.Id}, 1},
		{"competence_id=999999", []int64{}, 0},
		{"q=BERRADA", []int64{ali.Id}, 1},    // full name
		{"q=TECH.FIX", byName, 4},            // username
		{"q=b-10", []int64{zoe.Id}, 1},       // badge
		{"q=sud", []int64{karim.Id}, 1},      // team
		{"q=100%25", []int64{karim.Id}, 1},   // '%' is literal
		{"q=_", []int64{}, 0},                // '_' is literal
		{"q=example.com", byName, 4},         // e-mail
		{"limit=2", byName[:2], 4},           // page
		{"limit=2&offset=1", byName[1:3], 4}, // the original's pagination test
		{"limit=2&offset=3", byName[3:], 4},  // last page
		{"offset=10", []int64{}, 4},          // past the end
		{"sort=nom&limit=1&disponibilite=disponible", byName[1:2], 3},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			ids, total := f.list(tc.query)
			if !slices.Equal(ids, tc.want) || total != tc.total {
				t.Errorf("?%s = %v (total %d), want %v (total %d)", tc.query, ids, total, tc.want, tc.total)
			}
		})
	}
	// Each row of the list carries its competences and workload, like a single read.
	resp, b := env.Do(http.MethodGet, "/api/v1/techniciens?sort=id", env.Token("admin"), "", nil, false)
	var rows []api.Technicien
	techDecode(t, b, &rows)
	if resp.StatusCode != 200 || len(rows) != 4 {
		t.Fatalf("list: %d %s", resp.StatusCode, b)
	}
	for _, r := range rows {
		got := f.get(r.Id)
		if !slices.Equal(competenceIDs(r), competenceIDs(got)) || r.ChargeTravail != got.ChargeTravail ||
			r.EstDisponible != got.EstDisponible || r.User.Id != got.User.Id {
			t.Errorf("list row %+v differs from GET %+v", r, got)
		}
	}
}

// Malformed ids, enums, dates, bodies and query strings answer 4xx, never 500.
func TestTechniciensRejectMalformedInput(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newTechFixture(t, env)
	tech := f.technicien("Target Tech", api.TechnicienCreate{})
	comp := f.competence("cible")
	tp := techPath(tech.Id)
	cp := fmt.Sprintf("/api/v1/competences/%d", comp)
	cases := []struct {
		method, path, contentType, body string
	}{
		// ids
		{"GET", "/api/v1/techniciens/abc", "", ""},
		{"GET", "/api/v1/techniciens/0", "", ""},
		{"GET", "/api/v1/techniciens/-1", "", ""},
		{"GET", "/api/v1/techniciens/1.5", "", ""},
		{"GET", "/api/v1/techniciens/99999999999999999999", "", ""},
		{"PUT", "/api/v1/techniciens/abc", "application/json", `{"equipe":"B"}`},
		{"DELETE", "/api/v1/techniciens/%20", "", ""},
		{"POST", "/api/v1/techniciens/abc/competences", "application/json", `{"competence_id":1}`},
		{"PATCH", tp + "/competences/abc", "application/json", `{"niveau":"expert"}`},
		{"DELETE", tp + "/competences/0", "", ""},
		{"PATCH", "/api/v1/competences/abc", "application/json", `{"nom":"x"}`},
		{"DELETE", "/api/v1/competences/-3", "", ""},
		// query strings
		{"GET", "/api/v1/techniciens?limit=0", "", ""},
		{"GET", "/api/v1/techniciens?limit=501", "", ""},
		{"GET", "/api/v1/techniciens?limit=abc", "", ""},
		{"GET", "/api/v1/techniciens?limit=", "", ""},
		{"GET", "/api/v1/techniciens?offset=-1", "", ""},
		{"GET", "/api/v1/techniciens?offset=99999999999999999999", "", ""},
		{"GET", "/api/v1/techniciens?sort=salaire", "", ""},
		{"GET", "/api/v1/techniciens?sort=", "", ""},
		{"GET", "/api/v1/techniciens?disponibilite=en_vacances", "", ""},
		{"GET", "/api/v1/techniciens?niveau=guru", "", ""},
		{"GET", "/api/v1/techniciens?competence_id=abc", "", ""},
		{"GET", "/api/v1/techniciens?competence_id=0", "", ""},
		{"GET", "/api/v1/techniciens?q=" + strings.Repeat("x", 101), "", ""},
		{"GET", "/api/v1/techniciens?q=%00", "", ""},
		{"GET", "/api/v1/techniciens?q=%FF%FE", "", ""},
		{"GET", "/api/v1/techniciens?equipe=%00", "", ""},
		{"GET", "/api/v1/techniciens/competences?limit=-5", "", ""},
		{"GET", "/api/v1/techniciens/competences?offset=x", "", ""},
		{"GET", "/api/v1/techniciens/competences?q=%00", "", ""},
		// bodies
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":"abc"}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1e40}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":99999999999999999999}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":0}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"date_embauche":"not-a-date"}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"date_embauche":"2024-13-45"}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"date_embauche":"2024-02-30"}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"disponibilite":"en_vacances"}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"competences_ids":["x"]}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"competences_ids":[0]}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"competences":[{"competence_id":1,"niveau":"guru"}]}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"competences":"all"}`},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1,"astreinte":"yes"}`},
		{"POST", "/api/v1/techniciens", "application/json", `null`},
		{"POST", "/api/v1/techniciens", "application/json", `[]`},
		{"POST", "/api/v1/techniciens", "application/json", ``},
		{"POST", "/api/v1/techniciens", "application/json", `{"user_id":1`},
		{"POST", "/api/v1/techniciens", "text/plain", `user_id=1`},
		{"PUT", tp, "application/json", `{"date_embauche":"31/12/2020"}`},
		{"PUT", tp, "application/json", `{"equipe":12}`},
		{"PUT", tp, "application/json", `{"astreinte":null}`},
		{"PUT", tp, "application/json", `{"niveau":null}`},
		{"PUT", tp, "application/json", `{"zone_intervention":"a\u0000b"}`},
		{"PUT", tp, "application/json", `"equipe"`},
		{"POST", tp + "/competences", "application/json", `{"competence_id":-1}`},
		{"POST", tp + "/competences", "application/json", `{"competence_id":1.5}`},
		{"PATCH", tp + fmt.Sprintf("/competences/%d", comp), "application/json", `{"niveau":""}`},
		{"POST", "/api/v1/techniciens/competences", "application/json", `{"nom":""}`},
		{"POST", "/api/v1/techniciens/competences", "application/json", `{"nom":"\u0000"}`},
		{"POST", "/api/v1/techniciens/competences", "application/json", `{"nom":["x"]}`},
		{"POST", "/api/v1/techniciens/competences", "application/json", `{"nom":"` + strings.Repeat("x", 256) + `"}`},
		{"PATCH", cp, "application/json", `{}`},
		{"PATCH", cp, "application/json", `{"nom":null}`},
		{"PATCH", cp, "application/json", `{"description":"\u0000"}`},
		{"PATCH", cp, "application/xml", `<nom>x</nom>`},
	}
	admin := env.Token("admin")
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			res, b := env.Do(tc.method, tc.path, admin, tc.contentType, strings.NewReader(tc.body), true)
			if res.StatusCode < 400 || res.StatusCode > 499 {
				t.Errorf("status %d, want 4xx: %s", res.StatusCode, b)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type %q: %s", ct, b)
			}
		})
	}
	if errs := serverErrors(env); errs != "" {
		t.Errorf("the server logged errors:\n%s", errs)
	}
	if got := f.get(tech.Id); !got.UpdatedAt.Equal(tech.UpdatedAt) {
		t.Error("a malformed request changed the profile")
	}
}

// A page of technicians costs the same number of queries whatever its size (no N+1).
func TestListTechniciensQueryCountIsBounded(t *testing.T) {
	t.Parallel()
	env, counter := testenv.NewCountingEnv(t, pg, nil)
	f := newTechFixture(t, env)
	f.exec(`WITH u AS (
			INSERT INTO users (username, full_name, email, password_hash, role)
			SELECT 'qc' || g, 'QC ' || lpad(g::text, 2, '0'), 'qc' || g || '@example.com', 'x', 'technicien'
			FROM generate_series(1, 30) g RETURNING id)
		INSERT INTO techniciens (user_id, equipe) SELECT id, 'QC' FROM u`)
	f.exec(`INSERT INTO competences (nom) SELECT 'qc compétence ' || g FROM generate_series(1, 3) g`)
	f.exec(`INSERT INTO technicien_competences (technicien_id, competence_id) SELECT t.id, c.id FROM techniciens t CROSS JOIN competences c`)
	machine := f.equipement()
	f.exec(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, technicien_id)
		SELECT 'Travail', 'corrective', 'en_cours', $1, id FROM techniciens`, machine)
	token := env.Token("technicien")
	var one int64
	if err := env.Pool.QueryRow(t.Context(), "SELECT min(id) FROM techniciens").Scan(&one); err != nil {
		t.Fatal(err)
	}

	list := func(limit int) int64 {
		t.Helper()
		return counter.Measure(func() {
			r, err := env.Client.ListTechniciensWithResponse(t.Context(), &api.ListTechniciensParams{Limit: &limit}, testenv.As(token))
			if err != nil || r.JSON200 == nil || len(*r.JSON200) != limit {
				t.Fatalf("list %d: %v %d", limit, err, r.StatusCode())
			}
			for _, row := range *r.JSON200 {
				if len(row.Competences) != 3 || row.ChargeTravail != 1 {
					t.Fatalf("row %d: %d competences, charge %d", row.Id, len(row.Competences), row.ChargeTravail)
				}
			}
		})
	}
	get := func() int64 {
		return counter.Measure(func() {
			if r, err := env.Client.GetTechnicienWithResponse(t.Context(), one, testenv.As(token)); err != nil || r.JSON200 == nil {
				t.Fatalf("get: %v", err)
			}
		})
	}
	list(3) // warm up the connections
	small, large, again := list(3), list(30), list(3)
	if small != large || large != again {
		t.Errorf("a page of 3 costs %d queries, a page of 30 costs %d (then %d): the list does N+1 queries", small, large, again)
	}
	if small > 6 {
		t.Errorf("a page costs %d queries, want at most 6 (authentication, page, total, competences)", small)
	}
	if g := get(); g > 5 {
		t.Errorf("a single read costs %d queries", g)
	}
	t.Logf("queries: list of 3 = %d, list of 30 = %d, get = %d", small, large, get())
}

// techDecode decodes a JSON answer or fails the test.
func techDecode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
}
