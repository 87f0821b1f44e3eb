package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

func multipartForm(t *testing.T, kv ...string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(kv); i += 2 {
		if err := w.WriteField(kv[i], kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

func decodeProblem(t *testing.T, body []byte) api.Problem {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem document: %v: %s", err, body)
	}
	return p
}

func TestLoginAcceptsEveryFormTheOriginalClientsSend(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ct, body := multipartForm(t, "username", "responsable", "password", "Responsable123!")
	cases := []struct {
		name, path, contentType string
		body                    *bytes.Buffer
	}{
		{"token by e-mail field, urlencoded", "/api/v1/auth/token", "application/x-www-form-urlencoded",
			bytes.NewBufferString("email=admin%40mif.ma&password=Admin12345%21")},
		{"token by username holding an e-mail", "/auth/token", "application/x-www-form-urlencoded",
			bytes.NewBufferString("username=ADMIN%40mif.ma&password=Admin12345%21")},
		{"token by username, multipart", "/api/v1/auth/token", ct, body},
		{"login by username, trailing slash", "/api/v1/auth/login/", "application/x-www-form-urlencoded",
			bytes.NewBufferString("username=technicien&password=Tech12345%21")},
		{"login with OAuth2 password-flow extras", "/auth/login", "application/x-www-form-urlencoded",
			bytes.NewBufferString("grant_type=password&username=client&password=Client1234%21&scope=")},
	}
	for _, tc := range cases {
		resp, b := env.Do(http.MethodPost, tc.path, "", tc.contentType, tc.body, false)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d: %s", tc.name, resp.StatusCode, b)
			continue
		}
		var tok api.TokenResponse
		if err := json.Unmarshal(b, &tok); err != nil {
			t.Fatal(err)
		}
		if tok.TokenType != "bearer" || tok.AccessToken == "" || tok.RefreshToken == "" || tok.ExpiresIn != 900 {
			t.Errorf("%s: unexpected tokens %+v", tc.name, tok)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", tc.name, got)
		}
	}
}

func TestLoginRecordsLastLoginAndTheTokenWorks(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := context.Background()
	tok := env.Login("technicien@mif.ma", "Tech12345!")
	me, err := env.Client.GetAuthMeWithResponse(ctx, testenv.As(tok.AccessToken))
	if err != nil || me.JSON200 == nil {
		t.Fatalf("GET /auth/me: %v %d %s", err, me.StatusCode(), me.Body)
	}
	u := me.JSON200
	if u.Email != "technicien@mif.ma" || u.Role != api.UserRoleTechnicien || u.LastLogin == nil {
		t.Fatalf("unexpected profile %+v", u)
	}
	if time.Since(*u.LastLogin) > time.Minute {
		t.Errorf("last_login %v is not the login just made", u.LastLogin)
	}
}

func TestLoginFailuresAnswerWithTheOriginalMessages(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	cases := []struct {
		path, form, detail string
		status             int
	}{
		{"/auth/token", "username=admin&password=wrong", "Email ou mot de passe incorrect", 401},
		{"/auth/token", "email=nobody%40mif.ma&password=Whatever123!", "Email ou mot de passe incorrect", 401},
		{"/auth/login", "username=admin&password=wrong", "Identifiants invalides", 401},
	}
	for _, tc := range cases {
		resp, b := env.Do(http.MethodPost, tc.path, "", "application/x-www-form-urlencoded", strings.NewReader(tc.form), false)
		p := decodeProblem(t, b)
		if resp.StatusCode != tc.status || p.Detail == nil || *p.Detail != tc.detail {
			t.Errorf("%s %s: got %d %s", tc.path, tc.form, resp.StatusCode, b)
		}
		if resp.StatusCode == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tc.path)
		}
	}
	// Neither username nor e-mail: 422 naming the field.
	resp, b := env.Do(http.MethodPost, "/auth/token", "", "application/x-www-form-urlencoded", strings.NewReader("password=x"), false)
	if p := decodeProblem(t, b); resp.StatusCode != 422 || p.Errors == nil || (*p.Errors)[0].Field != "username" {
		t.Errorf("missing username: got %d %s", resp.StatusCode, b)
	}
	// A JSON body is not a form: 415.
	resp, b = env.Do(http.MethodPost, "/auth/token", "", "application/json", strings.NewReader(`{"username":"admin"}`), true)
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("json login: got %d %s", resp.StatusCode, b)
	}
}

func TestRepeatedFailuresLockTheAccountTheSameWayWhetherOrNotItExists(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"LOGIN_MAX_FAILURES": "3", "LOGIN_LOCKOUT_SECONDS": "120"})
	attempt := func(xff, form string) (*http.Response, []byte) {
		return env.Do(http.MethodPost, "/auth/token", "", "application/x-www-form-urlencoded", strings.NewReader(form), false)
	}
	for _, who := range []string{"responsable", "ghost.account"} {
		for i := 0; i < 3; i++ {
			if resp, b := attempt("", "username="+who+"&password=Wrong-pass-1"); resp.StatusCode != 401 {
				t.Fatalf("%s failure %d: got %d %s", who, i+1, resp.StatusCode, b)
			}
		}
		resp, b := attempt("", "username="+who+"&password=Wrong-pass-1")
		p := decodeProblem(t, b)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: 4th failure got %d %s", who, resp.StatusCode, b)
		}
		secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || secs < 100 || secs > 120 {
			t.Errorf("%s: Retry-After = %q, want about 120", who, resp.Header.Get("Retry-After"))
		}
		if !strings.HasPrefix(*p.Detail, "Trop de tentatives échouées") {
			t.Errorf("%s: detail %q", who, *p.Detail)
		}
		if who == "responsable" {
			// Even the right password is refused while locked.
			if resp, _ := attempt("", "username=responsable&password=Responsable123%21"); resp.StatusCode != 429 {
				t.Errorf("correct password during lockout: got %d, want 429", resp.StatusCode)
			}
		}
	}
	// The lock is of the (account, address) pair: the address still reaches other accounts
	// (6 failures stay under the address's threshold, 4x3).
	env.Login("technicien", "Tech12345!")
	// An admin reactivation clears the account's lock, and says so in the audit.
	admin := env.Token("admin")
	var id int64
	if err := env.Pool.QueryRow(context.Background(), "SELECT id FROM users WHERE username='responsable'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if r, err := env.Client.ActivateUserWithResponse(context.Background(), id, testenv.As(admin)); err != nil || r.StatusCode() != 200 {
		t.Fatalf("activate: %v %d", err, r.StatusCode())
	}
	env.Login("responsable", "Responsable123!")
	var unlocks int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action = 'auth.unlock' AND resource_id = $1 AND details->>'via' = 'activate' AND actor_id IS NOT NULL`,
		strconv.FormatInt(id, 10)).Scan(&unlocks); err != nil || unlocks != 1 {
		t.Errorf("auth.unlock entries of the reactivation = %d (%v), want 1", unlocks, err)
	}
}

func TestFailuresFromOneIPLockThatIP(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"LOGIN_MAX_FAILURES": "3", "LOGIN_ADDRESS_MAX_FAILURES": "3"})
	for i, who := range []string{"a1", "a2", "a3"} {
		resp, _ := env.Do(http.MethodPost, "/auth/token", "", "application/x-www-form-urlencoded",
			strings.NewReader("username="+who+"&password=x"), false)
		if resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	// A fourth, different account from the same IP is refused: the IP is locked.
	resp, b := env.Do(http.MethodPost, "/auth/token", "", "application/x-www-form-urlencoded",
		strings.NewReader("username=admin&password=Admin12345%21"), false)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("locked IP: got %d %s", resp.StatusCode, b)
	}
	var n int
	if err := env.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM audit_log WHERE action = 'auth.login.failed'").Scan(&n); err != nil || n != 3 {
		t.Errorf("audited failures = %d (%v), want 3", n, err)
	}
}
