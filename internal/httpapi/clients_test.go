package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/testenv"
)

// ccFixture builds client companies, contracts, equipment and interventions for one test.
type ccFixture struct {
	t     *testing.T
	env   *testenv.Env
	admin string
	seq   atomic.Int64
}

func newCCFixture(t *testing.T, env *testenv.Env) *ccFixture {
	return &ccFixture{t: t, env: env, admin: env.Token("admin")}
}

func (f *ccFixture) next() int64 { return f.seq.Add(1) }

// clientUser creates an account of role client and returns its id and an access token.
func (f *ccFixture) clientUser() (int64, string) {
	f.t.Helper()
	name := fmt.Sprintf("cc.client%d", f.next())
	u := mustCreateUser(f.t, f.env, newUserBody(name, api.UserRoleClient))
	return u.Id, f.env.Login(name, userPassword).AccessToken
}

// company creates a company for userID through the API.
func (f *ccFixture) company(userID int64, name string) api.ClientEntreprise {
	f.t.Helper()
	r, err := f.env.Client.CreateClientWithResponse(f.t.Context(), api.ClientEntrepriseCreate{
		UserId: userID, NomEntreprise: name, NomContact: "Contact " + name,
		Email: fmt.Sprintf("contact%d@client.ma", f.next()),
	}, testenv.As(f.admin))
	if err != nil {
		f.t.Fatalf("create client %s: %v", name, err)
	}
	if r.JSON201 == nil {
		f.t.Fatalf("create client %s: status %d: %s", name, r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

// newCompany creates a client user and its company; it returns the company and the user's token.
func (f *ccFixture) newCompany(name string) (api.ClientEntreprise, string) {
	f.t.Helper()
	uid, tok := f.clientUser()
	return f.company(uid, name), tok
}

func ccDate(s string) openapi_types.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return openapi_types.Date{Time: t}
}

// contratBody is a valid creation request for clientID; change adjusts it.
func (f *ccFixture) contratBody(clientID int64, change func(*api.ContratCreate)) api.ContratCreate {
	in := api.ContratCreate{
		ClientId: clientID, NumeroContrat: fmt.Sprintf("CTR-T-%d", f.next()), NomContrat: "Maintenance",
		TypeContrat: api.ContratTypeMaintenanceComplete, DateDebut: ccDate("2026-01-01"), DateFin: ccDate("2026-12-31"),
	}
	if change != nil {
		change(&in)
	}
	return in
}

// contrat creates a contract through the API.
func (f *ccFixture) contrat(clientID int64, change func(*api.ContratCreate)) api.Contrat {
	f.t.Helper()
	r, err := f.env.Client.CreateContratWithResponse(f.t.Context(), f.contratBody(clientID, change), testenv.As(f.admin))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON201 == nil {
		f.t.Fatalf("create contract: status %d: %s", r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

func (f *ccFixture) insertID(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.env.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// equipement inserts equipment by SQL.
func (f *ccFixture) equipement(clientID, contratID *int64) int64 {
	return f.insertID(`INSERT INTO equipements (nom, type_equipement, localisation, client_id, contrat_id)
		VALUES ($1, 'pompe', 'Atelier', $2, $3) RETURNING id`, fmt.Sprintf("Equipement cc %d", f.next()), clientID, contratID)
}

// intervention inserts an intervention (and its equipment) by SQL.
func (f *ccFixture) intervention(clientID, contratID *int64, statut string) int64 {
	eq := f.equipement(nil, nil)
	return f.insertID(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, contrat_id)
		VALUES ('Panne', 'corrective', $1, $2, $3, $4) RETURNING id`, statut, eq, clientID, contratID)
}

// today is the database's current date, the one the computed fields use.
func (f *ccFixture) today() time.Time {
	f.t.Helper()
	var d time.Time
	if err := f.env.Pool.QueryRow(f.t.Context(), "SELECT CURRENT_DATE").Scan(&d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// auditCount counts audit rows of an action on a resource.
func (f *ccFixture) auditCount(action, resourceType string, id int64) int {
	f.t.Helper()
	return countRows(f.t, f.env, "SELECT count(*) FROM audit_log WHERE action = $1 AND resource_type = $2 AND resource_id = $3",
		action, resourceType, strconv.FormatInt(id, 10))
}

func clientPath(id int64) string  { return "/api/v1/clients/" + strconv.FormatInt(id, 10) }
func contratPath(id int64) string { return "/api/v1/contrats/" + strconv.FormatInt(id, 10) }

// wantProblem checks the status and (when not empty) the detail and the field names of an error.
func wantProblem(t *testing.T, what string, status int, body []byte, wantStatus int, detail string, fields []string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: status %d, want %d: %s", what, status, wantStatus, body)
		return
	}
	p := decodeProblem(t, body)
	if detail != "" && detailOf(p) != detail {
		t.Errorf("%s: detail %q, want %q", what, detailOf(p), detail)
	}
	if fields != nil && !slices.Equal(fieldsOf(p), fields) {
		t.Errorf("%s: fields %v, want %v (%s)", what, fieldsOf(p), fields, body)
	}
}

func TestClientLifecycle(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	uid, _ := f.clientUser()

	r, err := env.Client.CreateClientWithResponse(ctx, api.ClientEntrepriseCreate{
		UserId: uid, NomEntreprise: "  Société ABC  ", NomContact: "Karim Alaoui", Email: "contact@abc.ma",
		Ville: ptrTo("Casablanca"), Telephone: ptrTo("+212 522 00 00 00"), SecteurActivite: ptrTo("   "),
	}, testenv.As(env.Token("responsable")))
	if err != nil {
		t.Fatal(err)
	}
	if r.JSON201 == nil {
		t.Fatalf("create: %d %s", r.StatusCode(), r.Body)
	}
	c := *r.JSON201
	if got, want := r.HTTPResponse.Header.Get("Location"), clientPath(c.Id); got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if c.UserId != uid || c.NomEntreprise != "Société ABC" || c.Pays != "Maroc" || c.TypeClient != api.ClientTypeEntreprise ||
		c.NiveauService != api.NiveauServiceStandard || !c.IsActive || *c.Ville != "Casablanca" ||
		c.SecteurActivite != nil || c.Adresse != nil || c.NbContratsActifs != 0 || c.NbEquipements != 0 {
		t.Errorf("created client %+v", c)
	}
	if n := f.auditCount("client.created", "client", c.Id); n != 1 {
		t.Errorf("%d client.created audit rows, want 1", n)
	}

	g, err := env.Client.GetClientWithResponse(ctx, c.Id, testenv.As(f.admin))
	if err != nil || g.JSON200 == nil {
		t.Fatalf("get: %v %d %s", err, g.StatusCode(), g.Body)
	}
	if g.JSON200.NomEntreprise != c.NomEntreprise || !g.JSON200.CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("get %+v, created %+v", *g.JSON200, c)
	}

	// Absent keeps, null clears, a value sets.
	u, err := env.Client.UpdateClientWithResponse(ctx, c.Id, api.ClientEntrepriseUpdate{
		Ville:         nullable.NewNullNullable[string](),
		Adresse:       nullable.NewNullableWithValue("12 rue de Fès"),
		NiveauService: ptrTo(api.NiveauServicePremium),
		IsActive:      ptrTo(false),
	}, testenv.As(f.admin))
	if err != nil || u.JSON200 == nil {
		t.Fatalf("update: %v %d %s", err, u.StatusCode(), u.Body)
	}
	up := *u.JSON200
	if up.Ville != nil || *up.Adresse != "12 rue de Fès" || up.NiveauService != api.NiveauServicePremium ||
		up.IsActive || *up.Telephone != "+212 522 00 00 00" || up.NomEntreprise != "Société ABC" ||
		up.Email != "contact@abc.ma" || up.UpdatedAt.Before(c.UpdatedAt) {
		t.Errorf("updated client %+v", up)
	}
	var changed string
	if err := env.Pool.QueryRow(ctx, `SELECT details->>'changed' FROM audit_log WHERE action = 'client.updated'
		AND resource_id = $1`, strconv.FormatInt(c.Id, 10)).Scan(&changed); err != nil {
		t.Fatalf("client.updated audit row: %v", err)
	}
	for _, field := range []string{"ville", "adresse", "niveau_service", "is_active"} {
		if !strings.Contains(changed, field) {
			t.Errorf("audit changed = %s, missing %s", changed, field)
		}
	}

	// The same name in another case is the company's own: allowed.
	u, err = env.Client.UpdateClientWithResponse(ctx, c.Id, api.ClientEntrepriseUpdate{NomEntreprise: ptrTo("SOCIÉTÉ ABC")}, testenv.As(f.admin))
	if err != nil || u.JSON200 == nil || u.JSON200.NomEntreprise != "SOCIÉTÉ ABC" {
		t.Fatalf("rename to own name: %v %d %s", err, u.StatusCode(), u.Body)
	}

	d, err := env.Client.DeleteClientWithResponse(ctx, c.Id, testenv.As(f.admin))
	if err != nil || d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
	}
	if n := f.auditCount("client.deleted", "client", c.Id); n != 1 {
		t.Errorf("%d client.deleted audit rows, want 1", n)
	}
	g, err = env.Client.GetClientWithResponse(ctx, c.Id, testenv.As(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "get deleted", g.StatusCode(), g.Body, 404, "Client introuvable", nil)
	d, err = env.Client.DeleteClientWithResponse(ctx, c.Id, testenv.As(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "delete again", d.StatusCode(), d.Body, 404, "Client introuvable", nil)
	// The user account is untouched and may get a company again.
	f.company(uid, "Société ABC")
}

func TestCreateClientRefusalsWriteNothing(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	existing, _ := f.newCompany("Atlas Industrie")
	freeUser, _ := f.clientUser()
	tech := mustCreateUser(t, env, newUserBody("cc.tech", api.UserRoleTechnicien))
	body := func(changes map[string]any) map[string]any {
		b := map[string]any{"user_id": freeUser, "nom_entreprise": "Nouvelle SARL", "nom_contact": "Contact",
			"email": "contact@nouvelle.ma"}
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	cases := []struct {
		name      string
		body      any
		onPurpose bool
		status    int
		detail    string
		fields    []string
	}{
		{name: "unknown user", body: body(map[string]any{"user_id": 999999}), status: 404, detail: "Utilisateur lié introuvable"},
		{name: "user of another role", body: body(map[string]any{"user_id": tech.Id}), status: 422,
			detail: "L'utilisateur n'est pas un client", fields: []string{"user_id"}},
		{name: "user already has a company", body: body(map[string]any{"user_id": existing.UserId}), status: 409,
			detail: "Ce client a déjà une entreprise"},
		{name: "name taken in another case", body: body(map[string]any{"nom_entreprise": "ATLAS industrie"}), status: 409,
			detail: "Entreprise déjà existante"},
		{name: "name taken with spaces around", body: body(map[string]any{"nom_entreprise": "  Atlas Industrie "}), status: 409,
			detail: "Entreprise déjà existante"},
		{name: "blank name", body: body(map[string]any{"nom_entreprise": "   "}), status: 422, fields: []string{"nom_entreprise"}},
		{name: "blank contact and country", body: body(map[string]any{"nom_contact": " ", "pays": "  "}), status: 422,
			fields: []string{"nom_contact", "pays"}},
		{name: "invalid e-mail", body: body(map[string]any{"email": "pas-un-email"}), onPurpose: true, status: 422},
		{name: "e-mail without domain dot", body: body(map[string]any{"email": "contact@localhost"}), onPurpose: true, status: 422},
		{name: "e-mail with a display name", body: body(map[string]any{"email": "Karim <k@abc.ma>"}), onPurpose: true, status: 422},
		{name: "missing e-mail", body: body(map[string]any{"email": nil}), onPurpose: true, status: 422},
		{name: "unknown type", body: body(map[string]any{"type_client": "multinationale"}), onPurpose: true, status: 422},
		{name: "unknown field", body: body(map[string]any{"siret": "123"}), onPurpose: true, status: 422},
		{name: "user id as a string", body: body(map[string]any{"user_id": "4"}), onPurpose: true, status: 422},
		{name: "malformed JSON", body: `{"user_id": 4,`, onPurpose: true, status: 400},
	}
	before := countRows(t, env, "SELECT count(*) FROM clients")
	auditBefore := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'client.created'")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := sendJSON(t, env, http.MethodPost, "/api/v1/clients", f.admin, tc.body, tc.onPurpose)
			wantProblem(t, tc.name, resp.StatusCode, b, tc.status, tc.detail, tc.fields)
		})
	}
	if n := countRows(t, env, "SELECT count(*) FROM clients"); n != before {
		t.Errorf("%d clients written by refused requests", n-before)
	}
	if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'client.created'"); n != auditBefore {
		t.Errorf("%d client.created rows written by refused requests", n-auditBefore)
	}
	// The accepted variant of the same body works, with the defaults.
	resp, b := sendJSON(t, env, http.MethodPost, "/api/v1/clients", f.admin, body(map[string]any{"pays": "France"}), false)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(b), `"pays":"France"`) {
		t.Errorf("valid creation: %d %s", resp.StatusCode, b)
	}
}

func TestUpdateClientRules(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	a, _ := f.newCompany("Alpha Maroc")
	f.newCompany("Beta Maroc")
	cases := []struct {
		name      string
		id        int64
		body      any
		onPurpose bool
		status    int
		detail    string
		fields    []string
	}{
		{name: "unknown client", id: 999999, body: map[string]any{"ville": "Rabat"}, status: 404, detail: "Client introuvable"},
		{name: "name of another client", id: a.Id, body: map[string]any{"nom_entreprise": "beta MAROC"}, status: 409,
			detail: "Entreprise déjà existante"},
		{name: "blank name", id: a.Id, body: map[string]any{"nom_entreprise": "  "}, status: 422, fields: []string{"nom_entreprise"}},
		{name: "invalid e-mail", id: a.Id, body: map[string]any{"email": "x@y"}, onPurpose: true, status: 422, fields: []string{"email"}},
		{name: "null on a required field", id: a.Id, body: map[string]any{"nom_contact": nil}, onPurpose: true, status: 422},
		{name: "empty body", id: a.Id, body: map[string]any{}, onPurpose: true, status: 422},
		{name: "user id cannot change", id: a.Id, body: map[string]any{"user_id": 1}, onPurpose: true, status: 422},
		{name: "unknown service level", id: a.Id, body: map[string]any{"niveau_service": "gold"}, onPurpose: true, status: 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := sendJSON(t, env, http.MethodPatch, clientPath(tc.id), f.admin, tc.body, tc.onPurpose)
			wantProblem(t, tc.name, resp.StatusCode, b, tc.status, tc.detail, tc.fields)
		})
	}
	g, err := env.Client.GetClientWithResponse(t.Context(), a.Id, testenv.As(f.admin))
	if err != nil || g.JSON200 == nil {
		t.Fatal(err)
	}
	if g.JSON200.NomEntreprise != "Alpha Maroc" || g.JSON200.Email != a.Email || !g.JSON200.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("refused updates changed the client: %+v", *g.JSON200)
	}
	if n := f.auditCount("client.updated", "client", a.Id); n != 0 {
		t.Errorf("%d client.updated rows written by refused requests", n)
	}
}

func TestDeleteClientIsRefusedWhileReferenced(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	const inUse = "Client lié à des contrats, équipements ou interventions"
	ctx := t.Context()

	withContrat, _ := f.newCompany("Avec contrat")
	k := f.contrat(withContrat.Id, nil)
	withEquipement, _ := f.newCompany("Avec équipement")
	eq := f.equipement(&withEquipement.Id, nil)
	withIntervention, _ := f.newCompany("Avec intervention")
	iv := f.intervention(&withIntervention.Id, nil, "annulee")

	for _, c := range []api.ClientEntreprise{withContrat, withEquipement, withIntervention} {
		r, err := env.Client.DeleteClientWithResponse(ctx, c.Id, testenv.As(f.admin))
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, "delete "+c.NomEntreprise, r.StatusCode(), r.Body, 409, inUse, nil)
	}
	if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'client.deleted'"); n != 0 {
		t.Errorf("%d client.deleted rows for refused deletions", n)
	}

	// Once the references are gone the deletion goes through.
	if r, err := env.Client.DeleteContratWithResponse(ctx, k.Id, testenv.As(f.admin)); err != nil || r.StatusCode() != 204 {
		t.Fatalf("delete contract: %v %d %s", err, r.StatusCode(), r.Body)
	}
	if _, err := env.Pool.Exec(ctx, "UPDATE equipements SET client_id = NULL WHERE id = $1", eq); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, "DELETE FROM interventions WHERE id = $1", iv); err != nil {
		t.Fatal(err)
	}
	for _, c := range []api.ClientEntreprise{withContrat, withEquipement, withIntervention} {
		r, err := env.Client.DeleteClientWithResponse(ctx, c.Id, testenv.As(f.admin))
		if err != nil || r.StatusCode() != http.StatusNoContent {
			t.Errorf("delete %s once free: %v %d %s", c.NomEntreprise, err, r.StatusCode(), r.Body)
		}
	}
}

func TestListClientsPagesSortsAndFilters(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	names := []string{"Delta Froid", "alpha Mécanique", "Charlie 100% Bio", "Bravo_Textile", "Echo Pompes"}
	ids := map[string]int64{}
	for _, n := range names {
		ids[n] = f.newCompanyNamed(n).Id
	}
	inactive := ids["Echo Pompes"]
	if r, err := env.Client.UpdateClientWithResponse(ctx, inactive, api.ClientEntrepriseUpdate{IsActive: ptrTo(false),
		Ville: nullable.NewNullableWithValue("Tanger")}, testenv.As(f.admin)); err != nil || r.JSON200 == nil {
		t.Fatalf("deactivate: %v", err)
	}
	list := func(p api.ListClientsParams) ([]string, int) {
		t.Helper()
		r, err := env.Client.ListClientsWithResponse(ctx, &p, testenv.As(env.Token("responsable")))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("list %+v: %v %d %s", p, err, r.StatusCode(), r.Body)
		}
		total, err := strconv.Atoi(r.HTTPResponse.Header.Get("X-Total-Count"))
		if err != nil {
			t.Fatalf("X-Total-Count %q", r.HTTPResponse.Header.Get("X-Total-Count"))
		}
		var out []string
		for _, c := range *r.JSON200 {
			out = append(out, c.NomEntreprise)
		}
		return out, total
	}
	sortP := func(s api.ListClientsParamsSort) *api.ListClientsParamsSort { return &s }
	cases := []struct {
		name  string
		p     api.ListClientsParams
		want  []string
		total int
	}{
		{"default: by name, case-insensitive", api.ListClientsParams{},
			[]string{"alpha Mécanique", "Bravo_Textile", "Charlie 100% Bio", "Delta Froid", "Echo Pompes"}, 5},
		{"by name descending, page 2", api.ListClientsParams{Sort: sortP(api.ListClientsParamsSortMinusNomEntreprise), Limit: ptrTo(2), Offset: ptrTo(2)},
			[]string{"Charlie 100% Bio", "Bravo_Textile"}, 5},
		{"by id", api.ListClientsParams{Sort: sortP(api.ListClientsParamsSortId)}, names, 5},
		{"newest first", api.ListClientsParams{Sort: sortP(api.ListClientsParamsSortMinusCreatedAt), Limit: ptrTo(1)},
			[]string{"Echo Pompes"}, 5},
		{"offset past the end", api.ListClientsParams{Offset: ptrTo(10)}, nil, 5},
		{"active only", api.ListClientsParams{IsActive: ptrTo(true), Limit: ptrTo(1)}, []string{"alpha Mécanique"}, 4},
		{"inactive only", api.ListClientsParams{IsActive: ptrTo(false)}, []string{"Echo Pompes"}, 1},
		{"search in name, any case", api.ListClientsParams{Q: ptrTo("ALPHA m")}, []string{"alpha Mécanique"}, 1},
		{"search in contact", api.ListClientsParams{Q: ptrTo("contact delta")}, []string{"Delta Froid"}, 1},
		{"search in city", api.ListClientsParams{Q: ptrTo("tanger")}, []string{"Echo Pompes"}, 1},
		{"search % is literal", api.ListClientsParams{Q: ptrTo("100%")}, []string{"Charlie 100% Bio"}, 1},
		{"search _ is literal", api.ListClientsParams{Q: ptrTo("o_T")}, []string{"Bravo_Textile"}, 1},
		{"search in e-mail", api.ListClientsParams{Q: ptrTo("@client.ma")}, nil, 5},
		{"search finds nothing", api.ListClientsParams{Q: ptrTo("zzz")}, nil, 0},
	}
	for _, tc := range cases {
		got, total := list(tc.p)
		if tc.name == "search in e-mail" {
			if len(got) != 5 || total != 5 {
				t.Errorf("%s: %v total %d", tc.name, got, total)
			}
			continue
		}
		if !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", tc.name, got, total, tc.want, tc.total)
		}
	}
}

// newCompanyNamed is newCompany without the token.
func (f *ccFixture) newCompanyNamed(name string) api.ClientEntreprise {
	c, _ := f.newCompany(name)
	return c
}

func TestClientsSeeOnlyTheirOwnCompanyAndContracts(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	a, tokA := f.newCompany("Client A")
	b, tokB := f.newCompany("Client B")
	ka1 := f.contrat(a.Id, nil)
	ka2 := f.contrat(a.Id, func(c *api.ContratCreate) { c.Statut = ptrTo(api.ContratStatutEnCours) })
	kb := f.contrat(b.Id, nil)
	_, tokNone := f.clientUser() // a client account without a company

	type view struct {
		name       string
		token      string
		own        *api.ClientEntreprise
		ownContrat []int64
		other      api.ClientEntreprise
		otherK     api.Contrat
	}
	views := []view{
		{"client A", tokA, &a, []int64{ka1.Id, ka2.Id}, b, kb},
		{"client B", tokB, &b, []int64{kb.Id}, a, ka1},
		{"client without company", tokNone, nil, nil, a, ka2},
	}
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			cl, err := env.Client.ListClientsWithResponse(ctx, &api.ListClientsParams{}, testenv.As(v.token))
			if err != nil || cl.JSON200 == nil {
				t.Fatalf("list clients: %v %d %s", err, cl.StatusCode(), cl.Body)
			}
			var got []int64
			for _, c := range *cl.JSON200 {
				got = append(got, c.Id)
			}
			var want []int64
			if v.own != nil {
				want = []int64{v.own.Id}
			}
			if !slices.Equal(got, want) || cl.HTTPResponse.Header.Get("X-Total-Count") != strconv.Itoa(len(want)) {
				t.Errorf("list clients = %v (total %s), want %v", got, cl.HTTPResponse.Header.Get("X-Total-Count"), want)
			}

			if v.own != nil {
				g, err := env.Client.GetClientWithResponse(ctx, v.own.Id, testenv.As(v.token))
				if err != nil || g.JSON200 == nil || g.JSON200.Id != v.own.Id {
					t.Errorf("get own company: %v %d %s", err, g.StatusCode(), g.Body)
				}
			}
			g, err := env.Client.GetClientWithResponse(ctx, v.other.Id, testenv.As(v.token))
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, "get another's company", g.StatusCode(), g.Body, 404, "Client introuvable", nil)

			kl, err := env.Client.ListContratsWithResponse(ctx, &api.ListContratsParams{Sort: ptrTo(api.ListContratsParamsSortId)}, testenv.As(v.token))
			if err != nil || kl.JSON200 == nil {
				t.Fatalf("list contracts: %v %d %s", err, kl.StatusCode(), kl.Body)
			}
			got = nil
			for _, k := range *kl.JSON200 {
				got = append(got, k.Id)
			}
			if !slices.Equal(got, v.ownContrat) || kl.HTTPResponse.Header.Get("X-Total-Count") != strconv.Itoa(len(v.ownContrat)) {
				t.Errorf("list contracts = %v (total %s), want %v", got, kl.HTTPResponse.Header.Get("X-Total-Count"), v.ownContrat)
			}
			// Asking for another client's contracts by filter gives nothing, not theirs.
			kl, err = env.Client.ListContratsWithResponse(ctx, &api.ListContratsParams{ClientId: &v.other.Id}, testenv.As(v.token))
			if err != nil || kl.JSON200 == nil || len(*kl.JSON200) != 0 || kl.HTTPResponse.Header.Get("X-Total-Count") != "0" {
				t.Errorf("list another's contracts by filter: %v %s", err, kl.Body)
			}
			for _, id := range v.ownContrat {
				g, err := env.Client.GetContratWithResponse(ctx, id, testenv.As(v.token))
				if err != nil || g.JSON200 == nil || g.JSON200.Id != id {
					t.Errorf("get own contract %d: %v %d %s", id, err, g.StatusCode(), g.Body)
				}
			}
			gk, err := env.Client.GetContratWithResponse(ctx, v.otherK.Id, testenv.As(v.token))
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, "get another's contract", gk.StatusCode(), gk.Body, 404, "Contrat introuvable", nil)

			// Writes stay refused by role, whoever owns the row.
			resp, body := sendJSON(t, env, http.MethodPatch, clientPath(a.Id), v.token, map[string]any{"ville": "Rabat"}, false)
			wantProblem(t, "update a company", resp.StatusCode, body, 403, "", nil)
			resp, body = sendJSON(t, env, http.MethodDelete, contratPath(ka1.Id), v.token, "", false)
			wantProblem(t, "delete a contract", resp.StatusCode, body, 403, "", nil)
		})
	}

	// Admins and responsables see everything.
	for _, role := range []string{"admin", "responsable"} {
		cl, err := env.Client.ListClientsWithResponse(ctx, &api.ListClientsParams{}, testenv.As(env.Token(role)))
		if err != nil || cl.JSON200 == nil || len(*cl.JSON200) != 2 {
			t.Errorf("%s lists clients: %v %s", role, err, cl.Body)
		}
		kl, err := env.Client.ListContratsWithResponse(ctx, &api.ListContratsParams{}, testenv.As(env.Token(role)))
		if err != nil || kl.JSON200 == nil || len(*kl.JSON200) != 3 {
			t.Errorf("%s lists contracts: %v %s", role, err, kl.Body)
		}
	}
	// A technicien may not read clients or contracts at all.
	for _, path := range []string{"/api/v1/clients", clientPath(a.Id), "/api/v1/contrats", contratPath(ka1.Id)} {
		resp, body := env.Do(http.MethodGet, path, env.Token("technicien"), "", nil, false)
		wantProblem(t, "technicien GET "+path, resp.StatusCode, body, 403, "", nil)
	}
}

func TestClientCountsActiveContractsAndEquipment(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	ctx := t.Context()
	today := f.today()
	day := func(offset int) openapi_types.Date { return openapi_types.Date{Time: today.AddDate(0, 0, offset)} }
	c, tok := f.newCompany("Compteurs SA")
	other, _ := f.newCompany("Autre SA")
	contrat := func(statut api.ContratStatut, from, to int) api.Contrat {
		return f.contrat(c.Id, func(k *api.ContratCreate) {
			k.Statut, k.DateDebut, k.DateFin = &statut, day(from), day(to)
		})
	}
	active := contrat(api.ContratStatutEnCours, -30, 30)
	contrat(api.ContratStatutEnCours, -30, 0) // ends today: still active
	contrat(api.ContratStatutEnCours, 0, 10)  // starts today: active
	contrat(api.ContratStatutEnCours, -60, -1)
	contrat(api.ContratStatutEnCours, 1, 60)
	contrat(api.ContratStatutBrouillon, -30, 30)
	contrat(api.ContratStatutSuspendu, -30, 30)
	contrat(api.ContratStatutResilie, -30, 30)
	f.contrat(other.Id, func(k *api.ContratCreate) {
		k.Statut, k.DateDebut, k.DateFin = ptrTo(api.ContratStatutEnCours), day(-1), day(1)
	})
	f.equipement(&c.Id, nil)
	f.equipement(&c.Id, &active.Id)
	f.equipement(&other.Id, nil)
	f.equipement(nil, nil)

	check := func(what string, got api.ClientEntreprise, contrats, equipements int) {
		t.Helper()
		if got.NbContratsActifs != contrats || got.NbEquipements != equipements {
			t.Errorf("%s: nb_contrats_actifs %d nb_equipements %d, want %d and %d", what,
				got.NbContratsActifs, got.NbEquipements, contrats, equipements)
		}
	}
	for _, who := range []string{"admin", "owner"} {
		token := f.admin
		if who == "owner" {
			token = tok
		}
		g, err := env.Client.GetClientWithResponse(ctx, c.Id, testenv.As(token))
		if err != nil || g.JSON200 == nil {
			t.Fatalf("get: %v %s", err, g.Body)
		}
		check(who+" get", *g.JSON200, 3, 2)
	}
	l, err := env.Client.ListClientsWithResponse(ctx, &api.ListClientsParams{Sort: ptrTo(api.ListClientsParamsSortId)}, testenv.As(f.admin))
	if err != nil || l.JSON200 == nil || len(*l.JSON200) != 2 {
		t.Fatalf("list: %v %s", err, l.Body)
	}
	check("list, first", (*l.JSON200)[0], 3, 2)
	check("list, second", (*l.JSON200)[1], 1, 1)
}

func TestClientAndContratListsCostABoundedNumberOfQueries(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	// Twenty companies, each with two contracts, equipment and interventions.
	for i := range 20 {
		u := f.insertID(`INSERT INTO users (username, full_name, email, password_hash, role)
			VALUES ($1, 'Client', $2, 'x', 'client') RETURNING id`, fmt.Sprintf("n1client%d", i), fmt.Sprintf("n1client%d@example.com", i))
		c := f.insertID(`INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
			VALUES ($1, $2, 'Contact', 'c@example.com') RETURNING id`, u, fmt.Sprintf("Entreprise N1 %02d", i))
		for j := range 2 {
			k := f.insertID(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, statut, date_debut, date_fin, nb_interventions_incluses)
				VALUES ($1, $2, 'Contrat', 'maintenance_complete', 'en_cours', CURRENT_DATE - 1, CURRENT_DATE + 1, 5) RETURNING id`,
				c, fmt.Sprintf("N1-%d-%d", i, j))
			f.equipement(&c, &k)
			f.intervention(&c, &k, "ouverte")
		}
	}
	// The demo client owns one of them, so its scoped lists have rows too.
	if _, err := env.Pool.Exec(t.Context(), `UPDATE clients SET user_id = (SELECT id FROM users WHERE username = 'client')
		WHERE nom_entreprise = 'Entreprise N1 00'`); err != nil {
		t.Fatal(err)
	}
	admin, client := f.admin, env.Token("client") // tokens first: a login costs queries too
	root, hc, counter := ccCountingServer(t, env)
	queries := func(token, path string, wantRows int) int64 {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, root+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		counter.n.Store(0)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		n := counter.n.Load()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %d %s", path, err, resp.StatusCode, b)
		}
		if got := strings.Count(string(b), `"created_at"`); got != wantRows {
			t.Fatalf("GET %s: %d rows, want %d", path, got, wantRows)
		}
		return n
	}
	for _, tc := range []struct {
		path           string
		token          string
		oneRow, allRow int
	}{
		{"/api/v1/clients", admin, 1, 20},
		{"/api/v1/contrats", admin, 1, 40},
		{"/api/v1/clients", client, 1, 1},
		{"/api/v1/contrats", client, 1, 2},
	} {
		one := queries(tc.token, tc.path+"?limit=1", tc.oneRow)
		all := queries(tc.token, tc.path+"?limit=500", tc.allRow)
		if one != all {
			t.Errorf("GET %s: %d queries for 1 row, %d for %d rows: the count grows with the page", tc.path, one, all, tc.allRow)
		}
		if all > 3 {
			t.Errorf("GET %s: %d queries for a page, want at most 3 (token check, page, total):\n%s", tc.path, all,
				strings.Join(counter.statements(), "\n"))
		}
	}
	// Reading one row is bounded too.
	var k int64
	if err := env.Pool.QueryRow(t.Context(), "SELECT min(id) FROM contrats").Scan(&k); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{contratPath(k), "/api/v1/clients/" + strconv.FormatInt(f.insertID("SELECT min(id) FROM clients"), 10)} {
		if n := queries(admin, path, 1); n > 2 {
			t.Errorf("GET %s: %d queries, want at most 2", path, n)
		}
	}
}

// ccQueryCounter is a pgx tracer counting (and keeping) the statements a pool sends.
type ccQueryCounter struct {
	n    atomic.Int64
	mu   sync.Mutex
	sqls []string
}

func (c *ccQueryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	c.mu.Lock()
	c.sqls = append(c.sqls, d.SQL)
	c.mu.Unlock()
	return ctx
}

func (c *ccQueryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// statements are the last statements sent, at most as many as counted since the last reset.
func (c *ccQueryCounter) statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(int(c.n.Load()), len(c.sqls))
	return slices.Clone(c.sqls[len(c.sqls)-n:])
}

// ccCountingServer starts a second server on env's database whose pool counts its statements; it
// returns its root URL and a contract-validating HTTP client. Tokens of env work there too.
func ccCountingServer(t *testing.T, env *testenv.Env) (string, *http.Client, *ccQueryCounter) {
	t.Helper()
	counter := &ccQueryCounter{}
	cfg, err := pgxpool.ParseConfig(env.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	h, err := app.Handler(env.Config, pool, nil, slog.New(slog.DiscardHandler), "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL, testenv.NewContractClient(t), counter
}

// TestClientAndContratBadInputsAre4xx sends malformed ids, enums, dates, bodies and query strings
// to every client and contract operation: each must answer 4xx, never 500.
func TestClientAndContratBadInputsAre4xx(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	c, _ := f.newCompany("Entrée Invalide")
	k := f.contrat(c.Id, nil)
	cp, kp := clientPath(c.Id), contratPath(k.Id)
	validContrat := fmt.Sprintf(`{"client_id":%d,"numero_contrat":"X-1","nom_contrat":"N","type_contrat":"maintenance_complete","date_debut":"2026-01-01","date_fin":"2026-12-31"`, c.Id)
	withContrat := func(extra string) string { return validContrat + extra + "}" }
	cases := []struct {
		method, path, contentType, body string
	}{
		// Malformed ids.
		{"GET", "/api/v1/clients/abc", "", ""},
		{"GET", "/api/v1/clients/0", "", ""},
		{"GET", "/api/v1/clients/-1", "", ""},
		{"GET", "/api/v1/clients/1.5", "", ""},
		{"GET", "/api/v1/clients/99999999999999999999", "", ""},
		{"GET", "/api/v1/clients/9223372036854775807", "", ""},
		{"DELETE", "/api/v1/clients/%20", "", ""},
		{"PATCH", "/api/v1/contrats/abc", "application/json", `{"statut":"suspendu"}`},
		{"GET", "/api/v1/contrats/0", "", ""},
		{"GET", "/api/v1/contrats/1e3", "", ""},
		{"DELETE", "/api/v1/contrats/-5", "", ""},
		{"GET", "/api/v1/contrats/9223372036854775808", "", ""},
		// Query strings.
		{"GET", "/api/v1/clients?limit=0", "", ""},
		{"GET", "/api/v1/clients?limit=501", "", ""},
		{"GET", "/api/v1/clients?limit=abc", "", ""},
		{"GET", "/api/v1/clients?offset=-1", "", ""},
		{"GET", "/api/v1/clients?offset=99999999999999", "", ""},
		{"GET", "/api/v1/clients?offset=99999999999999999999999", "", ""},
		{"GET", "/api/v1/clients?sort=ville", "", ""},
		{"GET", "/api/v1/clients?sort=", "", ""},
		{"GET", "/api/v1/clients?is_active=peut-etre", "", ""},
		{"GET", "/api/v1/clients?q=" + strings.Repeat("a", 101), "", ""},
		{"GET", "/api/v1/clients?q=a%00b", "", ""},
		{"GET", "/api/v1/clients?q=%FF%FE", "", ""},
		{"GET", "/api/v1/contrats?statut=actif", "", ""},
		{"GET", "/api/v1/contrats?type_contrat=leasing", "", ""},
		{"GET", "/api/v1/contrats?client_id=abc", "", ""},
		{"GET", "/api/v1/contrats?client_id=0", "", ""},
		{"GET", "/api/v1/contrats?client_id=99999999999999999999", "", ""},
		{"GET", "/api/v1/contrats?sort=-montant_annuel", "", ""},
		// Bodies.
		{"POST", "/api/v1/clients", "application/json", `{`},
		{"POST", "/api/v1/clients", "application/json", `[]`},
		{"POST", "/api/v1/clients", "application/json", `null`},
		{"POST", "/api/v1/clients", "application/json", ``},
		{"POST", "/api/v1/clients", "text/plain", `hello`},
		{"POST", "/api/v1/clients", "application/x-www-form-urlencoded", `user_id=1`},
		{"POST", "/api/v1/clients", "application/json", `{"user_id":99999999999999999999,"nom_entreprise":"X","nom_contact":"Y","email":"a@b.ma"}`},
		{"POST", "/api/v1/clients", "application/json", `{"user_id":-1,"nom_entreprise":"X","nom_contact":"Y","email":"a@b.ma"}`},
		{"POST", "/api/v1/clients", "application/json", `{"user_id":1.5,"nom_entreprise":"X","nom_contact":"Y","email":"a@b.ma"}`},
		{"POST", "/api/v1/clients", "application/json", `{"user_id":1,"nom_entreprise":"` + strings.Repeat("x", 256) + `","nom_contact":"Y","email":"a@b.ma"}`},
		{"PATCH", cp, "application/json", `{"is_active":"oui"}`},
		{"PATCH", cp, "application/json", `{"ville":123}`},
		{"PATCH", cp, "application/json", `{"pays":null}`},
		{"PATCH", cp, "application/json", `{"type_client":"pme"}`},
		{"PATCH", cp, "application/json", `"ville"`},
		{"PATCH", cp, "application/json", `{"ville":"Fès\u0000"}`},
		{"PATCH", cp, "application/json", `{"nom_entreprise":"\u0000"}`},
		{"PATCH", cp, "application/json", `{"email":"a\u0000@b.ma"}`},
		{"POST", "/api/v1/clients", "application/json", `{"user_id":1,"nom_entreprise":"N\u0000","nom_contact":"Y","email":"a@b.ma"}`},
		{"POST", "/api/v1/clients", "application/json", "{\"user_id\":1,\"nom_entreprise\":\"N\xff\",\"nom_contact\":\"Y\",\"email\":\"a@b.ma\"}"},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"description":"x\u0000"`)},
		{"PATCH", kp, "application/json", `{"numero_contrat":"A\u0000B"}`},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"date_signature":"hier"`)},
		{"POST", "/api/v1/contrats", "application/json", strings.Replace(withContrat(""), "2026-12-31", "2026-02-30", 1)},
		{"POST", "/api/v1/contrats", "application/json", strings.Replace(withContrat(""), "2026-12-31", "2026-13-01", 1)},
		{"POST", "/api/v1/contrats", "application/json", strings.Replace(withContrat(""), "2026-12-31", "31/12/2026", 1)},
		{"POST", "/api/v1/contrats", "application/json", strings.Replace(withContrat(""), "2026-12-31", "2026-12-31T00:00:00", 1)}, // a timestamp without its offset
		{"POST", "/api/v1/contrats", "application/json", strings.Replace(withContrat(""), "2026-12-31", "2025-12-31", 1)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"statut":"actif"`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"devise":"mad"`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"devise":"EURO"`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"montant_annuel":-1`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"montant_annuel":99999999999999999999999`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"nb_interventions_incluses":99999999999`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"nb_interventions_incluses":-1`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"delai_urgente_heures":0`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"delai_urgente_heures":169`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"delai_basse_heures":99999999999`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"delai_urgente_heures":10,"delai_basse_heures":5`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"client_id":"un"`)},
		{"POST", "/api/v1/contrats", "application/json", withContrat(`,"extra":true`)},
		{"POST", "/api/v1/contrats", "application/json", fmt.Sprintf(`{"client_id":%d}`, c.Id)},
		{"PATCH", kp, "application/json", `{"client_id":1}`},
		{"PATCH", kp, "application/json", `{"date_debut":null}`},
		{"PATCH", kp, "application/json", `{"date_fin":"2026-00-10"}`},
		{"PATCH", kp, "application/json", `{"date_fin":"2025-01-01"}`},
		{"PATCH", kp, "application/json", `{"date_debut":"2027-01-01"}`},
		{"PATCH", kp, "application/json", `{"numero_contrat":"   "}`},
		{"PATCH", kp, "application/json", `{"statut":"EN_COURS"}`},
		{"PATCH", kp, "application/json", `{"delai_haute_heures":721}`},
		{"PATCH", kp, "application/json", `{}`},
		{"PATCH", kp, "application/merge-patch+json", `{"statut":"suspendu"}`},
	}
	for _, tc := range cases {
		name := tc.method + " " + tc.path + " " + tc.body
		var body *strings.Reader
		if tc.body != "" || tc.method != "GET" {
			body = strings.NewReader(tc.body)
		}
		var resp *http.Response
		var b []byte
		if body == nil {
			resp, b = env.Do(tc.method, tc.path, f.admin, tc.contentType, nil, true)
		} else {
			resp, b = env.Do(tc.method, tc.path, f.admin, tc.contentType, body, true)
		}
		if resp.StatusCode < 400 || resp.StatusCode > 499 {
			t.Errorf("%s: status %d, want 4xx: %s", name, resp.StatusCode, b)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
	}
	if errs := serverErrors(env); errs != "" {
		t.Errorf("the server logged errors:\n%s", errs)
	}
	// Nothing changed.
	g, err := env.Client.GetContratWithResponse(t.Context(), k.Id, testenv.As(f.admin))
	if err != nil || g.JSON200 == nil || !g.JSON200.UpdatedAt.Equal(k.UpdatedAt) {
		t.Errorf("the contract changed: %v %s", err, g.Body)
	}
}

// TestConcurrentCreationsKeepNamesAndNumbersUnique races creations that only the unique indexes
// can settle: exactly one wins each race, the others get the same 409 as the pre-checks.
func TestConcurrentCreationsKeepNamesAndNumbersUnique(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newCCFixture(t, env)
	const n = 8
	users := make([]int64, n)
	for i := range users {
		users[i], _ = f.clientUser()
	}
	owner, _ := f.newCompany("Course SA")
	type result struct {
		status int
		detail string
	}
	race := func(send func(i int) (*http.Response, []byte)) []result {
		out := make([]result, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				resp, b := send(i)
				out[i].status = resp.StatusCode
				var p api.Problem
				if resp.StatusCode >= 400 && json.Unmarshal(b, &p) == nil {
					out[i].detail = detailOf(p)
				}
			})
		}
		wg.Wait()
		return out
	}
	check := func(what string, got []result, conflict string) {
		t.Helper()
		created := 0
		for _, r := range got {
			switch {
			case r.status == http.StatusCreated:
				created++
			case r.status != http.StatusConflict || r.detail != conflict:
				t.Errorf("%s: %d %q, want 201 or 409 %q", what, r.status, r.detail, conflict)
			}
		}
		if created != 1 {
			t.Errorf("%s: %d creations succeeded, want 1", what, created)
		}
	}
	check("same company name", race(func(i int) (*http.Response, []byte) {
		return sendJSON(t, env, http.MethodPost, "/api/v1/clients", f.admin, map[string]any{"user_id": users[i],
			"nom_entreprise": "Même Nom", "nom_contact": "C", "email": "c@c.ma"}, false)
	}), "Entreprise déjà existante")
	var free []int64
	for _, u := range users {
		if countRows(t, env, "SELECT count(*) FROM clients WHERE user_id = $1", u) == 0 {
			free = append(free, u)
		}
	}
	check("same user", race(func(i int) (*http.Response, []byte) {
		return sendJSON(t, env, http.MethodPost, "/api/v1/clients", f.admin, map[string]any{"user_id": free[0],
			"nom_entreprise": fmt.Sprintf("Entreprise %d", i), "nom_contact": "C", "email": "c@c.ma"}, false)
	}), "Ce client a déjà une entreprise")
	check("same contract number", race(func(i int) (*http.Response, []byte) {
		body := f.contratBody(owner.Id, func(k *api.ContratCreate) { k.NumeroContrat = "ctr-course-x" })
		if i%2 == 0 {
			body.NumeroContrat = "CTR-COURSE-X"
		}
		return sendJSON(t, env, http.MethodPost, "/api/v1/contrats", f.admin, body, false)
	}), "Numéro de contrat déjà utilisé")
	if errs := serverErrors(env); errs != "" {
		t.Errorf("server errors:\n%s", errs)
	}
}
