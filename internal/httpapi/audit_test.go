package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/xuri/excelize/v2"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// auditPage is GET /audit?query as admin: the entries and X-Total-Count.
func auditPage(t *testing.T, env *testenv.Env, query string) ([]api.AuditEntry, int) {
	t.Helper()
	resp, b := env.Do("GET", "/api/v1/audit?"+query, env.Token("admin"), "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /audit?%s: %d %s", query, resp.StatusCode, b)
	}
	var out []api.AuditEntry
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET /audit?%s: %v", query, err)
	}
	total, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if err != nil {
		t.Fatalf("GET /audit?%s: X-Total-Count %q", query, resp.Header.Get("X-Total-Count"))
	}
	return out, total
}

func actionsOf(entries []api.AuditEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Action
	}
	return out
}

// TestAuditTrailReadsWhoDidWhat: an admin reads the trail of changes, refusals, logins and
// lockouts, filtered by actor, action (and the actions under it), record, outcome, request and
// time, a page at a time, and exports it as CSV and XLSX; nobody else reads it, and nobody can
// edit or delete an entry, not even with SQL.
func TestAuditTrailReadsWhoDidWhat(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"LOGIN_MAX_FAILURES": "2"})
	start := time.Now().Add(-time.Second)
	var techID int64
	if err := env.Pool.QueryRow(t.Context(), "SELECT id FROM users WHERE username = 'technicien'").Scan(&techID); err != nil {
		t.Fatal(err)
	}

	// A change: the admin creates a machine.
	resp, b := env.Do("POST", "/api/v1/equipements", env.Token("admin"), "application/json",
		strings.NewReader(`{"nom":"Presse auditée","type":"presse","localisation":"Atelier"}`), false)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create machine: %d %s", resp.StatusCode, b)
	}
	var machine api.Equipement
	if err := json.Unmarshal(b, &machine); err != nil {
		t.Fatal(err)
	}
	createRequest := resp.Header.Get("X-Request-ID")
	// A refusal: the technicien tries to read the trail.
	resp, b = env.Do("GET", "/api/v1/audit", env.Token("technicien"), "", nil, false)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technicien reads the trail: %d %s", resp.StatusCode, b)
	}
	resp, b = env.Do("GET", "/api/v1/audit/export", env.Token("responsable"), "", nil, false)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("responsable exports the trail: %d %s", resp.StatusCode, b)
	}
	// A refusal by a service, past the gate: a client asks for a staff-only report.
	resp, b = env.Do("POST", "/api/v1/rapports", env.Token("client"), "application/json",
		strings.NewReader(`{"type":"techniciens","format":"pdf"}`), false)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("client asks for the technicians' report: %d %s", resp.StatusCode, b)
	}
	serviceRefusal := resp.Header.Get("X-Request-ID")
	// Two wrong passwords lock the client's account from this address; the next try is refused.
	for i := range 3 {
		resp, b = env.Do("POST", "/api/v1/auth/token", "", "application/x-www-form-urlencoded",
			testenv.Form("username", "client", "password", "mauvais"), false)
		if want := []int{401, 401, 429}[i]; resp.StatusCode != want {
			t.Fatalf("wrong password %d: %d %s, want %d", i+1, resp.StatusCode, b, want)
		}
	}

	// The change, found by its request, by its record and by its actor.
	got, total := auditPage(t, env, "request_id="+url.QueryEscape(createRequest))
	if total != 1 || len(got) != 1 {
		t.Fatalf("entries of request %s: %d %v", createRequest, total, actionsOf(got))
	}
	e := got[0]
	if e.Action != "equipement.created" || e.Outcome != api.AuditOutcomeSuccess || e.ResourceType != "equipement" ||
		e.ResourceId != strconv.FormatInt(machine.Id, 10) || e.ActorUsername == nil || *e.ActorUsername != "admin" ||
		e.ActorRole != "admin" || e.ClientIp == "" || e.OccurredAt.Before(start) {
		t.Errorf("the creation's entry: %+v", e)
	}
	if got, _ := auditPage(t, env, "resource_type=equipement&resource_id="+strconv.FormatInt(machine.Id, 10)); len(got) != 1 || got[0].Id != e.Id {
		t.Errorf("by record: %v", actionsOf(got))
	}

	// The refusals, by outcome and by actor: the gate's two and the service's, once each.
	denied, _ := auditPage(t, env, "outcome=denied")
	if acts := actionsOf(denied); !slices.Equal(acts, []string{"access.denied", "rbac.denied", "rbac.denied"}) {
		t.Fatalf("denied: %+v", denied)
	}
	if d := denied[0]; d.ResourceId != "createRapport" || d.ActorUsername == nil || *d.ActorUsername != "client" ||
		d.RequestId != serviceRefusal || !strings.Contains(fmt.Sprint(d.Details["detail"]), "réservé") {
		t.Errorf("the service's refusal: %+v", d)
	}
	byTech, _ := auditPage(t, env, "actor="+strconv.FormatInt(techID, 10))
	if len(byTech) == 0 {
		t.Fatal("no entry of the technicien")
	}
	sawRefusal := false
	for _, e := range byTech {
		if e.ActorId == nil || *e.ActorId != techID {
			t.Errorf("actor filter let through %+v", e)
		}
		if e.Action == "rbac.denied" && e.ResourceId == "listAudit" && e.Outcome == api.AuditOutcomeDenied {
			sawRefusal = true
		}
	}
	if !sawRefusal {
		t.Errorf("the technicien's refusal is missing: %+v", byTech)
	}

	// Logins and the lockout: an action matches itself and the actions under it, word by word.
	logins, _ := auditPage(t, env, "action=auth.login&limit=500")
	for _, e := range logins {
		if !strings.HasPrefix(e.Action, "auth.login.") {
			t.Errorf("action=auth.login let through %s", e.Action)
		}
	}
	acts := actionsOf(logins)
	if !slices.Contains(acts, "auth.login.success") || !slices.Contains(acts, "auth.login.locked") ||
		slices.Index(acts, "auth.login.failed") < 0 {
		t.Errorf("logins: %v", acts)
	}
	if got, total := auditPage(t, env, "action=auth.log"); total != 0 {
		t.Errorf("action=auth.log matched %v", actionsOf(got))
	}
	failures, _ := auditPage(t, env, "outcome=failure")
	if acts := actionsOf(failures); !slices.Equal(acts, []string{"auth.login.locked", "auth.login.failed", "auth.lockout", "auth.login.failed"}) {
		t.Errorf("failures, newest first: %v", acts)
	}

	// Newest first, a page at a time, with the total.
	all, total := auditPage(t, env, "limit=500")
	if total != len(all) || total < 8 {
		t.Fatalf("whole trail: %d entries, total %d", len(all), total)
	}
	for i := 1; i < len(all); i++ {
		if all[i].OccurredAt.After(all[i-1].OccurredAt) || all[i].OccurredAt.Equal(all[i-1].OccurredAt) && all[i].Id > all[i-1].Id {
			t.Fatalf("not newest first at %d: %+v then %+v", i, all[i-1], all[i])
		}
	}
	page, pageTotal := auditPage(t, env, "limit=3&offset=2")
	if pageTotal != total || len(page) != 3 || page[0].Id != all[2].Id || page[2].Id != all[4].Id {
		t.Errorf("page 3 of 3 from 2: total %d, %v", pageTotal, actionsOf(page))
	}
	// Time window: from inclusive, to exclusive.
	at := url.QueryEscape(all[0].OccurredAt.Format(time.RFC3339Nano))
	if got, _ := auditPage(t, env, "from="+at); len(got) == 0 || got[len(got)-1].OccurredAt.Before(all[0].OccurredAt) {
		t.Errorf("from the newest: %v", actionsOf(got))
	}
	if got, total := auditPage(t, env, "from="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))); total != 0 {
		t.Errorf("from the future: %v", actionsOf(got))
	}
	if got, total := auditPage(t, env, "to="+url.QueryEscape(start.Format(time.RFC3339Nano))); total != 0 {
		t.Errorf("before the test: %v", actionsOf(got))
	}

	// Bad filters are 422 naming the field.
	for query, field := range map[string]string{
		"outcome=ok": "outcome", "actor=0": "actor", "from=hier": "from",
		"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z": "to", "limit=501": "limit",
	} {
		resp, b := env.Do("GET", "/api/v1/audit?"+query, env.Token("admin"), "", nil, true)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"`+field+`"`) {
			t.Errorf("?%s: %d %s, want 422 naming %s", query, resp.StatusCode, b, field)
		}
	}

	// CSV export: the same entries in the same order, the actor's name and the details as JSON.
	resp, b = env.Do("GET", "/api/v1/audit/export?outcome=failure", env.Token("admin"), "", nil, false)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "audit-") || !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatalf("CSV export: %d %v %.300s", resp.StatusCode, resp.Header, b)
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(failures)+1 || strings.Join(recs[0], "|") !=
		"N°|Date (UTC)|Acteur n°|Acteur|Rôle|Action|Résultat|Type de ressource|Ressource|Adresse IP|Requête|Détails" {
		t.Fatalf("CSV: %v", recs)
	}
	for i, r := range recs[1:] {
		if r[0] != strconv.FormatInt(failures[i].Id, 10) || r[5] != failures[i].Action || r[6] != "failure" {
			t.Errorf("CSV row %d: %v, want %+v", i, r, failures[i])
		}
		var details map[string]any
		if err := json.Unmarshal([]byte(r[11]), &details); err != nil {
			t.Errorf("CSV row %d details %q: %v", i, r[11], err)
		}
		if r[5] == "auth.login.failed" && (r[3] != "client" || details["identifier"] != "client") {
			t.Errorf("failed login row: %v", r)
		}
	}
	// XLSX: the same rows in a workbook.
	resp, b = env.Do("GET", "/api/v1/audit/export?format=excel&action=auth.login", env.Token("admin"), "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("XLSX export: %d %.300s", resp.StatusCode, b)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows(wb.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(logins)+1 || rows[1][5] != logins[0].Action {
		t.Errorf("XLSX rows %d (want %d): %v", len(rows), len(logins)+1, rows)
	}

	// Append-only, for the database itself.
	for _, stmt := range []string{
		fmt.Sprintf("UPDATE audit_log SET action = 'rien' WHERE id = %d", e.Id),
		fmt.Sprintf("DELETE FROM audit_log WHERE id = %d", e.Id),
	} {
		_, err := env.Pool.Exec(t.Context(), stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23001" {
			t.Errorf("%s: %v, want restrict_violation", stmt, err)
		}
	}
	// A deleted account's entries keep its id.
	resp, b = env.Do("POST", "/api/v1/users", env.Token("admin"), "application/json", strings.NewReader(
		`{"username":"passager","full_name":"Passager","email":"passager@example.com","role":"client","password":"`+userPassword+`"}`), false)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create user: %d %s", resp.StatusCode, b)
	}
	var u api.User
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatal(err)
	}
	env.Login("passager", userPassword)
	if _, err := env.Pool.Exec(t.Context(), "DELETE FROM users WHERE id = $1", u.Id); err != nil {
		t.Fatal(err)
	}
	gone, _ := auditPage(t, env, "actor="+strconv.FormatInt(u.Id, 10))
	if len(gone) != 1 || gone[0].Action != "auth.login.success" || gone[0].ActorUsername != nil {
		t.Errorf("after the account's deletion: %+v", gone)
	}
	if got, _ := auditPage(t, env, "resource_type=user&resource_id="+strconv.FormatInt(u.Id, 10)+"&action=user"); len(got) != 1 ||
		got[0].Action != "user.created" || *got[0].ActorId == u.Id {
		t.Errorf("the account's creation: %+v", got)
	}
}
