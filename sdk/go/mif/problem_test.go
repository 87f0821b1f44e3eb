package mif_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/sdk/go/mif"
)

// A 422 of the server becomes a *Problem naming the field at fault, through errors.As even when
// wrapped.
func TestProblemOfValidation(t *testing.T) {
	c := loggedIn(t, adminLogin, adminPassword)
	resp, err := c.CreateEquipementWithResponse(t.Context(), nil, api.EquipementCreate{Nom: "x", Type: "", Localisation: "Atelier"})
	if err != nil {
		t.Fatal(err)
	}
	err = fmt.Errorf("create machine: %w", mif.Check(resp))
	var p *mif.Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v is not a *Problem", err)
	}
	if p.Status != http.StatusUnprocessableEntity || p.Title != "Unprocessable Entity" || p.Detail != "Erreur de validation des données" {
		t.Errorf("problem %+v", p)
	}
	if msg, ok := p.FieldMessage("type"); !ok || msg == "" {
		t.Errorf("errors %+v do not name the field type", p.Errors)
	}
	if p.RequestID == "" || p.RequestID != resp.HTTPResponse.Header.Get("X-Request-ID") {
		t.Errorf("request id %q, header %q", p.RequestID, resp.HTTPResponse.Header.Get("X-Request-ID"))
	}
	if p.Instance != "/api/v1/equipements" {
		t.Errorf("instance %q", p.Instance)
	}
	for _, part := range []string{"422 Unprocessable Entity", "Erreur de validation des données", "type: ", p.RequestID} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q lacks %q", err, part)
		}
	}
	if !mif.HasStatus(err, http.StatusUnprocessableEntity) || mif.HasStatus(err, http.StatusNotFound) {
		t.Error("HasStatus")
	}
}

// Success is nil, for generated responses and raw ones alike; a nil or foreign value is an
// error, not a panic.
func TestCheck(t *testing.T) {
	ctx := t.Context()
	c, err := mif.New(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	health, err := c.GetHealthWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := mif.Check(health); err != nil {
		t.Errorf("GET /health: %v", err)
	}
	raw, err := c.GetAuthMe(ctx) // the raw method: an *http.Response
	if err != nil {
		t.Fatal(err)
	}
	if err := mif.Check(raw); !mif.HasStatus(err, http.StatusUnauthorized) {
		t.Errorf("GET /auth/me without a token: %v, want 401", err)
	}
	var none *api.GetHealthResponse
	for _, v := range []any{none, nil, 42, (*http.Response)(nil)} {
		if err := mif.Check(v); err == nil {
			t.Errorf("Check(%#v) = nil", v)
		}
	}
	if _, err := mif.Call(c.GetHealthWithResponse(ctx)); err != nil {
		t.Errorf("Call: %v", err)
	}
}

// An error answer that is not a problem document (a proxy's page) is still a *Problem, with the
// start of its text.
func TestProblemOfOtherAnswers(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Request-ID", "req-42")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "  <html>upstream "+strings.Repeat("é", 300)+"</html>")
	}))
	defer proxy.Close()
	c, err := mif.New(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mif.Call(c.GetEquipementWithResponse(t.Context(), 1))
	var p *mif.Problem
	if !errors.As(err, &p) {
		t.Fatalf("%v is not a *Problem", err)
	}
	if p.Status != http.StatusBadGateway || p.Title != "Bad Gateway" || p.RequestID != "req-42" || p.Instance != "/api/v1/equipements/1" {
		t.Errorf("problem %+v", p)
	}
	if !strings.HasPrefix(p.Detail, "<html>upstream é") || !strings.HasSuffix(p.Detail, "…") || len(p.Detail) > 210 {
		t.Errorf("detail %q", p.Detail)
	}
}

func TestProblemError(t *testing.T) {
	p := &mif.Problem{Status: 409, Title: "Conflict", Detail: "Transition interdite",
		Errors: []mif.FieldError{{Field: "actions_possibles", Message: "archive"}, {Field: "actions_possibles", Message: "rouvrir"}}}
	want := "409 Conflict: Transition interdite (actions_possibles: archive; actions_possibles: rouvrir)"
	if got := p.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
