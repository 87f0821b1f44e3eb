package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDocsAuthorizeLogsInWithTheOAuth2PasswordFlow does what Swagger UI's "Authorize" dialog
// does with the served contract: read the password flow's token URL, post the username and
// password there as an OAuth2 client would (grant_type=password), then call an operation with
// the token it got, on every operation that requires a token.
func TestDocsAuthorizeLogsInWithTheOAuth2PasswordFlow(t *testing.T) {
	t.Parallel()
	env := pg.Shared(t)

	resp, b := platformReq{path: "/openapi.json"}.on(t, env)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d", resp.StatusCode)
	}
	type requirement map[string][]string
	var spec struct {
		Security   []requirement `json:"security"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type  string `json:"type"`
				Flows struct {
					Password *struct {
						TokenURL   string `json:"tokenUrl"`
						RefreshURL string `json:"refreshUrl"`
					} `json:"password"`
				} `json:"flows"`
			} `json:"securitySchemes"`
		} `json:"components"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	var scheme string
	var tokenURL, refreshURL string
	for name, s := range spec.Components.SecuritySchemes {
		if s.Type == "oauth2" && s.Flows.Password != nil {
			scheme, tokenURL, refreshURL = name, s.Flows.Password.TokenURL, s.Flows.Password.RefreshURL
		}
	}
	if scheme == "" {
		t.Fatal("the contract declares no OAuth2 password flow: Swagger UI cannot offer a username and password")
	}

	// Swagger UI sends every operation's token only for the schemes the operation names.
	names := func(reqs []requirement) bool {
		for _, r := range reqs {
			if _, ok := r[scheme]; ok {
				return true
			}
		}
		return false
	}
	if !names(spec.Security) {
		t.Errorf("the global security requirement does not name %s", scheme)
	}
	for path, item := range spec.Paths {
		for method, raw := range item {
			var op struct {
				Security *[]requirement `json:"security"`
			}
			if json.Unmarshal(raw, &op) != nil || op.Security == nil || len(*op.Security) == 0 {
				continue // a path-level field, the global requirement, or a public operation
			}
			if !names(*op.Security) {
				t.Errorf("%s %s: its security does not name %s", strings.ToUpper(method), path, scheme)
			}
		}
	}

	// The token request of Swagger UI's password flow (no client id or secret given).
	form := url.Values{"grant_type": {"password"}, "username": {"responsable@mif.ma"}, "password": {"Responsable123!"}}
	resp, b = platformReq{method: http.MethodPost, path: tokenURL, body: strings.NewReader(form.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}}.on(t, env)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", tokenURL, resp.StatusCode, b)
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		TokenType    string `json:"token_type"`
	}
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "bearer") {
		t.Fatalf("POST %s: not an OAuth2 token answer: %s", tokenURL, b)
	}
	resp, b = platformReq{path: "/api/v1/auth/me", token: tok.AccessToken}.on(t, env)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "responsable@mif.ma") {
		t.Fatalf("GET /auth/me with the password flow's token: %d %s", resp.StatusCode, b)
	}

	// Swagger UI refreshes with grant_type=refresh_token on the refresh URL.
	form = url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
	resp, b = platformReq{method: http.MethodPost, path: refreshURL, body: strings.NewReader(form.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}.on(t, env)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "access_token") {
		t.Fatalf("POST %s: %d %s", refreshURL, resp.StatusCode, b)
	}

	// A bad token is refused once (one 401, not one per equivalent scheme).
	resp, b = platformReq{path: "/api/v1/auth/me", token: "not-a-token"}.on(t, env)
	checkProblem(t, "GET /auth/me with a bad token", resp, b, http.StatusUnauthorized)
}
