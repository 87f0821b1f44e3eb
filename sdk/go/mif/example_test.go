package mif_test

// The examples run against the in-process server TestMain starts; serverURL is its root URL
// (server_test.go). In a program it is the address of your MIF ERP server.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/sdk/go/mif"
)

// Log in, create a machine, read it back, delete it.
func Example() {
	ctx := context.Background()
	c, err := mif.New(serverURL) // the root URL; /api/v1 is added
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "admin@mif.ma", "Admin12345!"); err != nil {
		log.Fatal(err)
	}

	created, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, api.EquipementCreate{
		Nom: "Compresseur Atlas Copco GA15", Type: "compresseur", Localisation: "Atelier Principal - Zone A",
	}))
	if err != nil {
		log.Fatal(err)
	}
	id := created.JSON201.Id

	got, err := mif.Call(c.GetEquipementWithResponse(ctx, id))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.JSON200.Nom, "version", mif.ETag(got.HTTPResponse))

	if _, err := mif.Call(c.DeleteEquipementWithResponse(ctx, id)); err != nil {
		log.Fatal(err)
	}
	_, err = mif.Call(c.GetEquipementWithResponse(ctx, id))
	var p *mif.Problem
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Detail)
	}
	// Output:
	// Compresseur Atlas Copco GA15 version "1"
	// 404 Équipement introuvable
}

// Wrong credentials are a *Problem too.
func ExampleClient_Login() {
	ctx := context.Background()
	c, err := mif.New(serverURL + "/api/v1") // the versioned base works as well
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Login(ctx, "admin@mif.ma", "pas le bon mot de passe")
	var p *mif.Problem
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Detail)
	}
	fmt.Println(mif.HasStatus(err, http.StatusUnauthorized))
	// Output:
	// 401 Email ou mot de passe incorrect
	// true
}

// Logout revokes the session on the server and forgets the tokens.
func ExampleClient_Logout() {
	ctx := context.Background()
	c, err := mif.New(serverURL)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "responsable@mif.ma", "Responsable123!"); err != nil {
		log.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	tok, err := c.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("session:", !tok.IsZero())
	_, err = c.Refresh(ctx)
	fmt.Println(errors.Is(err, mif.ErrNoSession))
	// Output:
	// session: false
	// true
}

// A refused request's problem names the fields at fault, in French.
func ExampleProblem() {
	ctx := context.Background()
	c, err := mif.New(serverURL)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "admin@mif.ma", "Admin12345!"); err != nil {
		log.Fatal(err)
	}
	_, err = mif.Call(c.CreateEquipementWithResponse(ctx, nil, api.EquipementCreate{
		Nom: "", Type: "pompe", Localisation: "Atelier B",
	}))
	var p *mif.Problem
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Title)
		fmt.Println(p.Detail)
		msg, _ := p.FieldMessage("nom")
		fmt.Println("nom:", msg)
		fmt.Println("request id:", p.RequestID != "")
	}
	// Output:
	// 422 Unprocessable Entity
	// Erreur de validation des données
	// nom: doit contenir au moins 1 caractère(s)
	// request id: true
}

// Pages reads a whole list, one page after the other.
func ExamplePages() {
	ctx := context.Background()
	c, err := mif.New(serverURL)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "admin@mif.ma", "Admin12345!"); err != nil {
		log.Fatal(err)
	}
	tag := "Pompe " + mif.NewIdempotencyKey()[:8] // names are unique: one batch per run
	for i := range 7 {
		m := api.EquipementCreate{Nom: fmt.Sprintf("%s n°%d", tag, i+1), Type: "pompe", Localisation: "Station"}
		if _, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m)); err != nil {
			log.Fatal(err)
		}
	}

	requests, total := 0, 0
	list := func(ctx context.Context, limit, offset int) ([]api.Equipement, *http.Response, error) {
		requests++
		items, resp, err := mif.Page[api.Equipement](c.ListEquipementsWithResponse(ctx,
			&api.ListEquipementsParams{Q: &tag, Limit: &limit, Offset: &offset}))
		total, _ = mif.Total(resp)
		return items, resp, err
	}
	seen := map[int64]bool{}
	for eq, err := range mif.Pages(ctx, list, mif.PageSize(3)) {
		if err != nil {
			log.Fatal(err)
		}
		seen[eq.Id] = true
	}
	fmt.Printf("%d machines of %d, in %d requests\n", len(seen), total, requests)
	// Output:
	// 7 machines of 7, in 3 requests
}

// An update with the ETag of a read fails with 412 once the resource changed since.
func ExampleIfMatch() {
	ctx := context.Background()
	c, err := mif.New(serverURL)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "responsable@mif.ma", "Responsable123!"); err != nil {
		log.Fatal(err)
	}
	created, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, api.EquipementCreate{
		Nom: "Tour " + mif.NewIdempotencyKey()[:8], Type: "tour", Localisation: "Atelier A",
	}))
	if err != nil {
		log.Fatal(err)
	}
	id, etag := created.JSON201.Id, mif.ETag(created.HTTPResponse)

	zone := "Atelier B"
	updated, err := mif.Call(c.UpdateEquipementWithResponse(ctx, id, nil,
		api.EquipementUpdate{Localisation: &zone}, mif.IfMatch(etag)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("updated:", updated.JSON200.Localisation, mif.ETag(updated.HTTPResponse))

	zone = "Atelier C" // with the first read's ETag, now stale
	_, err = mif.Call(c.UpdateEquipementWithResponse(ctx, id, nil,
		api.EquipementUpdate{Localisation: &zone}, mif.IfMatch(etag)))
	var p *mif.Problem
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Detail)
	}
	// Output:
	// updated: Atelier B "2"
	// 412 La ressource a été modifiée entre-temps (version actuelle : "2")
}

// A creation retried with the same Idempotency-Key happens once: the retry gets the first
// answer again.
func ExampleIdempotencyKey() {
	ctx := context.Background()
	c, err := mif.New(serverURL)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Login(ctx, "admin@mif.ma", "Admin12345!"); err != nil {
		log.Fatal(err)
	}
	key := mif.NewIdempotencyKey() // one per operation, reused by its retries
	m := api.EquipementCreate{Nom: "Presse " + key[:8], Type: "presse", Localisation: "Atelier A"}

	first, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m, mif.IdempotencyKey(key)))
	if err != nil {
		log.Fatal(err)
	}
	retry, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, m, mif.IdempotencyKey(key)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same machine:", first.JSON201.Id == retry.JSON201.Id)
	fmt.Println("replayed:", mif.Replayed(first.HTTPResponse), mif.Replayed(retry.HTTPResponse))
	// Output:
	// same machine: true
	// replayed: false true
}
