package mif_test

import (
	"errors"
	"net/http"
	"regexp"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/sdk/go/mif"
)

// An update with a stale ETag is refused with 412 and changes nothing; the current ETag works.
func TestIfMatchStale(t *testing.T) {
	ctx := t.Context()
	c := loggedIn(t, responsableLogin, responsablePassword)
	created, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, machine("IfMatch")))
	if err != nil {
		t.Fatal(err)
	}
	id, first := created.JSON201.Id, mif.ETag(created.HTTPResponse)
	if first != `"1"` {
		t.Fatalf("ETag of a new machine %q", first)
	}
	loc := "Zone 1"
	r, err := mif.Call(c.UpdateEquipementWithResponse(ctx, id, nil, api.EquipementUpdate{Localisation: &loc}, mif.IfMatch(first)))
	if err != nil {
		t.Fatal(err)
	}
	second := mif.ETag(r.HTTPResponse)

	stale := "Zone 2"
	_, err = mif.Call(c.UpdateEquipementWithResponse(ctx, id, nil, api.EquipementUpdate{Localisation: &stale}, mif.IfMatch(first)))
	var p *mif.Problem
	if !errors.As(err, &p) || p.Status != http.StatusPreconditionFailed || p.Detail == "" {
		t.Fatalf("update with a stale ETag: %v, want a 412 problem", err)
	}
	got, err := mif.Call(c.GetEquipementWithResponse(ctx, id))
	if err != nil {
		t.Fatal(err)
	}
	if got.JSON200.Localisation != loc || mif.ETag(got.HTTPResponse) != second {
		t.Errorf("after the refused update: %q version %s, want %q version %s",
			got.JSON200.Localisation, mif.ETag(got.HTTPResponse), loc, second)
	}
	if _, err := mif.Call(c.UpdateEquipementWithResponse(ctx, id, nil, api.EquipementUpdate{Localisation: &stale}, mif.IfMatch(second))); err != nil {
		t.Errorf("update with the current ETag: %v", err)
	}
}

// The same Idempotency-Key and body replay the first answer; another body is refused.
func TestIdempotencyKeyReplay(t *testing.T) {
	ctx := t.Context()
	c := loggedIn(t, adminLogin, adminPassword)
	key := mif.NewIdempotencyKey()
	m := machine("Idempotent")
	first, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m, mif.IdempotencyKey(key)))
	if err != nil {
		t.Fatal(err)
	}
	again, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m, mif.IdempotencyKey(key)))
	if err != nil {
		t.Fatal(err)
	}
	if again.JSON201.Id != first.JSON201.Id || mif.Replayed(first.HTTPResponse) || !mif.Replayed(again.HTTPResponse) {
		t.Errorf("ids %d, %d; replayed %v, %v", first.JSON201.Id, again.JSON201.Id,
			mif.Replayed(first.HTTPResponse), mif.Replayed(again.HTTPResponse))
	}
	if mif.ETag(again.HTTPResponse) != mif.ETag(first.HTTPResponse) {
		t.Errorf("replayed ETag %q, first %q", mif.ETag(again.HTTPResponse), mif.ETag(first.HTTPResponse))
	}
	_, err = mif.Call(c.CreateEquipementWithResponse(ctx, nil, machine("Idempotent"), mif.IdempotencyKey(key)))
	if !mif.HasStatus(err, http.StatusUnprocessableEntity) {
		t.Errorf("same key, another body: %v, want 422", err)
	}
	// The generated parameter is the same header.
	other := mif.NewIdempotencyKey()
	m2 := machine("Idempotent")
	a, err := mif.Call(c.CreateEquipementWithResponse(ctx, &api.CreateEquipementParams{IdempotencyKey: &other}, m2))
	if err != nil {
		t.Fatal(err)
	}
	b, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m2, mif.IdempotencyKey(other)))
	if err != nil || b.JSON201.Id != a.JSON201.Id {
		t.Errorf("replay through the parameter then the editor: %v", err)
	}
}

func TestNewIdempotencyKey(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := mif.NewIdempotencyKey(), mif.NewIdempotencyKey()
	if !uuid.MatchString(a) || a == b {
		t.Errorf("keys %q, %q", a, b)
	}
	if mif.ETag(nil) != "" || mif.Replayed(nil) {
		t.Error("ETag or Replayed of no answer")
	}
}
