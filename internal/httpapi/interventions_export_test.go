package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func init() {
	rbacMatrix["exportInterventions"] = rbacRow{allowed: everyAccount, request: noBody}
}

// exportCSV downloads an export and returns its rows (header first).
func exportCSV(t *testing.T, f *ivFixture, token, query string) (*http.Response, [][]string) {
	t.Helper()
	resp, b := f.env.Do(http.MethodGet, "/api/v1/interventions/export"+query, token, "", nil, false)
	if resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Errorf("export without UTF-8 byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, b)
	}
	return resp, rows
}

func exportedIDs(t *testing.T, rows [][]string) []int64 {
	t.Helper()
	var ids []int64
	for _, r := range rows[1:] {
		id, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			t.Fatalf("bad id cell %q", r[0])
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func TestExportGivesEachCallerOnlyTheRowsItMayReadAsCSV(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	own := f.machine(&f.company, nil)
	otherCompany, otherClient := f.clientAccount()
	foreign := f.machine(&otherCompany, nil)
	otherTech, otherTechToken := f.techAccount()

	mine := f.insert("en_cours", own, &f.techID)
	open := f.insert("ouverte", own, nil)
	theirs := f.insert("affectee", foreign, &otherTech)
	closed := f.insert("cloturee", foreign, &f.techID)
	f.exec(`UPDATE interventions SET titre = '=HYPERLINK("http://evil")', cout_main_oeuvre = 1500, cout_pieces = 250 WHERE id = $1`, mine)

	cases := []struct {
		who, token string
		want       []int64
	}{
		{"admin", f.admin, []int64{mine, open, theirs, closed}},
		{"responsable", f.resp, []int64{mine, open, theirs, closed}},
		{"technicien", f.tech, []int64{mine, closed}},
		{"other technicien", otherTechToken, []int64{theirs}},
		{"client", f.client, []int64{mine, open}},
		{"other client", otherClient, []int64{theirs, closed}},
	}
	for _, tc := range cases {
		resp, rows := exportCSV(t, f, tc.token, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.who, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("%s: Content-Type %q", tc.who, ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=\"interventions-") {
			t.Errorf("%s: Content-Disposition %q", tc.who, cd)
		}
		if rows[0][0] != "id" || rows[0][3] != "statut" || len(rows[0]) != 17 {
			t.Errorf("%s: header %v", tc.who, rows[0])
		}
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if got := exportedIDs(t, rows); !slices.Equal(got, want) {
			t.Errorf("%s: exported %v, want %v", tc.who, got, want)
		}
	}

	// Cells are defused against formula injection; costs are the total in cents.
	_, rows := exportCSV(t, f, f.admin, "?statut=en_cours")
	if len(rows) != 2 || rows[1][1] != `'=HYPERLINK("http://evil")` || rows[1][14] != "1750" || rows[1][3] != "en_cours" {
		t.Errorf("filtered export: %v", rows)
	}
	// The filters and the row limit of the list apply.
	if _, rows := exportCSV(t, f, f.admin, "?limit=2&sort=id"); len(rows) != 3 || rows[1][0] != strconv.FormatInt(mine, 10) {
		t.Errorf("limit=2 sort=id: %v", rows)
	}
	if _, rows := exportCSV(t, f, f.admin, "?statut=ouverte&statut=annulee"); len(rows) != 2 || rows[1][0] != strconv.FormatInt(open, 10) {
		t.Errorf("statut filter: %v", rows)
	}
}

func TestExportRejectsBadParametersBeforeWritingAnything(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	for _, q := range []string{"?limit=0", "?limit=50001", "?statut=finie", "?sort=nope", "?created_from=hier", "?limit=1&limit=2"} {
		resp, b := f.env.Do(http.MethodGet, "/api/v1/interventions/export"+q, f.admin, "", nil, true)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: got %d %s, want a 422 problem", q, resp.StatusCode, b)
		}
	}
	if resp, _ := f.env.Do(http.MethodGet, "/api/v1/interventions/export", "", "", nil, false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous export: %d", resp.StatusCode)
	}
}

func TestExportStreamsMoreRowsThanOnePage(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	m := f.machine(&f.company, nil)
	f.exec(`INSERT INTO interventions (titre, type_intervention, equipement_id, client_id)
		SELECT 'Masse ' || g, 'corrective', $1, $2 FROM generate_series(1, 1203) g`, m, f.company)
	_, rows := exportCSV(t, f, f.admin, "?limit=50000")
	if len(rows) != 1204 {
		t.Fatalf("exported %d rows, want 1203 + header", len(rows)-1)
	}
	ids := exportedIDs(t, rows)
	if len(slices.Compact(ids)) != 1203 {
		t.Errorf("duplicated rows across pages")
	}
}
