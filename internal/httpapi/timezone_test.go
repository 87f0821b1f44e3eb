package httpapi_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// utcStamp is a notification's date_envoi in RFC 3339, UTC.
var utcStamp = regexp.MustCompile(`"date_envoi":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)

// APP_TIMEZONE: the texts written for people read the local time and name the zone; the API's
// timestamps stay UTC.
func TestNotificationTextsReadAppTimezoneWhileTheAPIStaysUTC(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, testenv.Options{"APP_TIMEZONE": "Africa/Casablanca"})
	machine := f.machine(&f.company, nil)
	deadline := time.Date(2030, 12, 7, 13, 30, 0, 0, time.UTC) // 14:30 in Casablanca (UTC+01:00)
	iv := f.create(f.resp, api.InterventionCreate{Type: corrective(), EquipementId: machine, Titre: "Pompe P-12",
		TechnicienId: &f.techID, DateLimite: &deadline})
	const local = "07/12/2030 à 14:30 (Africa/Casablanca)"

	// The technician's notification.
	r, b := f.call(http.MethodGet, "/notifications/me?type=affectation", f.tech, "")
	list := decodeInto[[]api.Notification](t, b)
	var n *api.Notification
	for i := range list {
		if list[i].InterventionId != nil && *list[i].InterventionId == iv.Id {
			n = &list[i]
		}
	}
	if r.StatusCode != 200 || n == nil || n.Contenu == nil {
		t.Fatalf("notifications: %d %s", r.StatusCode, b)
	}
	if want := "Échéance : " + local + "."; !strings.Contains(*n.Contenu, want) {
		t.Errorf("notification text %q, want it to contain %q", *n.Contenu, want)
	}
	// Its timestamp, and the intervention's deadline, are RFC 3339 in UTC.
	if !utcStamp.Match(b) {
		t.Errorf("no UTC date_envoi in %s", b)
	}
	if strings.Contains(string(b), "+01:00") {
		t.Errorf("a timestamp in local time: %s", b)
	}
	r, b = f.call(http.MethodGet, "/interventions/"+strconv.FormatInt(iv.Id, 10), f.resp, "")
	if r.StatusCode != 200 || !strings.Contains(string(b), `"date_limite":"2030-12-07T13:30:00Z"`) || strings.Contains(string(b), "+01:00") {
		t.Errorf("intervention: %d %s, want date_limite 2030-12-07T13:30:00Z and no local timestamp", r.StatusCode, b)
	}

	// The e-mail says the same, in both parts.
	if sent := f.deliver(); sent != 1 {
		t.Fatalf("%d e-mails sent, want 1", sent)
	}
	m := f.smtp.WaitFor(t, 1, 5*time.Second)[0]
	for _, part := range []string{"text/plain", "text/html"} {
		body, err := m.Part(part)
		if err != nil || !strings.Contains(body, local) {
			t.Errorf("%s part (%v) does not name the local time %q:\n%s", part, err, local, body)
		}
	}
}

// The feed's plan occurrences start on today in APP_TIMEZONE. The zone is chosen so that its
// day is not UTC's at the time the test runs: UTC+14 from 11:00 UTC, UTC-11 before.
func TestCalendarDaysFollowAppTimezone(t *testing.T) {
	t.Parallel()
	zone := "Pacific/Kiritimati"
	if time.Now().UTC().Hour() < 11 {
		zone = "Pacific/Pago_Pago"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	f := newIvFixtureOn(t, testenv.NewEnv(t, pg, testenv.Options{"APP_TIMEZONE": zone}))
	machine := f.machine(&f.company, nil)
	plan := f.id(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date, modele_titre)
		VALUES ($1, 'journalier', CURRENT_DATE - 3, CURRENT_DATE - 3, 'Ronde') RETURNING id`, machine)
	y, mo, d := time.Now().In(loc).Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	utcToday := time.Now().UTC().Truncate(24 * time.Hour)

	occ := uidsWith(feedOf(t, f.env, f.admin), "planning-"+strconv.FormatInt(plan, 10)+"-")
	if len(occ) == 0 {
		t.Fatal("no occurrence of the daily plan")
	}
	want := "planning-" + strconv.FormatInt(plan, 10) + "-" + today.Format("20060102") + "@mif-erp"
	if occ[0] != want {
		t.Errorf("first occurrence %s, want %s (today in %s; UTC's is %s)", occ[0], want, zone, utcToday.Format(time.DateOnly))
	}
}

// Without APP_TIMEZONE the schedules' default fuseau is UTC, and the texts say UTC.
func TestScheduleFuseauDefaultsToAppTimezone(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	m := f.saveModele(api.RapportModeleInput{Nom: "Hier", Type: api.RapportTypeInterventions, Format: api.RapportFormatPdf,
		TitreModele: "Interventions du {debut}", Periode: ptrTo(api.RapportPeriodeYesterday)})
	if m.JSON201 == nil {
		t.Fatal(string(m.Body))
	}
	p := f.schedule(api.RapportPlanifieInput{Nom: "Quotidien", ModeleId: m.JSON201.Id, Cron: "30 6 * * *",
		Destinataires: api.RapportDestinataires{Utilisateurs: &[]int64{f.adminID}}})
	if p.JSON201 == nil {
		t.Fatal(string(p.Body))
	}
	next := p.JSON201.ProchaineExecution
	if p.JSON201.Fuseau != "UTC" || next.UTC().Hour() != 6 || next.UTC().Minute() != 30 {
		t.Errorf("default fuseau %q, next run %v; want UTC and 06:30 UTC", p.JSON201.Fuseau, next)
	}
}
