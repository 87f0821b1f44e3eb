// Package mif is the Go client SDK of the MIF ERP API (api/openapi.yaml).
//
// It is a thin layer over the client generated from the contract (package
// github.com/mif-erp/erp/gen/api): a *Client embeds *api.ClientWithResponses, so every operation
// is a typed method (c.ListEquipementsWithResponse, c.CreateInterventionWithResponse, ...), and
// adds what the generated code leaves to each caller:
//
//   - the base URL: New accepts the server's root or its /api/v1 base;
//   - the session: Login (POST /auth/token) stores a token pair in a TokenStore (in memory by
//     default; bring your own to persist it), every request carries the access token, and an
//     access token that expires or is refused (401) is exchanged once for a new pair (POST
//     /auth/refresh) then the request is sent again, however many goroutines were refused at the
//     same time. Refresh tokens work once (a reused one revokes the session), so the exchange is
//     serialised. Logout revokes the session (POST /auth/logout) and forgets the tokens;
//   - errors: a refused request's application/problem+json answer becomes a *Problem (status,
//     French detail, field errors, request id), with Check, CheckResponse and Call, ready for
//     errors.As;
//   - lists: Pages iterates over every item of a paginated list (limit/offset, X-Total-Count)
//     with range-over-func, Page adapts a generated list method to it, Total reads the count;
//   - optimistic locking and safe retries: IfMatch with the ETag of a read (a stale one gets
//     412), IdempotencyKey with NewIdempotencyKey on creations (a retry replays the first
//     answer, see Replayed).
//
// A minimal program:
//
//	c, err := mif.New("https://erp.example.com")
//	if err != nil { ... }
//	if _, err := c.Login(ctx, "admin@mif.ma", password); err != nil { ... }
//	r, err := mif.Call(c.GetEquipementWithResponse(ctx, 42))
//	var p *mif.Problem
//	switch {
//	case errors.As(err, &p) && p.Status == http.StatusNotFound:
//		fmt.Println(p.Detail) // Équipement introuvable
//	case err != nil:
//		return err
//	default:
//		fmt.Println(r.JSON200.Nom, mif.ETag(r.HTTPResponse)) // the ETag for IfMatch
//	}
//
// The Client sends no timeout of its own: give each call a context with a deadline, or pass an
// *http.Client with a Timeout to WithHTTPClient (not for the event streams). A Client is safe
// for concurrent use.
//
// The package's examples run against a real server: the tests start one in-process on a fresh
// PostgreSQL database (TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and the examples read its URL
// from the test variable serverURL.
package mif
