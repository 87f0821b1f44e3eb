package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/mail/mailtest"
	"github.com/mif-erp/erp/internal/testenv"
)

func (f *reportFixture) saveModele(body api.RapportModeleInput) *api.CreateRapportModeleResponse {
	f.t.Helper()
	r, err := f.env.Client.CreateRapportModeleWithResponse(f.t.Context(), body, testenv.As(f.resp))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *reportFixture) schedule(body api.RapportPlanifieInput) *api.CreateRapportPlanifieResponse {
	f.t.Helper()
	r, err := f.env.Client.CreateRapportPlanifieWithResponse(f.t.Context(), body, testenv.As(f.resp))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// TestRapportModeles: templates are saved, read, replaced and deleted (not while scheduled);
// their report is made for their period as of today with its title pattern filled.
func TestRapportModeles(t *testing.T) {
	t.Parallel()
	f := newReportFixtureWith(t, casablancaTime)
	created := f.saveModele(api.RapportModeleInput{Nom: "Stock de la semaine", Type: api.RapportTypeStock, Format: api.RapportFormatCsv,
		TitreModele: "Stock du {debut} au {fin}", Periode: ptrTo(api.RapportPeriodeLast7Days), Separateur: ptrTo(api.RapportModeleInputSeparateur(";"))})
	if created.JSON201 == nil || created.HTTPResponse.Header.Get("Location") != "/api/v1/rapports/modeles/"+itoa(created.JSON201.Id) {
		t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
	}
	m := *created.JSON201
	if m.Periode != api.RapportPeriodeLast7Days || m.Separateur != ";" || m.CreatedBy == nil {
		t.Errorf("template %+v", m)
	}
	// The same name (any case) is a conflict; bad fields are 422 naming them.
	dup := f.saveModele(api.RapportModeleInput{Nom: "STOCK DE LA SEMAINE", Type: api.RapportTypeStock, Format: api.RapportFormatPdf, TitreModele: "x"})
	stockProblem(t, dup.StatusCode(), dup.Body, http.StatusConflict)
	bad := f.saveModele(api.RapportModeleInput{Nom: "Mauvais", Type: api.RapportTypeStock, Format: api.RapportFormatPdf, TitreModele: "x",
		Filtres: &api.RapportFiltres{ClientId: &f.company}, Separateur: ptrTo(api.RapportModeleInputSeparateur(";"))})
	stockProblem(t, bad.StatusCode(), bad.Body, http.StatusUnprocessableEntity, "filtres.client_id", "separateur")
	resp, b := f.env.Do("POST", "/api/v1/rapports/modeles", f.resp, "application/json",
		strings.NewReader(`{"nom":"P","type":"stock","format":"pdf","titre_modele":"x","periode":"last_year"}`), true)
	stockProblem(t, resp.StatusCode, b, http.StatusUnprocessableEntity, "periode")

	// Made now: the 7 days before today (Africa/Casablanca), the title filled in.
	gen, err := f.env.Client.GenerateRapportModeleWithResponse(t.Context(), m.Id, testenv.As(f.resp))
	if err != nil || gen.JSON202 == nil {
		t.Fatalf("generate: %v %s", err, gen.Body)
	}
	loc, _ := time.LoadLocation("Africa/Casablanca")
	y, mo, d := time.Now().In(loc).Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	from, to := today.AddDate(0, 0, -7), today.AddDate(0, 0, -1)
	r := *gen.JSON202
	if r.From.String() != from.Format(time.DateOnly) || r.To.String() != to.Format(time.DateOnly) || r.Separateur != ";" ||
		r.Titre != "Stock du "+from.Format("02/01/2006")+" au "+to.Format("02/01/2006") || r.Format != api.RapportFormatCsv {
		t.Errorf("generated report %+v", r)
	}
	if done, _ := f.made(f.resp, r.Id); done.Statut != api.RapportStatutCompleted {
		t.Errorf("made: %+v", done)
	}

	// Replaced, listed, then deleted: refused while a schedule uses it.
	up, err := f.env.Client.UpdateRapportModeleWithResponse(t.Context(), m.Id, api.RapportModeleInput{Nom: "Stock mensuel",
		Type: api.RapportTypeStock, Format: api.RapportFormatExcel, TitreModele: "Stock de {debut}", Periode: ptrTo(api.RapportPeriodeLastMonth)},
		testenv.As(f.resp))
	if err != nil || up.JSON200 == nil || up.JSON200.Nom != "Stock mensuel" || up.JSON200.Periode != api.RapportPeriodeLastMonth || up.JSON200.Separateur != "," {
		t.Fatalf("update: %v %s", err, up.Body)
	}
	list, err := f.env.Client.ListRapportModelesWithResponse(t.Context(), nil, testenv.As(f.resp))
	if err != nil || list.JSON200 == nil || len(*list.JSON200) != 1 {
		t.Fatalf("list: %v %s", err, list.Body)
	}
	sched := f.schedule(api.RapportPlanifieInput{Nom: "Mensuel", ModeleId: m.Id, Cron: "@monthly",
		Destinataires: api.RapportDestinataires{Emails: &[]openapi_types.Email{"direction@mif.ma"}}})
	if sched.JSON201 == nil {
		t.Fatalf("schedule: %s", sched.Body)
	}
	del, _ := f.env.Client.DeleteRapportModeleWithResponse(t.Context(), m.Id, testenv.As(f.resp))
	stockProblem(t, del.StatusCode(), del.Body, http.StatusConflict)
	if r, _ := f.env.Client.DeleteRapportPlanifieWithResponse(t.Context(), sched.JSON201.Id, testenv.As(f.resp)); r.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete schedule: %d", r.StatusCode())
	}
	if r, _ := f.env.Client.DeleteRapportModeleWithResponse(t.Context(), m.Id, testenv.As(f.resp)); r.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete template: %d %s", r.StatusCode(), r.Body)
	}
	if r, _ := f.env.Client.GetRapportModeleWithResponse(t.Context(), m.Id, testenv.As(f.resp)); r.StatusCode() != http.StatusNotFound {
		t.Errorf("deleted template: %d", r.StatusCode())
	}
	// Its report stays.
	if got := f.report(f.resp, r.Id); got.Statut != api.RapportStatutCompleted {
		t.Errorf("the template's report after its deletion: %+v", got)
	}
}

// TestRapportPlanifiesRefuseBadInput: a bad cron, zone, recipient or template is a 422 naming it.
func TestRapportPlanifiesRefuseBadInput(t *testing.T) {
	t.Parallel()
	f := newReportFixtureWith(t, casablancaTime)
	m := f.saveModele(api.RapportModeleInput{Nom: "Tableau", Type: api.RapportTypeDashboard, Format: api.RapportFormatPdf, TitreModele: "Revue"})
	if m.JSON201 == nil {
		t.Fatal(string(m.Body))
	}
	ok := func() api.RapportPlanifieInput {
		return api.RapportPlanifieInput{Nom: "Revue du lundi", ModeleId: m.JSON201.Id, Cron: "0 7 * * 1",
			Destinataires: api.RapportDestinataires{Utilisateurs: &[]int64{f.adminID}}}
	}
	cases := map[string]func(*api.RapportPlanifieInput){
		"cron":                       func(b *api.RapportPlanifieInput) { b.Cron = "tous les lundis" },
		"fuseau":                     func(b *api.RapportPlanifieInput) { b.Fuseau = ptrTo("Mars/Olympus_Mons") },
		"destinataires":              func(b *api.RapportPlanifieInput) { b.Destinataires = api.RapportDestinataires{} },
		"destinataires.utilisateurs": func(b *api.RapportPlanifieInput) { b.Destinataires.Utilisateurs = &[]int64{f.adminID, 999999} },
		"modele_id":                  func(b *api.RapportPlanifieInput) { b.ModeleId = 999999 },
	}
	for field, change := range cases {
		b := ok()
		change(&b)
		r := f.schedule(b)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, field)
	}
	// A deactivated user is not a recipient.
	f.exec(`UPDATE users SET is_active = false WHERE username = 'technicien'`)
	b := ok()
	b.Destinataires.Utilisateurs = &[]int64{f.techUserID}
	r := f.schedule(b)
	stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "destinataires.utilisateurs")
	if n := f.count(`SELECT count(*) FROM rapports_planifies`); n != 0 {
		t.Errorf("%d schedules saved by bad requests", n)
	}
	// A good one: its next time is the next Monday 07:00 in Casablanca.
	good := f.schedule(ok())
	if good.JSON201 == nil {
		t.Fatalf("%s", good.Body)
	}
	loc, _ := time.LoadLocation("Africa/Casablanca")
	next := good.JSON201.ProchaineExecution.In(loc)
	if next.Weekday() != time.Monday || next.Hour() != 7 || next.Minute() != 0 || !next.After(time.Now()) ||
		next.Sub(time.Now()) > 7*24*time.Hour || good.JSON201.Fuseau != "Africa/Casablanca" || good.JSON201.Envoi != api.RapportPlanifieEnvoiPieceJointe {
		t.Errorf("schedule %+v (next %v)", good.JSON201, next)
	}
}

// TestScheduledReportIsMadeOnceAndMailed: two workers at once queue one report per due time;
// made, it is e-mailed through the outbox to each recipient, attached or as a link that works
// without a token.
func TestScheduledReportIsMadeOnceAndMailed(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	opts := testenv.Options(smtp.Env())
	opts["APP_TIMEZONE"] = casablancaTime["APP_TIMEZONE"]
	f := newReportFixtureWith(t, opts)
	m := f.saveModele(api.RapportModeleInput{Nom: "Interventions d'hier", Type: api.RapportTypeInterventions, Format: api.RapportFormatPdf,
		TitreModele: "Interventions du {debut}", Periode: ptrTo(api.RapportPeriodeYesterday)})
	if m.JSON201 == nil {
		t.Fatal(string(m.Body))
	}
	attached := f.schedule(api.RapportPlanifieInput{Nom: "Quotidien", ModeleId: m.JSON201.Id, Cron: "30 6 * * *",
		Destinataires: api.RapportDestinataires{Utilisateurs: &[]int64{f.adminID}, Emails: &[]openapi_types.Email{"direction@mif.ma"}}})
	linked := f.schedule(api.RapportPlanifieInput{Nom: "Quotidien (lien)", ModeleId: m.JSON201.Id, Cron: "30 6 * * *",
		Envoi: ptrTo(api.RapportPlanifieInputEnvoiLien), Destinataires: api.RapportDestinataires{Emails: &[]openapi_types.Email{"atelier@mif.ma"}}})
	if attached.JSON201 == nil || linked.JSON201 == nil {
		t.Fatalf("%s %s", attached.Body, linked.Body)
	}
	// Both are due (a time passed while nothing ran); two workers run at once.
	f.exec(`UPDATE rapports_planifies SET prochaine_execution = now() - interval '1 minute'`)
	var wg sync.WaitGroup
	queued := make([]int, 2)
	for i := range 2 {
		wg.Go(func() {
			n, err := reportWorker(t, f.env).RunSchedules(t.Context())
			if err != nil {
				t.Error(err)
			}
			queued[i] = n
		})
	}
	wg.Wait()
	if queued[0]+queued[1] != 2 || f.count(`SELECT count(*) FROM rapports WHERE planification_id IS NOT NULL`) != 2 {
		t.Fatalf("queued %v, %d scheduled reports; want one per schedule", queued,
			f.count(`SELECT count(*) FROM rapports WHERE planification_id IS NOT NULL`))
	}
	if n, err := reportWorker(t, f.env).RunSchedules(t.Context()); err != nil || n != 0 {
		t.Errorf("a second run queued %d (%v)", n, err)
	}
	if n := f.count(`SELECT count(*) FROM rapports_planifies WHERE prochaine_execution <= now() OR derniere_execution IS NULL`); n != 0 {
		t.Errorf("%d schedules not moved to their next time", n)
	}
	runReports(t, f.env)

	d, err := app.Mailer(f.env.Config, f.env.Pool, nil)
	if err != nil || d == nil {
		t.Fatalf("mailer: %v", err)
	}
	rep, err := d.WithAttachments(reportWorker(t, f.env)).Deliver(t.Context(), time.Now())
	// Three report e-mails, and the owner's two "report ready" notifications by e-mail.
	if err != nil || rep.Sent != 5 {
		t.Fatalf("delivery: %+v %v", rep, err)
	}
	msgs := smtp.WaitFor(t, 5, 10*time.Second)
	yesterday := time.Now().In(mustZone(t)).AddDate(0, 0, -1).Format("02/01/2006")
	seen := map[string]bool{}
	for _, msg := range msgs {
		if strings.Contains(msg.Subject(), "Rapport prêt") {
			continue
		}
		to := strings.Join(msg.To, ",")
		seen[to] = true
		if msg.Subject() != "Rapport : Interventions du "+yesterday {
			t.Errorf("%s: subject %q", to, msg.Subject())
		}
		text, err := msg.Part("text/plain")
		if err != nil {
			t.Fatal(err)
		}
		switch to {
		case "admin@mif.ma", "direction@mif.ma":
			pdf, err := msg.Part("application/pdf")
			if err != nil || !strings.HasPrefix(pdf, "%PDF") || !strings.Contains(text, "joint") {
				t.Errorf("%s: attachment %v (%d bytes), text %q", to, err, len(pdf), text)
			}
		case "atelier@mif.ma":
			i := strings.Index(text, "http://localhost:8000/api/v1/rapports/")
			if i < 0 {
				t.Fatalf("no link in %q", text)
			}
			link := strings.Fields(text[i:])[0]
			resp, body := f.env.Do("GET", strings.TrimPrefix(link, "http://localhost:8000"), "", "", nil, false)
			if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("%PDF")) {
				t.Errorf("the e-mailed link: %d", resp.StatusCode)
			}
			if _, err := msg.Part("application/pdf"); err == nil {
				t.Errorf("a link e-mail with an attachment")
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("recipients %v", seen)
	}
}

// casablancaTime is the server's zone in these tests (the schedules' default fuseau, the days
// of the periods).
var casablancaTime = testenv.Options{"APP_TIMEZONE": "Africa/Casablanca"}

func mustZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
