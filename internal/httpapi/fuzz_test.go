package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/csvin"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
	"github.com/mif-erp/erp/internal/text"
)

// The fuzz targets of the HTTP layer each run one server (per fuzzing process) and send it
// requests; the server's answers are checked against the contract by the test client (any
// status or body the contract does not declare fails), on top of each target's properties.

// fuzzEnv is the server of a fuzz target. Failed logins do not lock anything out within a run:
// at most 1000 failures a second (a fuzzing process makes fewer).
func fuzzEnv(f *testing.F) *testenv.Env {
	return testenv.NewEnv(f, pg, testenv.Options{"LOGIN_MAX_FAILURES": "1000", "LOGIN_FAILURE_WINDOW_SECONDS": "1"})
}

// loginAccount is the demo account an identifier names (a username or an e-mail, case aside).
func loginAccount(identifier string) (seed.Account, bool) {
	for _, a := range seed.Accounts {
		if strings.EqualFold(identifier, a.Username) || strings.EqualFold(identifier, a.Email) {
			return a, true
		}
	}
	return seed.Account{}, false
}

func problemFields(t *testing.T, body []byte) []string {
	t.Helper()
	var p api.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem document: %v: %s", err, body)
	}
	var names []string
	if p.Errors != nil {
		for _, e := range *p.Errors {
			names = append(names, e.Field)
		}
	}
	return names
}

// FuzzLoginForm: POST /auth/token and /auth/login read the username, email and password form
// fields, urlencoded or multipart, as sent: any text logs in exactly when the identifier
// (username, or email when username is blank), trimmed, names a demo account (case aside) and
// the password is its own, byte for byte; a field that is not storable text (NUL, invalid UTF-8),
// a blank identifier or an empty password is a 422 naming the field; fields past the contract's
// lengths a 422; never a 5xx, and never a token for a wrong password.
func FuzzLoginForm(f *testing.F) {
	env := fuzzEnv(f)
	f.Add("admin", "", "Admin12345!", uint8(5), false, false)
	f.Add("", "ADMIN@mif.ma", "Admin12345!", uint8(6), true, false)
	f.Add("  technicien\t", "client@mif.ma", "Tech12345!", uint8(7), true, true)
	f.Add(" ", "client@mif.ma", "Client1234!", uint8(7), false, true)
	f.Add("responsable", "", "responsable123!", uint8(5), false, false)
	f.Add("admin", "", "Admin12345! ", uint8(5), true, false)
	f.Add("", "", "x", uint8(4), false, false)
	f.Add("admin", "", "", uint8(5), false, true)
	f.Add("admin", "", "Admin12345!", uint8(1), false, false)
	f.Add("a&b=c%20d+e", "é\u00a0", "p+w%26d=&", uint8(7), false, false)
	f.Add("admin\x00", "", "Admin12345!", uint8(5), false, false)
	f.Add("\xff\xfe", "", "Admin12345!", uint8(5), true, false)
	f.Add(strings.Repeat("a", 256), "", "x", uint8(5), false, false)
	f.Add("admin", "", strings.Repeat("é", 73), uint8(5), true, true)
	f.Fuzz(func(t *testing.T, username, email, password string, send uint8, multi, loginPath bool) {
		e := env.For(t)
		sendUser, sendEmail, sendPassword := send&1 != 0, send&2 != 0, send&4 != 0
		var fields [][2]string
		if sendUser {
			fields = append(fields, [2]string{"username", username})
		}
		if sendEmail {
			fields = append(fields, [2]string{"email", email})
		}
		if sendPassword {
			fields = append(fields, [2]string{"password", password})
		}
		var body bytes.Buffer
		contentType := "application/x-www-form-urlencoded"
		if multi {
			w := multipart.NewWriter(&body)
			for _, kv := range fields {
				if err := w.WriteField(kv[0], kv[1]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			contentType = w.FormDataContentType()
		} else {
			v := url.Values{}
			for _, kv := range fields {
				v.Add(kv[0], kv[1])
			}
			body.WriteString(v.Encode())
		}
		path := "/api/v1/auth/token"
		if loginPath {
			path = "/api/v1/auth/login"
		}
		resp, b := e.Do(http.MethodPost, path, "", contentType, &body, true)

		tooLong := sendUser && utf8.RuneCountInString(username) > 255 || sendEmail && utf8.RuneCountInString(email) > 255 ||
			sendPassword && utf8.RuneCountInString(password) > 72
		var unstorable []string // the gate refuses NUL and invalid UTF-8 in any field
		for _, kv := range fields {
			if text.Unstorable(kv[1]) != "" {
				unstorable = append(unstorable, kv[0])
			}
		}
		identifier := ""
		switch {
		case sendUser && strings.TrimSpace(username) != "":
			identifier = username
		case sendEmail && strings.TrimSpace(email) != "":
			identifier = email
		}
		identifier = strings.TrimSpace(identifier)
		account, known := loginAccount(identifier)
		right := known && sendPassword && password == account.Password

		switch st := resp.StatusCode; {
		case st >= 500:
			t.Fatalf("%d to %q: %s", st, fields, b)
		case st == http.StatusOK:
			if !right {
				t.Fatalf("tokens for %q", fields)
			}
			var tok api.TokenResponse
			if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
				t.Fatalf("tokens %s (%v)", b, err)
			}
		case st == http.StatusTooManyRequests: // a lock (not expected at these rates)
		case len(unstorable) > 0:
			if st != http.StatusUnprocessableEntity || !slices.Contains(problemFields(t, b), unstorable[0]) {
				t.Fatalf("%d to %q, want 422 on %s: %s", st, fields, unstorable[0], b)
			}
		case tooLong || !sendPassword:
			if st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
				t.Fatalf("%d to %q, want 422", st, fields)
			}
		case right:
			t.Fatalf("%d to the right credentials %q: %s", st, fields, b)
		case identifier == "":
			if st != http.StatusUnprocessableEntity || !slices.Contains(problemFields(t, b), "username") {
				t.Fatalf("%d to %q, want 422 on username: %s", st, fields, b)
			}
		case password == "":
			if st != http.StatusUnprocessableEntity || !slices.Contains(problemFields(t, b), "password") {
				t.Fatalf("%d to %q, want 422 on password: %s", st, fields, b)
			}
		case st != http.StatusUnauthorized && st != http.StatusBadRequest && st != http.StatusUnprocessableEntity:
			t.Fatalf("%d to %q, want 401: %s", st, fields, b)
		}
	})
}

// FuzzLoginBody: whatever the body of POST /auth/token (urlencoded, multipart, JSON, text...),
// the answer is one the contract declares, never a 5xx, and tokens only for a demo account's
// password.
func FuzzLoginBody(f *testing.F) {
	env := fuzzEnv(f)
	types := []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=B", "application/json",
		"text/plain", "", "multipart/form-data", "application/x-www-form-urlencoded; charset=latin1"}
	f.Add([]byte("username=admin&password=Admin12345%21"), uint8(0))
	f.Add([]byte("username=admin&password=Admin12345%21&password=x&username=client"), uint8(0))
	f.Add([]byte("username=%zz&password=%"), uint8(0))
	f.Add([]byte("username=admin;password=Admin12345%21"), uint8(0))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n--B\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nAdmin12345!\r\n--B--\r\n"), uint8(1))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"password\"; filename=\"p\"\r\n\r\nAdmin12345!\r\n--B--\r\n"), uint8(1))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin"), uint8(1))
	f.Add([]byte(`{"username":"admin","password":"Admin12345!"}`), uint8(2))
	f.Add([]byte("username=admin&password=Admin12345%21"), uint8(3))
	f.Add([]byte(""), uint8(4))
	f.Add([]byte("username=admin&password=Admin12345%21"), uint8(5))
	f.Add([]byte("username=admin\x00&password=Admin12345%21"), uint8(6))
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		e := env.For(t)
		resp, b := e.Do(http.MethodPost, "/api/v1/auth/token", "", types[int(ct)%len(types)], bytes.NewReader(body), true)
		switch st := resp.StatusCode; {
		case st >= 500:
			t.Fatalf("%d to %q: %s", st, body, b)
		case st == http.StatusOK:
			var tok api.TokenResponse
			if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
				t.Fatalf("tokens %s (%v)", b, err)
			}
			found := false
			for _, a := range seed.Accounts {
				found = found || bodyHas(body, a.Password)
			}
			if !found {
				t.Fatalf("tokens for a body without a demo password: %q", body)
			}
		}
	})
}

// bodyHas reports whether a login body carries password: as is, percent-encoded in a pair, or
// quoted-printable (a multipart part may say so).
func bodyHas(body []byte, password string) bool {
	if bytes.Contains(body, []byte(password)) {
		return true
	}
	for _, pair := range strings.Split(string(body), "&") {
		if v, err := url.QueryUnescape(pair); err == nil && strings.Contains(v, password) {
			return true
		}
	}
	qp, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
	return bytes.Contains(qp, []byte(password))
}

// listFixture writes a machine and interventions of every statut, priorite and type, titles
// and dates apart, for the list targets.
func listFixture(f *testing.F, env *testenv.Env) int64 {
	var machine int64
	if err := env.Pool.QueryRow(f.Context(), `INSERT INTO equipements (nom, type_equipement, localisation)
		VALUES ('Presse fuzz', 'presse', 'Atelier') RETURNING id`).Scan(&machine); err != nil {
		f.Fatal(err)
	}
	_, err := env.Pool.Exec(f.Context(), `INSERT INTO interventions (titre, description, type_intervention, statut, priorite,
			equipement_id, date_creation, date_limite, date_debut_travaux, date_fin_travaux, date_cloture, date_archivage,
			motif_annulation)
		SELECT (ARRAY['Fuite d''huile', 'Révision pompe', '=SUM(A1)', 'bruit roulement', 'Zéro défaut'])[1 + g % 5] || ' ' || g,
			'Intervention ' || g || ', presse hydraulique',
			(ARRAY['corrective', 'preventive', 'ameliorative', 'diagnostic'])[1 + g % 4]::intervention_type,
			s.statut::intervention_statut,
			(ARRAY['urgente', 'haute', 'normale', 'basse', 'programmee'])[1 + g % 5]::intervention_priorite,
			$1, now() - g * interval '7 hours', now() + (g - 12) * interval '1 day',
			CASE WHEN s.statut IN ('en_attente', 'cloturee', 'archivee') THEN now() - g * interval '2 hours' END,
			CASE WHEN s.statut IN ('cloturee', 'archivee') THEN now() - g * interval '1 hour' END,
			CASE WHEN s.statut IN ('cloturee', 'archivee') THEN now() - g * interval '1 hour' END,
			CASE WHEN s.statut = 'archivee' THEN now() - g * interval '30 minutes' END,
			CASE WHEN s.statut = 'annulee' THEN 'Doublon' END
		FROM generate_series(1, 28) g
		CROSS JOIN LATERAL (SELECT (ARRAY['ouverte', 'en_attente', 'cloturee', 'annulee', 'archivee', 'ouverte', 'en_attente'])[1 + g % 7] AS statut) s`,
		machine)
	if err != nil {
		f.Fatal(err)
	}
	return machine
}

// FuzzInterventionListQuery: whatever the query string of GET /interventions (sort, filters,
// paging, dates as days or timestamps, search), the answer is one the contract declares (a
// 200 page or a 422, never a 400 or a 5xx); a page holds at most limit rows, no more than
// X-Total-Count, only the statuts asked for, in the order of an id or date_creation sort.
func FuzzInterventionListQuery(f *testing.F) {
	env := fuzzEnv(f)
	listFixture(f, env)
	admin := env.Token("admin")
	for _, q := range []string{"", "sort=-id&limit=5", "sort=id&statut=ouverte&statut=cloturee", "sort=pertinence&q=pompe",
		"sort=pertinence", "sort=titre&offset=3&limit=2", "sort=date_creation&created_from=2020-01-01&created_to=2030-01-01",
		"created_from=2026-03-04T23:30:00-05:00&deadline_before=2099-12-31T00:00:00Z", "created_from=2026-02-30",
		"limit=0", "limit=501", "limit=-1", "offset=2147483648", "limit=abc", "statut=nope", "statut=ouverte,cloturee",
		"priorite=haute&type=corrective&urgence=true&en_retard=false", "technicien_id=0", "equipement_id=-1",
		"q=%00", "q=%ff", "q=" + strings.Repeat("x", 201), "q=50%25_x", "sort=-priorite&priorite=urgente",
		"client_id=9223372036854775807", "contrat_id=9223372036854775808", "created_to=0000-01-01", "%zz", "a=1;b=2",
		"limit=1&limit=2", "sort=", "sort=-", "urgence=maybe"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, query string) {
		if strings.ContainsAny(query, "# \x7f") || strings.ContainsFunc(query, func(r rune) bool { return r < 0x20 || r >= 0x80 }) {
			return // not a query string a client sends unescaped
		}
		e := env.For(t)
		resp, b := e.Do(http.MethodGet, "/api/v1/interventions?"+query, admin, "", nil, true)
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusUnprocessableEntity:
			if len(problemFields(t, b)) == 0 {
				t.Fatalf("422 naming no parameter: %s", b)
			}
			return
		default:
			t.Fatalf("%d to ?%s: %s", resp.StatusCode, query, b)
		}
		var page []api.Intervention
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatalf("page: %v: %s", err, b)
		}
		total, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
		if err != nil || total < len(page) {
			t.Fatalf("X-Total-Count %q for %d rows", resp.Header.Get("X-Total-Count"), len(page))
		}
		v, err := url.ParseQuery(query)
		if err != nil {
			return // the server read the pairs it could
		}
		limit := interventions.DefaultLimit
		if l, err := strconv.Atoi(v.Get("limit")); err == nil && l > 0 {
			limit = l
		}
		if len(page) > limit {
			t.Fatalf("%d rows for limit %d", len(page), limit)
		}
		if statuts := v["statut"]; len(statuts) > 0 && !slices.ContainsFunc(statuts, func(s string) bool { return strings.Contains(s, ",") }) {
			for _, iv := range page {
				if !slices.Contains(statuts, string(iv.Statut)) {
					t.Fatalf("statut %s in a page of %q", iv.Statut, statuts)
				}
			}
		}
		for i := 1; i < len(page); i++ {
			a, b := page[i-1], page[i]
			var ordered bool
			switch v.Get("sort") {
			case "id":
				ordered = a.Id < b.Id
			case "-id":
				ordered = a.Id > b.Id
			case "date_creation":
				ordered = !a.DateCreation.After(b.DateCreation)
			case "", "-date_creation":
				ordered = !a.DateCreation.Before(b.DateCreation)
			default:
				ordered = true
			}
			if !ordered {
				t.Fatalf("sort %q: %d (%v) before %d (%v)", v.Get("sort"), a.Id, a.DateCreation, b.Id, b.DateCreation)
			}
		}
	})
}

// FuzzInterventionExportTitle: an intervention created with any title (the contract's: 1 to
// 255 characters, some of them not blank, no NUL) is created, others are a 422; the CSV export
// (GET /interventions/export) reads back with encoding/csv, its header first, and the new
// intervention's title cell gives back the stored title (line breaks as "\n") and does not
// start like a formula.
func FuzzInterventionExportTitle(f *testing.F) {
	env := fuzzEnv(f)
	machine := listFixture(f, env)
	admin := env.Token("admin")
	for _, s := range []string{"Fuite d'huile, presse nº 2", "=HYPERLINK(\"http://x\",\"clic\")", "+33 6 12", "-1", "@SUM(A1)",
		"'=déjà", "''+x", "\ttab", "ligne 1\r\nligne 2", "a\rb", "\"guillemets\"; point-virgule", "  espaces  ", " ", "",
		"a\x00b", strings.Repeat("é", 255), strings.Repeat("é", 256), "\\.", "\u2028", "\r\r\n="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, titre string) {
		if !utf8.ValidString(titre) {
			return // JSON carries UTF-8 only
		}
		e := env.For(t)
		body, _ := json.Marshal(map[string]any{"titre": titre, "equipement_id": machine, "type": "corrective"})
		resp, b := e.Do(http.MethodPost, "/api/v1/interventions", admin, "application/json", bytes.NewReader(body), true)
		valid := strings.TrimSpace(titre) != "" && utf8.RuneCountInString(titre) <= 255 && !strings.ContainsRune(titre, 0)
		if resp.StatusCode != http.StatusCreated {
			if valid || resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%d to the title %q: %s", resp.StatusCode, titre, b)
			}
			return
		}
		if !valid {
			t.Fatalf("created with the title %q", titre)
		}
		var iv api.Intervention
		if err := json.Unmarshal(b, &iv); err != nil {
			t.Fatal(err)
		}
		if iv.Titre != strings.TrimSpace(titre) {
			t.Fatalf("title %q stored as %q", titre, iv.Titre)
		}
		resp, b = e.Do(http.MethodGet, fmt.Sprintf("/api/v1/interventions/export?sort=-id&limit=1&equipement_id=%d", machine), admin, "", nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d %s", resp.StatusCode, b)
		}
		data, ok := bytes.CutPrefix(b, []byte("\xEF\xBB\xBF"))
		if !ok {
			t.Fatal("no byte-order mark")
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil || len(recs) != 2 || len(recs[0]) != len(recs[1]) || recs[0][0] != "id" || recs[0][1] != "titre" {
			t.Fatalf("export reads as %q (%v):\n%q", recs, err, data)
		}
		cell := recs[1][1]
		want := strings.ReplaceAll(strings.ReplaceAll(iv.Titre, "\r\n", "\n"), "\r", "\n")
		if recs[1][0] != strconv.FormatInt(iv.Id, 10) || csvin.UnsafeCell(cell) != want ||
			cell != "" && strings.ContainsRune("=+-@\t\r\n", rune(cell[0])) {
			t.Fatalf("title %q exported as %q (row %q)", iv.Titre, cell, recs[1])
		}
	})
}
