package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/mail"
	"github.com/mif-erp/erp/internal/mail/mailtest"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

func TestEveryTypeRendersSubjectTextAndHTMLInFrench(t *testing.T) {
	t.Parallel()
	want := map[db.NotificationType]string{
		db.NotificationTypeAffectation: "[MIF] Nouvelle intervention assignée : Fuite d'huile",
		db.NotificationTypeCloture:     "[MIF] Intervention clôturée : Fuite d'huile",
		db.NotificationTypeRappel:      "[MIF] Rappel d'échéance : Fuite d'huile",
		db.NotificationTypeRetard:      "[MIF] Intervention en retard : Fuite d'huile",
		db.NotificationTypeInformation: "[MIF] Arrêt programmé",
	}
	for _, typ := range db.AllNotificationTypeValues() {
		r, err := mail.Render(typ, mail.Data{Destinataire: "Karim", Titre: "Arrêt programmé", Contenu: "La ligne 1 s'arrête.",
			InterventionID: 7, InterventionTitre: "Fuite d'huile", Echeance: "02/01/2030 à 10:00"})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if r.Subject != want[typ] {
			t.Errorf("%s: subject %q, want %q", typ, r.Subject, want[typ])
		}
		for _, part := range []string{r.Text, r.HTML} {
			if !strings.Contains(part, "Bonjour Karim") || !strings.Contains(part, "s'arrête") && !strings.Contains(part, "s&#39;arrête") {
				t.Errorf("%s: body misses the greeting or the text:\n%s", typ, part)
			}
		}
		if !strings.Contains(r.HTML, "<html lang=\"fr\">") || strings.Contains(r.Text, "<p") {
			t.Errorf("%s: HTML/text parts mixed up", typ)
		}
	}
}

func TestUserTextIsEscapedInHTMLAndFlattenedInTheSubject(t *testing.T) {
	t.Parallel()
	r, err := mail.Render(db.NotificationTypeAffectation, mail.Data{Destinataire: `<b>Eve</b>`,
		InterventionTitre: "<script>alert(1)</script>\r\nBcc: victime@example.com", Contenu: `<img src=x onerror=alert(1)>`})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "<img") || strings.Contains(r.HTML, "<b>Eve") {
		t.Errorf("user text not escaped:\n%s", r.HTML)
	}
	if !strings.Contains(r.HTML, "&lt;script&gt;") {
		t.Errorf("escaped title missing:\n%s", r.HTML)
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Errorf("subject on several lines: %q", r.Subject)
	}
	long, err := mail.Render(db.NotificationTypeInformation, mail.Data{Titre: strings.Repeat("é", 400)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(long.Subject)); n > 250 {
		t.Errorf("subject of %d runes", n)
	}
}

func TestBackoffDoublesUpToOneHour(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{0: 30 * time.Second, 1: 30 * time.Second, 2: time.Minute,
		3: 2 * time.Minute, 7: 32 * time.Minute, 8: time.Hour, 50: time.Hour} {
		if got := mail.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// outbox is a fresh database and an SMTP server.
type outbox struct {
	t    *testing.T
	pool *pgxpool.Pool
	smtp *mailtest.Server
}

func newOutbox(t *testing.T) *outbox {
	t.Helper()
	pool, err := platform.OpenPool(context.Background(), pg.NewDatabase(t), 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &outbox{t: t, pool: pool, smtp: mailtest.Start(t)}
}

func (o *outbox) deliverer(maxAttempts int) *mail.Deliverer {
	o.t.Helper()
	s, err := mail.NewSMTP(mail.Config{Host: o.smtp.Host, Port: o.smtp.Port, TLS: mail.TLSNone,
		FromEmail: "no-reply@mif.ma", FromName: "MIF ERP", Timeout: 5 * time.Second})
	if err != nil {
		o.t.Fatal(err)
	}
	return mail.NewDeliverer(o.pool, s, mail.Options{MaxAttempts: maxAttempts, Batch: 3,
		Jitter: func() float64 { return 1 }})
}

// queue writes n e-mails and returns their ids.
func (o *outbox) queue(n int) []int64 {
	o.t.Helper()
	r, err := mail.Render(db.NotificationTypeAffectation, mail.Data{Destinataire: "Tech", InterventionTitre: "<script>x</script>"})
	if err != nil {
		o.t.Fatal(err)
	}
	var ids []int64
	for i := range n {
		var id int64
		if err := o.pool.QueryRow(o.t.Context(), `INSERT INTO email_outbox (to_email, to_name, subject, body_text, body_html)
			VALUES ($1, 'Tech', $2, $3, $4) RETURNING id`, fmt.Sprintf("tech%d@mif.ma", i), r.Subject, r.Text, r.HTML).Scan(&id); err != nil {
			o.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

type row struct {
	statut   string
	attempts int
	lastErr  *string
	next     *time.Time
	sent     *time.Time
}

func (o *outbox) row(id int64) row {
	o.t.Helper()
	var r row
	if err := o.pool.QueryRow(o.t.Context(), `SELECT statut, attempts, last_error, next_attempt_at, sent_at
		FROM email_outbox WHERE id = $1`, id).Scan(&r.statut, &r.attempts, &r.lastErr, &r.next, &r.sent); err != nil {
		o.t.Fatal(err)
	}
	return r
}

func TestDeliverSendsMultipartFromTheConfiguredSender(t *testing.T) {
	t.Parallel()
	o := newOutbox(t)
	ids := o.queue(1)
	rep, err := o.deliverer(8).Deliver(t.Context(), time.Now())
	if err != nil || rep.Sent != 1 {
		t.Fatalf("Deliver: %+v %v", rep, err)
	}
	msgs := o.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.From != "no-reply@mif.ma" || len(m.To) != 1 || m.To[0] != "tech0@mif.ma" {
		t.Errorf("envelope %s -> %v", m.From, m.To)
	}
	if got := m.Header("From"); !strings.Contains(got, "MIF ERP") || !strings.Contains(got, "<no-reply@mif.ma>") {
		t.Errorf("From: %q", got)
	}
	if got := m.Subject(); got != "[MIF] Nouvelle intervention assignée : <script>x</script>" {
		t.Errorf("Subject: %q", got)
	}
	html, err := m.Part("text/html")
	if err != nil || !strings.Contains(html, "&lt;script&gt;x&lt;/script&gt;") || strings.Contains(html, "<script>") {
		t.Errorf("HTML part (%v):\n%s", err, html)
	}
	text, err := m.Part("text/plain")
	if err != nil || !strings.Contains(text, "« <script>x</script> »") {
		t.Errorf("text part (%v):\n%s", err, text)
	}
	r := o.row(ids[0])
	if r.statut != "sent" || r.attempts != 1 || r.sent == nil || r.next != nil {
		t.Errorf("row after sending: %+v", r)
	}
	// Nothing more is due: a second run sends nothing.
	if rep, err := o.deliverer(8).Deliver(t.Context(), time.Now().Add(time.Hour)); err != nil || rep.Sent != 0 {
		t.Errorf("second run: %+v %v", rep, err)
	}
}

func TestRefusalsAreRetriedWithBackoffThenDeliveredOnce(t *testing.T) {
	t.Parallel()
	o := newOutbox(t)
	ids := o.queue(5)
	d := o.deliverer(8)
	o.smtp.Refuse(5, 451) // the whole first round: "try later"
	o.smtp.Refuse(2, 554) // and two of the second
	now := time.Now()
	rep, err := d.Deliver(t.Context(), now)
	if err != nil || rep.Retried != 5 || rep.Sent != 0 {
		t.Fatalf("first run: %+v %v", rep, err)
	}
	for _, id := range ids {
		r := o.row(id)
		if r.statut != "pending" || r.attempts != 1 || r.lastErr == nil || !strings.Contains(*r.lastErr, "451") ||
			r.next == nil || r.next.Sub(now).Round(time.Second) != 30*time.Second {
			t.Errorf("e-mail %d after a 451: %+v", id, r)
		}
	}
	// Not due yet: nothing is attempted.
	if rep, _ := d.Deliver(t.Context(), now.Add(10*time.Second)); rep != (mail.Report{}) {
		t.Errorf("before the backoff: %+v", rep)
	}
	rep, err = d.Deliver(t.Context(), now.Add(31*time.Second))
	if err != nil || rep.Retried != 2 || rep.Sent != 3 {
		t.Fatalf("second run: %+v %v", rep, err)
	}
	rep, err = d.Deliver(t.Context(), now.Add(31*time.Second+61*time.Second))
	if err != nil || rep.Sent != 2 {
		t.Fatalf("third run: %+v %v", rep, err)
	}
	if rep, _ := d.Deliver(t.Context(), now.Add(24*time.Hour)); rep != (mail.Report{}) {
		t.Errorf("after everything was sent: %+v", rep)
	}
	got := map[string]int{}
	for _, m := range o.smtp.Messages() {
		got[m.To[0]]++
	}
	for i := range 5 {
		if n := got[fmt.Sprintf("tech%d@mif.ma", i)]; n != 1 {
			t.Errorf("tech%d received %d e-mails, want exactly 1", i, n)
		}
	}
	if o.smtp.Attempts() != 12 {
		t.Errorf("%d SMTP attempts, want 12", o.smtp.Attempts())
	}
}

func TestGivenUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	o := newOutbox(t)
	ids := o.queue(1)
	d := o.deliverer(3)
	o.smtp.Refuse(3, 554)
	now := time.Now()
	for i := range 3 {
		rep, err := d.Deliver(t.Context(), now.Add(time.Duration(i)*2*time.Hour))
		if err != nil || rep.Retried+rep.Failed != 1 {
			t.Fatalf("run %d: %+v %v", i, rep, err)
		}
		if i == 2 && rep.Failed != 1 {
			t.Errorf("third refusal should give up: %+v", rep)
		}
	}
	r := o.row(ids[0])
	if r.statut != "failed" || r.attempts != 3 || r.next != nil || r.lastErr == nil || !strings.Contains(*r.lastErr, "554") {
		t.Errorf("row after giving up: %+v", r)
	}
	if rep, _ := d.Deliver(t.Context(), now.Add(48*time.Hour)); rep != (mail.Report{}) {
		t.Errorf("a failed e-mail was tried again: %+v", rep)
	}
	if len(o.smtp.Messages()) != 0 {
		t.Error("a refused e-mail was recorded as received")
	}
}

// blockingSender refuses nothing but counts, and is slow enough for the workers to overlap.
type countingSender struct {
	mu   sync.Mutex
	sent map[string]int
	next mail.Sender
}

func (c *countingSender) Send(ctx context.Context, m mail.Message) error {
	c.mu.Lock()
	c.sent[m.ToEmail]++
	c.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	return c.next.Send(ctx, m)
}

func TestRacingWorkersNeverSendTwice(t *testing.T) {
	t.Parallel()
	o := newOutbox(t)
	const n = 40
	o.queue(n)
	s, err := mail.NewSMTP(mail.Config{Host: o.smtp.Host, Port: o.smtp.Port, TLS: mail.TLSNone, FromEmail: "no-reply@mif.ma"})
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingSender{sent: map[string]int{}, next: s}
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for range 4 {
		d := mail.NewDeliverer(o.pool, counter, mail.Options{Batch: 3})
		wg.Go(func() {
			sum := 0
			for range 10 {
				rep, err := d.Deliver(context.Background(), time.Now())
				if err != nil {
					t.Error(err)
				}
				sum += rep.Sent
			}
			total <- sum
		})
	}
	wg.Wait()
	close(total)
	sum := 0
	for s := range total {
		sum += s
	}
	if sum != n {
		t.Errorf("%d sent in all, want %d", sum, n)
	}
	for to, k := range counter.sent {
		if k != 1 {
			t.Errorf("%s sent %d times", to, k)
		}
	}
	if got := len(o.smtp.Messages()); got != n {
		t.Errorf("SMTP server received %d, want %d", got, n)
	}
}

func TestNewSMTPChecksItsSettings(t *testing.T) {
	t.Parallel()
	if _, err := mail.NewSMTP(mail.Config{}); err == nil {
		t.Error("no host accepted")
	}
	if _, err := mail.NewSMTP(mail.Config{Host: "smtp", TLS: "ssl"}); err == nil {
		t.Error("unknown TLS mode accepted")
	}
}

func TestUnreachableServerIsAFailedAttempt(t *testing.T) {
	t.Parallel()
	o := newOutbox(t)
	ids := o.queue(1)
	s, err := mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: 1, TLS: mail.TLSNone, FromEmail: "no-reply@mif.ma", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := mail.NewDeliverer(o.pool, s, mail.Options{}).Deliver(t.Context(), time.Now())
	if err != nil || rep.Retried != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if r := o.row(ids[0]); r.statut != "pending" || r.attempts != 1 || r.lastErr == nil {
		t.Errorf("%+v", r)
	}
}

// cancelingSender cancels the run's context while it sends the first e-mail, as a shutdown
// (SIGTERM) arriving mid-batch does.
type cancelingSender struct {
	cancel context.CancelFunc
	once   sync.Once
	next   mail.Sender
}

func (c *cancelingSender) Send(ctx context.Context, m mail.Message) error {
	c.once.Do(func() {
		c.cancel()
		time.Sleep(20 * time.Millisecond) // the SMTP conversation goes on after the cancel
	})
	return c.next.Send(ctx, m)
}

// TestShutdownFinishesTheEmailBeingSentAndReleasesTheRest: a run cancelled mid-batch (shutdown)
// still sends the e-mail it had started and records it; the other e-mails it had claimed are
// released at once, for the next run (another replica's), instead of waiting for their lease.
func TestShutdownFinishesTheEmailBeingSentAndReleasesTheRest(t *testing.T) {
	t.Parallel()
	o := newOutbox(t)
	ids := o.queue(3)
	s, err := mail.NewSMTP(mail.Config{Host: o.smtp.Host, Port: o.smtp.Port, TLS: mail.TLSNone, FromEmail: "no-reply@mif.ma"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	d := mail.NewDeliverer(o.pool, &cancelingSender{cancel: cancel, next: s}, mail.Options{Batch: 3})
	rep, err := d.Deliver(ctx, time.Now())
	if !errors.Is(err, context.Canceled) || rep.Sent != 1 {
		t.Fatalf("interrupted run: %+v %v; want 1 sent and context.Canceled", rep, err)
	}
	if r := o.row(ids[0]); r.statut != "sent" || r.attempts != 1 {
		t.Errorf("e-mail being sent at the cancel: %+v, want sent once", r)
	}
	for _, id := range ids[1:] {
		if r := o.row(id); r.statut != "pending" || r.attempts != 0 || r.next == nil || time.Until(*r.next) > time.Second {
			t.Errorf("e-mail %d claimed but not tried: %+v, want pending and due now (released)", id, r)
		}
	}
	rep, err = mail.NewDeliverer(o.pool, s, mail.Options{Batch: 3}).Deliver(t.Context(), time.Now())
	if err != nil || rep.Sent != 2 {
		t.Errorf("next run: %+v %v, want the 2 others sent", rep, err)
	}
	sent := map[string]int{}
	for _, m := range o.smtp.Messages() {
		sent[m.To[0]]++
	}
	if len(sent) != 3 || sent["tech0@mif.ma"] != 1 || sent["tech1@mif.ma"] != 1 || sent["tech2@mif.ma"] != 1 {
		t.Errorf("messages received by address: %v, want each of 3 once", sent)
	}
}
