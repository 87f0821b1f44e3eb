package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// userPassword follows the password policy; test accounts use it unless a case says otherwise.
const userPassword = "Passw0rd-Test!"

// newUserBody is a valid creation request for a user named name.
func newUserBody(name string, role api.UserRole) api.UserCreate {
	return api.UserCreate{Username: name, FullName: "User " + name, Email: name + "@example.com",
		Role: role, Password: userPassword}
}

// mustCreateUser creates an account as the demo admin and fails the test unless it gets 201.
func mustCreateUser(t *testing.T, env *testenv.Env, in api.UserCreate) api.User {
	t.Helper()
	r, err := env.Client.CreateUserWithResponse(t.Context(), in, testenv.As(env.Token("admin")))
	if err != nil {
		t.Fatalf("create %s: %v", in.Username, err)
	}
	if r.JSON201 == nil {
		t.Fatalf("create %s: status %d: %s", in.Username, r.StatusCode(), r.Body)
	}
	return *r.JSON201
}

// countRows runs a SELECT count(*) query.
func countRows(t *testing.T, env *testenv.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := env.Pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// auditRows counts audit_log rows of an action on a user.
func auditRows(t *testing.T, env *testenv.Env, action string, userID int64) int {
	t.Helper()
	return countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = $1 AND resource_type = 'user' AND resource_id = $2",
		action, strconv.FormatInt(userID, 10))
}

// detailOf is the problem's detail ("" when absent).
func detailOf(p api.Problem) string {
	if p.Detail == nil {
		return ""
	}
	return *p.Detail
}

// fieldsOf lists the field names of a problem's errors, sorted.
func fieldsOf(p api.Problem) []string {
	var out []string
	if p.Errors != nil {
		for _, e := range *p.Errors {
			out = append(out, e.Field)
		}
	}
	slices.Sort(out)
	return out
}

// sendJSON sends a JSON body (a string sent as is, anything else marshalled).
func sendJSON(t *testing.T, env *testenv.Env, method, path, token string, body any, onPurpose bool) (*http.Response, []byte) {
	t.Helper()
	var raw []byte
	if s, ok := body.(string); ok {
		raw = []byte(s)
	} else {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	return env.Do(method, path, token, "application/json", bytes.NewReader(raw), onPurpose)
}

// refreshWith presents a refresh token.
func refreshWith(t *testing.T, env *testenv.Env, token string) *api.RefreshTokenResponse {
	t.Helper()
	r, err := env.Client.RefreshTokenWithFormdataBodyWithResponse(t.Context(), api.RefreshTokenFormdataRequestBody{RefreshToken: token})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return r
}

func userPath(id int64) string { return "/api/v1/users/" + strconv.FormatInt(id, 10) }

func loginStatus(t *testing.T, env *testenv.Env, identifier, password string) (int, api.Problem) {
	t.Helper()
	resp, b := env.Do(http.MethodPost, "/api/v1/auth/token", "", "application/x-www-form-urlencoded",
		testenv.Form("username", identifier, "password", password), false)
	var p api.Problem
	if resp.StatusCode != http.StatusOK {
		p = decodeProblem(t, b)
	}
	return resp.StatusCode, p
}

func TestAdminCreatesAUserWhoCanThenLogIn(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")
	in := api.UserCreate{Username: "ahmed.tech", FullName: "Ahmed Benali", Email: "ahmed@mif.ma",
		Role: api.UserRoleTechnicien, Password: "Tech12345!x"}

	r, err := env.Client.CreateUserWithResponse(ctx, in, testenv.As(admin))
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode() != http.StatusCreated || r.JSON201 == nil {
		t.Fatalf("create: status %d: %s", r.StatusCode(), r.Body)
	}
	u := *r.JSON201
	if want := "/api/v1/users/" + strconv.FormatInt(u.Id, 10); r.HTTPResponse.Header.Get("Location") != want {
		t.Errorf("Location = %q, want %q", r.HTTPResponse.Header.Get("Location"), want)
	}
	if u.Id <= 0 || u.Username != in.Username || u.FullName != in.FullName || u.Email != in.Email ||
		u.Role != in.Role || !u.IsActive || u.LastLogin != nil {
		t.Errorf("created user does not echo the request: %+v", u)
	}
	if time.Since(u.CreatedAt) > time.Minute || u.UpdatedAt.Before(u.CreatedAt) {
		t.Errorf("timestamps created_at=%v updated_at=%v", u.CreatedAt, u.UpdatedAt)
	}
	if bytes.Contains(r.Body, []byte("password")) {
		t.Errorf("the response leaks a password field: %s", r.Body)
	}

	// The new account logs in by username and by e-mail, with the password it was given.
	env.Login("ahmed.tech", in.Password)
	tok := env.Login("AHMED@mif.ma", in.Password)
	me, err := env.Client.GetMyProfileWithResponse(ctx, testenv.As(tok.AccessToken))
	if err != nil || me.JSON200 == nil || me.JSON200.Id != u.Id || me.JSON200.Role != api.UserRoleTechnicien {
		t.Fatalf("GET /users/me as the new user: %v %d %s", err, me.StatusCode(), me.Body)
	}

	got, err := env.Client.GetUserWithResponse(ctx, u.Id, testenv.As(admin))
	if err != nil || got.JSON200 == nil {
		t.Fatalf("GET /users/%d: %v %d %s", u.Id, err, got.StatusCode(), got.Body)
	}
	g := *got.JSON200
	if g.Id != u.Id || g.Username != u.Username || g.Email != u.Email || g.FullName != u.FullName ||
		g.Role != u.Role || !g.IsActive || !g.CreatedAt.Equal(u.CreatedAt) {
		t.Errorf("GET returns %+v, created %+v", g, u)
	}
	if g.LastLogin == nil || time.Since(*g.LastLogin) > time.Minute {
		t.Errorf("last_login after logging in = %v", g.LastLogin)
	}
}

func TestCreateUserRefusalsWriteNothing(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	admin := env.Token("admin")

	// body returns a valid creation request with some fields replaced (nil removes the field).
	body := func(changes map[string]any) map[string]any {
		b := map[string]any{"username": "new.user", "full_name": "New User", "email": "new.user@example.com",
			"role": "technicien", "password": userPassword}
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	pwRule := func(s string) string { return "Le mot de passe doit contenir au moins " + s }
	cases := []struct {
		name        string
		body        any
		contentType string
		onPurpose   bool
		status      int
		detail      string   // exact detail; "" to skip
		fields      []string // sorted field names of errors; nil to skip
		messages    []string // password rules broken, in order (detail and errors are checked)
	}{
		{name: "e-mail already used, other case", body: body(map[string]any{"email": "Responsable@MIF.ma"}),
			status: 409, detail: "Email déjà utilisé."},
		{name: "username already used, other case", body: body(map[string]any{"username": "TECHNICIEN"}),
			status: 409, detail: "Username déjà utilisé."},
		{name: "password breaking four rules", body: body(map[string]any{"password": "abc"}), status: 422,
			messages: []string{pwRule("10 caractères"), pwRule("une majuscule"), pwRule("un chiffre"), pwRule("un symbole")}},
		{name: "password missing only a digit", body: body(map[string]any{"password": "NoDigitsHere!"}), status: 422,
			messages: []string{pwRule("un chiffre")}},
		{name: "password without lower case and symbol", body: body(map[string]any{"password": "ABCDEFGH123"}), status: 422,
			messages: []string{pwRule("une minuscule"), pwRule("un symbole")}},
		{name: "password longer than 72 bytes (bcrypt would truncate it)",
			body: body(map[string]any{"password": "Aa1!" + strings.Repeat("é", 40)}), status: 422,
			messages: []string{"Le mot de passe ne doit pas dépasser 72 octets"}},
		{name: "malformed e-mail", body: body(map[string]any{"email": "not-an-email"}), onPurpose: true,
			status: 422, fields: []string{"email"}},
		{name: "e-mail without a domain dot", body: body(map[string]any{"email": "someone@localhost"}),
			status: 422, fields: []string{"email"}},
		{name: "unknown role", body: body(map[string]any{"role": "superuser"}), onPurpose: true,
			status: 422, fields: []string{"role"}},
		{name: "username with forbidden characters", body: body(map[string]any{"username": "bad name!"}), onPurpose: true,
			status: 422, fields: []string{"username"}},
		{name: "blank full name", body: body(map[string]any{"full_name": "   "}),
			status: 422, fields: []string{"full_name"}},
		{name: "every field missing", body: map[string]any{}, onPurpose: true,
			status: 422, fields: []string{"email", "full_name", "password", "role", "username"}},
		{name: "two fields missing", body: body(map[string]any{"email": nil, "role": nil}), onPurpose: true,
			status: 422, fields: []string{"email", "role"}},
		{name: "unknown property", body: body(map[string]any{"is_active": false}), onPurpose: true, status: 422},
		{name: "malformed JSON", body: `{"username": "new.user",`, onPurpose: true, status: 400},
		{name: "not JSON at all", body: `username=new.user`, contentType: "text/plain", onPurpose: true, status: 415},
	}
	usersBefore := countRows(t, env, "SELECT count(*) FROM users")
	auditBefore := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'user.created'")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			var b []byte
			if tc.contentType != "" {
				resp, b = env.Do(http.MethodPost, "/api/v1/users", admin, tc.contentType,
					strings.NewReader(tc.body.(string)), tc.onPurpose)
			} else {
				resp, b = sendJSON(t, env, http.MethodPost, "/api/v1/users", admin, tc.body, tc.onPurpose)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type = %q", ct)
			}
			p := decodeProblem(t, b)
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail = %q, want %q", detailOf(p), tc.detail)
			}
			if tc.fields != nil && !slices.Equal(fieldsOf(p), tc.fields) {
				t.Errorf("fields = %v, want %v: %s", fieldsOf(p), tc.fields, b)
			}
			if tc.messages != nil {
				if want := "Mot de passe invalide: " + strings.Join(tc.messages, "; "); detailOf(p) != want {
					t.Errorf("detail = %q, want %q", detailOf(p), want)
				}
				var got []string
				if p.Errors != nil {
					for _, e := range *p.Errors {
						if e.Field != "password" {
							t.Errorf("field error on %q, want password", e.Field)
						}
						got = append(got, e.Message)
					}
				}
				if !slices.Equal(got, tc.messages) {
					t.Errorf("password errors = %q, want %q", got, tc.messages)
				}
			}
			if n := countRows(t, env, "SELECT count(*) FROM users"); n != usersBefore {
				t.Errorf("users: %d rows after a refused create, %d before", n, usersBefore)
			}
		})
	}
	if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'user.created'"); n != auditBefore {
		t.Errorf("user.created audited %d times for refused creates", n-auditBefore)
	}
	// The refusals left the names free: the valid request goes through.
	mustCreateUser(t, env, api.UserCreate{Username: "new.user", FullName: "New User",
		Email: "new.user@example.com", Role: api.UserRoleTechnicien, Password: userPassword})
}

func TestListUsersPagesSortsAndFilters(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")

	// Four demo accounts plus these five; only list_under has a '_' and only list.percent a '%'.
	for _, u := range []api.UserCreate{
		{Username: "list.alpha", FullName: "Alpha Tech", Email: "alpha@example.com", Role: api.UserRoleTechnicien},
		{Username: "list.bravo", FullName: "Bravo Resp", Email: "bravo@example.com", Role: api.UserRoleResponsable},
		{Username: "list_under", FullName: "Under Score", Email: "under@example.com", Role: api.UserRoleClient},
		{Username: "list.percent", FullName: "Dispo 100% garanti", Email: "percent@example.com", Role: api.UserRoleClient},
		{Username: "list.charlie", FullName: "Charlie Tech", Email: "charlie@example.com", Role: api.UserRoleTechnicien},
	} {
		u.Password = userPassword
		created := mustCreateUser(t, env, u)
		if u.Username == "list.charlie" {
			if r, err := env.Client.DeactivateUserWithResponse(ctx, created.Id, testenv.As(admin)); err != nil || r.StatusCode() != 204 {
				t.Fatalf("deactivate: %v %d", err, r.StatusCode())
			}
		}
	}
	const total = 9

	list := func(t *testing.T, p api.ListUsersParams) ([]api.User, int) {
		t.Helper()
		r, err := env.Client.ListUsersWithResponse(ctx, &p, testenv.As(admin))
		if err != nil {
			t.Fatal(err)
		}
		if r.JSON200 == nil {
			t.Fatalf("list %+v: status %d: %s", p, r.StatusCode(), r.Body)
		}
		n, err := strconv.Atoi(r.HTTPResponse.Header.Get("X-Total-Count"))
		if err != nil {
			t.Fatalf("X-Total-Count %q: %v", r.HTTPResponse.Header.Get("X-Total-Count"), err)
		}
		return *r.JSON200, n
	}
	usernames := func(us []api.User) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = u.Username
		}
		return out
	}

	t.Run("newest first by default", func(t *testing.T) {
		all, n := list(t, api.ListUsersParams{})
		if n != total || len(all) != total {
			t.Fatalf("got %d rows, X-Total-Count %d, want %d", len(all), n, total)
		}
		if all[0].Username != "list.charlie" || all[total-1].Username != "admin" {
			t.Errorf("order %v: want list.charlie first and admin last", usernames(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].CreatedAt.After(all[i-1].CreatedAt) {
				t.Errorf("%s (created %v) listed after %s (created %v)", all[i-1].Username, all[i-1].CreatedAt,
					all[i].Username, all[i].CreatedAt)
			}
		}
	})

	t.Run("limit and offset walk the same order", func(t *testing.T) {
		all, _ := list(t, api.ListUsersParams{})
		var walked []string
		for off := 0; off < total; off += 4 {
			page, n := list(t, api.ListUsersParams{Limit: ptrTo(4), Offset: ptrTo(off)})
			if n != total {
				t.Errorf("offset %d: X-Total-Count %d, want %d", off, n, total)
			}
			if want := min(4, total-off); len(page) != want {
				t.Errorf("offset %d: %d rows, want %d", off, len(page), want)
			}
			walked = append(walked, usernames(page)...)
		}
		if !slices.Equal(walked, usernames(all)) {
			t.Errorf("pages %v, full list %v", walked, usernames(all))
		}
		page, n := list(t, api.ListUsersParams{Offset: ptrTo(100)})
		if len(page) != 0 || n != total {
			t.Errorf("offset past the end: %d rows, X-Total-Count %d", len(page), n)
		}
	})

	sorts := []struct {
		sort    api.ListUsersParamsSort
		inOrder func(a, b api.User) bool // a may come before b
	}{
		{api.ListUsersParamsSortUsername, func(a, b api.User) bool { return strings.ToLower(a.Username) <= strings.ToLower(b.Username) }},
		{api.ListUsersParamsSortMinusUsername, func(a, b api.User) bool { return strings.ToLower(a.Username) >= strings.ToLower(b.Username) }},
		{api.ListUsersParamsSortEmail, func(a, b api.User) bool { return strings.ToLower(a.Email) <= strings.ToLower(b.Email) }},
		{api.ListUsersParamsSortId, func(a, b api.User) bool { return a.Id < b.Id }},
		{api.ListUsersParamsSortMinusId, func(a, b api.User) bool { return a.Id > b.Id }},
		{api.ListUsersParamsSortCreatedAt, func(a, b api.User) bool { return !a.CreatedAt.After(b.CreatedAt) }},
	}
	for _, tc := range sorts {
		t.Run("sort="+string(tc.sort), func(t *testing.T) {
			us, n := list(t, api.ListUsersParams{Sort: &tc.sort})
			if n != total || len(us) != total {
				t.Fatalf("%d rows, X-Total-Count %d", len(us), n)
			}
			for i := 1; i < len(us); i++ {
				if !tc.inOrder(us[i-1], us[i]) {
					t.Errorf("%s before %s: order %v", us[i-1].Username, us[i].Username, usernames(us))
				}
			}
		})
	}

	role := func(r api.UserRole) *api.UserRole { return &r }
	filters := []struct {
		name string
		p    api.ListUsersParams
		want []string // usernames, any order
	}{
		{"role", api.ListUsersParams{Role: role(api.UserRoleTechnicien)}, []string{"technicien", "list.alpha", "list.charlie"}},
		{"inactive", api.ListUsersParams{IsActive: ptrTo(false)}, []string{"list.charlie"}},
		{"active clients", api.ListUsersParams{Role: role(api.UserRoleClient), IsActive: ptrTo(true)},
			[]string{"client", "list_under", "list.percent"}},
		{"q on e-mail, any case", api.ListUsersParams{Q: ptrTo("MIF.MA")}, []string{"admin", "responsable", "technicien", "client"}},
		{"q on full name, any case", api.ListUsersParams{Q: ptrTo("bravo RESP")}, []string{"list.bravo"}},
		{"q on username", api.ListUsersParams{Q: ptrTo("ALPHA")}, []string{"list.alpha"}},
		{"q with a literal %", api.ListUsersParams{Q: ptrTo("%")}, []string{"list.percent"}},
		{"q with a literal % inside", api.ListUsersParams{Q: ptrTo("100% g")}, []string{"list.percent"}},
		{"q with a literal _", api.ListUsersParams{Q: ptrTo("_")}, []string{"list_under"}},
		{"q with a literal backslash", api.ListUsersParams{Q: ptrTo(`\`)}, nil},
		{"q matching nothing", api.ListUsersParams{Q: ptrTo("zzz")}, nil},
		{"q combined with role", api.ListUsersParams{Q: ptrTo("tech"), Role: role(api.UserRoleTechnicien), IsActive: ptrTo(true)},
			[]string{"technicien", "list.alpha"}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			us, n := list(t, tc.p)
			got := usernames(us)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) || n != len(want) {
				t.Errorf("got %v (X-Total-Count %d), want %v", got, n, want)
			}
		})
	}

	invalid := []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=501", "limit"},
		{"offset=-1", "offset"},
		{"sort=password", "sort"},
		{"sort=-full_name", "sort"},
		{"role=boss", "role"},
		{"is_active=maybe", "is_active"},
		{"q=" + url.QueryEscape(strings.Repeat("x", 101)), "q"},
	}
	for _, tc := range invalid {
		t.Run("invalid "+tc.query, func(t *testing.T) {
			resp, b := env.Do(http.MethodGet, "/api/v1/users?"+tc.query, admin, "", nil, true)
			p := decodeProblem(t, b)
			if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Contains(fieldsOf(p), tc.field) {
				t.Errorf("got %d %s, want 422 naming %s", resp.StatusCode, b, tc.field)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestUnknownUserIs404ForEveryOperation(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)
	admin := env.Token("admin")
	cases := []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v1/users/9999", nil},
		{http.MethodPatch, "/api/v1/users/9999", map[string]any{"full_name": "Personne"}},
		{http.MethodDelete, "/api/v1/users/9999", nil},
		{http.MethodPatch, "/api/v1/users/9999/activate", nil},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			reqID := "req-404-" + strings.ToLower(tc.method)
			var body io.Reader = http.NoBody
			ct := ""
			if tc.body != nil {
				b, _ := json.Marshal(tc.body)
				body, ct = bytes.NewReader(b), "application/json"
			}
			req, err := http.NewRequestWithContext(t.Context(), tc.method, env.Root+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("X-Request-ID", reqID)
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := env.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p api.Problem
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusNotFound || detailOf(p) != "Utilisateur non trouvé." || p.Status != 404 {
				t.Errorf("got %d %+v, want 404 Utilisateur non trouvé.", resp.StatusCode, p)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if got := resp.Header.Get("X-Request-ID"); got != reqID {
				t.Errorf("X-Request-ID = %q, want %q", got, reqID)
			}
			if p.RequestId == nil || *p.RequestId != reqID || p.Instance == nil || *p.Instance != tc.path {
				t.Errorf("problem request_id/instance = %v/%v", p.RequestId, p.Instance)
			}
		})
	}
	// An id that is not a positive integer is a validation error, not a 404.
	for _, id := range []string{"0", "abc"} {
		resp, b := env.Do(http.MethodGet, "/api/v1/users/"+id, admin, "", nil, true)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("GET /users/%s: got %d %s, want 422", id, resp.StatusCode, b)
		}
	}
}

func TestAdminUpdatesAUser(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")
	target := mustCreateUser(t, env, newUserBody("karim", api.UserRoleTechnicien))
	other := mustCreateUser(t, env, newUserBody("sara", api.UserRoleClient))
	var adminID int64
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	patch := func(id int64, body any, onPurpose bool) (int, api.User, api.Problem) {
		t.Helper()
		resp, b := sendJSON(t, env, http.MethodPatch, userPath(id), admin, body, onPurpose)
		var u api.User
		var p api.Problem
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(b, &u); err != nil {
				t.Fatal(err)
			}
		} else {
			p = decodeProblem(t, b)
		}
		return resp.StatusCode, u, p
	}

	cases := []struct {
		name      string
		id        int64
		body      any
		onPurpose bool
		status    int
		detail    string
		check     func(t *testing.T, u api.User)
	}{
		{name: "full name", id: target.Id, body: map[string]any{"full_name": "Karim El Idrissi"}, status: 200,
			check: func(t *testing.T, u api.User) {
				if u.FullName != "Karim El Idrissi" || u.Email != target.Email || u.Role != target.Role {
					t.Errorf("got %+v", u)
				}
			}},
		{name: "e-mail", id: target.Id, body: map[string]any{"email": "karim.new@example.com"}, status: 200,
			check: func(t *testing.T, u api.User) {
				if u.Email != "karim.new@example.com" || u.FullName != "Karim El Idrissi" {
					t.Errorf("got %+v", u)
				}
			}},
		{name: "own e-mail in another case", id: target.Id, body: map[string]any{"email": "Karim.New@example.com"}, status: 200},
		{name: "role", id: target.Id, body: map[string]any{"role": "responsable"}, status: 200,
			check: func(t *testing.T, u api.User) {
				if u.Role != api.UserRoleResponsable || u.Email != "Karim.New@example.com" {
					t.Errorf("got %+v", u)
				}
			}},
		{name: "everything at once", id: other.Id, body: map[string]any{"full_name": "Sara B", "email": "sara.b@example.com", "role": "technicien"},
			status: 200, check: func(t *testing.T, u api.User) {
				if u.FullName != "Sara B" || u.Email != "sara.b@example.com" || u.Role != api.UserRoleTechnicien || !u.UpdatedAt.After(other.UpdatedAt) {
					t.Errorf("got %+v", u)
				}
			}},
		{name: "e-mail of another account", id: target.Id, body: map[string]any{"email": "SARA.B@example.com"}, status: 409,
			detail: "Email déjà utilisé."},
		{name: "demoting the last active admin", id: adminID, body: map[string]any{"role": "responsable"}, status: 409,
			detail: "Impossible : il doit rester au moins un administrateur actif"},
		{name: "invalid e-mail", id: target.Id, body: map[string]any{"email": "karim@localhost"}, status: 422},
		{name: "blank full name", id: target.Id, body: map[string]any{"full_name": " "}, status: 422},
		{name: "unknown role", id: target.Id, body: map[string]any{"role": "boss"}, onPurpose: true, status: 422},
		{name: "password is not editable here", id: target.Id, body: map[string]any{"password": userPassword}, onPurpose: true, status: 422},
		{name: "malformed JSON", id: target.Id, body: `{"role":`, onPurpose: true, status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, u, p := patch(tc.id, tc.body, tc.onPurpose)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %+v", status, tc.status, p)
			}
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail %q, want %q", detailOf(p), tc.detail)
			}
			if tc.check != nil {
				tc.check(t, u)
			}
		})
	}
	// The changes are stored, not only echoed.
	got, err := env.Client.GetUserWithResponse(ctx, target.Id, testenv.As(admin))
	if err != nil || got.JSON200 == nil || got.JSON200.Email != "Karim.New@example.com" ||
		got.JSON200.Role != api.UserRoleResponsable || got.JSON200.FullName != "Karim El Idrissi" {
		t.Fatalf("GET after PATCH: %v %s", err, got.Body)
	}
	if got := auditRows(t, env, "user.updated", target.Id); got != 4 {
		t.Errorf("user.updated audited %d times for the 4 accepted changes, want 4", got)
	}
	env.Login("Karim.New@example.com", userPassword) // the account logs in with its new e-mail
}

// TestRoleChangesEndTheAccountsSessions: a role change ends the account's sessions (its tokens
// get 401 on their next request); logged in again, it has its new role.
func TestRoleChangesEndTheAccountsSessions(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")
	tech := env.Token("technicien") // issued while the account is a technicien
	var techID, adminID int64
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'technicien'").Scan(&techID); err != nil {
		t.Fatal(err)
	}
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	listStatus := func(token string) int {
		t.Helper()
		r, err := env.Client.ListUsersWithResponse(ctx, nil, testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode()
	}
	setRole := func(id int64, role api.UserRole, token string) {
		t.Helper()
		r, err := env.Client.UpdateUserWithResponse(ctx, id, api.UserAdminUpdate{Role: &role}, testenv.As(token))
		if err != nil || r.JSON200 == nil || r.JSON200.Role != role {
			t.Fatalf("set role %s on %d: %v %d %s", role, id, err, r.StatusCode(), r.Body)
		}
	}
	if s := listStatus(tech); s != http.StatusForbidden {
		t.Fatalf("technicien lists users: %d, want 403", s)
	}
	setRole(techID, api.UserRoleAdmin, admin)
	if s := listStatus(tech); s != http.StatusUnauthorized {
		t.Fatalf("promoted technicien with the old token: %d, want 401", s)
	}
	tech = env.Login("technicien", "Tech12345!").AccessToken
	if s := listStatus(tech); s != http.StatusOK {
		t.Fatalf("promoted technicien logged in again: %d, want 200", s)
	}
	// With a second active admin, the first one may now be demoted (by the new one).
	setRole(adminID, api.UserRoleResponsable, tech)
	if s := listStatus(admin); s != http.StatusUnauthorized {
		t.Errorf("demoted admin with the old token: %d, want 401", s)
	}
	if s := listStatus(env.Login("admin", "Admin12345!").AccessToken); s != http.StatusForbidden {
		t.Errorf("demoted admin logged in again: %d, want 403", s)
	}
	// And the promoted one is now the last active admin.
	r, err := env.Client.UpdateUserWithResponse(ctx, techID, api.UserAdminUpdate{Role: ptrTo(api.UserRoleClient)}, testenv.As(tech))
	if err != nil || r.StatusCode() != http.StatusConflict {
		t.Errorf("demoting the last admin: %v %d %s", err, r.StatusCode(), r.Body)
	}
}

func TestDeactivateAndReactivateAUser(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")
	u := mustCreateUser(t, env, newUserBody("leaving", api.UserRoleTechnicien))
	session := env.Login("leaving", userPassword)

	for i := range 2 { // idempotent: 204 both times
		r, err := env.Client.DeactivateUserWithResponse(ctx, u.Id, testenv.As(admin))
		if err != nil || r.StatusCode() != http.StatusNoContent || len(r.Body) != 0 {
			t.Fatalf("DELETE #%d: %v %d %s", i+1, err, r.StatusCode(), r.Body)
		}
	}
	got, err := env.Client.GetUserWithResponse(ctx, u.Id, testenv.As(admin))
	if err != nil || got.JSON200 == nil || got.JSON200.IsActive {
		t.Fatalf("GET after DELETE: %v %s", err, got.Body)
	}

	// A correct password gets 403 "Compte désactivé"; a wrong one still gets the usual 401.
	if status, p := loginStatus(t, env, "leaving", userPassword); status != http.StatusForbidden || detailOf(p) != "Compte désactivé" {
		t.Errorf("login of a deactivated account: %d %q", status, detailOf(p))
	}
	if status, _ := loginStatus(t, env, "leaving", "Wrong-Passw0rd!"); status != http.StatusUnauthorized {
		t.Errorf("wrong password of a deactivated account: %d, want 401", status)
	}
	// The access token issued before is refused at once, and so is the refresh token.
	me, err := env.Client.GetMyProfileWithResponse(ctx, testenv.As(session.AccessToken))
	if err != nil || me.StatusCode() != http.StatusForbidden {
		t.Errorf("old access token: %v %d %s", err, me.StatusCode(), me.Body)
	}
	if r := refreshWith(t, env, session.RefreshToken); r.StatusCode() != http.StatusUnauthorized && r.StatusCode() != http.StatusForbidden {
		t.Errorf("old refresh token: %d %s", r.StatusCode(), r.Body)
	} else if r.JSON200 != nil {
		t.Error("old refresh token issued new tokens")
	}
	if n := countRows(t, env, "SELECT count(*) FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL", u.Id); n != 0 {
		t.Errorf("%d refresh tokens still live after deactivation", n)
	}
	// Deactivated accounts are listed as such.
	inactive, err := env.Client.ListUsersWithResponse(ctx, &api.ListUsersParams{IsActive: ptrTo(false)}, testenv.As(admin))
	if err != nil || inactive.JSON200 == nil || len(*inactive.JSON200) != 1 || (*inactive.JSON200)[0].Id != u.Id {
		t.Errorf("is_active=false: %v %s", err, inactive.Body)
	}

	// Reactivation restores the login.
	act, err := env.Client.ActivateUserWithResponse(ctx, u.Id, testenv.As(admin))
	if err != nil || act.JSON200 == nil || !act.JSON200.IsActive || act.JSON200.Id != u.Id {
		t.Fatalf("activate: %v %d %s", err, act.StatusCode(), act.Body)
	}
	fresh := env.Login("leaving", userPassword)
	if me, err := env.Client.GetMyProfileWithResponse(ctx, testenv.As(fresh.AccessToken)); err != nil || me.JSON200 == nil {
		t.Errorf("after reactivation: %v %d", err, me.StatusCode())
	}
	// Activating an active account is harmless.
	if act, err := env.Client.ActivateUserWithResponse(ctx, u.Id, testenv.As(admin)); err != nil || act.JSON200 == nil {
		t.Errorf("activate twice: %v %d", err, act.StatusCode())
	}

	if n := auditRows(t, env, "user.deactivated", u.Id); n != 2 {
		t.Errorf("user.deactivated audited %d times, want 2", n)
	}
	if n := auditRows(t, env, "user.activated", u.Id); n != 2 {
		t.Errorf("user.activated audited %d times, want 2", n)
	}
}

func TestAdminCannotDeactivateThemselvesOrTheLastAdmin(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")
	var adminID int64
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	r, err := env.Client.DeactivateUserWithResponse(ctx, adminID, testenv.As(admin))
	if err != nil || r.StatusCode() != http.StatusConflict || r.ApplicationproblemJSON409 == nil ||
		detailOf(*r.ApplicationproblemJSON409) != "Vous ne pouvez pas désactiver votre propre compte" {
		t.Fatalf("self-deactivation: %v %d %s", err, r.StatusCode(), r.Body)
	}
	// A second admin can deactivate the first; the first is then gone and the second is the last.
	second := mustCreateUser(t, env, newUserBody("admin2", api.UserRoleAdmin))
	tok2 := env.Login("admin2", userPassword).AccessToken
	if r, err := env.Client.DeactivateUserWithResponse(ctx, adminID, testenv.As(tok2)); err != nil || r.StatusCode() != http.StatusNoContent {
		t.Fatalf("second admin deactivates the first: %v %d %s", err, r.StatusCode(), r.Body)
	}
	if r, err := env.Client.DeactivateUserWithResponse(ctx, second.Id, testenv.As(tok2)); err != nil || r.StatusCode() != http.StatusConflict {
		t.Errorf("last admin deactivating themselves: %v %d %s", err, r.StatusCode(), r.Body)
	}
	if n := countRows(t, env, "SELECT count(*) FROM users WHERE role = 'admin' AND is_active"); n != 1 {
		t.Errorf("%d active admins, want 1", n)
	}
}

func TestOwnProfile(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	for _, role := range []string{"admin", "responsable", "technicien", "client"} {
		t.Run(role, func(t *testing.T) {
			tok := env.Token(role)
			me, err := env.Client.GetMyProfileWithResponse(ctx, testenv.As(tok))
			if err != nil || me.JSON200 == nil || string(me.JSON200.Role) != role || me.JSON200.Username != role {
				t.Fatalf("GET /users/me: %v %d %s", err, me.StatusCode(), me.Body)
			}
			name := "Nouveau nom " + role
			up, err := env.Client.UpdateMyProfileWithResponse(ctx, api.UserSelfUpdate{FullName: &name}, testenv.As(tok))
			if err != nil || up.JSON200 == nil || up.JSON200.FullName != name || up.JSON200.Id != me.JSON200.Id ||
				up.JSON200.Role != me.JSON200.Role || up.JSON200.Email != me.JSON200.Email {
				t.Fatalf("PUT /users/update: %v %d %s", err, up.StatusCode(), up.Body)
			}
			again, err := env.Client.GetAuthMeWithResponse(ctx, testenv.As(tok))
			if err != nil || again.JSON200 == nil || again.JSON200.FullName != name {
				t.Errorf("GET /auth/me after the change: %v %s", err, again.Body)
			}
			if n := auditRows(t, env, "user.self_updated", me.JSON200.Id); n != 1 {
				t.Errorf("user.self_updated audited %d times, want 1", n)
			}
		})
	}

	// A user may not change their own role, e-mail or active flag through this operation.
	tok := env.Token("client")
	for _, field := range []string{`"role":"admin"`, `"email":"x@example.com"`, `"is_active":false`} {
		resp, b := sendJSON(t, env, http.MethodPut, "/api/v1/users/update", tok, "{"+field+"}", true)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("PUT /users/update {%s}: %d %s", field, resp.StatusCode, b)
		}
	}
	if resp, b := sendJSON(t, env, http.MethodPut, "/api/v1/users/update", tok, map[string]any{"full_name": "  "}, false); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("blank full name: %d %s", resp.StatusCode, b)
	}
}

func TestChangingOwnPasswordThroughProfileUpdate(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	u := mustCreateUser(t, env, newUserBody("pw.changer", api.UserRoleClient))
	session := env.Login("pw.changer", userPassword)
	other := env.Login("pw.changer@example.com", userPassword) // a second session
	const newPassword = "N0uveau-Secret!"

	cases := []struct {
		name          string
		body          api.UserSelfUpdate
		status        int
		detail        string
		detailPrefix  string
		fields        []string
		passwordStays bool
	}{
		{name: "missing current password", body: api.UserSelfUpdate{Password: ptrTo(newPassword)},
			status: 422, fields: []string{"current_password"}},
		{name: "wrong current password", body: api.UserSelfUpdate{Password: ptrTo(newPassword), CurrentPassword: ptrTo("Wrong-Passw0rd!")},
			status: 400, detail: "Mot de passe actuel incorrect"},
		{name: "weak new password", body: api.UserSelfUpdate{Password: ptrTo("weak"), CurrentPassword: ptrTo(userPassword)},
			status: 422, detailPrefix: "Mot de passe invalide: ", fields: []string{"password", "password", "password", "password"}},
		{name: "name and wrong current password change nothing",
			body:   api.UserSelfUpdate{FullName: ptrTo("Ne doit pas rester"), Password: ptrTo(newPassword), CurrentPassword: ptrTo("nope")},
			status: 400, detail: "Mot de passe actuel incorrect"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := env.Client.UpdateMyProfileWithResponse(ctx, tc.body, testenv.As(session.AccessToken))
			if err != nil {
				t.Fatal(err)
			}
			if r.StatusCode() != tc.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode(), tc.status, r.Body)
			}
			p := decodeProblem(t, r.Body)
			if tc.detail != "" && detailOf(p) != tc.detail {
				t.Errorf("detail %q, want %q", detailOf(p), tc.detail)
			}
			if !strings.HasPrefix(detailOf(p), tc.detailPrefix) {
				t.Errorf("detail %q, want prefix %q", detailOf(p), tc.detailPrefix)
			}
			if tc.fields != nil && !slices.Equal(fieldsOf(p), tc.fields) {
				t.Errorf("fields %v, want %v", fieldsOf(p), tc.fields)
			}
		})
	}
	got, err := env.Client.GetMyProfileWithResponse(ctx, testenv.As(session.AccessToken))
	if err != nil || got.JSON200 == nil || got.JSON200.FullName != u.FullName {
		t.Fatalf("a refused update changed the profile: %v %s", err, got.Body)
	}
	if status, _ := loginStatus(t, env, "pw.changer", userPassword); status != http.StatusOK {
		t.Fatalf("refused updates changed the password: login %d", status)
	}
	audited := auditRows(t, env, "user.self_updated", u.Id)

	// The real change: full name and password together.
	r, err := env.Client.UpdateMyProfileWithResponse(ctx, api.UserSelfUpdate{FullName: ptrTo("PW Changer"),
		Password: ptrTo(newPassword), CurrentPassword: ptrTo(userPassword)}, testenv.As(session.AccessToken))
	if err != nil || r.JSON200 == nil || r.JSON200.FullName != "PW Changer" {
		t.Fatalf("change password: %v %d %s", err, r.StatusCode(), r.Body)
	}
	if bytes.Contains(r.Body, []byte("password")) {
		t.Errorf("the response leaks a password field: %s", r.Body)
	}
	for _, rt := range []string{session.RefreshToken, other.RefreshToken} {
		if rr := refreshWith(t, env, rt); rr.StatusCode() != http.StatusUnauthorized {
			t.Errorf("refresh token from before the change: %d, want 401", rr.StatusCode())
		}
	}
	if status, _ := loginStatus(t, env, "pw.changer", userPassword); status != http.StatusUnauthorized {
		t.Errorf("old password: login %d, want 401", status)
	}
	env.Login("pw.changer", newPassword)
	if n := auditRows(t, env, "user.self_updated", u.Id); n != audited+1 {
		t.Errorf("user.self_updated audited %d times for one accepted change", n-audited)
	}
	var details string
	if err := env.Pool.QueryRow(ctx, `SELECT details::text FROM audit_log WHERE action = 'user.self_updated'
		AND resource_id = $1 ORDER BY id DESC LIMIT 1`, strconv.FormatInt(u.Id, 10)).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, `"password": true`) || strings.Contains(details, newPassword) {
		t.Errorf("audit details %s: want password: true and no secret", details)
	}
}

// TestEveryUserChangeIsAudited checks who, what, which record and which request for each
// operation that changes an account.
func TestEveryUserChangeIsAudited(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")
	var adminID int64
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	var target api.User
	var targetTok string
	steps := []struct {
		action string
		actor  func() (int64, string) // id and role of who acts
		do     func(t *testing.T) *http.Response
	}{
		{"user.created", func() (int64, string) { return adminID, "admin" }, func(t *testing.T) *http.Response {
			r, err := env.Client.CreateUserWithResponse(ctx, newUserBody("audited", api.UserRoleTechnicien), testenv.As(admin))
			if err != nil || r.JSON201 == nil {
				t.Fatalf("%v %s", err, r.Body)
			}
			target = *r.JSON201
			targetTok = env.Login("audited", userPassword).AccessToken
			return r.HTTPResponse
		}},
		{"user.updated", func() (int64, string) { return adminID, "admin" }, func(t *testing.T) *http.Response {
			r, err := env.Client.UpdateUserWithResponse(ctx, target.Id, api.UserAdminUpdate{FullName: ptrTo("Audited")}, testenv.As(admin))
			if err != nil || r.JSON200 == nil {
				t.Fatalf("%v %s", err, r.Body)
			}
			return r.HTTPResponse
		}},
		{"user.self_updated", func() (int64, string) { return target.Id, "technicien" }, func(t *testing.T) *http.Response {
			r, err := env.Client.UpdateMyProfileWithResponse(ctx, api.UserSelfUpdate{FullName: ptrTo("Me")}, testenv.As(targetTok))
			if err != nil || r.JSON200 == nil {
				t.Fatalf("%v %s", err, r.Body)
			}
			return r.HTTPResponse
		}},
		{"auth.password.changed", func() (int64, string) { return target.Id, "technicien" }, func(t *testing.T) *http.Response {
			r, err := env.Client.ChangePasswordWithFormdataBodyWithResponse(ctx, api.ChangePasswordForm{
				CurrentPassword: userPassword, NewPassword: "Other-Passw0rd!"}, testenv.As(targetTok))
			if err != nil || r.JSON200 == nil {
				t.Fatalf("%v %s", err, r.Body)
			}
			return r.HTTPResponse
		}},
		{"user.deactivated", func() (int64, string) { return adminID, "admin" }, func(t *testing.T) *http.Response {
			r, err := env.Client.DeactivateUserWithResponse(ctx, target.Id, testenv.As(admin))
			if err != nil || r.StatusCode() != http.StatusNoContent {
				t.Fatalf("%v %s", err, r.Body)
			}
			return r.HTTPResponse
		}},
		{"user.activated", func() (int64, string) { return adminID, "admin" }, func(t *testing.T) *http.Response {
			r, err := env.Client.ActivateUserWithResponse(ctx, target.Id, testenv.As(admin))
			if err != nil || r.JSON200 == nil {
				t.Fatalf("%v %s", err, r.Body)
			}
			return r.HTTPResponse
		}},
	}
	for _, s := range steps {
		t.Run(s.action, func(t *testing.T) {
			resp := s.do(t)
			var (
				actorID                                  *int64
				actorRole, resType, resID, ip, requestID string
			)
			err := env.Pool.QueryRow(ctx, `SELECT actor_id, actor_role, resource_type, resource_id, client_ip, request_id
				FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`, s.action).
				Scan(&actorID, &actorRole, &resType, &resID, &ip, &requestID)
			if err != nil {
				t.Fatalf("no %s row: %v", s.action, err)
			}
			wantID, wantRole := s.actor()
			if actorID == nil || *actorID != wantID || actorRole != wantRole {
				t.Errorf("actor %v/%s, want %d/%s", actorID, actorRole, wantID, wantRole)
			}
			if resType != "user" || resID != strconv.FormatInt(target.Id, 10) {
				t.Errorf("resource %s/%s, want user/%d", resType, resID, target.Id)
			}
			if ip == "" || requestID == "" || requestID != resp.Header.Get("X-Request-ID") {
				t.Errorf("client_ip %q, request_id %q (response X-Request-ID %q)", ip, requestID, resp.Header.Get("X-Request-ID"))
			}
		})
	}
}

func TestConcurrentChangesKeepNamesUniqueAndAnAdmin(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	admin := env.Token("admin")

	t.Run("same e-mail created at once", func(t *testing.T) {
		const n = 8
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				in := newUserBody(fmt.Sprintf("racer%d", i), api.UserRoleClient)
				in.Email = "Race@Example.com"
				if i%2 == 1 {
					in.Email = "race@example.com"
				}
				r, err := env.Client.CreateUserWithResponse(ctx, in, testenv.As(admin))
				if err != nil {
					t.Error(err)
					return
				}
				statuses[i] = r.StatusCode()
			})
		}
		wg.Wait()
		slices.Sort(statuses)
		want := append([]int{http.StatusCreated}, slices.Repeat([]int{http.StatusConflict}, n-1)...)
		if !slices.Equal(statuses, want) {
			t.Errorf("statuses %v, want one 201 and %d 409", statuses, n-1)
		}
		if got := countRows(t, env, "SELECT count(*) FROM users WHERE lower(email) = 'race@example.com'"); got != 1 {
			t.Errorf("%d accounts with the e-mail", got)
		}
	})

	t.Run("two admins demoting each other at once", func(t *testing.T) {
		var currentID int64
		if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&currentID); err != nil {
			t.Fatal(err)
		}
		tokens := map[int64]string{currentID: admin}
		for round := range 6 {
			cr, err := env.Client.CreateUserWithResponse(ctx, newUserBody(fmt.Sprintf("admin.r%d", round), api.UserRoleAdmin),
				testenv.As(tokens[currentID]))
			if err != nil || cr.JSON201 == nil {
				t.Fatalf("round %d: create an admin: %v %s", round, err, cr.Body)
			}
			other := *cr.JSON201
			tokens[other.Id] = env.Login(other.Username, userPassword).AccessToken
			pair := [2]int64{currentID, other.Id}
			statuses := make([]int, 2)
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() {
					actor, target := pair[i], pair[1-i]
					var status int
					if round%2 == 0 { // demotion
						r, err := env.Client.UpdateUserWithResponse(ctx, target, api.UserAdminUpdate{Role: ptrTo(api.UserRoleClient)},
							testenv.As(tokens[actor]))
						if err != nil {
							t.Error(err)
							return
						}
						status = r.StatusCode()
					} else { // deactivation
						r, err := env.Client.DeactivateUserWithResponse(ctx, target, testenv.As(tokens[actor]))
						if err != nil {
							t.Error(err)
							return
						}
						status = r.StatusCode()
					}
					statuses[i] = status
				})
			}
			wg.Wait()
			ok := 0
			for _, s := range statuses {
				switch s {
				case http.StatusOK, http.StatusNoContent:
					ok++
				case http.StatusConflict, http.StatusForbidden, http.StatusUnauthorized:
					// refused, or no longer an admin when it arrived (its session ended with the change)
				default:
					t.Fatalf("round %d: unexpected status %d\n%s", round, s, serverErrors(env))
				}
			}
			var admins []int64
			rows, err := env.Pool.Query(ctx, "SELECT id FROM users WHERE role = 'admin' AND is_active")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				admins = append(admins, id)
			}
			rows.Close()
			if ok != 1 || len(admins) != 1 {
				t.Fatalf("round %d: statuses %v, active admins %v: want exactly one change and one admin left\n%s",
					round, statuses, admins, serverErrors(env))
			}
			currentID = admins[0]
		}
	})
}

// serverErrors returns the error lines the server logged, to explain a 500.
func serverErrors(env *testenv.Env) string {
	var out []string
	for _, line := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
