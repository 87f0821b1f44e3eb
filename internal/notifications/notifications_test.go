package notifications_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

type world struct {
	t    *testing.T
	pool *pgxpool.Pool
	seq  int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	pool, err := platform.OpenPool(context.Background(), pg.NewDatabase(t), 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &world{t: t, pool: pool}
}

func (w *world) id(sql string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := w.pool.QueryRow(w.t.Context(), sql, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (w *world) count(sql string, args ...any) int {
	w.t.Helper()
	return int(w.id(sql, args...))
}

func (w *world) user(role string, active bool) int64 {
	w.seq++
	return w.id(`INSERT INTO users (username, full_name, email, password_hash, role, is_active)
		VALUES ($1, $2, $3, 'x', $4, $5) RETURNING id`, fmt.Sprintf("user%d", w.seq), fmt.Sprintf("User %d", w.seq),
		fmt.Sprintf("u%d@mif.ma", w.seq), role, active)
}

func (w *world) technicien(active bool) (techID, userID int64) {
	userID = w.user("technicien", active)
	techID = w.id(`INSERT INTO techniciens (user_id) VALUES ($1) RETURNING id`, userID)
	return techID, userID
}

func (w *world) intervention(titre string, limite time.Time, tech *int64) int64 {
	w.seq++
	eq := w.id(`INSERT INTO equipements (nom, type_equipement, localisation) VALUES ($1, 'pompe', 'A') RETURNING id`,
		fmt.Sprintf("Pompe %d", w.seq))
	statut := "ouverte"
	if tech != nil {
		statut = "affectee"
	}
	return w.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, technicien_id, date_limite)
		VALUES ($1, 'corrective', $2, $3, $4, $5) RETURNING id`, titre, statut, eq, tech, limite)
}

func insert(t *testing.T, pool *pgxpool.Pool, n notifications.New) (notifications.Notification, error) {
	var out notifications.Notification
	err := platform.InTx(t.Context(), pool, func(tx pgx.Tx) error {
		var err error
		out, err = notifications.Insert(t.Context(), tx, n)
		return err
	})
	return out, err
}

func TestInsertQueuesAnEmailWhenWantedAndPicksTheCanal(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	on := w.user("technicien", true)
	off := w.user("technicien", true)
	inactive := w.user("technicien", false)
	if _, err := w.pool.Exec(t.Context(), `INSERT INTO notification_preferences VALUES ($1, 'information', false)`, off); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user      int64
		canal     db.NotificationCanal
		wantCanal db.NotificationCanal
		wantEmail int
	}{
		{on, "", db.NotificationCanalEmail, 1},
		{off, "", db.NotificationCanalLog, 0},
		{inactive, "", db.NotificationCanalLog, 0},
		{on, db.NotificationCanalSms, db.NotificationCanalSms, 1},
		{off, db.NotificationCanalEmail, db.NotificationCanalEmail, 0},
	} {
		n, err := insert(t, w.pool, notifications.New{UserID: tc.user, Titre: "  Arrêt   programmé ", Canal: tc.canal,
			Contenu: new("Samedi")})
		if err != nil {
			t.Fatal(err)
		}
		if n.Canal != tc.wantCanal || n.Type != db.NotificationTypeInformation || n.Titre != "Arrêt programmé" || n.ReadAt != nil {
			t.Errorf("user %d canal %q: %+v", tc.user, tc.canal, n)
		}
		if got := w.count(`SELECT count(*) FROM email_outbox WHERE notification_id = $1`, n.ID); got != tc.wantEmail {
			t.Errorf("user %d canal %q: %d e-mails, want %d", tc.user, tc.canal, got, tc.wantEmail)
		}
	}
	var subject, to string
	if err := w.pool.QueryRow(t.Context(), `SELECT subject, to_email FROM email_outbox ORDER BY id LIMIT 1`).Scan(&subject, &to); err != nil {
		t.Fatal(err)
	}
	if subject != "[MIF] Arrêt programmé" || !strings.HasSuffix(to, "@mif.ma") {
		t.Errorf("queued %q to %q", subject, to)
	}
	_, err := insert(t, w.pool, notifications.New{UserID: 999999})
	if !apperr.IsKind(err, apperr.KindNotFound) || !strings.Contains(err.Error(), "Utilisateur cible introuvable") {
		t.Errorf("unknown recipient: %v", err)
	}
}

func TestNothingIsWrittenWhenTheCauseRollsBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("responsable", true)
	boom := errors.New("boom")
	err := platform.InTx(t.Context(), w.pool, func(tx pgx.Tx) error {
		if _, err := notifications.Insert(t.Context(), tx, notifications.New{UserID: u, Titre: "x"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM notifications`) + w.count(`SELECT count(*) FROM email_outbox`); n != 0 {
		t.Errorf("%d rows left by a rolled-back cause", n)
	}
}

func TestDeadlineNoticesGoOutOnceToTheTechnicianOrTheResponsables(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	now := time.Now()
	casablanca, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	svc := notifications.NewService(w.pool).WithReminderBefore(24 * time.Hour).WithZone(casablanca)
	resp1, resp2 := w.user("responsable", true), w.user("responsable", true)
	w.user("responsable", false) // inactive: not told
	tech, techUser := w.technicien(true)
	soonAssigned := w.intervention("Bientôt assignée", now.Add(3*time.Hour), &tech)
	soonOpen := w.intervention("Bientôt ouverte", now.Add(20*time.Hour), nil)
	later := w.intervention("Plus tard", now.Add(48*time.Hour), &tech)
	lateAt := now.Add(-time.Hour).Truncate(time.Minute)
	late := w.intervention("En retard", lateAt, &tech)
	closed := w.intervention("Close", now.Add(-time.Hour), nil)
	if _, err := w.pool.Exec(t.Context(), `UPDATE interventions SET statut = 'cloturee' WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}

	rep, err := svc.RunDeadlines(t.Context(), now)
	if err != nil || rep.Reminders != 2 || rep.Overdue != 1 {
		t.Fatalf("first run: %+v %v", rep, err)
	}
	got := func(iv int64, typ string) []int64 {
		rows, err := w.pool.Query(t.Context(), `SELECT user_id FROM notifications WHERE intervention_id = $1 AND type = $2 ORDER BY user_id`, iv, typ)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	check := func(iv int64, typ string, want ...int64) {
		t.Helper()
		if g := got(iv, typ); fmt.Sprint(g) != fmt.Sprint(want) {
			t.Errorf("intervention %d %s: recipients %v, want %v", iv, typ, g, want)
		}
	}
	check(soonAssigned, "rappel", techUser)
	check(soonOpen, "rappel", resp1, resp2)
	check(later, "rappel")
	check(late, "retard", techUser)
	check(late, "rappel")
	check(closed, "retard")

	// Again, on several replicas at once: nothing new.
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if rep, err := svc.RunDeadlines(context.Background(), now.Add(time.Minute)); err != nil || rep != (notifications.DeadlineReport{}) {
				t.Errorf("rerun: %+v %v", rep, err)
			}
		})
	}
	wg.Wait()
	// A deleted reminder does not come back.
	if _, err := w.pool.Exec(t.Context(), `DELETE FROM notifications WHERE intervention_id = $1`, soonAssigned); err != nil {
		t.Fatal(err)
	}
	if rep, err := svc.RunDeadlines(t.Context(), now.Add(2*time.Minute)); err != nil || rep.Reminders != 0 {
		t.Errorf("after deleting: %+v %v", rep, err)
	}
	// Time passes: the reminded ones become overdue, once.
	rep, err = svc.RunDeadlines(t.Context(), now.Add(30*time.Hour))
	if err != nil || rep.Overdue != 2 || rep.Reminders != 1 {
		t.Errorf("30 h later: %+v %v", rep, err)
	}
	check(soonOpen, "retard", resp1, resp2)
	check(later, "rappel", techUser)
	var contenu string
	if err := w.pool.QueryRow(t.Context(), `SELECT contenu FROM notifications WHERE intervention_id = $1 AND type = 'retard' LIMIT 1`,
		late).Scan(&contenu); err != nil || !strings.Contains(contenu, "« En retard »") ||
		!strings.Contains(contenu, "échéance du "+lateAt.In(casablanca).Format("02/01/2006 à 15:04")+" (Africa/Casablanca)") {
		t.Errorf("overdue text %q %v, want the deadline in Casablanca's time, the zone named", contenu, err)
	}
	if n := w.count(`SELECT count(*) FROM email_outbox e JOIN notifications n ON n.id = e.notification_id WHERE n.type = 'rappel'`); n != 3 {
		// soonOpen's two responsables and later's technician (soonAssigned's was deleted).
		t.Errorf("%d reminder e-mails queued with their notification, want 3", n)
	}
}

func TestOwnRulesAndPreferences(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	svc := notifications.NewService(w.pool)
	alice, bob := w.user("technicien", true), w.user("client", true)
	pa := auth.Principal{UserID: alice, Role: "technicien"}
	pb := auth.Principal{UserID: bob, Role: "client"}
	n, err := insert(t, w.pool, notifications.New{UserID: alice, Titre: "Pour Alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MarkRead(t.Context(), pb, n.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("bob marks alice's: %v", err)
	}
	if err := svc.Delete(t.Context(), pb, n.ID); !apperr.IsKind(err, apperr.KindNotFound) {
		t.Errorf("bob deletes alice's: %v", err)
	}
	first, err := svc.MarkRead(t.Context(), pa, n.ID)
	if err != nil || first.ReadAt == nil {
		t.Fatalf("%+v %v", first, err)
	}
	again, err := svc.MarkRead(t.Context(), pa, n.ID)
	if err != nil || !again.ReadAt.Equal(*first.ReadAt) {
		t.Errorf("not idempotent: %v then %v (%v)", first.ReadAt, again.ReadAt, err)
	}
	prefs, err := svc.Preferences(t.Context(), alice)
	if err != nil || len(prefs) != 5 {
		t.Fatal(prefs, err)
	}
	for typ, v := range prefs {
		if !v {
			t.Errorf("default %s off", typ)
		}
	}
	prefs, err = svc.SetPreferences(t.Context(), pa, map[string]bool{"rappel": false})
	if err != nil || prefs[db.NotificationTypeRappel] || !prefs[db.NotificationTypeRetard] {
		t.Errorf("%v %v", prefs, err)
	}
	prefs, err = svc.SetPreferences(t.Context(), pa, map[string]bool{"retard": false})
	if err != nil || prefs[db.NotificationTypeRappel] || prefs[db.NotificationTypeRetard] {
		t.Errorf("partial update lost a setting: %v %v", prefs, err)
	}
	if _, err := svc.SetPreferences(t.Context(), pa, map[string]bool{"alerte": true}); !apperr.IsKind(err, apperr.KindInvalid) {
		t.Errorf("unknown type: %v", err)
	}
}
