package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// exportCSV reads an export as CSV records (the byte order mark checked and dropped).
func listExportCSV(t *testing.T, f *reportFixture, token, path string) [][]string {
	t.Helper()
	resp, b := f.env.Do("GET", "/api/v1"+path, token, "", nil, false)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), ".csv") || !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatalf("%s: %d %v %.300s", path, resp.StatusCode, resp.Header, b)
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// column is the values of the column named name, header left out.
func column(t *testing.T, recs [][]string, name string) []string {
	t.Helper()
	for i, h := range recs[0] {
		if h == name {
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[i])
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, recs[0])
	return nil
}

// TestListExports: each list exports as CSV and XLSX with its filters and scope, names next to
// ids, page after page up to its limit.
func TestListExports(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	f.exec(`UPDATE equipements SET nom = '=HYPERLINK("x")' WHERE id = $1`, f.m2)
	piece := f.id(`INSERT INTO pieces (nom, reference, cout_moyen) VALUES ('Courroie', 'CR-12', 1500) RETURNING id`)
	f.exec(`INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres, cout_unitaire, devise, user_id)
		VALUES ($1, 'entree', 10, 0, 10, 1500, 'MAD', $2)`, piece, f.adminID)
	f.exec(`INSERT INTO notifications (user_id, type, canal, titre, created_at)
		SELECT $1, 'information', 'log', 'Message ' || g, now() - g * interval '1 minute' FROM generate_series(1, 620) g`, f.adminID)

	// Machines: names of the company and the contract next to their ids; a formula defused.
	recs := listExportCSV(t, f, f.resp, "/equipements/export?sort=id")
	if len(recs) != 5 || strings.Join(recs[0][:4], "|") != "N°|Nom|Type|Localisation" {
		t.Fatalf("equipements: %v", recs)
	}
	if c := column(t, recs, "Client"); c[0] != "Société ABC" || c[1] != "" {
		t.Errorf("client names %v", c)
	}
	if c := column(t, recs, "Nom"); c[1] != `'=HYPERLINK("x")` {
		t.Errorf("formula not defused: %q", c[1])
	}
	if c := column(t, recs, "Contrat"); !strings.HasPrefix(c[0], "CTR-IV-") {
		t.Errorf("contract numbers %v", c)
	}
	// The client reads its own machines only; the list's filters apply.
	if recs := listExportCSV(t, f, f.client, "/equipements/export"); len(recs) != 2 {
		t.Errorf("client's machines: %v", recs)
	}
	if recs := listExportCSV(t, f, f.resp, "/equipements/export?client_id="+itoa(f.company)); len(recs) != 2 {
		t.Errorf("client_id filter: %v", recs)
	}

	// XLSX by format= or by Accept; a typed sheet with a frozen header.
	for _, how := range []struct{ query, accept string }{{"?format=excel", ""},
		{"", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", f.env.URL+"/planning/export"+how.query, nil)
		req.Header.Set("Authorization", "Bearer "+f.resp)
		if how.accept != "" {
			req.Header.Set("Accept", how.accept)
		}
		resp, err := f.env.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		x, err := excelize.OpenReader(&buf)
		if err != nil || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("planning xlsx %q: %v %v", how, err, resp.Header)
		}
		rows, _ := x.GetRows("Planning")
		if len(rows) != 3 || !strings.HasPrefix(rows[1][2], "Machine IV") {
			t.Errorf("planning rows %v", rows)
		}
		if panes, err := x.GetPanes("Planning"); err != nil || !panes.Freeze {
			t.Errorf("header not frozen: %v", err)
		}
		x.Close()
	}

	// The parts catalogue as a workbook (its CSV stays the import's format).
	resp, b := f.env.Do("GET", "/api/v1/pieces/export?format=excel", f.resp, "", nil, false)
	px, err := excelize.OpenReader(bytes.NewReader(b))
	if resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("pieces xlsx: %d %v", resp.StatusCode, err)
	}
	if rows, _ := px.GetRows("Pièces"); len(rows) != 2 || rows[1][1] != "CR-12" {
		t.Errorf("pieces sheet %v", rows)
	}
	if v, _ := px.GetCellValue("Pièces", "L2", excelize.Options{RawCellValue: true}); v != "15" {
		t.Errorf("coût moyen raw %q, want 15 (MAD)", v)
	}
	px.Close()

	// Technicians, companies, contracts, movements, notifications.
	if c := column(t, listExportCSV(t, f, f.resp, "/techniciens/export"), "Nom"); len(c) != 2 {
		t.Errorf("techniciens %v", c)
	}
	if c := column(t, listExportCSV(t, f, f.resp, "/clients/export"), "Entreprise"); len(c) != 2 {
		t.Errorf("clients %v", c)
	}
	if c := column(t, listExportCSV(t, f, f.client, "/contrats/export"), "Client"); len(c) != 1 || c[0] != "Société ABC" {
		t.Errorf("the client's contracts %v", c)
	}
	recs = listExportCSV(t, f, f.resp, "/pieces/mouvements/export")
	if c := column(t, recs, "Utilisateur"); len(c) != 1 || c[0] == "" || column(t, recs, "Valeur (MAD)")[0] != "150.00" {
		t.Errorf("mouvements %v", recs)
	}
	// Past a page of 500, up to the limit.
	if recs := listExportCSV(t, f, f.resp, "/notifications/export"); len(recs) != 621 || column(t, recs, "Utilisateur")[0] == "" {
		t.Errorf("notifications: %d rows", len(recs)-1)
	}
	if recs := listExportCSV(t, f, f.resp, "/notifications/export?limit=550"); len(recs) != 551 {
		t.Errorf("limit=550: %d rows", len(recs)-1)
	}
	// A filter the list refuses is a 422 before the file starts; the roles of the list apply.
	resp, b = f.env.Do("GET", "/api/v1/clients/export?sort=ville", f.resp, "", nil, true)
	stockProblem(t, resp.StatusCode, b, http.StatusUnprocessableEntity, "sort")
	if resp, _ := f.env.Do("GET", "/api/v1/notifications/export", f.client, "", nil, false); resp.StatusCode != http.StatusForbidden {
		t.Errorf("client on notifications export: %d", resp.StatusCode)
	}
}
