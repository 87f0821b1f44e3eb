package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// ivFixture builds intervention scenarios on one test's database: the demo client's company,
// the demo technicien's profile and the tokens of the four demo accounts.
type ivFixture struct {
	t   *testing.T
	env *testenv.Env
	seq *atomic.Int64

	admin, resp, tech, client string // tokens
	adminID, techUserID       int64
	company                   int64 // the demo client's company
	techID                    int64 // the demo technicien's profile
}

func newIvFixture(t *testing.T) *ivFixture {
	t.Helper()
	return newIvFixtureOn(t, testenv.NewEnv(t, pg, nil))
}

func newIvFixtureOn(t *testing.T, env *testenv.Env) *ivFixture {
	t.Helper()
	f := &ivFixture{t: t, env: env, seq: &atomic.Int64{}}
	f.company = f.id(`INSERT INTO clients (user_id, nom_entreprise, nom_contact, email)
		SELECT id, 'Société ABC', 'Karim Alaoui', 'contact@abc.ma' FROM users WHERE username = 'client' RETURNING id`)
	f.techID = f.id(`INSERT INTO techniciens (user_id, equipe) SELECT id, 'A' FROM users WHERE username = 'technicien' RETURNING id`)
	f.exec(`INSERT INTO competences (nom) VALUES ('mécanique')`)
	f.exec(`INSERT INTO technicien_competences (technicien_id, competence_id) SELECT $1, id FROM competences`, f.techID)
	f.adminID = f.id(`SELECT id FROM users WHERE username = 'admin'`)
	f.techUserID = f.id(`SELECT id FROM users WHERE username = 'technicien'`)
	f.admin, f.resp, f.tech, f.client = env.Token("admin"), env.Token("responsable"), env.Token("technicien"), env.Token("client")
	return f
}

func (f *ivFixture) next() int64 { return f.seq.Add(1) }

// with is the fixture for a subtest (its helpers fail t).
func (f *ivFixture) with(t *testing.T) *ivFixture {
	g := *f
	g.t = t
	return &g
}

func (f *ivFixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.env.Pool.QueryRow(f.t.Context(), sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("fixture %q: %v", sql, err)
	}
	return id
}

func (f *ivFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.env.Pool.Exec(f.t.Context(), sql, args...); err != nil {
		f.t.Fatalf("fixture %q: %v", sql, err)
	}
}

func (f *ivFixture) count(sql string, args ...any) int {
	f.t.Helper()
	return countRows(f.t, f.env, sql, args...)
}

// machine inserts a machine of a company (nil: an internal one) under a contract (nil: none).
func (f *ivFixture) machine(clientID, contratID *int64) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO equipements (nom, type_equipement, localisation, client_id, contrat_id)
		VALUES ($1, 'pompe', 'Atelier', $2, $3) RETURNING id`, fmt.Sprintf("Machine IV %d", f.next()), clientID, contratID)
}

// contrat inserts a contract of a company with response times in hours (urgente, haute, normale,
// basse; nil: the default SLA).
func (f *ivFixture) contrat(clientID int64, delais [4]*int) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, statut, date_debut, date_fin,
			delai_urgente_heures, delai_haute_heures, delai_normale_heures, delai_basse_heures)
		VALUES ($1, $2, 'Contrat', 'maintenance_complete', 'en_cours', CURRENT_DATE - 10, CURRENT_DATE + 300, $3, $4, $5, $6)
		RETURNING id`, clientID, fmt.Sprintf("CTR-IV-%d", f.next()), delais[0], delais[1], delais[2], delais[3])
}

// profile inserts a technician (with a user that cannot log in) and returns its profile id.
func (f *ivFixture) profile(name, disponibilite string, competences int) int64 {
	f.t.Helper()
	n := f.next()
	u := f.id(`INSERT INTO users (username, full_name, email, password_hash, role)
		VALUES ($1, $2, $3, 'x', 'technicien') RETURNING id`, fmt.Sprintf("ivtech%d", n), name, fmt.Sprintf("ivtech%d@example.com", n))
	id := f.id(`INSERT INTO techniciens (user_id, disponibilite) VALUES ($1, $2::technicien_disponibilite) RETURNING id`, u, disponibilite)
	for i := range competences {
		c := f.id(`INSERT INTO competences (nom) VALUES ($1) RETURNING id`, fmt.Sprintf("compétence iv %d-%d", n, i))
		f.exec(`INSERT INTO technicien_competences (technicien_id, competence_id) VALUES ($1, $2)`, id, c)
	}
	return id
}

// account creates a login of a role and returns its user id and token.
func (f *ivFixture) account(role api.UserRole) (int64, string) {
	f.t.Helper()
	u := mustCreateUser(f.t, f.env, newUserBody(fmt.Sprintf("iv.%s%d", role, f.next()), role))
	return u.Id, f.env.Login(u.Username, userPassword).AccessToken
}

// techAccount is another technicien who can log in, with its profile.
func (f *ivFixture) techAccount() (int64, string) {
	f.t.Helper()
	u, tok := f.account(api.UserRoleTechnicien)
	return f.id(`INSERT INTO techniciens (user_id) VALUES ($1) RETURNING id`, u), tok
}

// clientAccount is another client company who can log in.
func (f *ivFixture) clientAccount() (int64, string) {
	f.t.Helper()
	u, tok := f.account(api.UserRoleClient)
	return f.id(`INSERT INTO clients (user_id, nom_entreprise, nom_contact, email) VALUES ($1, $2, 'Contact', 'c@example.com')
		RETURNING id`, u, fmt.Sprintf("Entreprise IV %d", f.next())), tok
}

// insert writes an intervention in a status with coherent dates, on a machine (its client and
// contract follow the machine), assigned to tech unless ouverte or tech is nil.
func (f *ivFixture) insert(statut string, machine int64, tech *int64) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, contrat_id,
			technicien_id, date_creation, date_limite, date_affectation, date_debut_travaux, date_fin_travaux, date_cloture,
			date_archivage, motif_annulation)
		SELECT 'Intervention ' || $1, 'corrective', $1::intervention_statut, e.id, e.client_id, e.contrat_id,
			CASE WHEN $1 = 'ouverte' THEN NULL ELSE $3::bigint END,
			now() - interval '10 hours', now() + interval '62 hours',
			CASE WHEN $1 = 'ouverte' OR $3::bigint IS NULL THEN NULL ELSE now() - interval '9 hours' END,
			CASE WHEN $1 IN ('en_cours', 'en_attente', 'cloturee', 'archivee') THEN now() - interval '8 hours' END,
			CASE WHEN $1 IN ('cloturee', 'archivee') THEN now() - interval '2 hours' END,
			CASE WHEN $1 IN ('cloturee', 'archivee') THEN now() - interval '2 hours' END,
			CASE WHEN $1 = 'archivee' THEN now() - interval '1 hour' END,
			CASE WHEN $1 = 'annulee' THEN 'Doublon' END
		FROM equipements e WHERE e.id = $2
		RETURNING id`, statut, machine, tech)
}

// ivState is the stored state of an intervention.
type ivState struct {
	Statut                                      string
	Version                                     int
	TechnicienID                                *int64
	Affectation, Debut, Fin, Cloture, Archivage *time.Time
	MotifAnnulation, Rapport                    *string
	DureeMinutes                                *int
	CoutMainOeuvre, CoutPieces                  *int64
	Satisfaction                                *int
	HistoryRows                                 int
}

func (f *ivFixture) state(id int64) ivState {
	f.t.Helper()
	var s ivState
	err := f.env.Pool.QueryRow(f.t.Context(), `SELECT statut::text, version, technicien_id, date_affectation,
			date_debut_travaux, date_fin_travaux, date_cloture, date_archivage, motif_annulation, rapport, duree_minutes,
			cout_main_oeuvre, cout_pieces, satisfaction_client,
			(SELECT count(*) FROM intervention_historique h WHERE h.intervention_id = i.id)
		FROM interventions i WHERE id = $1`, id).Scan(&s.Statut, &s.Version, &s.TechnicienID, &s.Affectation, &s.Debut,
		&s.Fin, &s.Cloture, &s.Archivage, &s.MotifAnnulation, &s.Rapport, &s.DureeMinutes, &s.CoutMainOeuvre,
		&s.CoutPieces, &s.Satisfaction, &s.HistoryRows)
	if err != nil {
		f.t.Fatalf("state of %d: %v", id, err)
	}
	return s
}

// ivHist is one stored history row.
type ivHist struct {
	Action   string
	Avant    *string
	Apres    string
	Remarque *string
	UserID   *int64
}

func (f *ivFixture) history(id int64) []ivHist {
	f.t.Helper()
	rows, err := f.env.Pool.Query(f.t.Context(), `SELECT action, statut_avant::text, statut_apres::text, remarque, user_id
		FROM intervention_historique WHERE intervention_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []ivHist
	for rows.Next() {
		var h ivHist
		if err := rows.Scan(&h.Action, &h.Avant, &h.Apres, &h.Remarque, &h.UserID); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}

// do sends a raw request with extra headers through the contract-validating client.
func (f *ivFixture) do(method, path, token, body string, headers map[string]string, onPurpose bool) (*http.Response, []byte) {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.env.Root+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if onPurpose {
		req.Header.Set(testenv.HeaderInvalidOnPurpose, "1")
	}
	resp, err := f.env.HTTP.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, b
}

func ivPath(id int64, rest ...string) string {
	return "/api/v1/interventions/" + strconv.FormatInt(id, 10) + strings.Join(rest, "")
}

// act applies an action with a JSON body ("" for none).
func (f *ivFixture) act(token string, id int64, action, body string) (*http.Response, []byte) {
	f.t.Helper()
	return f.do(http.MethodPost, ivPath(id, "/actions/", action), token, body, nil, false)
}

// statut is the original's PATCH /interventions/{id}/statut?<query>.
func (f *ivFixture) statut(token string, id int64, query string) (*http.Response, []byte) {
	f.t.Helper()
	return f.do(http.MethodPatch, ivPath(id, "/statut?", query), token, "", nil, false)
}

// create posts an intervention and fails the test unless it gets 201.
func (f *ivFixture) create(token string, body api.InterventionCreate) api.Intervention {
	f.t.Helper()
	r, err := f.env.Client.CreateInterventionWithResponse(f.t.Context(), nil, body, testenv.As(token))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON201 == nil {
		f.t.Fatalf("create %+v: %d %s", body, r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

func (f *ivFixture) get(token string, id int64) (int, api.Intervention) {
	f.t.Helper()
	r, err := f.env.Client.GetInterventionWithResponse(f.t.Context(), id, testenv.As(token))
	if err != nil {
		f.t.Fatal(err)
	}
	if r.JSON200 == nil {
		return r.StatusCode(), api.Intervention{}
	}
	return r.StatusCode(), *r.JSON200
}

// list returns the ids of GET <path> (a list of interventions) and X-Total-Count.
func (f *ivFixture) list(token, path string) ([]int64, int) {
	f.t.Helper()
	resp, b := f.do(http.MethodGet, path, token, "", nil, false)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	var rows []api.Intervention
	if err := json.Unmarshal(b, &rows); err != nil {
		f.t.Fatal(err)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Id
	}
	total, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if err != nil {
		f.t.Fatalf("GET %s: X-Total-Count %q", path, resp.Header.Get("X-Total-Count"))
	}
	return ids, total
}

// wantIvProblem checks a problem's status, detail (when given) and field names (when given).
func wantIvProblem(t *testing.T, what string, resp *http.Response, body []byte, status int, detail string, fields ...string) api.Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: got %d %s, want %d", what, resp.StatusCode, body, status)
		return api.Problem{}
	}
	p := decodeProblem(t, body)
	if detail != "" && detailOf(p) != detail {
		t.Errorf("%s: detail %q, want %q", what, detailOf(p), detail)
	}
	for _, fld := range fields {
		if !slices.Contains(fieldsOf(p), fld) {
			t.Errorf("%s: errors %v do not name %s", what, fieldsOf(p), fld)
		}
	}
	return p
}

// allowedActions lists the actions_possibles entries of a 409 problem.
func allowedActions(p api.Problem) []string {
	out := []string{}
	if p.Errors != nil {
		for _, e := range *p.Errors {
			if e.Field == "actions_possibles" {
				out = append(out, e.Message)
			}
		}
	}
	return out
}

func decodeInto[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

func near(a, b time.Time, tolerance time.Duration) bool {
	d := a.Sub(b)
	return d < tolerance && d > -tolerance
}
