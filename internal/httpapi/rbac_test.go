package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	contract "github.com/mif-erp/erp/api"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/rbac"
	"github.com/mif-erp/erp/internal/testenv"
)

// contractOp is one operation of api/openapi.yaml.
type contractOp struct {
	ID, Method, Path string
	Public           bool // declares `security: []`
}

func contractOps(doc *openapi3.T) []contractOp {
	var ops []contractOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops = append(ops, contractOp{ID: op.OperationID, Method: method, Path: path,
				Public: op.Security != nil && len(*op.Security) == 0})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// accountRoles are the roles of real accounts (rbac.Roles also has the metrics pseudo-role).
var accountRoles = []string{"admin", "responsable", "technicien", "client"}

// policyGaps lists the contract operations that are neither public nor allowed to any account
// role, and the policy lines that name no operation of the contract.
func policyGaps(t *testing.T, doc *openapi3.T, e interface {
	Enforce(rvals ...any) (bool, error)
	GetPolicy() ([][]string, error)
}) []string {
	t.Helper()
	var gaps []string
	known := map[string]bool{}
	for _, op := range contractOps(doc) {
		if op.ID == "" {
			gaps = append(gaps, fmt.Sprintf("%s %s has no operationId", op.Method, op.Path))
			continue
		}
		if known[op.ID] {
			gaps = append(gaps, fmt.Sprintf("operationId %s is used twice", op.ID))
		}
		known[op.ID] = true
		if op.Public {
			continue
		}
		allowed := false
		for _, role := range accountRoles {
			ok, err := e.Enforce(role, op.ID)
			if err != nil {
				t.Fatalf("enforce %s %s: %v", role, op.ID, err)
			}
			allowed = allowed || ok
		}
		if !allowed {
			gaps = append(gaps, fmt.Sprintf("%s (%s %s) is not public and no role may call it: add a line to policies/policy.csv",
				op.ID, op.Method, op.Path))
		}
	}
	lines, err := e.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range lines {
		if len(p) < 2 || !known[p[1]] {
			gaps = append(gaps, fmt.Sprintf("policy line p, %s names no operation of the contract", strings.Join(p, ", ")))
		}
	}
	return gaps
}

func TestEveryOperationHasAPolicyOrIsPublic(t *testing.T) {
	t.Parallel()
	doc, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	e, err := rbac.NewEnforcer()
	if err != nil {
		t.Fatal(err)
	}
	if len(contractOps(doc)) == 0 {
		t.Fatal("the contract has no operation")
	}
	for _, gap := range policyGaps(t, doc, e) {
		t.Error(gap)
	}

	// The check itself notices an operation added without a policy line, and a stale line. The
	// operation is added to a copy: the parsed contract is shared by the whole process.
	grown := *doc
	grown.Paths = openapi3.NewPaths()
	for path, item := range doc.Paths.Map() {
		grown.Paths.Set(path, item)
	}
	grown.Paths.Set("/added-later", &openapi3.PathItem{Get: &openapi3.Operation{OperationID: "addedLater"}})
	doc = &grown
	e.EnableAutoSave(false)
	if _, err := e.AddPolicy("admin", "removedLongAgo"); err != nil {
		t.Fatal(err)
	}
	gaps := strings.Join(policyGaps(t, doc, e), "\n")
	if !strings.Contains(gaps, "addedLater (GET /added-later) is not public") || !strings.Contains(gaps, "p, admin, removedLongAgo names no operation") {
		t.Errorf("the coverage check missed an unpoliced operation or a stale line:\n%s", gaps)
	}
}

// rbacRow is what DESIGN section 9 says about one operation, and how to call it validly.
type rbacRow struct {
	public  bool     // security: [] (anyone, token or not)
	allowed []string // account roles allowed; written from DESIGN, not from the policy file
	metrics bool     // a bearer equal to METRICS_TOKEN is allowed too
	query   string   // query string of a valid call, if the operation needs one
	// request returns the path parameters, content type and body of a valid call by caller.
	request func(f *rbacFixture, caller string) (params map[string]string, contentType, body string)
}

var (
	everyAccount = accountRoles
	adminOnly    = []string{"admin"}
)

// demoPasswords are the seeded accounts' passwords (unchanged by the matrix calls).
var demoPasswords = map[string]string{
	"admin": "Admin12345!", "responsable": "Responsable123!", "technicien": "Tech12345!", "client": "Client1234!",
}

// account is the demo account a caller acts as in bodies (anonymous and metrics use the client).
func account(caller string) string {
	if _, ok := demoPasswords[caller]; ok {
		return caller
	}
	return "client"
}

func noBody(*rbacFixture, string) (map[string]string, string, string) { return nil, "", "" }

func onFreshUser(f *rbacFixture, _ string) (map[string]string, string, string) {
	return map[string]string{"user_id": strconv.FormatInt(f.freshUser(), 10)}, "", ""
}

func loginForm(_ *rbacFixture, caller string) (map[string]string, string, string) {
	a := account(caller)
	return nil, "application/x-www-form-urlencoded", "username=" + a + "&password=" + urlEscape(demoPasswords[a])
}

func urlEscape(s string) string {
	return strings.NewReplacer("%", "%25", "!", "%21", "&", "%26", "+", "%2B").Replace(s)
}

// rbacMatrix has one row per operation of the contract (DESIGN section 9, roles table).
var rbacMatrix = map[string]rbacRow{
	// health, live, ready (and the API root): public.
	"getRoot":   {public: true, request: noBody},
	"getHealth": {public: true, request: noBody},
	"getLive":   {public: true, request: noBody},
	"getReady":  {public: true, request: noBody},
	// health/detailed, metrics: admin (or METRICS_TOKEN).
	"getHealthDetailed": {allowed: adminOnly, metrics: true, request: noBody},
	"getMetrics":        {allowed: adminOnly, metrics: true, request: noBody},
	// Logging in and refreshing: public (the credentials are in the body).
	"loginForToken": {public: true, request: loginForm},
	"login":         {public: true, request: loginForm},
	"refreshToken": {public: true, request: func(f *rbacFixture, caller string) (map[string]string, string, string) {
		a := account(caller)
		tok := f.env.Login(a, demoPasswords[a])
		return nil, "application/x-www-form-urlencoded", "refresh_token=" + tok.RefreshToken
	}},
	// Own profile, password, logout: every role.
	"logout":       {allowed: everyAccount, request: noBody},
	"getAuthMe":    {allowed: everyAccount, request: noBody},
	"getMyProfile": {allowed: everyAccount, request: noBody},
	"changePassword": {allowed: everyAccount, request: func(_ *rbacFixture, caller string) (map[string]string, string, string) {
		pw := urlEscape(demoPasswords[account(caller)]) // "changed" to itself, so later logins still work
		return nil, "application/x-www-form-urlencoded", "current_password=" + pw + "&new_password=" + pw
	}},
	"updateMyProfile": {allowed: everyAccount, request: func(_ *rbacFixture, caller string) (map[string]string, string, string) {
		return nil, "application/json", `{"full_name":"Profil ` + caller + `"}`
	}},
	// Users: manage: admin only.
	"listUsers": {allowed: adminOnly, request: noBody},
	"createUser": {allowed: adminOnly, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
		n := f.seq.Add(1)
		return nil, "application/json", fmt.Sprintf(
			`{"username":"rbac.new%d","full_name":"RBAC %d","email":"rbac.new%d@example.com","role":"client","password":"%s"}`,
			n, n, n, userPassword)
	}},
	"getUser": {allowed: adminOnly, request: onFreshUser},
	"updateUser": {allowed: adminOnly, request: func(f *rbacFixture, c string) (map[string]string, string, string) {
		params, _, _ := onFreshUser(f, c)
		return params, "application/json", `{"full_name":"Renamed","role":"technicien"}`
	}},
	"deactivateUser": {allowed: adminOnly, request: onFreshUser},
	"activateUser":   {allowed: adminOnly, request: onFreshUser},
}

// writesNothing are the operations of another method than GET that change nothing, so the
// audit trail has no entry for them (every other one must write at least one).
var writesNothing = map[string]string{
	"createStreamToken": "a signed 60-second token, stored nowhere",
}

// rbacFixture hands out throwaway targets so destructive calls never touch one another.
type rbacFixture struct {
	t   *testing.T
	env *testenv.Env
	seq *atomic.Int64 // shared by the fixtures of one environment, so names never collide
}

func newRBACFixture(t *testing.T, env *testenv.Env) *rbacFixture {
	return &rbacFixture{t: t, env: env, seq: new(atomic.Int64)}
}

// on is f for the subtest t: a failing fixture stops t, not the test that made f.
func (f *rbacFixture) on(t *testing.T) *rbacFixture {
	return &rbacFixture{t: t, env: f.env, seq: f.seq}
}

// freshUser inserts an account no other call uses and returns its id.
func (f *rbacFixture) freshUser() int64 {
	f.t.Helper()
	n := f.seq.Add(1)
	var id int64
	err := f.env.Pool.QueryRow(f.t.Context(),
		`INSERT INTO users (username, full_name, email, password_hash, role) VALUES ($1, $2, $3, 'x', 'technicien') RETURNING id`,
		fmt.Sprintf("target%d", n), fmt.Sprintf("Target %d", n), fmt.Sprintf("target%d@example.com", n)).Scan(&id)
	if err != nil {
		f.t.Fatalf("insert target user: %v", err)
	}
	return id
}

func TestRBACMatrix(t *testing.T) {
	t.Parallel()
	const metricsToken = "metrics-token-0123456789abcdef"
	// Files in a directory, so that the fixture's report worker writes where the server reads.
	env := testenv.NewEnv(t, pg, testenv.Options{"METRICS_TOKEN": metricsToken,
		"STORAGE_URL": "file://" + filepath.ToSlash(t.TempDir())})
	f := newRBACFixture(t, env)
	doc, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	userIDs := map[string]int64{}
	for _, role := range accountRoles {
		var id int64
		if err := env.Pool.QueryRow(t.Context(), "SELECT id FROM users WHERE username = $1", role).Scan(&id); err != nil {
			t.Fatal(err)
		}
		userIDs[role] = id
	}
	callers := append(slices.Clone(accountRoles), "metrics", "anonymous")
	// The rows of the demo company and technicien are made before the operations run at once:
	// their get-or-create statements do not see a row another call is creating.
	f.demoClientCompany()
	f.demoTechnicien()
	for _, role := range accountRoles {
		env.Token(role)
	}
	// Logging out and changing the password end the caller's sessions (refresh tokens, which
	// another operation's calls (refreshToken) log in for, and access tokens, which the role's
	// later calls use: the role logs in again after them): these two run alone, before the
	// operations that run at once (a parallel subtest waits for the test's body to end).
	// The demo technicien's timer is started by one call and stopped by another: starting runs
	// alone too, so that no other call's timer is running meanwhile.
	revokesSessions := map[string]bool{"logout": true, "changePassword": true, "startInterventionTimer": true}

	seen := map[string]bool{}
	for _, op := range contractOps(doc) {
		seen[op.ID] = true
		row, ok := rbacMatrix[op.ID]
		if !ok {
			t.Errorf("operation %s (%s %s) has no row in rbacMatrix: add one from DESIGN section 9", op.ID, op.Method, op.Path)
			continue
		}
		if row.public != op.Public {
			t.Errorf("%s: the matrix says public=%v, the contract says public=%v", op.ID, row.public, op.Public)
			continue
		}
		t.Run(op.ID, func(t *testing.T) {
			if !revokesSessions[op.ID] {
				t.Parallel()
			}
			f := f.on(t)
			for _, caller := range callers {
				t.Run(caller, func(t *testing.T) {
					token := ""
					switch caller {
					case "anonymous":
					case "metrics":
						token = metricsToken
					default:
						token = env.Token(caller)
					}
					params, ct, body := row.request(f, caller)
					path := op.Path
					for k, v := range params {
						path = strings.ReplaceAll(path, "{"+k+"}", v)
					}
					if strings.Contains(path, "{") {
						t.Fatalf("path %s: the matrix row gives no value for a parameter", path)
					}
					if row.query != "" {
						path += "?" + row.query
					}
					// Scoped to the operation: the others write their own rows meanwhile.
					deniedBefore := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'rbac.denied' AND resource_id = $1", op.ID)
					resp, b := env.Do(op.Method, "/api/v1"+path, token, ct, strings.NewReader(body), false)
					status := resp.StatusCode
					if (op.ID == "logout" || op.ID == "changePassword") && token != "" && caller != "metrics" {
						env.Relogin(caller) // the operation ended the account's sessions
					}
					allowed := slices.Contains(row.allowed, caller) || caller == "metrics" && row.metrics
					switch {
					case row.public:
						if status < 200 || status > 299 {
							t.Errorf("public operation: got %d %s, want 2xx", status, b)
						}
					case caller == "anonymous":
						if status != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
							t.Errorf("anonymous: got %d (WWW-Authenticate %q) %s, want 401 with WWW-Authenticate: Bearer",
								status, resp.Header.Get("WWW-Authenticate"), b)
						}
					case allowed:
						if status == http.StatusUnauthorized || status == http.StatusForbidden || status < 200 || status > 299 {
							t.Errorf("allowed role: got %d %s, want 2xx", status, b)
						}
						// Every write is in the audit trail, under its request's id.
						if rid := resp.Header.Get("X-Request-ID"); op.Method != http.MethodGet && status < 300 && writesNothing[op.ID] == "" &&
							countRows(t, env, "SELECT count(*) FROM audit_log WHERE request_id = $1", rid) == 0 {
							t.Errorf("%s %s by %s answered %d and wrote no audit entry (request %s)", op.Method, op.Path, caller, status, rid)
						}
					default:
						if status != http.StatusForbidden {
							t.Fatalf("role not allowed: got %d %s, want 403", status, b)
						}
						if p := decodeProblem(t, b); p.Status != 403 || !strings.HasPrefix(detailOf(p), "Accès réservé aux rôles") {
							t.Errorf("403 problem %+v", p)
						}
						var actorID *int64
						var actorRole, resource string
						err := env.Pool.QueryRow(t.Context(), `SELECT actor_id, actor_role, resource_id FROM audit_log
						WHERE action = 'rbac.denied' AND resource_id = $1 ORDER BY id DESC LIMIT 1`, op.ID).Scan(&actorID, &actorRole, &resource)
						if err != nil {
							t.Fatalf("no rbac.denied row: %v", err)
						}
						if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE action = 'rbac.denied' AND resource_id = $1", op.ID); n != deniedBefore+1 {
							t.Errorf("%d rbac.denied rows written, want 1", n-deniedBefore)
						}
						if n := countRows(t, env, "SELECT count(*) FROM audit_log WHERE request_id = $1 AND outcome = 'denied'",
							resp.Header.Get("X-Request-ID")); n != 1 {
							t.Errorf("the refusal is in the trail %d times, want once", n)
						}
						wantActor := userIDs[caller]
						if actorRole != caller || resource != op.ID || (wantActor != 0) != (actorID != nil) ||
							actorID != nil && *actorID != wantActor {
							t.Errorf("rbac.denied row: actor %v/%s resource %s, want %d/%s %s", actorID, actorRole, resource,
								wantActor, caller, op.ID)
						}
					}
					if status >= 400 {
						if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/problem+json") {
							t.Errorf("error with Content-Type %q", got)
						}
					}
				})
			}
		})
	}
	for id := range rbacMatrix {
		if !seen[id] {
			t.Errorf("rbacMatrix has a row for %s, which is not an operation of the contract", id)
		}
	}
}

func TestBadTokensAreRefused(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := t.Context()
	f := newRBACFixture(t, env)
	var adminID, techID int64
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	if err := env.Pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'technicien'").Scan(&techID); err != nil {
		t.Fatal(err)
	}
	key := env.Config.SecretKey
	issue := func(tokens *auth.Tokens, id int64, role string) string {
		t.Helper()
		tok, _, err := tokens.Issue(id, role, role+"@mif.ma", 0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	signed := func(build func(b *jwt.Builder) *jwt.Builder, alg jwa.SignatureAlgorithm, k []byte) string {
		t.Helper()
		tok, err := build(jwt.NewBuilder().IssuedAt(time.Now()).Expiration(time.Now().Add(time.Minute))).Build()
		if err != nil {
			t.Fatal(err)
		}
		b, err := jwt.Sign(tok, jwt.WithKey(alg, k))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	deletedID := f.freshUser()
	deletedTok := issue(auth.NewTokens(key, time.Minute), deletedID, "technicien")
	if _, err := env.Pool.Exec(ctx, "DELETE FROM users WHERE id = $1", deletedID); err != nil {
		t.Fatal(err)
	}
	valid := issue(auth.NewTokens(key, time.Minute), adminID, "admin")
	parts := strings.Split(valid, ".")

	unauthorized := []struct{ name, authorization string }{
		{"no header", ""},
		{"garbage", "Bearer not-a-jwt"},
		{"three garbage segments", "Bearer aaa.bbb.ccc"},
		{"signed with another key", "Bearer " + issue(auth.NewTokens([]byte("another-secret-key-0123456789abcdefgh"), time.Minute), adminID, "admin")},
		{"expired", "Bearer " + issue(auth.NewTokens(key, -time.Minute), adminID, "admin")},
		{"tampered payload", "Bearer " + parts[0] + "." + b64([]byte(fmt.Sprintf(`{"sub":"%d","role":"admin","iss":"mif-erp","exp":%d}`, techID, time.Now().Add(time.Hour).Unix()))) + "." + parts[2]},
		{"alg none", "Bearer " + b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
			b64([]byte(fmt.Sprintf(`{"sub":"%d","role":"admin","iss":"mif-erp","exp":%d}`, adminID, time.Now().Add(time.Hour).Unix()))) + "."},
		{"another issuer", "Bearer " + signed(func(b *jwt.Builder) *jwt.Builder {
			return b.Issuer("someone-else").Subject(strconv.FormatInt(adminID, 10))
		}, jwa.HS256(), key)},
		{"subject is not a user id", "Bearer " + signed(func(b *jwt.Builder) *jwt.Builder {
			return b.Issuer(auth.Issuer).Subject("admin")
		}, jwa.HS256(), key)},
		{"no expiry", "Bearer " + func() string {
			tok, err := jwt.NewBuilder().Issuer(auth.Issuer).Subject(strconv.FormatInt(adminID, 10)).Build()
			if err != nil {
				t.Fatal(err)
			}
			b, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), key))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}()},
		{"HS512 with the right key", "Bearer " + signed(func(b *jwt.Builder) *jwt.Builder {
			return b.Issuer(auth.Issuer).Subject(strconv.FormatInt(adminID, 10))
		}, jwa.HS512(), key)},
		{"account deleted", "Bearer " + deletedTok},
		{"empty bearer", "Bearer"},
		{"basic scheme", "Basic YWRtaW46QWRtaW4xMjM0NSE="},
		{"token without a scheme", valid},
	}
	call := func(t *testing.T, method, path, authorization string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, env.Root+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := env.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	for _, tc := range unauthorized {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/users/me", "/users"} {
				resp, b := call(t, http.MethodGet, path, tc.authorization)
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("GET %s: got %d %s, want 401", path, resp.StatusCode, b)
				}
				if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("GET %s: WWW-Authenticate = %q, want Bearer", path, got)
				}
				if p := decodeProblem(t, b); p.Status != 401 {
					t.Errorf("GET %s: problem %+v", path, p)
				}
			}
		})
	}
	if resp, b := call(t, http.MethodGet, "/api/v1/users/me", "Bearer "+valid); resp.StatusCode != http.StatusOK {
		t.Fatalf("the well-formed token is refused: %d %s", resp.StatusCode, b)
	}

	t.Run("role claim is not trusted", func(t *testing.T) {
		// A correctly signed token claiming admin for the technicien: the role comes from the database.
		forged := issue(auth.NewTokens(key, time.Minute), techID, "admin")
		if resp, b := call(t, http.MethodGet, "/api/v1/users", "Bearer "+forged); resp.StatusCode != http.StatusForbidden {
			t.Errorf("technicien with an admin claim lists users: %d %s", resp.StatusCode, b)
		}
	})

	t.Run("deactivated account", func(t *testing.T) {
		u := mustCreateUser(t, env, newUserBody("deactivated", "client"))
		pair := env.Login("deactivated", userPassword)
		if _, err := env.Pool.Exec(ctx, "UPDATE users SET is_active = false WHERE id = $1", u.Id); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/users/me", "/api/v1/auth/me"} {
			resp, b := call(t, http.MethodGet, path, "Bearer "+pair.AccessToken)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET %s: got %d %s, want 403", path, resp.StatusCode, b)
			}
			if p := decodeProblem(t, b); p.Status != 403 {
				t.Errorf("GET %s: problem %+v", path, p)
			}
		}
		// Its refresh token (not revoked, the flag was flipped in SQL) is refused too.
		r := refreshWith(t, env, pair.RefreshToken)
		if r.StatusCode() != http.StatusForbidden || r.ApplicationproblemJSON403 == nil ||
			detailOf(*r.ApplicationproblemJSON403) != "Compte désactivé" {
			t.Errorf("refresh of a deactivated account: %d %s", r.StatusCode(), r.Body)
		}
	})
}
