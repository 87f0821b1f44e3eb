package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The default page of every intervention and of every machine is read with a fixed-shape
// statement (a cached plan); it must hold the rows, in the order, of the catch-all list query and
// of the plain SQL order it promises, at any offset.
func TestDefaultPagesMatchTheCatchAllListsAndTheirOrder(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env, tok := f.env, f.resp
	for i, statut := range []string{"ouverte", "affectee", "en_cours", "cloturee", "ouverte", "annulee", "ouverte"} {
		m := f.machine(nil, nil)
		if i%2 == 0 {
			f.machine(nil, nil)
		}
		f.insert(statut, m, &f.techID) // same creation time: the order falls to the ids
	}
	bodies := map[string]string{}
	idsAs := func(tok, path string) ([]int64, string) {
		t.Helper()
		resp, b := env.Do(http.MethodGet, path, tok, "", nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		bodies[path] = string(b)
		var out []int64
		for _, r := range decodeJSON[[]struct{ ID int64 }](t, b) {
			out = append(out, r.ID)
		}
		return out, resp.Header.Get("X-Total-Count")
	}
	ids := func(path string) ([]int64, string) { t.Helper(); return idsAs(tok, path) }
	// sameBody: the two paths answered the same bytes (every field, computed ones included).
	sameBody := func(a, b string) {
		t.Helper()
		if bodies[a] != bodies[b] {
			t.Errorf("GET %s and GET %s differ:\n%s\n%s", a, b, bodies[a], bodies[b])
		}
	}
	sqlIDs := func(query string) []int64 {
		t.Helper()
		rows, err := env.Pool.Query(t.Context(), query)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	same := func(what string, got, want []int64) {
		t.Helper()
		if len(got) == 0 || len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %v, want %v", what, got, want)
			}
		}
	}

	for _, off := range []string{"0", "2"} {
		fast, fastTotal := ids("/api/v1/interventions?limit=3&offset=" + off)
		// Every priority named: the same rows through the catch-all query.
		all, allTotal := ids("/api/v1/interventions?limit=3&offset=" + off +
			"&priorite=urgente&priorite=haute&priorite=normale&priorite=basse&priorite=programmee")
		same("interventions, offset "+off, fast, all)
		sameBody("/api/v1/interventions?limit=3&offset="+off, "/api/v1/interventions?limit=3&offset="+off+
			"&priorite=urgente&priorite=haute&priorite=normale&priorite=basse&priorite=programmee")
		same("interventions in SQL order, offset "+off, fast,
			sqlIDs("SELECT id FROM interventions ORDER BY date_creation DESC, id DESC LIMIT 3 OFFSET "+off))
		if fastTotal != allTotal || fastTotal == "" {
			t.Errorf("X-Total-Count %q, catch-all %q", fastTotal, allTotal)
		}

		machines, _ := ids("/api/v1/equipements?limit=3&offset=" + off)
		same("equipements in SQL order, offset "+off, machines,
			sqlIDs("SELECT id FROM equipements ORDER BY created_at DESC, id DESC LIMIT 3 OFFSET "+off))
		sorted, _ := ids("/api/v1/equipements?sort=-created_at&limit=3&offset=" + off)
		same("equipements sorted -created_at, offset "+off, sorted, machines)
		// Every machine of the fixture is operationnel: the same rows, figures included, through
		// the catch-all query.
		operational, _ := ids("/api/v1/equipements?statut=operationnel&limit=3&offset=" + off)
		same("equipements operationnels, offset "+off, operational, machines)
		sameBody("/api/v1/equipements?limit=3&offset="+off, "/api/v1/equipements?statut=operationnel&limit=3&offset="+off)

		accounts, accountsTotal := idsAs(f.admin, "/api/v1/users?limit=3&offset="+off)
		same("users in SQL order, offset "+off, accounts,
			sqlIDs("SELECT id FROM users ORDER BY created_at DESC, id DESC LIMIT 3 OFFSET "+off))
		if n := sqlIDs("SELECT count(*) FROM users"); accountsTotal != strconv.FormatInt(n[0], 10) {
			t.Errorf("users: X-Total-Count %q, %d accounts", accountsTotal, n[0])
		}
		// Every role named: the same rows through the catch-all query.
		byRole, _ := idsAs(f.admin, "/api/v1/users?sort=-created_at&limit=3&offset="+off+"&q=%40")
		same("users through the catch-all query, offset "+off, byRole, accounts)
	}
}
