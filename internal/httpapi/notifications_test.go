package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/mail"
	"github.com/mif-erp/erp/internal/mail/mailtest"
	"github.com/mif-erp/erp/internal/testenv"
)

// ntFixture is a server wired to a capturing SMTP server, with the interventions fixture.
type ntFixture struct {
	*ivFixture
	smtp      *mailtest.Server
	deliverer *mail.Deliverer
	respID    int64
	clientID  int64
}

func newNtFixture(t *testing.T, opts testenv.Options) *ntFixture {
	t.Helper()
	smtp := mailtest.Start(t)
	all := testenv.Options{}
	for k, v := range smtp.Env() {
		all[k] = v
	}
	for k, v := range opts {
		all[k] = v
	}
	env := testenv.NewEnv(t, pg, all)
	d, err := app.Mailer(env.Config, env.Pool, slog.New(slog.DiscardHandler))
	if err != nil || d == nil {
		t.Fatalf("mailer: %v", err)
	}
	f := &ntFixture{ivFixture: newIvFixtureOn(t, env), smtp: smtp, deliverer: d}
	f.respID = f.id(`SELECT id FROM users WHERE username = 'responsable'`)
	f.clientID = f.id(`SELECT id FROM users WHERE username = 'client'`)
	return f
}

// deliver runs the outbox delivery now and returns how many were sent.
func (f *ntFixture) deliver() int {
	f.t.Helper()
	rep, err := f.deliverer.Deliver(f.t.Context(), time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return rep.Sent
}

func (f *ntFixture) call(method, path, token, body string) (*http.Response, []byte) {
	f.t.Helper()
	ct := ""
	var r io.Reader
	if body != "" {
		ct, r = "application/json", strings.NewReader(body)
	}
	return f.env.Do(method, "/api/v1"+path, token, ct, r, false)
}

// recipients lists who got a notification of a type about an intervention.
func (f *ntFixture) recipients(iv int64, typ string) string {
	f.t.Helper()
	var s string
	if err := f.env.Pool.QueryRow(f.t.Context(), `SELECT coalesce(string_agg(u.username, ',' ORDER BY u.username), '')
		FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.intervention_id = $1 AND n.type = $2`, iv, typ).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func TestWorkflowNotificationsAndTheirEmails(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, nil)
	machine := f.machine(&f.company, nil)
	titre := `Fuite <script>alert("x")</script>`

	// Assignment at creation -> the technicien, e-mail with the right subject, escaped.
	iv := f.create(f.resp, api.InterventionCreate{Type: corrective(), EquipementId: machine, Titre: titre, TechnicienId: &f.techID})
	if got := f.recipients(iv.Id, "affectation"); got != "technicien" {
		t.Fatalf("affectation to %q", got)
	}
	if n := f.deliver(); n != 1 {
		t.Fatalf("%d e-mails sent, want 1", n)
	}
	m := f.smtp.WaitFor(t, 1, 5*time.Second)[0]
	if m.To[0] != "technicien@mif.ma" || m.Subject() != "[MIF] Nouvelle intervention assignée : "+titre {
		t.Errorf("e-mail to %v subject %q", m.To, m.Subject())
	}
	html, err := m.Part("text/html")
	if err != nil || !strings.Contains(html, "&lt;script&gt;") || strings.Contains(html, "<script>") {
		t.Errorf("HTML part not escaped (%v):\n%s", err, html)
	}

	// The technicien starts and closes it -> creator (responsable), responsables, client; once each.
	if r, b := f.act(f.tech, iv.Id, "start", ""); r.StatusCode != 200 {
		t.Fatalf("start: %d %s", r.StatusCode, b)
	}
	if r, b := f.act(f.tech, iv.Id, "close", `{"rapport":"ok"}`); r.StatusCode != 200 {
		t.Fatalf("close: %d %s", r.StatusCode, b)
	}
	if got := f.recipients(iv.Id, "cloture"); got != "client,responsable" {
		t.Errorf("cloture to %q, want client,responsable", got)
	}
	if n := f.deliver(); n != 2 {
		t.Errorf("%d closing e-mails sent, want 2", n)
	}
	subjects := map[string]string{}
	for _, m := range f.smtp.WaitFor(t, 3, 5*time.Second)[1:] {
		subjects[m.To[0]] = m.Subject()
	}
	if subjects["client@mif.ma"] != "[MIF] Intervention clôturée : "+titre || subjects["responsable@mif.ma"] == "" {
		t.Errorf("closing e-mails %v", subjects)
	}

	// Assignment through the action -> the other technicien.
	iv2 := f.create(f.resp, api.InterventionCreate{Type: corrective(), EquipementId: machine, Titre: "Vibration"})
	other, _ := f.techAccount()
	if r, b := f.act(f.resp, iv2.Id, "assign", fmt.Sprintf(`{"technicien_id":%d}`, other)); r.StatusCode != 200 {
		t.Fatalf("assign: %d %s", r.StatusCode, b)
	}
	if got := f.recipients(iv2.Id, "affectation"); !strings.HasPrefix(got, "iv.technicien") {
		t.Errorf("affectation to %q", got)
	}

	// A client's request -> every active responsable.
	iv3 := f.create(f.client, api.InterventionCreate{Type: corrective(), EquipementId: machine, Titre: "Demande client"})
	if got := f.recipients(iv3.Id, "information"); got != "responsable" {
		t.Errorf("client request told %q", got)
	}
	// A responsable's own creation tells nobody.
	if got := f.recipients(iv2.Id, "information"); got != "" {
		t.Errorf("creation by a responsable told %q", got)
	}

	// A generated preventive intervention -> the responsables.
	plan := f.id(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date)
		VALUES ($1, 'mensuel', CURRENT_DATE, CURRENT_DATE) RETURNING id`, machine)
	if r, b := f.call(http.MethodPost, "/planning/"+strconv.FormatInt(plan, 10)+"/generate", f.resp, ""); r.StatusCode >= 300 {
		t.Fatalf("generate: %d %s", r.StatusCode, b)
	}
	gen := f.id(`SELECT id FROM interventions WHERE planning_id = $1`, plan)
	if got := f.recipients(gen, "information"); got != "responsable" {
		t.Errorf("generated intervention told %q", got)
	}
}

func TestPreferencesDecideTheEmails(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, nil)
	r, b := f.call(http.MethodGet, "/users/me/preferences", f.tech, "")
	var prefs api.NotificationPreferences
	if r.StatusCode != 200 || json.Unmarshal(b, &prefs) != nil || !prefs.Email.Affectation || !prefs.Email.Information {
		t.Fatalf("defaults: %d %s", r.StatusCode, b)
	}
	r, b = f.call(http.MethodPut, "/users/me/preferences", f.tech, `{"email":{"affectation":false}}`)
	if r.StatusCode != 200 || json.Unmarshal(b, &prefs) != nil || prefs.Email.Affectation || !prefs.Email.Cloture {
		t.Fatalf("update: %d %s", r.StatusCode, b)
	}
	iv := f.create(f.resp, api.InterventionCreate{Type: corrective(), EquipementId: f.machine(&f.company, nil), Titre: "Sans e-mail", TechnicienId: &f.techID})
	var canal string
	f.env.Pool.QueryRow(t.Context(), `SELECT canal::text FROM notifications WHERE intervention_id = $1`, iv.Id).Scan(&canal)
	if canal != "log" {
		t.Errorf("canal %q, want log", canal)
	}
	if n := f.deliver(); n != 0 {
		t.Errorf("%d e-mails sent against the preference", n)
	}
	// Someone else's preferences are untouched.
	r, b = f.call(http.MethodGet, "/users/me/preferences", f.resp, "")
	if r.StatusCode != 200 || json.Unmarshal(b, &prefs) != nil || !prefs.Email.Affectation {
		t.Errorf("responsable's preferences: %s", b)
	}
}

func TestNoNotificationWhenTheCauseFails(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, nil)
	iv := f.create(f.resp, api.InterventionCreate{Type: corrective(), EquipementId: f.machine(&f.company, nil), Titre: "Échoue"})
	// The audit row written last in the assignment's transaction fails: everything rolls back.
	f.exec(`CREATE FUNCTION fail_assign() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.action = 'intervention.assign' THEN RAISE EXCEPTION 'refusé pour le test'; END IF; RETURN NEW; END $$`)
	f.exec(`CREATE TRIGGER fail_assign BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_assign()`)
	r, _ := f.act(f.resp, iv.Id, "assign", fmt.Sprintf(`{"technicien_id":%d}`, f.techID))
	if r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("assign with a failing audit: %d", r.StatusCode)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE intervention_id = $1`, iv.Id) +
		f.count(`SELECT count(*) FROM email_outbox`); n != 0 {
		t.Errorf("%d notification or e-mail rows left by a failed assignment", n)
	}
}

func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, nil)
	iv := f.insert("ouverte", f.machine(&f.company, nil), nil)

	// Create: managers; defaults; 404s; 422s.
	r, b := f.call(http.MethodPost, "/notifications", f.resp,
		fmt.Sprintf(`{"user_id":%d,"contenu":"La ligne 1 sera arrêtée samedi.","intervention_id":%d}`, f.techUserID, iv))
	if r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, b)
	}
	created := decodeInto[api.Notification](t, b)
	if created.Type != "information" || created.Canal != "email" || created.Titre != "Information" || created.Lue ||
		created.UserId != f.techUserID || r.Header.Get("Location") == "" {
		t.Errorf("created %+v", created)
	}
	r, b = f.call(http.MethodPost, "/notifications", f.admin,
		fmt.Sprintf(`{"user_id":%d,"contenu":"SMS","canal":"sms","type":"rappel","titre":"Rappel"}`, f.techUserID))
	if c := decodeInto[api.Notification](t, b); r.StatusCode != 201 || c.Canal != "sms" || c.Type != "rappel" {
		t.Errorf("explicit canal: %d %s", r.StatusCode, b)
	}
	r, b = f.call(http.MethodPost, "/notifications", f.resp, `{"user_id":999999,"contenu":"x"}`)
	if r.StatusCode != 404 || !strings.Contains(string(b), "Utilisateur cible introuvable") {
		t.Errorf("unknown recipient: %d %s", r.StatusCode, b)
	}
	r, b = f.call(http.MethodPost, "/notifications", f.resp, fmt.Sprintf(`{"user_id":%d,"contenu":"x","intervention_id":999999}`, f.techUserID))
	if r.StatusCode != 404 {
		t.Errorf("unknown intervention: %d %s", r.StatusCode, b)
	}
	r, b = f.call(http.MethodPost, "/notifications", f.resp, fmt.Sprintf(`{"user_id":%d,"contenu":"   "}`, f.techUserID))
	if r.StatusCode != 422 {
		t.Errorf("blank contenu: %d %s", r.StatusCode, b)
	}

	// Mine, on both paths, with the unread count.
	for _, path := range []string{"/notifications/user/me", "/notifications/me"} {
		r, b = f.call(http.MethodGet, path, f.tech, "")
		list := decodeInto[[]api.Notification](t, b)
		if r.StatusCode != 200 || len(list) != 2 || r.Header.Get("X-Unread-Count") != "2" || r.Header.Get("X-Total-Count") != "2" {
			t.Errorf("%s: %d unread=%s total=%s %s", path, r.StatusCode, r.Header.Get("X-Unread-Count"), r.Header.Get("X-Total-Count"), b)
		}
	}
	r, b = f.call(http.MethodGet, "/notifications/me?type=rappel", f.tech, "")
	if list := decodeInto[[]api.Notification](t, b); len(list) != 1 || r.Header.Get("X-Unread-Count") != "2" {
		t.Errorf("filter by type: %s", b)
	}

	// Mark read: own only, idempotent.
	path := "/notifications/" + strconv.FormatInt(created.Id, 10)
	for _, tok := range []string{f.client, f.resp} {
		if r, b := f.call(http.MethodPut, path+"/read", tok, ""); r.StatusCode != 404 || !strings.Contains(string(b), "Notification non trouvée") {
			t.Errorf("someone else marks it read: %d %s", r.StatusCode, b)
		}
	}
	r, b = f.call(http.MethodPut, path+"/read", f.tech, "")
	first := decodeInto[api.Notification](t, b)
	r2, b2 := f.call(http.MethodPut, path+"/read", f.tech, "")
	again := decodeInto[api.Notification](t, b2)
	if r.StatusCode != 200 || r2.StatusCode != 200 || !first.Lue || !(*first.ReadAt).Equal(*again.ReadAt) {
		t.Errorf("mark read: %s then %s", b, b2)
	}
	r, _ = f.call(http.MethodGet, "/notifications/me?lue=false", f.tech, "")
	if r.Header.Get("X-Unread-Count") != "1" || r.Header.Get("X-Total-Count") != "1" {
		t.Errorf("after reading one: unread %s", r.Header.Get("X-Unread-Count"))
	}
	r, b = f.call(http.MethodPost, "/notifications/me/read-all", f.tech, "")
	if r.StatusCode != 200 || decodeInto[api.ReadAllResult](t, b).Updated != 1 {
		t.Errorf("read-all: %d %s", r.StatusCode, b)
	}

	// Managers' lists.
	r, b = f.call(http.MethodGet, fmt.Sprintf("/notifications?user_id=%d&intervention_id=%d", f.techUserID, iv), f.resp, "")
	if list := decodeInto[[]api.Notification](t, b); r.StatusCode != 200 || len(list) != 1 || list[0].Id != created.Id {
		t.Errorf("list filtered: %s", b)
	}
	r, b = f.call(http.MethodGet, fmt.Sprintf("/notifications/user/%d", f.techUserID), f.admin, "")
	if list := decodeInto[[]api.Notification](t, b); r.StatusCode != 200 || len(list) != 2 {
		t.Errorf("user's list: %s", b)
	}
	if r, b := f.call(http.MethodGet, "/notifications/user/999999", f.admin, ""); r.StatusCode != 404 {
		t.Errorf("unknown user: %d %s", r.StatusCode, b)
	}

	// Delete: not someone else's (404), own yes, a manager any.
	if r, _ := f.call(http.MethodDelete, path, f.client, ""); r.StatusCode != 404 {
		t.Errorf("client deletes technicien's: %d", r.StatusCode)
	}
	if r, _ := f.call(http.MethodDelete, path, f.tech, ""); r.StatusCode != 204 {
		t.Errorf("own delete: %d", r.StatusCode)
	}
	if r, _ := f.call(http.MethodDelete, path, f.tech, ""); r.StatusCode != 404 {
		t.Errorf("deleted twice: %d", r.StatusCode)
	}
	other := f.id(`SELECT id FROM notifications WHERE user_id = $1`, f.techUserID)
	if r, _ := f.call(http.MethodDelete, "/notifications/"+strconv.FormatInt(other, 10), f.resp, ""); r.StatusCode != 204 {
		t.Errorf("manager delete: %d", r.StatusCode)
	}
}

func TestEmailsOutboxGivenUpThenResent(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, testenv.Options{"SMTP_MAX_ATTEMPTS": "2"})
	r, b := f.call(http.MethodPost, "/notifications", f.admin, fmt.Sprintf(`{"user_id":%d,"contenu":"Bonjour","titre":"Test"}`, f.clientID))
	if r.StatusCode != 201 {
		t.Fatalf("create: %d %s", r.StatusCode, b)
	}
	f.smtp.Refuse(2, 554)
	now := time.Now()
	for i := range 2 {
		if _, err := f.deliverer.Deliver(t.Context(), now.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	r, b = f.call(http.MethodGet, "/emails?statut=failed", f.admin, "")
	list := decodeInto[[]api.Email](t, b)
	if r.StatusCode != 200 || len(list) != 1 || list[0].Tentatives != 2 || list[0].Sujet != "[MIF] Test" ||
		!strings.Contains(*list[0].DerniereErreur, "554") || r.Header.Get("X-Total-Count") != "1" {
		t.Fatalf("failed e-mails: %d %s", r.StatusCode, b)
	}
	path := fmt.Sprintf("/emails/%d/resend", list[0].Id)
	r, b = f.call(http.MethodPost, path, f.admin, "")
	if e := decodeInto[api.Email](t, b); r.StatusCode != 200 || e.Statut != "pending" || e.Tentatives != 0 {
		t.Fatalf("resend: %d %s", r.StatusCode, b)
	}
	if r, _ := f.call(http.MethodPost, path, f.admin, ""); r.StatusCode != 409 {
		t.Errorf("resend while queued: %d", r.StatusCode)
	}
	if n := f.deliver(); n != 1 {
		t.Fatalf("%d sent after resending", n)
	}
	if m := f.smtp.WaitFor(t, 1, 5*time.Second); len(m) != 1 || m[0].To[0] != "client@mif.ma" {
		t.Errorf("received %v", m)
	}
	if r, _ := f.call(http.MethodPost, path, f.admin, ""); r.StatusCode != 409 {
		t.Errorf("resend once sent: %d", r.StatusCode)
	}
	if r, _ := f.call(http.MethodPost, "/emails/999999/resend", f.admin, ""); r.StatusCode != 404 {
		t.Errorf("unknown e-mail: %d", r.StatusCode)
	}
}

func TestNotificationsMalformedInputIsNever500(t *testing.T) {
	t.Parallel()
	f := newNtFixture(t, nil)
	for _, c := range []struct{ method, path, token, ct, body string }{
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":"x","contenu":"a"}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":1,"contenu":"a","type":"alerte"}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":1,"contenu":"a","canal":"fax"}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":1}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":1,"contenu":"` + strings.Repeat("a", 1001) + `"}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":1,"contenu":"a","intervention_id":0}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{"user_id":9223372036854775807,"contenu":"a"}`},
		{http.MethodPost, "/notifications", f.resp, "application/json", `{`},
		{http.MethodPost, "/notifications", f.resp, "text/plain", `x`},
		{http.MethodGet, "/notifications?limit=-1", f.resp, "", ""},
		{http.MethodGet, "/notifications?lue=peut-etre", f.resp, "", ""},
		{http.MethodGet, "/notifications?type=alerte", f.resp, "", ""},
		{http.MethodGet, "/notifications/me?offset=abc", f.tech, "", ""},
		{http.MethodGet, "/notifications/user/abc", f.resp, "", ""},
		{http.MethodPut, "/notifications/abc/read", f.tech, "", ""},
		{http.MethodPut, "/notifications/0/read", f.tech, "", ""},
		{http.MethodPut, "/notifications/9223372036854775807/read", f.tech, "", ""},
		{http.MethodDelete, "/notifications/-3", f.tech, "", ""},
		{http.MethodPut, "/users/me/preferences", f.tech, "application/json", `{"email":{}}`},
		{http.MethodPut, "/users/me/preferences", f.tech, "application/json", `{"email":{"alerte":true}}`},
		{http.MethodPut, "/users/me/preferences", f.tech, "application/json", `{"email":{"rappel":"oui"}}`},
		{http.MethodPut, "/users/me/preferences", f.tech, "application/json", `[]`},
		{http.MethodGet, "/emails?statut=perdu", f.admin, "", ""},
		{http.MethodPost, "/emails/abc/resend", f.admin, "", ""},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		r, b := f.env.Do(c.method, "/api/v1"+c.path, c.token, c.ct, body, true)
		if r.StatusCode >= 500 || r.StatusCode < 400 {
			t.Errorf("%s %s %s: %d %s", c.method, c.path, c.body, r.StatusCode, b)
		}
	}
}

func corrective() *api.InterventionType {
	t := api.InterventionType("corrective")
	return &t
}
