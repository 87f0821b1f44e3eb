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
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/testenv"
)

// eqFixture creates equipment and what it refers to in one test's database.
type eqFixture struct {
	t     *testing.T
	env   *testenv.Env
	admin string // token of the demo responsable (who manages equipment)
	seq   atomic.Int64
}

func newEqFixture(t *testing.T, env *testenv.Env) *eqFixture {
	return &eqFixture{t: t, env: env, admin: env.Token("responsable")}
}

func eqPath(id int64) string { return "/api/v1/equipements/" + strconv.FormatInt(id, 10) }

// eqFreq is a maintenance interval as sent: an int (days) or a string (digits or a label).
func eqFreq(v any) *api.FrequenceEntretien {
	var f api.FrequenceEntretien
	var err error
	switch x := v.(type) {
	case int:
		err = f.FromFrequenceEntretien0(x)
	case string:
		err = f.FromFrequenceEntretien1(x)
	default:
		panic(fmt.Sprintf("eqFreq(%T)", v))
	}
	if err != nil {
		panic(err)
	}
	return &f
}

func eqDate(s string) *openapi_types.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &openapi_types.Date{Time: t}
}

func eqToday() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// body is a valid creation request with a unique name, changed by change.
func (f *eqFixture) body(change func(*api.EquipementCreate)) api.EquipementCreate {
	n := f.seq.Add(1)
	b := api.EquipementCreate{Nom: fmt.Sprintf("Machine %d", n), Type: "pompe", Localisation: "Atelier A"}
	if change != nil {
		change(&b)
	}
	return b
}

// create creates equipment through the API and fails the test unless it gets 201.
func (f *eqFixture) create(change func(*api.EquipementCreate)) api.Equipement {
	f.t.Helper()
	r, err := f.env.Client.CreateEquipementWithResponse(f.t.Context(), nil, f.body(change), testenv.As(f.admin))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON201 == nil {
		f.t.Fatalf("create equipement: %d %s", r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

func (f *eqFixture) get(id int64, token string) (*api.GetEquipementResponse, api.Equipement) {
	f.t.Helper()
	r, err := f.env.Client.GetEquipementWithResponse(f.t.Context(), id, testenv.As(token))
	if err != nil {
		f.t.Fatal(err)
	}
	var e api.Equipement
	if r.JSON200 != nil {
		e = *r.JSON200
	}
	return r, e
}

// patch sends a raw JSON PATCH (so that null and absent can be told apart).
func (f *eqFixture) patch(id int64, body string, ifMatch string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPatch, f.env.Root+eqPath(id), strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.admin)
	req.Header.Set("Content-Type", "application/json")
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := f.env.HTTP.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, b
}

func (f *eqFixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.env.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// company inserts a client company (with its login) and returns its id.
func (f *eqFixture) company() int64 {
	n := f.seq.Add(1)
	u := f.id(`INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ($1, 'Client', $2, 'x', 'client') RETURNING id`, fmt.Sprintf("eqclient%d", n), fmt.Sprintf("eqclient%d@example.com", n))
	return f.id(`INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
		VALUES ($1, $2, 'Contact', 'c@example.com') RETURNING id`, u, fmt.Sprintf("Entreprise EQ %d", n))
}

func (f *eqFixture) contrat(clientID int64) int64 {
	return f.id(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, date_debut, date_fin)
		VALUES ($1, $2, 'Contrat', 'maintenance_complete', '2026-01-01', '2026-12-31') RETURNING id`,
		clientID, fmt.Sprintf("EQ-CTR-%d", f.seq.Add(1)))
}

// demoCompany returns the company of the demo client account, creating it if needed.
func (f *eqFixture) demoCompany() int64 {
	return f.id(`WITH u AS (SELECT id FROM users WHERE username = 'client'),
		ins AS (INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
			SELECT id, 'Société ABC', 'Karim Alaoui', 'contact@abc.ma' FROM u
			ON CONFLICT (user_id) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT c.id FROM clients c JOIN u ON c.user_id = u.id LIMIT 1`)
}

// intervention inserts an intervention on a machine.
func (f *eqFixture) intervention(equipementID int64, typ, statut string, cloture *time.Time) int64 {
	return f.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, date_cloture)
		VALUES ('Travail', $1::intervention_type, $2::intervention_statut, $3, $4) RETURNING id`, typ, statut, equipementID, cloture)
}

func (f *eqFixture) count(sql string, args ...any) int {
	return countRows(f.t, f.env, sql, args...)
}

func TestEquipementCRUD(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	ctx := t.Context()
	company := f.company()
	contrat := f.contrat(company)

	in := f.body(func(b *api.EquipementCreate) {
		b.Nom = "  Compresseur Atlas Copco GA15  "
		b.Type = "compresseur"
		b.NumeroSerie = ptrTo("AC-2023-001")
		b.CodeInterne = ptrTo("EQ-0101")
		b.Marque = ptrTo("Atlas Copco")
		b.Modele = ptrTo("GA15")
		b.Batiment, b.Etage, b.Zone = ptrTo("B1"), ptrTo("RDC"), ptrTo("A")
		b.Description = ptrTo("Compresseur principal")
		b.Criticite = ptrTo(api.EquipementCriticiteCritique)
		b.FrequenceEntretien = eqFreq("mensuel")
		b.DateAcquisition = eqDate("2025-01-10")
		b.DateMiseEnService = eqDate("2025-02-01")
		b.DateFinGarantie = eqDate("2027-01-10")
		b.CoutAcquisition = ptrTo(int64(4500000))
		b.ContratId = &contrat // the client comes from the contract
	})
	r, err := env.Client.CreateEquipementWithResponse(ctx, nil, in, testenv.As(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode() != http.StatusCreated || r.JSON201 == nil {
		t.Fatalf("create: %d %s", r.StatusCode(), r.Body)
	}
	e := *r.JSON201
	if want := eqPath(e.Id); r.HTTPResponse.Header.Get("Location") != want {
		t.Errorf("Location = %q, want %q", r.HTTPResponse.Header.Get("Location"), want)
	}
	if got := r.HTTPResponse.Header.Get("ETag"); got != `"1"` {
		t.Errorf("ETag = %q, want \"1\"", got)
	}
	if e.Nom != "Compresseur Atlas Copco GA15" || e.Type != "compresseur" || e.Statut != api.EquipementStatutOperationnel ||
		e.Criticite != api.EquipementCriticiteCritique || *e.NumeroSerie != "AC-2023-001" ||
		*e.FrequenceEntretien != 30 || *e.CoutAcquisition != 4500000 ||
		*e.ClientId != company || *e.ContratId != contrat || e.ParentId != nil ||
		e.Version != 1 || e.NbInterventionsActives != 0 || (*e.DateMiseEnService).String() != "2025-02-01" {
		t.Errorf("created equipment does not echo the request: %+v", e)
	}
	// 2025-02-01 + 30 days - 7 (critique) = 2025-02-24, long past.
	if got := (*e.ProchaineMaintenance).String(); got != "2025-02-24" || !e.MaintenanceEnRetard {
		t.Errorf("prochaine_maintenance = %s, en retard %v; want 2025-02-24, true", got, e.MaintenanceEnRetard)
	}

	g, got := f.get(e.Id, env.Token("technicien"))
	if g.StatusCode() != http.StatusOK || g.HTTPResponse.Header.Get("ETag") != `"1"` {
		t.Fatalf("get: %d ETag %q %s", g.StatusCode(), g.HTTPResponse.Header.Get("ETag"), g.Body)
	}
	if got.Id != e.Id || got.Nom != e.Nom || !got.CreatedAt.Equal(e.CreatedAt) || *got.ClientId != company {
		t.Errorf("get = %+v, created %+v", got, e)
	}

	u, err := env.Client.UpdateEquipementWithResponse(ctx, e.Id, &api.UpdateEquipementParams{IfMatch: ptrTo(`"1"`)},
		api.EquipementUpdate{Localisation: ptrTo("Atelier B"), Statut: ptrTo(api.EquipementStatutMaintenance)}, testenv.As(f.admin))
	if err != nil {
		t.Fatal(err)
	}
	if u.JSON200 == nil || u.HTTPResponse.Header.Get("ETag") != `"2"` {
		t.Fatalf("update: %d ETag %q %s", u.StatusCode(), u.HTTPResponse.Header.Get("ETag"), u.Body)
	}
	if v := *u.JSON200; v.Localisation != "Atelier B" || v.Statut != api.EquipementStatutMaintenance || v.Version != 2 ||
		v.Nom != e.Nom || *v.Marque != "Atlas Copco" || v.UpdatedAt.Before(e.UpdatedAt) {
		t.Errorf("update = %+v", v)
	}

	d, err := env.Client.DeleteEquipementWithResponse(ctx, e.Id, testenv.As(env.Token("admin")))
	if err != nil || d.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete: %v %d %s", err, d.StatusCode(), d.Body)
	}
	if g, _ := f.get(e.Id, f.admin); g.StatusCode() != http.StatusNotFound || detailOf(*g.ApplicationproblemJSON404) != "Équipement introuvable" {
		t.Errorf("get after delete: %d %s", g.StatusCode(), g.Body)
	}
	if d, _ := env.Client.DeleteEquipementWithResponse(ctx, e.Id, testenv.As(f.admin)); d.StatusCode() != http.StatusNotFound {
		t.Errorf("second delete: %d", d.StatusCode())
	}
	for _, action := range []string{"equipement.created", "equipement.updated", "equipement.deleted"} {
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = $1 AND resource_type = 'equipement' AND resource_id = $2`,
			action, strconv.FormatInt(e.Id, 10)); n != 1 {
			t.Errorf("%d %s audit rows, want 1", n, action)
		}
	}
}

func TestCreateEquipementRefusalsWriteNothing(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	companyA, companyB := f.company(), f.company()
	contratB := f.contrat(companyB)
	f.create(func(b *api.EquipementCreate) {
		b.Nom, b.NumeroSerie, b.CodeInterne = "Presse hydraulique", ptrTo("SN-001"), ptrTo("EQ-001")
	})

	body := func(changes map[string]any) map[string]any {
		b := map[string]any{"nom": fmt.Sprintf("Nouvelle %d", f.seq.Add(1)), "type": "pompe", "localisation": "Atelier"}
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
		onPurpose bool // the request breaks the contract
		status    int
		detail    string   // "" to skip
		fields    []string // sorted; nil to skip
	}{
		{name: "duplicate name, other case", body: body(map[string]any{"nom": "PRESSE Hydraulique"}), status: 409, detail: "Équipement déjà existant"},
		{name: "duplicate name with spaces", body: body(map[string]any{"nom": "  presse hydraulique "}), status: 409, detail: "Équipement déjà existant"},
		{name: "duplicate serial number", body: body(map[string]any{"numero_serie": "sn-001"}), status: 409, detail: "Numéro de série déjà utilisé"},
		{name: "duplicate internal code", body: body(map[string]any{"code_interne": "eq-001"}), status: 409, detail: "Code interne déjà utilisé"},
		{name: "blank name", body: body(map[string]any{"nom": "   "}), status: 422, fields: []string{"nom"}},
		{name: "blank type and location", body: body(map[string]any{"type": " ", "localisation": "\t"}), status: 422, fields: []string{"localisation", "type"}},
		{name: "missing name", body: body(map[string]any{"nom": nil}), onPurpose: true, status: 422, fields: []string{"nom"}},
		{name: "empty name", body: body(map[string]any{"nom": ""}), onPurpose: true, status: 422, fields: []string{"nom"}},
		{name: "unknown statut", body: body(map[string]any{"statut": "cassé"}), onPurpose: true, status: 422, fields: []string{"statut"}},
		{name: "unknown criticite", body: body(map[string]any{"criticite": "haute"}), onPurpose: true, status: 422, fields: []string{"criticite"}},
		{name: "unknown frequency label", body: body(map[string]any{"frequence_entretien": "toujours"}), status: 422, fields: []string{"frequence_entretien"}},
		{name: "frequency too long in digits", body: body(map[string]any{"frequence_entretien": "5000"}), status: 422, fields: []string{"frequence_entretien"}},
		{name: "frequency too long", body: body(map[string]any{"frequence_entretien": 5000}), onPurpose: true, status: 422, fields: []string{"frequence_entretien"}},
		{name: "negative frequency", body: body(map[string]any{"frequence_entretien": -1}), onPurpose: true, status: 422, fields: []string{"frequence_entretien"}},
		{name: "fractional frequency", body: body(map[string]any{"frequence_entretien": 7.5}), onPurpose: true, status: 422},
		{name: "frequency as a boolean", body: body(map[string]any{"frequence_entretien": true}), onPurpose: true, status: 422},
		{name: "negative cost", body: body(map[string]any{"cout_acquisition": -1}), onPurpose: true, status: 422, fields: []string{"cout_acquisition"}},
		{name: "warranty ends before purchase", body: body(map[string]any{"date_acquisition": "2025-05-01", "date_fin_garantie": "2025-04-30"}),
			status: 422, fields: []string{"date_fin_garantie"}},
		{name: "commissioned before purchase", body: body(map[string]any{"date_acquisition": "2025-05-01", "date_mise_en_service": "2025-04-30"}),
			status: 422, fields: []string{"date_mise_en_service"}},
		{name: "unknown field", body: body(map[string]any{"couleur": "rouge"}), onPurpose: true, status: 422},
		{name: "read-only field", body: body(map[string]any{"version": 7}), onPurpose: true, status: 422},
		{name: "several invalid fields", body: body(map[string]any{"nom": " ", "frequence_entretien": "parfois"}), status: 422,
			fields: []string{"frequence_entretien", "nom"}},
		{name: "unknown client", body: body(map[string]any{"client_id": 999999}), status: 404, detail: "Client introuvable"},
		{name: "unknown contract", body: body(map[string]any{"contrat_id": 999999}), status: 404, detail: "Contrat introuvable"},
		{name: "unknown parent", body: body(map[string]any{"parent_id": 999999}), status: 404, detail: "Équipement parent introuvable"},
		{name: "contract of another client", body: body(map[string]any{"client_id": companyA, "contrat_id": contratB}), status: 422,
			fields: []string{"contrat_id"}},
		{name: "client id zero", body: body(map[string]any{"client_id": 0}), onPurpose: true, status: 422, fields: []string{"client_id"}},
	}
	before := f.count("SELECT count(*) FROM equipements")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, b := sendJSON(t, env, http.MethodPost, "/api/v1/equipements", f.admin, c.body, c.onPurpose)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, b)
			}
			p := decodeProblem(t, b)
			if c.detail != "" && detailOf(p) != c.detail {
				t.Errorf("detail %q, want %q", detailOf(p), c.detail)
			}
			if c.fields != nil && !slices.Equal(fieldsOf(p), c.fields) {
				t.Errorf("fields %v, want %v (%s)", fieldsOf(p), c.fields, b)
			}
		})
	}
	if after := f.count("SELECT count(*) FROM equipements"); after != before {
		t.Errorf("%d equipment rows written by refused requests", after-before)
	}
	if n := f.count("SELECT count(*) FROM audit_log WHERE action = 'equipement.created'"); n != 1 {
		t.Errorf("%d equipement.created audit rows, want 1", n)
	}
}

func TestFrequenceEntretienLabelsAndDays(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	cases := []struct {
		in   any
		days int // 0: none (null)
	}{
		{"journalier", 1}, {"hebdomadaire", 7}, {"bimensuel", 15}, {"bimensuelle", 15},
		{"mensuel", 30}, {"Mensuelle", 30}, {"trimestriel", 90}, {"TRIMESTRIELLE", 90},
		{"semestriel", 182}, {"semestrielle", 182}, {"annuel", 365}, {"annuelle", 365},
		{" 45 ", 45}, {"0", 0}, {"aucune", 0}, {"007", 7}, {1, 1}, {3650, 3650}, {"3650", 3650}, {0, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.in), func(t *testing.T) {
			t.Parallel()
			e := f.create(func(b *api.EquipementCreate) { b.FrequenceEntretien = eqFreq(c.in) })
			if c.days == 0 {
				if e.FrequenceEntretien != nil || e.ProchaineMaintenance != nil || e.MaintenanceEnRetard {
					t.Errorf("frequence %v: got %v, prochaine %v; want null", c.in, e.FrequenceEntretien, e.ProchaineMaintenance)
				}
				return
			}
			if got := *e.FrequenceEntretien; got != c.days {
				t.Errorf("frequence %v: %d days, want %d", c.in, got, c.days)
			}
			// Without history or commissioning date, the next maintenance counts from creation.
			want := eqToday().AddDate(0, 0, c.days).Format(time.DateOnly)
			if got := (*e.ProchaineMaintenance).String(); got != want || e.MaintenanceEnRetard {
				t.Errorf("prochaine_maintenance %s (en retard %v), want %s", got, e.MaintenanceEnRetard, want)
			}
		})
	}
}

func TestUpdateEquipementIsPartial(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	companyA, companyB := f.company(), f.company()
	contratA, contratB := f.contrat(companyA), f.contrat(companyB)
	e := f.create(func(b *api.EquipementCreate) {
		b.Marque, b.Modele, b.Zone = ptrTo("Grundfos"), ptrTo("NB 65"), ptrTo("P")
		b.FrequenceEntretien = eqFreq(90)
		b.DateAcquisition = eqDate("2025-01-01")
		b.CoutAcquisition = ptrTo(int64(100))
		b.NumeroSerie = ptrTo("GF-1")
	})
	decode := func(b []byte) api.Equipement {
		t.Helper()
		var out api.Equipement
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("decode: %v: %s", err, b)
		}
		return out
	}
	ok := func(body string) api.Equipement {
		t.Helper()
		resp, b := f.patch(e.Id, body, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PATCH %s: %d %s", body, resp.StatusCode, b)
		}
		out := decode(b)
		if resp.Header.Get("ETag") != fmt.Sprintf(`"%d"`, out.Version) {
			t.Errorf("ETag %q for version %d", resp.Header.Get("ETag"), out.Version)
		}
		return out
	}

	// null clears, absent keeps.
	v := ok(`{"marque": null, "cout_acquisition": null, "date_acquisition": null, "zone": "Q"}`)
	if v.Marque != nil || v.CoutAcquisition != nil || v.DateAcquisition != nil || *v.Zone != "Q" ||
		*v.Modele != "NB 65" || *v.NumeroSerie != "GF-1" || *v.FrequenceEntretien != 90 || v.Version != 2 {
		t.Errorf("after clearing: %+v", v)
	}
	// A blank optional text is stored as null.
	if v = ok(`{"modele": "   "}`); v.Modele != nil {
		t.Errorf("blank modele: %v", v.Modele)
	}
	// Labels, and 0 / aucune clear the interval.
	if v = ok(`{"frequence_entretien": "hebdomadaire"}`); *v.FrequenceEntretien != 7 || v.ProchaineMaintenance == nil {
		t.Errorf("hebdomadaire: %v %v", v.FrequenceEntretien, v.ProchaineMaintenance)
	}
	if v = ok(`{"frequence_entretien": "aucune"}`); v.FrequenceEntretien != nil || v.ProchaineMaintenance != nil {
		t.Errorf("aucune: %v %v", v.FrequenceEntretien, v.ProchaineMaintenance)
	}
	ok(`{"frequence_entretien": 12}`)
	if v = ok(`{"frequence_entretien": 0}`); v.FrequenceEntretien != nil {
		t.Errorf("0: %v", v.FrequenceEntretien)
	}
	// Sending the current values changes nothing: the version stays.
	before := v.Version
	if v = ok(fmt.Sprintf(`{"nom": %q, "zone": "Q"}`, e.Nom)); v.Version != before {
		t.Errorf("a no-op PATCH moved the version from %d to %d", before, v.Version)
	}
	// A contract without a client gives its client; then the client cannot change alone.
	if v = ok(fmt.Sprintf(`{"contrat_id": %d}`, contratA)); *v.ClientId != companyA || *v.ContratId != contratA {
		t.Errorf("contract A: client %v contrat %v", v.ClientId, v.ContratId)
	}

	refusals := []struct {
		name, body string
		onPurpose  bool
		status     int
		detail     string
		fields     []string
	}{
		{"client of another contract", fmt.Sprintf(`{"client_id": %d}`, companyB), false, 422, "", []string{"contrat_id"}},
		{"contract of another client", fmt.Sprintf(`{"contrat_id": %d}`, contratB), false, 422, "", []string{"contrat_id"}},
		{"client cleared under contract", `{"client_id": null}`, false, 422, "", []string{"client_id"}},
		{"blank name", `{"nom": "  "}`, false, 422, "", []string{"nom"}},
		{"null name", `{"nom": null}`, true, 422, "", nil},
		{"null statut", `{"statut": null}`, true, 422, "", nil},
		{"null frequency", `{"frequence_entretien": null}`, true, 422, "", nil},
		{"unknown frequency", `{"frequence_entretien": "quinzaine"}`, false, 422, "", []string{"frequence_entretien"}},
		{"empty body", `{}`, true, 422, "", nil},
		{"unknown client", `{"client_id": 999999, "contrat_id": null}`, false, 404, "Client introuvable", nil},
		{"unknown contract", `{"contrat_id": 999999}`, false, 404, "Contrat introuvable", nil},
		{"unknown parent", `{"parent_id": 999999}`, false, 404, "Équipement parent introuvable", nil},
		{"own parent", fmt.Sprintf(`{"parent_id": %d}`, e.Id), false, 422, "", []string{"parent_id"}},
		{"warranty before purchase", `{"date_acquisition": "2025-06-01", "date_fin_garantie": "2025-01-01"}`, false, 422, "", []string{"date_fin_garantie"}},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			resp, b := sendJSON(t, env, http.MethodPatch, eqPath(e.Id), f.admin, c.body, c.onPurpose)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, b)
			}
			p := decodeProblem(t, b)
			if c.detail != "" && detailOf(p) != c.detail {
				t.Errorf("detail %q, want %q", detailOf(p), c.detail)
			}
			if c.fields != nil && !slices.Equal(fieldsOf(p), c.fields) {
				t.Errorf("fields %v, want %v", fieldsOf(p), c.fields)
			}
		})
	}
	_, now := f.get(e.Id, f.admin)
	if now.Version != v.Version || *now.ClientId != companyA || now.Nom != e.Nom {
		t.Errorf("refused updates changed the row: %+v", now)
	}

	// Both contract and client change together; then both are cleared.
	if v = ok(fmt.Sprintf(`{"client_id": %d, "contrat_id": %d}`, companyB, contratB)); *v.ClientId != companyB {
		t.Errorf("move to B: %v", v.ClientId)
	}
	if v = ok(`{"client_id": null, "contrat_id": null}`); v.ClientId != nil || v.ContratId != nil {
		t.Errorf("cleared: %v %v", v.ClientId, v.ContratId)
	}

	// Duplicates on update.
	other := f.create(func(b *api.EquipementCreate) { b.NumeroSerie, b.CodeInterne = ptrTo("OTHER-SN"), ptrTo("OTHER-CODE") })
	for body, detail := range map[string]string{
		fmt.Sprintf(`{"nom": %q}`, strings.ToUpper(other.Nom)): "Équipement déjà existant",
		`{"numero_serie": "other-sn"}`:                         "Numéro de série déjà utilisé",
		`{"code_interne": "Other-Code"}`:                       "Code interne déjà utilisé",
	} {
		resp, b := f.patch(e.Id, body, "")
		if resp.StatusCode != http.StatusConflict || detailOf(decodeProblem(t, b)) != detail {
			t.Errorf("PATCH %s: %d %s, want 409 %s", body, resp.StatusCode, b, detail)
		}
	}
}

func TestEquipementHierarchyRefusesCycles(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	line := f.create(func(b *api.EquipementCreate) { b.Nom = "Ligne 1" })
	machine := f.create(func(b *api.EquipementCreate) { b.Nom, b.ParentId = "Machine de la ligne", &line.Id })
	part := f.create(func(b *api.EquipementCreate) { b.Nom, b.ParentId = "Composant", &machine.Id })
	if *machine.ParentId != line.Id || *part.ParentId != machine.Id {
		t.Fatalf("parents: %v %v", machine.ParentId, part.ParentId)
	}
	for _, c := range []struct {
		name       string
		id, parent int64
	}{
		{"line under its component", line.Id, part.Id},
		{"line under its machine", line.Id, machine.Id},
		{"machine under its component", machine.Id, part.Id},
		{"component under itself", part.Id, part.Id},
	} {
		resp, b := f.patch(c.id, fmt.Sprintf(`{"parent_id": %d}`, c.parent), "")
		if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(fieldsOf(decodeProblem(t, b)), []string{"parent_id"}) {
			t.Errorf("%s: %d %s, want 422 on parent_id", c.name, resp.StatusCode, b)
		}
	}
	// Two machines moved under each other at once: one move wins, the other is refused, never a
	// cycle nor a deadlock.
	for round := range 5 {
		a, b := f.create(nil), f.create(nil)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, pair := range [][2]int64{{a.Id, b.Id}, {b.Id, a.Id}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, _ := sendJSON(t, env, http.MethodPatch, eqPath(pair[0]), f.admin, fmt.Sprintf(`{"parent_id": %d}`, pair[1]), false)
				statuses[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != http.StatusOK || statuses[1] != http.StatusUnprocessableEntity {
			t.Errorf("round %d: concurrent opposite moves answered %v, want [200 422]", round, statuses)
		}
	}
	// The components of a machine, by filter.
	r, err := env.Client.ListEquipementsWithResponse(t.Context(), &api.ListEquipementsParams{ParentId: &line.Id}, testenv.As(f.admin))
	if err != nil || r.JSON200 == nil || len(*r.JSON200) != 1 || (*r.JSON200)[0].Id != machine.Id {
		t.Errorf("components of the line: %v %s", err, r.Body)
	}
	// Moving a component elsewhere is fine; a machine with components cannot be deleted.
	if resp, b := f.patch(part.Id, fmt.Sprintf(`{"parent_id": %d}`, line.Id), ""); resp.StatusCode != http.StatusOK {
		t.Errorf("move component: %d %s", resp.StatusCode, b)
	}
	resp, b := env.Do(http.MethodDelete, eqPath(line.Id), f.admin, "", nil, false)
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("delete a line with components: %d %s", resp.StatusCode, b)
	}
	for _, id := range []int64{part.Id, machine.Id, line.Id} {
		if resp, b := env.Do(http.MethodDelete, eqPath(id), f.admin, "", nil, false); resp.StatusCode != http.StatusNoContent {
			t.Errorf("delete %d: %d %s", id, resp.StatusCode, b)
		}
	}
}

func TestIfMatchGuardsUpdates(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	e := f.create(nil)
	if resp, b := f.patch(e.Id, `{"zone": "Z1"}`, ""); resp.StatusCode != http.StatusOK { // version 2
		t.Fatalf("setup: %d %s", resp.StatusCode, b)
	}
	cases := []struct {
		ifMatch string
		status  int
	}{
		{`"1"`, 412},   // stale
		{`1`, 412},     // stale, bare
		{`W/"2"`, 412}, // weak ETags never match If-Match
		{`abc`, 412},   // malformed
		{`"abc"`, 412}, // malformed
		{`"-2"`, 412},  // malformed
		{`""`, 412},    // empty ETag
		{`"99999999999999999999"`, 412},
		{`"1", "5"`, 412}, // none current
		{`"2"`, 200},      // current, quoted -> version 3
		{`3`, 200},        // current, bare -> version 4
		{`"1", "4"`, 200}, // one of the list -> version 5
		{`*`, 200},        // any -> version 6
	}
	version := 2
	for _, c := range cases {
		zone := fmt.Sprintf("Z-%d", f.seq.Add(1))
		resp, b := f.patch(e.Id, fmt.Sprintf(`{"zone": %q}`, zone), c.ifMatch)
		if resp.StatusCode != c.status {
			t.Errorf("If-Match %s: %d %s, want %d", c.ifMatch, resp.StatusCode, b, c.status)
			continue
		}
		_, now := f.get(e.Id, f.admin)
		if c.status == 412 {
			p := decodeProblem(t, b)
			if want := fmt.Sprintf(`La ressource a été modifiée entre-temps (version actuelle : "%d")`, version); detailOf(p) != want {
				t.Errorf("If-Match %s: detail %q, want %q", c.ifMatch, detailOf(p), want)
			}
			if now.Version != version || *now.Zone == zone {
				t.Errorf("If-Match %s: a refused update changed the row: %+v", c.ifMatch, now)
			}
			continue
		}
		version++
		if resp.Header.Get("ETag") != fmt.Sprintf(`"%d"`, version) || now.Version != version || *now.Zone != zone {
			t.Errorf("If-Match %s: ETag %q, version %d, zone %v; want version %d", c.ifMatch, resp.Header.Get("ETag"),
				now.Version, now.Zone, version)
		}
	}
	// A stale If-Match on a missing machine is still 404.
	if resp, _ := f.patch(999999, `{"zone": "Z"}`, `"1"`); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing machine: %d", resp.StatusCode)
	}
}

func TestDeleteEquipementIsRefusedWhileUsed(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	for _, statut := range []string{"ouverte", "cloturee", "archivee"} {
		e := f.create(nil)
		f.intervention(e.Id, "corrective", statut, nil)
		resp, b := env.Do(http.MethodDelete, eqPath(e.Id), f.admin, "", nil, false)
		if resp.StatusCode != http.StatusConflict || detailOf(decodeProblem(t, b)) != "Équipement utilisé par des interventions" {
			t.Errorf("delete with a %s intervention: %d %s", statut, resp.StatusCode, b)
		}
		if g, _ := f.get(e.Id, f.admin); g.StatusCode() != http.StatusOK {
			t.Errorf("the refused delete removed the machine")
		}
		// Retiring it is the soft alternative.
		if resp, b := f.patch(e.Id, `{"statut": "retire"}`, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("retire: %d %s", resp.StatusCode, b)
		}
	}
	e := f.create(nil)
	if resp, b := env.Do(http.MethodDelete, eqPath(e.Id), f.admin, "", nil, false); resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Errorf("delete unused: %d %s", resp.StatusCode, b)
	}
	if n := f.count("SELECT count(*) FROM equipements WHERE id = $1", e.Id); n != 0 {
		t.Errorf("the deleted machine is still there")
	}
}

func TestEquipementComputedFields(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	today := eqToday()
	day := func(offset int) string { return today.AddDate(0, 0, offset).Format(time.DateOnly) }
	at := func(offset int) *time.Time { t := today.AddDate(0, 0, offset).Add(10 * time.Hour); return &t }

	type setup struct {
		freq          any
		criticite     api.EquipementCriticite
		miseService   string
		interventions func(id int64)
	}
	cases := []struct {
		name      string
		s         setup
		actives   int
		prochaine string // "" = null
		retard    bool
	}{
		{"no interval", setup{freq: 0, interventions: func(id int64) {
			f.intervention(id, "corrective", "ouverte", nil)
		}}, 1, "", false},
		{"from commissioning, overdue", setup{freq: 30, miseService: day(-100)}, 0, day(-70), true},
		{"from commissioning, due later", setup{freq: 30, miseService: day(-10)}, 0, day(20), false},
		{"due today is not overdue", setup{freq: 30, miseService: day(-30)}, 0, day(0), false},
		{"critique: 7 days earlier", setup{freq: 30, criticite: api.EquipementCriticiteCritique, miseService: day(-10)}, 0, day(13), false},
		{"critique becomes overdue", setup{freq: 10, criticite: api.EquipementCriticiteCritique, miseService: day(-5)}, 0, day(-2), true},
		{"from creation", setup{freq: 90}, 0, day(90), false},
		{"from the last closed preventive", setup{freq: 30, miseService: day(-400), interventions: func(id int64) {
			f.intervention(id, "preventive", "cloturee", at(-50))
			f.intervention(id, "preventive", "archivee", at(-10)) // the last one
			f.intervention(id, "corrective", "cloturee", at(-1))  // not preventive
			f.intervention(id, "preventive", "annulee", at(-2))   // not closed
		}}, 0, day(20), false},
		{"active interventions", setup{freq: 7, miseService: day(-1), interventions: func(id int64) {
			for _, st := range []string{"ouverte", "affectee", "en_cours", "en_attente", "cloturee", "annulee", "archivee", "ouverte"} {
				f.intervention(id, "corrective", st, nil)
			}
		}}, 5, day(6), false},
	}
	ids := map[string]int64{}
	for _, c := range cases {
		e := f.create(func(b *api.EquipementCreate) {
			b.FrequenceEntretien = eqFreq(c.s.freq)
			if c.s.criticite != "" {
				b.Criticite = &c.s.criticite
			}
			if c.s.miseService != "" {
				b.DateMiseEnService = eqDate(c.s.miseService)
			}
		})
		if c.s.interventions != nil {
			c.s.interventions(e.Id)
		}
		ids[c.name] = e.Id
	}
	check := func(where string, c struct {
		name      string
		s         setup
		actives   int
		prochaine string
		retard    bool
	}, e api.Equipement) {
		t.Helper()
		got := ""
		if e.ProchaineMaintenance != nil {
			got = (*e.ProchaineMaintenance).String()
		}
		if e.NbInterventionsActives != c.actives || got != c.prochaine || e.MaintenanceEnRetard != c.retard {
			t.Errorf("%s %s: actives %d, prochaine %q, retard %v; want %d, %q, %v", where, c.name,
				e.NbInterventionsActives, got, e.MaintenanceEnRetard, c.actives, c.prochaine, c.retard)
		}
	}
	list, err := env.Client.ListEquipementsWithResponse(t.Context(), &api.ListEquipementsParams{Limit: ptrTo(500)}, testenv.As(f.admin))
	if err != nil || list.JSON200 == nil {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	byID := map[int64]api.Equipement{}
	for _, e := range *list.JSON200 {
		byID[e.Id] = e
	}
	for _, c := range cases {
		_, e := f.get(ids[c.name], f.admin)
		check("get", c, e)
		check("list", c, byID[ids[c.name]])
	}
}

func TestClientsSeeOnlyTheirOwnEquipement(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	ctx := t.Context()
	own := f.demoCompany()
	mine := f.create(func(b *api.EquipementCreate) { b.ClientId = &own })
	f.create(func(b *api.EquipementCreate) { b.ClientId = &own })
	other := f.create(func(b *api.EquipementCreate) { c := f.company(); b.ClientId = &c })
	orphan := f.create(nil)
	ownCount := f.count("SELECT count(*) FROM equipements WHERE client_id = $1", own)
	all := f.count("SELECT count(*) FROM equipements")

	client := env.Token("client")
	r, err := env.Client.ListEquipementsWithResponse(ctx, &api.ListEquipementsParams{Limit: ptrTo(500)}, testenv.As(client))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("list as client: %v %s", err, r.Body)
	}
	if len(*r.JSON200) != ownCount || r.HTTPResponse.Header.Get("X-Total-Count") != strconv.Itoa(ownCount) || ownCount < 2 {
		t.Errorf("client lists %d rows (X-Total-Count %s), owns %d", len(*r.JSON200), r.HTTPResponse.Header.Get("X-Total-Count"), ownCount)
	}
	for _, e := range *r.JSON200 {
		if e.ClientId == nil || *e.ClientId != own {
			t.Errorf("client sees machine %d of client %v", e.Id, e.ClientId)
		}
	}
	// Filtering on another client does not widen the view.
	otherID := *other.ClientId
	if r, _ := env.Client.ListEquipementsWithResponse(ctx, &api.ListEquipementsParams{ClientId: &otherID}, testenv.As(client)); r.JSON200 == nil || len(*r.JSON200) != 0 {
		t.Errorf("client filtering on another client: %s", r.Body)
	}
	if g, e := f.get(mine.Id, client); g.StatusCode() != http.StatusOK || e.Id != mine.Id || g.HTTPResponse.Header.Get("ETag") != `"1"` {
		t.Errorf("client reads its own machine: %d %s", g.StatusCode(), g.Body)
	}
	for _, id := range []int64{other.Id, orphan.Id, 999999} {
		g, _ := f.get(id, client)
		if g.StatusCode() != http.StatusNotFound || detailOf(*g.ApplicationproblemJSON404) != "Équipement introuvable" {
			t.Errorf("client reads machine %d: %d %s, want 404", id, g.StatusCode(), g.Body)
		}
	}
	// Staff see everything.
	for _, role := range []string{"technicien", "responsable", "admin"} {
		r, err := env.Client.ListEquipementsWithResponse(ctx, &api.ListEquipementsParams{Limit: ptrTo(500)}, testenv.As(env.Token(role)))
		if err != nil || r.JSON200 == nil || len(*r.JSON200) != all {
			t.Errorf("%s lists %d of %d", role, len(*r.JSON200), all)
		}
		if g, _ := f.get(other.Id, env.Token(role)); g.StatusCode() != http.StatusOK {
			t.Errorf("%s reads another client's machine: %d", role, g.StatusCode())
		}
	}
	// A client login without a company sees nothing.
	u, err := env.Client.CreateUserWithResponse(ctx, newUserBody("sans.societe", api.UserRoleClient), testenv.As(env.Token("admin")))
	if err != nil || u.JSON201 == nil {
		t.Fatalf("create client user: %v %s", err, u.Body)
	}
	lonely := env.Login("sans.societe", userPassword).AccessToken
	r, err = env.Client.ListEquipementsWithResponse(ctx, nil, testenv.As(lonely))
	if err != nil || r.JSON200 == nil || len(*r.JSON200) != 0 || r.HTTPResponse.Header.Get("X-Total-Count") != "0" {
		t.Errorf("client without company: %v %s", err, r.Body)
	}
	if g, _ := f.get(mine.Id, lonely); g.StatusCode() != http.StatusNotFound {
		t.Errorf("client without company reads a machine: %d", g.StatusCode())
	}
	// A client may not write.
	if resp, _ := sendJSON(t, env, http.MethodPatch, eqPath(mine.Id), client, `{"zone":"X"}`, false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("client PATCH: %d", resp.StatusCode)
	}
}

func TestListEquipementsPagesSortsAndFilters(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	ctx := t.Context()
	if _, err := env.Pool.Exec(ctx, "DELETE FROM equipements"); err != nil { // start from an empty table
		t.Fatal(err)
	}
	company := f.company()
	contrat := f.contrat(company)
	type spec struct {
		nom, typ, loc, marque, serie string
		statut                       api.EquipementStatut
		criticite                    api.EquipementCriticite
		client                       bool
	}
	specs := []spec{
		{"Bravo", "pompe", "Atelier Nord", "Grundfos", "SN-100%", api.EquipementStatutOperationnel, api.EquipementCriticiteStandard, true},
		{"alpha", "Compresseur", "Atelier Sud", "Atlas", "SN-200", api.EquipementStatutPanne, api.EquipementCriticiteCritique, false},
		{"Charlie", "compresseur", "Magasin", "Kaeser", "XX_300", api.EquipementStatutMaintenance, api.EquipementCriticiteImportant, true},
		{"delta", "convoyeur", "Ligne 1", "Interroll", "SN-400", api.EquipementStatutRetire, api.EquipementCriticiteNonCritique, false},
		{"Echo", "pompe", "atelier est", "Grundfos", "SN-500", api.EquipementStatutOperationnel, api.EquipementCriticiteCritique, false},
	}
	ids := map[string]int64{}
	for _, s := range specs {
		e := f.create(func(b *api.EquipementCreate) {
			b.Nom, b.Type, b.Localisation, b.Marque, b.NumeroSerie = s.nom, s.typ, s.loc, &s.marque, &s.serie
			b.Statut, b.Criticite = &s.statut, &s.criticite
			if s.client {
				b.ContratId = &contrat
			}
		})
		ids[s.nom] = e.Id
	}
	names := func(query string) ([]string, string) {
		t.Helper()
		resp, b := env.Do(http.MethodGet, "/api/v1/equipements"+query, f.admin, "", nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", query, resp.StatusCode, b)
		}
		var rows []api.Equipement
		if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, r := range rows {
			out = append(out, r.Nom)
		}
		return out, resp.Header.Get("X-Total-Count")
	}
	cases := []struct {
		query string
		want  []string
		total string
	}{
		{"", []string{"Echo", "delta", "Charlie", "alpha", "Bravo"}, "5"}, // newest first
		{"?sort=nom", []string{"alpha", "Bravo", "Charlie", "delta", "Echo"}, "5"},
		{"?sort=-nom", []string{"Echo", "delta", "Charlie", "Bravo", "alpha"}, "5"},
		{"?sort=id&limit=2", []string{"Bravo", "alpha"}, "5"},
		{"?sort=id&limit=2&offset=2", []string{"Charlie", "delta"}, "5"},
		{"?sort=id&limit=2&offset=4", []string{"Echo"}, "5"},
		{"?sort=id&offset=10", []string{}, "5"},
		{"?sort=-id&limit=1", []string{"Echo"}, "5"},
		{"?sort=created_at&limit=1", []string{"Bravo"}, "5"},
		{"?sort=criticite", []string{"alpha", "Echo", "Charlie", "Bravo", "delta"}, "5"}, // critique first, ties oldest first (they follow the direction)
		{"?sort=-criticite&limit=1", []string{"delta"}, "5"},
		{"?sort=statut", []string{"Bravo", "Echo", "Charlie", "alpha", "delta"}, "5"},
		{"?sort=localisation", []string{"Echo", "Bravo", "alpha", "delta", "Charlie"}, "5"},
		{"?sort=-localisation&limit=1", []string{"Charlie"}, "5"},
		{"?statut=operationnel&sort=nom", []string{"Bravo", "Echo"}, "2"},
		{"?criticite=critique&sort=nom", []string{"alpha", "Echo"}, "2"},
		{"?type=COMPRESSEUR&sort=nom", []string{"alpha", "Charlie"}, "2"},
		{"?type=compress", []string{}, "0"},
		{fmt.Sprintf("?client_id=%d&sort=nom", company), []string{"Bravo", "Charlie"}, "2"},
		{fmt.Sprintf("?contrat_id=%d&sort=nom&limit=1", contrat), []string{"Bravo"}, "2"},
		{"?statut=operationnel&criticite=critique", []string{"Echo"}, "1"},
		{"?q=grundfos&sort=nom", []string{"Bravo", "Echo"}, "2"},
		{"?q=ATELIER&sort=nom", []string{"alpha", "Bravo", "Echo"}, "3"},
		{"?q=sn-2", []string{"alpha"}, "1"},
		{"?q=100%25", []string{"Bravo"}, "1"},                                      // % is a literal character
		{"?q=%25", []string{"Bravo"}, "1"},                                         // not a wildcard
		{"?q=X_3", []string{"Charlie"}, "1"},                                       // _ is literal too
		{"?q=_", []string{"Charlie"}, "1"},                                         // ... and not a wildcard
		{"?q=%20%20", []string{"Echo", "delta", "Charlie", "alpha", "Bravo"}, "5"}, // blank: no filter
		{"?q=zzz", []string{}, "0"},
		{"?q=ligne&statut=operationnel", []string{}, "0"},
	}
	for _, c := range cases {
		got, total := names(c.query)
		if !slices.Equal(got, c.want) || total != c.total {
			t.Errorf("GET %s: %v (X-Total-Count %s), want %v (%s)", c.query, got, total, c.want, c.total)
		}
	}
	// The generated client, with the same filters.
	typ := "pompe"
	r, err := env.Client.ListEquipementsWithResponse(ctx, &api.ListEquipementsParams{Type: &typ, Sort: ptrTo(api.ListEquipementsParamsSortNom),
		Limit: ptrTo(1), Offset: ptrTo(1)}, testenv.As(f.admin))
	if err != nil || r.JSON200 == nil || len(*r.JSON200) != 1 || (*r.JSON200)[0].Id != ids["Echo"] || r.HTTPResponse.Header.Get("X-Total-Count") != "2" {
		t.Errorf("typed list: %v %s", err, r.Body)
	}
}

// TestEquipementBadInputsAre4xx sends malformed ids, enums, dates, bodies and query strings to
// every equipment operation: each must answer 4xx, never 500.
func TestEquipementBadInputsAre4xx(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	e := f.create(nil)
	id := strconv.FormatInt(e.Id, 10)
	long := strings.Repeat("x", 300)
	cases := []struct {
		method, path, contentType, body string
	}{
		{"GET", "/api/v1/equipements/abc", "", ""},
		{"GET", "/api/v1/equipements/0", "", ""},
		{"GET", "/api/v1/equipements/-1", "", ""},
		{"GET", "/api/v1/equipements/1.5", "", ""},
		{"GET", "/api/v1/equipements/99999999999999999999", "", ""},
		{"GET", "/api/v1/equipements/%00", "", ""},
		{"GET", "/api/v1/equipements/9223372036854775807", "", ""},
		{"DELETE", "/api/v1/equipements/abc", "", ""},
		{"DELETE", "/api/v1/equipements/0", "", ""},
		{"PATCH", "/api/v1/equipements/abc", "application/json", `{"zone":"A"}`},
		{"GET", "/api/v1/equipements?limit=0", "", ""},
		{"GET", "/api/v1/equipements?limit=501", "", ""},
		{"GET", "/api/v1/equipements?limit=abc", "", ""},
		{"GET", "/api/v1/equipements?offset=-1", "", ""},
		{"GET", "/api/v1/equipements?offset=99999999999", "", ""},
		{"GET", "/api/v1/equipements?offset=1e3", "", ""},
		{"GET", "/api/v1/equipements?sort=prix", "", ""},
		{"GET", "/api/v1/equipements?sort=", "", ""},
		{"GET", "/api/v1/equipements?statut=casse", "", ""},
		{"GET", "/api/v1/equipements?statut=", "", ""},
		{"GET", "/api/v1/equipements?criticite=HAUTE", "", ""},
		{"GET", "/api/v1/equipements?client_id=abc", "", ""},
		{"GET", "/api/v1/equipements?client_id=0", "", ""},
		{"GET", "/api/v1/equipements?contrat_id=-5", "", ""},
		{"GET", "/api/v1/equipements?parent_id=1.5", "", ""},
		{"GET", "/api/v1/equipements?q=" + long, "", ""},
		{"GET", "/api/v1/equipements?type=" + long, "", ""},
		{"GET", "/api/v1/equipements?q=%00", "", ""},
		{"GET", "/api/v1/equipements?type=a%00b", "", ""},
		{"POST", "/api/v1/equipements", "application/json", `not json`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":`},
		{"POST", "/api/v1/equipements", "application/json", `[]`},
		{"POST", "/api/v1/equipements", "application/json", `null`},
		{"POST", "/api/v1/equipements", "application/json", `"texte"`},
		{"POST", "/api/v1/equipements", "application/json", ``},
		{"POST", "/api/v1/equipements", "text/plain", `nom=x`},
		{"POST", "/api/v1/equipements", "application/x-www-form-urlencoded", `nom=x&type=y&localisation=z`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":1,"type":"p","localisation":"l"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"` + long + `","type":"p","localisation":"l"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","date_acquisition":"2024-13-45"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","date_acquisition":"hier"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","date_mise_en_service":"2024-02-30"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","date_fin_garantie":"2024-01-01T25:00:00Z"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","cout_acquisition":1e30}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","cout_acquisition":"12"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","client_id":99999999999999999999}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","client_id":"1"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","frequence_entretien":{}}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","frequence_entretien":"été"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","frequence_entretien":""}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","frequence_entretien":"99999"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","statut":null}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n\u0000x","type":"p","localisation":"l"}`},
		{"POST", "/api/v1/equipements", "application/json", `{"nom":"n","type":"p","localisation":"l","description":"\u0000"}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"marque":"a\u0000"}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"zone":`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `[{"zone":"A"}]`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"date_acquisition":"31/12/2024"}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"statut":"neuf"}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"parent_id":0}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"version":2}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/merge-patch+json", `{"zone":"A"}`},
		{"PATCH", "/api/v1/equipements/" + id, "application/json", `{"frequence_entretien":[7]}`},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			resp, b := env.Do(c.method, c.path, f.admin, c.contentType, strings.NewReader(c.body), true)
			if resp.StatusCode < 400 || resp.StatusCode > 499 {
				t.Errorf("status %d, want 4xx: %s", resp.StatusCode, b)
			}
		})
	}
	// Odd headers.
	for _, ifMatch := range []string{strings.Repeat("9", 100), `"1`, `W/`, `,,,`} {
		req, _ := http.NewRequest(http.MethodPatch, env.Root+eqPath(e.Id), strings.NewReader(`{"zone":"B"}`))
		req.Header.Set("Authorization", "Bearer "+f.admin)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("If-Match", ifMatch)
		req.Header.Set(testenv.HeaderInvalidOnPurpose, "1")
		resp, err := env.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode > 499 {
			t.Errorf("If-Match %q: %d", ifMatch, resp.StatusCode)
		}
	}
	if _, now := f.get(e.Id, f.admin); now.Version != 1 {
		t.Errorf("malformed requests changed the machine: version %d", now.Version)
	}
	if strings.Contains(env.Logs.String(), `"status":500`) {
		t.Errorf("a request answered 500")
	}
}

// A page of equipment costs the same number of queries whatever its size (no N+1).
func TestListEquipementsQueryCountIsBounded(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	counted, counter := eqCountingClient(t, env)
	f := newEqFixture(t, env)
	own := f.demoCompany()
	machines := func(n int) {
		t.Helper()
		if _, err := env.Pool.Exec(t.Context(), `INSERT INTO equipements (nom, type_equipement, localisation, client_id, frequence_entretien)
			SELECT 'QC ' || $1::int || '-' || g, 'pompe', 'Atelier', $2::bigint, 30 FROM generate_series(1, $1::int) g`, n, own); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Pool.Exec(t.Context(), `INSERT INTO interventions (titre, type_intervention, statut, equipement_id, date_cloture)
			SELECT 'Travail', t.typ::intervention_type, t.st::intervention_statut, e.id, now() - interval '3 days'
			FROM equipements e CROSS JOIN (VALUES ('corrective', 'ouverte'), ('preventive', 'cloturee')) AS t(typ, st)
			WHERE e.nom LIKE 'QC ' || $1::int || '-%'`, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.Pool.Exec(t.Context(), "DELETE FROM equipements"); err != nil {
		t.Fatal(err)
	}
	list := func(token string, want int) int64 {
		t.Helper()
		return counter.Measure(func() {
			r, err := counted.ListEquipementsWithResponse(t.Context(), &api.ListEquipementsParams{Limit: ptrTo(500)}, testenv.As(token))
			if err != nil || r.JSON200 == nil || len(*r.JSON200) != want {
				t.Fatalf("list: %v %d %s", err, r.StatusCode(), r.Body)
			}
			for _, e := range *r.JSON200 {
				if e.NbInterventionsActives != 1 || e.ProchaineMaintenance == nil {
					t.Fatalf("machine %d: computed fields missing: %+v", e.Id, e)
				}
			}
		})
	}
	staff, client := env.Token("technicien"), env.Token("client")
	machines(5)
	list(staff, 5) // warm up the connections
	small, smallClient := list(staff, 5), list(client, 5)
	machines(45)
	large, largeClient := list(staff, 50), list(client, 50)
	if small != large || smallClient != largeClient {
		t.Errorf("a page of 5 costs %d queries (client %d), a page of 50 costs %d (client %d): the list does N+1 queries",
			small, smallClient, large, largeClient)
	}
	if large > 4 || largeClient > 4 {
		t.Errorf("a page costs %d queries (client %d), want at most 4 (authentication, page, total)", large, largeClient)
	}
	var one int64
	if err := env.Pool.QueryRow(t.Context(), "SELECT min(id) FROM equipements").Scan(&one); err != nil {
		t.Fatal(err)
	}
	get := counter.Measure(func() {
		if g, err := counted.GetEquipementWithResponse(t.Context(), one, testenv.As(client)); err != nil || g.StatusCode() != http.StatusOK {
			t.Fatalf("get: %v", err)
		}
	})
	if get > 3 {
		t.Errorf("a single read costs %d queries, want at most 3", get)
	}
	t.Logf("queries: list of 5 = %d, list of 50 = %d, get = %d", small, large, get)
}

func TestEquipementRoutesAcceptEveryPrefix(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	f := newEqFixture(t, env)
	e := f.create(nil)
	for _, p := range []string{"/equipements", "/equipements/", "/api/v1/equipements/", "/api/v1/equipements/" + strconv.FormatInt(e.Id, 10) + "/",
		"/equipements/" + strconv.FormatInt(e.Id, 10)} {
		if resp, b := env.Do(http.MethodGet, p, f.admin, "", nil, false); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, b)
		}
	}
}

// eqQueryCounter is a pgx tracer counting the statements a pool sends.
type eqQueryCounter struct{ n atomic.Int64 }

func (c *eqQueryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *eqQueryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Measure runs fn and returns the number of statements sent meanwhile.
func (c *eqQueryCounter) Measure(fn func()) int64 {
	before := c.n.Load()
	fn()
	return c.n.Load() - before
}

// eqCountingClient starts a second server on env's database (same configuration) whose pool
// counts its statements, and returns a contract-validated client to it; env's tokens work there.
func eqCountingClient(t *testing.T, env *testenv.Env) (*api.ClientWithResponses, *eqQueryCounter) {
	t.Helper()
	counter := &eqQueryCounter{}
	cfg, err := pgxpool.ParseConfig(env.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
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
	client, err := api.NewClientWithResponses(ts.URL+"/api/v1", api.WithHTTPClient(testenv.NewContractClient(t)))
	if err != nil {
		t.Fatal(err)
	}
	return client, counter
}

// TestMachineOfAClientGetsItsOnlyContract: a machine created for a company with exactly one
// contract in force gets it; with none or two, or with a contract named, nothing is guessed.
func TestMachineOfAClientGetsItsOnlyContract(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	create := func(nom string, clientID, contratID *int64) api.Equipement {
		t.Helper()
		r, err := f.env.Client.CreateEquipementWithResponse(t.Context(), nil, api.EquipementCreate{Nom: nom, Type: "pompe",
			Localisation: "Atelier", ClientId: clientID, ContratId: contratID}, testenv.As(f.resp))
		if err != nil || r.JSON201 == nil {
			t.Fatalf("create %s: %v %s", nom, err, r.Body)
		}
		return *r.JSON201
	}
	if e := create("Pompe sans contrat", &f.company, nil); e.ContratId != nil {
		t.Errorf("no contract in force, got %d", *e.ContratId)
	}
	only := f.contrat(f.company, [4]*int{})
	f.exec(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, statut, date_debut, date_fin)
		VALUES ($1, 'CTR-ANCIEN', 'Ancien', 'maintenance_complete', 'expire', CURRENT_DATE - 400, CURRENT_DATE - 35)`, f.company)
	if e := create("Pompe du contrat", &f.company, nil); e.ContratId == nil || *e.ContratId != only {
		t.Errorf("the only contract in force: %v, want %d", e.ContratId, only)
	}
	if e := create("Pompe interne", nil, nil); e.ContratId != nil || e.ClientId != nil {
		t.Errorf("an internal machine got %v %v", e.ClientId, e.ContratId)
	}
	second := f.contrat(f.company, [4]*int{})
	if e := create("Pompe à deux contrats", &f.company, nil); e.ContratId != nil {
		t.Errorf("two contracts in force, got %d", *e.ContratId)
	}
	if e := create("Pompe choisie", &f.company, &second); e.ContratId == nil || *e.ContratId != second {
		t.Errorf("the contract named: %v", e.ContratId)
	}
}
