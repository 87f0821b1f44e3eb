package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/xuri/excelize/v2"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/pdftest"
	"github.com/mif-erp/erp/internal/testenv"
)

// reportFixture is the KPI fixture (March 2026) on a server whose files are in dir.
type reportFixture struct {
	*kpiFixture
	dir string
}

func newReportFixture(t *testing.T) *reportFixture { return newReportFixtureWith(t, nil) }

func newReportFixtureWith(t *testing.T, opts testenv.Options) *reportFixture {
	dir := t.TempDir()
	all := testenv.Options{"STORAGE_URL": "file://" + filepath.ToSlash(dir)}
	for k, v := range opts {
		all[k] = v
	}
	return &reportFixture{kpiFixture: newKpiFixtureOn(t, testenv.NewEnv(t, pg, all)), dir: dir}
}

func marchReport(typ api.RapportType, format api.RapportFormat) api.RapportCreate {
	return api.RapportCreate{Type: typ, Format: format,
		From: &openapi_types.Date{Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		To:   &openapi_types.Date{Time: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}}
}

func (f *reportFixture) ask(token string, body api.RapportCreate, editors ...api.RequestEditorFn) *api.CreateRapportResponse {
	f.t.Helper()
	r, err := f.env.Client.CreateRapportWithResponse(f.t.Context(), body, append([]api.RequestEditorFn{testenv.As(token)}, editors...)...)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// queued asks for a report and returns it, failing unless it is queued.
func (f *reportFixture) queued(token string, body api.RapportCreate) api.Rapport {
	f.t.Helper()
	r := f.ask(token, body)
	if r.JSON202 == nil {
		f.t.Fatalf("ask %s/%s: %d %s", body.Type, body.Format, r.StatusCode(), r.Body)
	}
	return *r.JSON202
}

func (f *reportFixture) report(token string, id int64) api.Rapport {
	f.t.Helper()
	r, err := f.env.Client.GetRapportWithResponse(f.t.Context(), id, testenv.As(token))
	if err != nil || r.JSON200 == nil {
		f.t.Fatalf("report %d: %v %d %s", id, err, r.StatusCode(), r.Body)
	}
	return *r.JSON200
}

func (f *reportFixture) download(token string, id int64) *api.DownloadRapportResponse {
	f.t.Helper()
	r, err := f.env.Client.DownloadRapportWithResponse(f.t.Context(), id, nil, testenv.As(token))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// made runs the worker and returns the report, failing unless it is completed.
func (f *reportFixture) made(token string, id int64) (api.Rapport, []byte) {
	f.t.Helper()
	runReports(f.t, f.env)
	r := f.report(token, id)
	if r.Statut != api.RapportStatutCompleted {
		f.t.Fatalf("report %d: %s (%v)", id, r.Statut, r.Erreur)
	}
	d := f.download(token, id)
	if d.StatusCode() != http.StatusOK || int64(len(d.Body)) != *r.Taille {
		f.t.Fatalf("download %d: %d, %d bytes of %d", id, d.StatusCode(), len(d.Body), *r.Taille)
	}
	return r, d.Body
}

// TestRapportsInEveryFormat: a report asked for answers 202 at once; the worker makes it; the
// file is downloaded by bearer and by signed link, and reads back in each format with the
// fixture's figures; the requester is notified.
func TestRapportsInEveryFormat(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	ids := map[api.RapportFormat]int64{}
	for _, format := range []api.RapportFormat{api.RapportFormatPdf, api.RapportFormatExcel, api.RapportFormatCsv, api.RapportFormatJson} {
		body := marchReport(api.RapportTypeInterventions, format)
		body.Titre = ptrTo("Interventions de mars")
		if format == api.RapportFormatCsv {
			body.Separateur = ptrTo(api.RapportCreateSeparateur(";"))
		}
		r := f.ask(f.resp, body)
		if r.JSON202 == nil || r.HTTPResponse.Header.Get("Location") != "/api/v1/rapports/"+itoa(r.JSON202.Id) ||
			r.JSON202.Statut != api.RapportStatutPending || r.JSON202.Url != nil || r.JSON202.Tentatives != 0 {
			t.Fatalf("%s: %d %s", format, r.StatusCode(), r.Body)
		}
		ids[format] = r.JSON202.Id
		// Not made yet: the file is not there.
		d := f.download(f.resp, r.JSON202.Id)
		stockProblem(t, d.StatusCode(), d.Body, http.StatusConflict)
	}
	if n := runReports(t, f.env); n != 4 {
		t.Fatalf("the worker made %d reports, want 4", n)
	}

	// PDF: cover, summary with the total cost of the 7 interventions created (1 219,00 MAD),
	// the chart's title, the table with its machines, page numbers.
	r, pdf := f.made(f.resp, ids[api.RapportFormatPdf])
	if !strings.HasSuffix(*r.NomFichier, ".pdf") || r.Tentatives != 1 || r.Url == nil || r.ExpireLe == nil ||
		r.ExpireLe.Sub(time.Now()) < 29*24*time.Hour {
		t.Errorf("completed report %+v", r)
	}
	text := pdftest.Text(t, pdf)
	for _, want := range []string{"Interventions de mars", "du 01/03/2026 au 10/03/2026", "Interventions créées 7",
		"Coût total 1 219,00 MAD", "Interventions par type", "Page 1 / ", "999,00 MAD", "160,00 MAD"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}

	// XLSX: a summary sheet and the table, typed.
	_, xlsx := f.made(f.resp, ids[api.RapportFormatExcel])
	x, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Interventions")
	if err != nil || len(rows) != 8 || rows[0][14] != "Coût total (MAD)" {
		t.Fatalf("sheet: %v %v", err, rows)
	}
	if v, _ := x.GetCellValue("Interventions", "O3", excelize.Options{RawCellValue: true}); v != "160" {
		t.Errorf("second row's total cost, raw: %q, want 160 (a number in MAD)", v)
	}
	if v, _ := x.GetCellValue("Interventions", "I2"); v != "01/03/2026 06:00" {
		t.Errorf("first creation date shown %q", v)
	}

	// CSV for French Excel: BOM, ';', decimal comma, units in the header.
	_, csvBody := f.made(f.resp, ids[api.RapportFormatCsv])
	if !bytes.HasPrefix(csvBody, []byte("\ufeff")) {
		t.Fatal("no byte order mark")
	}
	cr := csv.NewReader(bytes.NewReader(csvBody[3:]))
	cr.Comma, cr.FieldsPerRecord = ';', -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i, rec := range recs {
		if len(rec) > 14 && rec[14] == "Coût total (MAD)" {
			found = recs[i+2][14] == "160,00" // the row of 03-02 (the first is 03-01's, at 0)
		}
	}
	if !found {
		t.Errorf("csv:\n%s", csvBody)
	}

	// JSON: money in cents, rows keyed by column.
	_, js := f.made(f.resp, ids[api.RapportFormatJson])
	var doc struct {
		Sections []struct {
			Lignes []map[string]any `json:"lignes"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(js, &doc); err != nil || len(doc.Sections) != 1 || len(doc.Sections[0].Lignes) != 7 ||
		doc.Sections[0].Lignes[1]["cout_total"] != 16000.0 || doc.Sections[0].Lignes[1]["date_creation"] != "2026-03-02T08:00:00Z" {
		t.Errorf("json: %v %s", err, js)
	}

	// The signed link works without a token, for this report only, and not once tampered with.
	resp, b := f.env.Do("GET", *r.Url, "", "", nil, false)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, pdf) || resp.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), *r.NomFichier) {
		t.Errorf("signed download: %d %s", resp.StatusCode, resp.Header)
	}
	other := strings.Replace(*r.Url, "/rapports/"+itoa(r.Id)+"/", "/rapports/"+itoa(ids[api.RapportFormatJson])+"/", 1)
	for _, u := range []string{other, *r.Url + "x"} {
		if resp, b := f.env.Do("GET", u, "", "", nil, false); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", u, resp.StatusCode, b)
		}
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE user_id = (SELECT id FROM users WHERE username = 'responsable')
		AND titre = 'Rapport prêt : Interventions de mars'`); n != 4 {
		t.Errorf("%d notifications of ready reports, want 4", n)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestRapportsOfEveryType: each type is made (JSON) with the fixture's figures.
func TestRapportsOfEveryType(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	f.exec(`UPDATE plannings SET modele_titre = 'Graissage mensuel' WHERE frequence = 'mensuel'`)
	piece := f.id(`INSERT INTO pieces (nom, reference, stock_minimum, cout_moyen) VALUES ('Roulement 6205', 'SKF-6205', 5, 2500) RETURNING id`)
	f.exec(`INSERT INTO mouvements_stock (piece_id, type_mouvement, quantite, stock_avant, stock_apres, cout_unitaire, devise, user_id, date_mouvement)
		VALUES ($1, 'entree', 4, 0, 4, 2500, 'MAD', $2, '2026-03-03T10:00:00Z')`, piece, f.adminID)
	f.exec(`UPDATE pieces SET stock_actuel = 4 WHERE id = $1`, piece)

	type doc struct {
		Resume []struct {
			Libelle string `json:"libelle"`
			Valeur  any    `json:"valeur"`
		} `json:"resume"`
		Sections []struct {
			Titre  string           `json:"titre"`
			Lignes []map[string]any `json:"lignes"`
		} `json:"sections"`
	}
	ids := map[api.RapportType]int64{}
	for _, typ := range []api.RapportType{api.RapportTypeInterventions, api.RapportTypeEquipements, api.RapportTypeTechniciens,
		api.RapportTypeClients, api.RapportTypeDashboard, api.RapportTypePlanning, api.RapportTypeStock, api.RapportTypeFinancial} {
		ids[typ] = f.queued(f.admin, marchReport(typ, api.RapportFormatJson)).Id
	}
	runReports(t, f.env)
	get := func(typ api.RapportType) doc {
		t.Helper()
		_, b := f.made(f.admin, ids[typ])
		var d doc
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	row := func(d doc, section int, key string, value any) map[string]any {
		t.Helper()
		for _, l := range d.Sections[section].Lignes {
			if l[key] == value {
				return l
			}
		}
		t.Fatalf("no row with %s = %v in %s: %v", key, value, d.Sections[section].Titre, d.Sections[section].Lignes)
		return nil
	}
	resume := func(d doc, label string) any {
		t.Helper()
		for _, r := range d.Resume {
			if r.Libelle == label {
				return r.Valeur
			}
		}
		t.Fatalf("no %q in the summary %v", label, d.Resume)
		return nil
	}

	if d := get(api.RapportTypeInterventions); len(d.Sections[0].Lignes) != 7 {
		t.Errorf("interventions: %d rows", len(d.Sections[0].Lignes))
	}
	// m2's open breakdown since 03-07 10:00, clipped to the end of 03-10: 86 h.
	if l := row(get(api.RapportTypeEquipements), 0, "id", float64(f.m2)); l["arret_minutes"] != 5160.0 || l["couts"] != 6500.0 {
		t.Errorf("equipements m2: %v", l)
	}
	// The demo technicien closed two in the window and logged 6 hours.
	if l := row(get(api.RapportTypeTechniciens), 0, "id", float64(f.techID)); l["cloturees"] != 2.0 || l["heures"] != 6.0 ||
		l["satisfaction"] != 4.0 {
		t.Errorf("techniciens: %v", l)
	}
	if l := row(get(api.RapportTypeClients), 0, "id", float64(f.company)); l["couts"] != 20500.0 || l["interventions"] != 4.0 {
		t.Errorf("clients: %v", l)
	}
	if d := get(api.RapportTypeDashboard); resume(d, "Disponibilité") != 82.0 || resume(d, "Respect des délais (SLA)") != 40.0 ||
		len(d.Sections[0].Lignes) != 10 {
		t.Errorf("dashboard (a day a row): %v", d)
	}
	if l := row(get(api.RapportTypePlanning), 0, "titre", "Graissage mensuel"); l["generees"] != 1.0 || l["cloturees"] != 2.0 {
		t.Errorf("planning: %v", l)
	}
	d := get(api.RapportTypeStock)
	if l := row(d, 0, "reference", "SKF-6205"); l["valeur"] != 10000.0 || l["entrees"] != 4.0 || resume(d, "Pièces actives au minimum ou en dessous") != 1.0 {
		t.Errorf("stock: %v", d)
	}
	if d := get(api.RapportTypeFinancial); resume(d, "Coût total") != 126900.0 || len(d.Sections) != 4 {
		t.Errorf("financial: %v", d)
	}
}

// TestRapportsAreScopedToTheirRequester: a client's report holds only its company's rows; it
// reads only its own reports; the staff-only types and other companies' rows are refused.
func TestRapportsAreScopedToTheirRequester(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	mine := f.queued(f.client, marchReport(api.RapportTypeInterventions, api.RapportFormatJson))
	theirs := f.queued(f.resp, marchReport(api.RapportTypeInterventions, api.RapportFormatJson))
	_, b := f.made(f.client, mine.Id)
	var d struct {
		Sections []struct {
			Lignes []map[string]any `json:"lignes"`
		} `json:"sections"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Sections[0].Lignes) != 4 {
		t.Errorf("the client's report has %d rows, want its company's 4: %s", len(d.Sections[0].Lignes), b)
	}
	for _, l := range d.Sections[0].Lignes {
		if l["client"] != "Société ABC" {
			t.Errorf("a row of another company: %v", l)
		}
	}
	// Another's report: not found, not listed; the managers see both.
	if r, _ := f.env.Client.GetRapportWithResponse(t.Context(), theirs.Id, testenv.As(f.client)); r.StatusCode() != http.StatusNotFound {
		t.Errorf("another's report: %d", r.StatusCode())
	}
	if d := f.download(f.client, theirs.Id); d.StatusCode() != http.StatusNotFound {
		t.Errorf("another's file: %d", d.StatusCode())
	}
	list := func(token string) int {
		r, err := f.env.Client.ListRapportsWithResponse(t.Context(), nil, testenv.As(token))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("list: %v %s", err, r.Body)
		}
		return len(*r.JSON200)
	}
	if list(f.client) != 1 || list(f.admin) != 2 {
		t.Errorf("lists: client %d, admin %d", list(f.client), list(f.admin))
	}
	for _, typ := range []api.RapportType{api.RapportTypeStock, api.RapportTypeTechniciens} {
		r := f.ask(f.client, marchReport(typ, api.RapportFormatPdf))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden)
	}
	for name, filtres := range map[string]api.RapportFiltres{"equipement_id": {EquipementId: &f.m4}, "client_id": {ClientId: &f.other}} {
		body := marchReport(api.RapportTypeInterventions, api.RapportFormatPdf)
		body.Filtres = &filtres
		r := f.ask(f.client, body)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusNotFound)
		if r := f.ask(f.resp, body); r.JSON202 == nil {
			t.Errorf("manager with %s: %d %s", name, r.StatusCode(), r.Body)
		}
	}
	// A client who lost its account before the worker ran gets nothing made.
	late := f.queued(f.client, marchReport(api.RapportTypeEquipements, api.RapportFormatCsv))
	f.exec(`UPDATE users SET is_active = false WHERE username = 'client'`)
	runReports(t, f.env)
	if r := f.report(f.admin, late.Id); r.Statut != api.RapportStatutFailed || r.Erreur == nil ||
		*r.Erreur != "le demandeur n'existe plus ou a été désactivé" || r.NomFichier != nil {
		t.Errorf("report of a deactivated client: %+v", r)
	}
}

// TestRapportsRefuseBadInput: each bad field is a 422 naming it, and nothing is queued.
func TestRapportsRefuseBadInput(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	day := func(y int, m time.Month, d int) *openapi_types.Date {
		return &openapi_types.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	}
	cases := map[string]api.RapportCreate{
		"to":                    {Type: api.RapportTypeInterventions, Format: api.RapportFormatPdf, From: day(2026, 3, 2), To: day(2026, 3, 1)},
		"to ":                   {Type: api.RapportTypeInterventions, Format: api.RapportFormatPdf, From: day(2020, 1, 1), To: day(2025, 1, 1)},
		"filtres.technicien_id": {Type: api.RapportTypeEquipements, Format: api.RapportFormatPdf, Filtres: &api.RapportFiltres{TechnicienId: &f.techID}},
		"filtres.type_intervention": {Type: api.RapportTypeStock, Format: api.RapportFormatPdf,
			Filtres: &api.RapportFiltres{TypeIntervention: ptrTo(api.InterventionTypeCorrective)}},
		"separateur": {Type: api.RapportTypeInterventions, Format: api.RapportFormatPdf, Separateur: ptrTo(api.RapportCreateSeparateur(";"))},
	}
	for field, body := range cases {
		r := f.ask(f.resp, body)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, strings.TrimSpace(field))
	}
	for field, body := range map[string]string{
		"type":   `{"type":"maintenance","format":"pdf"}`,
		"format": `{"type":"stock","format":"docx"}`,
		"titre":  `{"type":"stock","format":"pdf","titre":""}`,
	} {
		resp, b := f.env.Do("POST", "/api/v1/rapports", f.resp, "application/json", strings.NewReader(body), true)
		stockProblem(t, resp.StatusCode, b, http.StatusUnprocessableEntity, field)
	}
	if n := f.count(`SELECT count(*) FROM rapports`); n != 0 {
		t.Errorf("%d reports queued by bad requests", n)
	}
}

// TestRapportsFailWithAReasonAndResume: too many rows ends failed with the reason; an attempt
// whose worker died is resumed, at most three times; a running attempt is left alone.
func TestRapportsFailWithAReasonAndResume(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	big := f.queued(f.resp, marchReport(api.RapportTypeInterventions, api.RapportFormatExcel))
	if _, err := reportWorker(t, f.env).WithMaxRows(3).RunPending(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := f.report(f.resp, big.Id)
	if r.Statut != api.RapportStatutFailed || r.Erreur == nil || *r.Erreur != "Plus de 3 lignes : réduisez la période ou ajoutez un filtre" ||
		r.FinGeneration == nil || r.Url != nil {
		t.Errorf("too many rows: %+v", r)
	}
	d := f.download(f.resp, big.Id)
	if p := stockProblem(t, d.StatusCode(), d.Body, http.StatusConflict); !strings.Contains(detailOf(p), "Plus de 3 lignes") {
		t.Errorf("download of a failed report: %s", d.Body)
	}

	crashed := f.queued(f.resp, marchReport(api.RapportTypeClients, api.RapportFormatPdf))
	f.exec(`UPDATE rapports SET statut = 'generating', tentatives = 1, debut_generation = now() - interval '11 minutes' WHERE id = $1`, crashed.Id)
	gaveUp := f.queued(f.resp, marchReport(api.RapportTypeClients, api.RapportFormatCsv))
	f.exec(`UPDATE rapports SET statut = 'generating', tentatives = 3, debut_generation = now() - interval '11 minutes' WHERE id = $1`, gaveUp.Id)
	running := f.queued(f.resp, marchReport(api.RapportTypeClients, api.RapportFormatJson))
	f.exec(`UPDATE rapports SET statut = 'generating', tentatives = 1, debut_generation = now() - interval '1 minute' WHERE id = $1`, running.Id)
	if n := runReports(t, f.env); n != 2 {
		t.Errorf("the worker took %d reports, want the 2 abandoned ones", n)
	}
	if r := f.report(f.resp, crashed.Id); r.Statut != api.RapportStatutCompleted || r.Tentatives != 2 {
		t.Errorf("resumed: %s after %d attempts", r.Statut, r.Tentatives)
	}
	if r := f.report(f.resp, gaveUp.Id); r.Statut != api.RapportStatutFailed || r.Erreur == nil ||
		*r.Erreur != "abandonné après 3 tentatives interrompues" {
		t.Errorf("given up: %+v", r)
	}
	if r := f.report(f.resp, running.Id); r.Statut != api.RapportStatutGenerating || r.Tentatives != 1 {
		t.Errorf("a running attempt was taken over: %+v", r)
	}
}

// TestRapportsExpire: past its retention a report is expired, its file deleted (410), once.
func TestRapportsExpire(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	r := f.queued(f.resp, marchReport(api.RapportTypeStock, api.RapportFormatPdf))
	keep := f.queued(f.resp, marchReport(api.RapportTypeStock, api.RapportFormatCsv))
	f.made(f.resp, r.Id)
	f.made(f.resp, keep.Id)
	files := func() int {
		n := 0
		_ = filepath.WalkDir(filepath.Join(f.dir, "rapports"), func(_ string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && !strings.HasSuffix(e.Name(), ".attrs") {
				n++
			}
			return nil
		})
		return n
	}
	if files() != 2 {
		t.Fatalf("%d report files stored, want 2", files())
	}
	f.exec(`UPDATE rapports SET expire_le = now() - interval '1 second' WHERE id = $1`, r.Id)
	w := reportWorker(t, f.env)
	if n, err := w.Expire(t.Context()); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}
	if n, err := w.Expire(t.Context()); err != nil || n != 0 {
		t.Errorf("second expire: %d %v", n, err)
	}
	got := f.report(f.resp, r.Id)
	if got.Statut != api.RapportStatutExpired || got.Url != nil || files() != 1 {
		t.Errorf("expired report %+v, %d files left", got, files())
	}
	d := f.download(f.resp, r.Id)
	stockProblem(t, d.StatusCode(), d.Body, http.StatusGone)
	if d := f.download(f.resp, keep.Id); d.StatusCode() != http.StatusOK {
		t.Errorf("the other report: %d", d.StatusCode())
	}
}

// TestInterventionReportPDF: the bon d'intervention holds the intervention, its machine,
// client and contract, timeline, checklist answers, parts, labour, other costs and totals,
// the signature block and page numbers; a client gets its own, not another company's.
func TestInterventionReportPDF(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	// An intervention of the fixture (i1: corrective, closed, on m1 of Société ABC, 160,00 MAD)
	// with a report, a checklist, a part line, an other cost and its history.
	var i1 int64
	if err := f.env.Pool.QueryRow(t.Context(), `SELECT id FROM interventions WHERE date_creation = '2026-03-02T08:00:00Z'`).Scan(&i1); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE interventions SET titre = 'Fuite d''huile sur la presse', description = 'Flaque sous le vérin principal.',
		rapport = 'Joint du vérin remplacé, essai sous pression concluant.' WHERE id = $1`, i1)
	f.exec(`UPDATE equipements SET numero_serie = 'SN-PRESSE-77' WHERE id = $1`, f.m1)
	f.exec(`INSERT INTO intervention_historique (intervention_id, action, statut_avant, statut_apres, remarque, user_id, created_at)
		VALUES ($1, 'cloturer', 'en_cours', 'cloturee', 'Travaux terminés', $2, '2026-03-03T08:00:00Z')`, i1, f.adminID)
	f.exec(`INSERT INTO interventions_checklist (intervention_id, ordre, libelle, type_item, unite, mini, maxi, mesure, ecart, rempli_le, obligatoire, suivi_si_ecart)
		VALUES ($1, 1, 'Pression du circuit', 'mesure', 'bar', 5, 8, 9.5, true, '2026-03-03T07:00:00Z', true, false)`, i1)
	piece := f.id(`INSERT INTO pieces (nom, reference, cout_moyen) VALUES ('Joint de vérin', 'JV-40', 2500) RETURNING id`)
	f.exec(`INSERT INTO interventions_pieces (intervention_id, piece_id, quantite, statut, user_id) VALUES ($1, $2, 2, 'reservee', $3)`,
		i1, piece, f.adminID)
	f.exec(`INSERT INTO interventions_couts (intervention_id, type_cout, libelle, montant, fournisseur, date_cout, user_id)
		VALUES ($1, 'deplacement', 'Déplacement Casablanca', 4500, 'Taxi', '2026-03-02', $2)`, i1, f.adminID)

	get := func(token string, id int64) (*http.Response, []byte) {
		return f.env.Do("GET", "/api/v1/interventions/"+itoa(id)+"/rapport.pdf", token, "", nil, false)
	}
	for _, token := range []string{f.resp, f.client} {
		resp, pdf := get(token, i1)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "bon-intervention-"+itoa(i1)+".pdf") {
			t.Fatalf("report: %d %v %s", resp.StatusCode, resp.Header, pdf)
		}
		text := pdftest.Text(t, pdf)
		for _, want := range []string{"Bon d'intervention", "N° " + itoa(i1) + " : Fuite d'huile sur la presse",
			"Flaque sous le vérin principal.", "Joint du vérin remplacé, essai sous pression concluant.",
			"SN-PRESSE-77", "Société ABC", "Historique", "Travaux terminés", "Pression du circuit", "9,50 bar",
			"JV-40", "Joint de vérin", "Déplacement Casablanca", "45,00 MAD", "Le technicien", "Le client", "Signature",
			"Page 1 / ", "Total"} {
			if !strings.Contains(text, want) {
				t.Errorf("the intervention report lacks %q:\n%s", want, text)
			}
		}
	}
	// Another company's intervention: 404 for the client; techniciens are refused.
	var other int64
	if err := f.env.Pool.QueryRow(t.Context(), `SELECT id FROM interventions WHERE equipement_id = $1`, f.m4).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if resp, b := get(f.client, other); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another company's: %d %s", resp.StatusCode, b)
	}
	if resp, _ := get(f.tech, i1); resp.StatusCode != http.StatusForbidden {
		t.Errorf("technicien: %d", resp.StatusCode)
	}
}
