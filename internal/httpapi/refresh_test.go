package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

func refresh(t *testing.T, env *testenv.Env, token string) *api.RefreshTokenResponse {
	t.Helper()
	resp, err := env.Client.RefreshTokenWithFormdataBodyWithResponse(context.Background(),
		api.RefreshTokenFormdataRequestBody{RefreshToken: token})
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	return resp
}

func TestRefreshRotatesAndAReusedTokenRevokesTheWholeFamily(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	first := env.Login("admin", "Admin12345!")

	second := refresh(t, env, first.RefreshToken)
	if second.JSON200 == nil {
		t.Fatalf("first refresh: %d %s", second.StatusCode(), second.Body)
	}
	if second.JSON200.RefreshToken == first.RefreshToken || second.JSON200.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	// The new access token works.
	me, err := env.Client.GetMyProfileWithResponse(context.Background(), testenv.As(second.JSON200.AccessToken))
	if err != nil || me.JSON200 == nil || me.JSON200.Username != "admin" {
		t.Fatalf("new access token refused: %v %d", err, me.StatusCode())
	}

	// Presenting the used token again: refused, and the family (including the live token) dies.
	reuse := refresh(t, env, first.RefreshToken)
	if reuse.StatusCode() != http.StatusUnauthorized || reuse.ApplicationproblemJSON401 == nil ||
		*reuse.ApplicationproblemJSON401.Detail != "Refresh token invalide" {
		t.Fatalf("reuse: got %d %s", reuse.StatusCode(), reuse.Body)
	}
	if r := refresh(t, env, second.JSON200.RefreshToken); r.StatusCode() != http.StatusUnauthorized {
		t.Fatalf("token of a revoked family: got %d, want 401", r.StatusCode())
	}
	var audited int
	if err := env.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM audit_log WHERE action = 'auth.refresh.reuse'").Scan(&audited); err != nil || audited != 1 {
		t.Errorf("reuse audited %d times (%v), want 1", audited, err)
	}

	// Another session of the same user (another family) is untouched.
	other := env.Login("admin@mif.ma", "Admin12345!")
	if r := refresh(t, env, other.RefreshToken); r.JSON200 == nil {
		t.Fatalf("other family: got %d", r.StatusCode())
	}
}

func TestRefreshRefusesUnknownExpiredAndMissingTokens(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	if r := refresh(t, env, "not-a-token"); r.StatusCode() != http.StatusUnauthorized {
		t.Errorf("unknown token: got %d", r.StatusCode())
	}
	tok := env.Login("client", "Client1234!")
	if _, err := env.Pool.Exec(context.Background(), "UPDATE refresh_tokens SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	if r := refresh(t, env, tok.RefreshToken); r.StatusCode() != http.StatusUnauthorized {
		t.Errorf("expired token: got %d", r.StatusCode())
	}
	resp, b := env.Do(http.MethodPost, "/auth/refresh", "", "application/x-www-form-urlencoded", strings.NewReader("x=1"), true)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("missing refresh_token: got %d %s", resp.StatusCode, b)
	}
	// Refresh tokens are stored hashed, never in clear.
	var clear int
	if err := env.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'", tok.RefreshToken).Scan(&clear); err != nil || clear != 0 {
		t.Errorf("refresh token found in clear (%d, %v)", clear, err)
	}
}

func TestLogoutRevokesEveryRefreshTokenOfTheCaller(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	a := env.Login("technicien", "Tech12345!")
	b := env.Login("technicien@mif.ma", "Tech12345!")
	other := env.Login("client", "Client1234!")

	resp, err := env.Client.LogoutWithResponse(context.Background(), testenv.As(a.AccessToken))
	if err != nil || resp.JSON200 == nil || resp.JSON200.Message != "Déconnexion réussie" {
		t.Fatalf("logout: %v %d %s", err, resp.StatusCode(), resp.Body)
	}
	for _, tok := range []string{a.RefreshToken, b.RefreshToken} {
		if r := refresh(t, env, tok); r.StatusCode() != http.StatusUnauthorized {
			t.Errorf("refresh after logout: got %d, want 401", r.StatusCode())
		}
	}
	if r := refresh(t, env, other.RefreshToken); r.JSON200 == nil {
		t.Errorf("another user's session was revoked too: %d", r.StatusCode())
	}
	if r, _ := env.Client.LogoutWithResponse(context.Background()); r.StatusCode() != http.StatusUnauthorized {
		t.Errorf("logout without token: got %d", r.StatusCode())
	}
}

func TestChangePasswordChecksTheCurrentOneAndRevokesSessions(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	ctx := context.Background()
	tok := env.Login("responsable", "Responsable123!")
	as := testenv.As(tok.AccessToken)

	wrong, err := env.Client.ChangePasswordWithFormdataBodyWithResponse(ctx,
		api.ChangePasswordFormdataRequestBody{CurrentPassword: "nope", NewPassword: "N0uveau-Secret!"}, as)
	if err != nil || wrong.StatusCode() != 400 || *wrong.ApplicationproblemJSON400.Detail != "Mot de passe actuel incorrect" {
		t.Fatalf("wrong current password: %v %d %s", err, wrong.StatusCode(), wrong.Body)
	}
	weak, err := env.Client.ChangePasswordWithFormdataBodyWithResponse(ctx,
		api.ChangePasswordFormdataRequestBody{CurrentPassword: "Responsable123!", NewPassword: "short"}, as)
	if err != nil || weak.StatusCode() != 422 || weak.ApplicationproblemJSON422.Errors == nil ||
		len(*weak.ApplicationproblemJSON422.Errors) != 4 {
		t.Fatalf("weak password: want 422 listing 4 rules, got %d %s", weak.StatusCode(), weak.Body)
	}
	for _, fe := range *weak.ApplicationproblemJSON422.Errors {
		if fe.Field != "new_password" {
			t.Errorf("field error on %q, want new_password", fe.Field)
		}
	}
	ok, err := env.Client.ChangePasswordWithFormdataBodyWithResponse(ctx,
		api.ChangePasswordFormdataRequestBody{CurrentPassword: "Responsable123!", NewPassword: "N0uveau-Secret!"}, as)
	if err != nil || ok.JSON200 == nil || ok.JSON200.Message != "Mot de passe changé avec succès" {
		t.Fatalf("change: %v %d %s", err, ok.StatusCode(), ok.Body)
	}
	if r := refresh(t, env, tok.RefreshToken); r.StatusCode() != http.StatusUnauthorized {
		t.Errorf("refresh token survived the password change: %d", r.StatusCode())
	}
	resp, _ := env.Do(http.MethodPost, "/auth/token", "", "application/x-www-form-urlencoded",
		strings.NewReader("username=responsable&password=Responsable123%21"), false)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password still works: %d", resp.StatusCode)
	}
	env.Login("responsable", "N0uveau-Secret!")
}
