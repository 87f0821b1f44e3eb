package planning_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/planning"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// world is one fresh database with a machine, and a clock the test moves.
type world struct {
	t       *testing.T
	pool    *pgxpool.Pool
	now     time.Time
	svc     *planning.Service
	machine int64
	admin   auth.Principal
}

func newWorld(t *testing.T, start string) *world {
	t.Helper()
	pool, err := platform.OpenPool(context.Background(), pg.NewDatabase(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	w := &world{t: t, pool: pool, now: at(start), admin: auth.Principal{Role: string(db.UserRoleAdmin)}}
	w.svc = planning.NewService(pool).WithClock(func() time.Time { return w.now })
	if err := pool.QueryRow(t.Context(), `INSERT INTO equipements (nom, type_equipement, localisation)
		VALUES ('Groupe froid', 'froid', 'Toit') RETURNING id`).Scan(&w.machine); err != nil {
		t.Fatal(err)
	}
	return w
}

func at(day string) time.Time {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return t.Add(9 * time.Hour)
}

func text(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// run moves the clock to day and runs the job.
func (w *world) run(day string) planning.Report {
	w.t.Helper()
	w.now = at(day)
	rep, err := w.svc.GenerateDue(w.t.Context(), w.now)
	if err != nil {
		w.t.Fatalf("GenerateDue(%s): %v", day, err)
	}
	return rep
}

func (w *world) plan(id int64) planning.Plan {
	w.t.Helper()
	p, err := w.svc.Get(w.t.Context(), w.admin, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// closeAll closes every open intervention on day.
func (w *world) closeAll(day string) {
	w.t.Helper()
	if _, err := w.pool.Exec(w.t.Context(), `UPDATE interventions SET statut = 'cloturee', date_cloture = $1
		WHERE statut IN ('ouverte', 'affectee')`, at(day)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) occurrences(id int64) []string {
	w.t.Helper()
	rows, err := w.pool.Query(w.t.Context(), `SELECT occurrence FROM interventions WHERE planning_id = $1 ORDER BY id`, id)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// TestMonthEndIsKeptThroughGenerations follows a monthly plan created on 31 January through a
// leap-year February: each generation moves to the next occurrence of the calendar anchored on
// the 31st, not to "the clamped date + one month".
func TestMonthEndIsKeptThroughGenerations(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "2028-01-31")
	p, err := w.svc.Create(t.Context(), w.admin, planning.CreateInput{EquipementID: w.machine, Frequence: "mensuelle"})
	if err != nil {
		t.Fatal(err)
	}
	if text(p.ProchaineDate) != "2028-02-29" {
		t.Fatalf("created on 31 January: next %s", text(p.ProchaineDate))
	}
	steps := []struct{ day, next string }{
		{"2028-02-29", "2028-03-31"},
		{"2028-03-31", "2028-04-30"},
		{"2028-04-30", "2028-05-31"},
	}
	for _, s := range steps {
		if rep := w.run(s.day); rep.Generated != 1 {
			t.Fatalf("%s: %+v", s.day, rep)
		}
		if got := w.plan(p.ID); text(got.ProchaineDate) != s.next || text(got.DerniereDate) != s.day {
			t.Errorf("after %s: next %s (want %s), last %s", s.day, text(got.ProchaineDate), s.next, text(got.DerniereDate))
		}
		w.closeAll(s.day)
	}
	if got := w.occurrences(p.ID); fmt.Sprint(got) != "[2028-02-29 2028-03-31 2028-04-30]" {
		t.Errorf("occurrences %v", got)
	}
	// Nothing due in between.
	if rep := w.run("2028-05-30"); rep.Plans != 0 {
		t.Errorf("the day before: %+v", rep)
	}
	// Overdue is computed on the service's clock.
	w.now = at("2028-06-03")
	if got := w.plan(p.ID); !got.EstEnRetard || got.JoursRetard != 3 {
		t.Errorf("3 days late: est_en_retard %v, jours_retard %d", got.EstEnRetard, got.JoursRetard)
	}
}

// TestLeapDayYearlyPlan: a yearly plan on 29 February falls on 28 February in common years and
// comes back to the 29th in the next leap year.
func TestLeapDayYearlyPlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "2027-06-01")
	day := at("2028-02-29")
	p, err := w.svc.Create(t.Context(), w.admin, planning.CreateInput{EquipementID: w.machine, Frequence: "annuel", ProchaineDate: &day})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"} {
		if rep := w.run(d); rep.Generated != 1 {
			t.Fatalf("%s: %+v", d, rep)
		}
		w.closeAll(d)
	}
	if got := w.occurrences(p.ID); fmt.Sprint(got) != "[2028-02-29 2029-02-28 2030-02-28 2031-02-28 2032-02-29]" {
		t.Errorf("occurrences %v", got)
	}
	if got := w.plan(p.ID); text(got.ProchaineDate) != "2033-02-28" {
		t.Errorf("next %s", text(got.ProchaineDate))
	}
}

// TestMissedOccurrencesAreCountedNotPiledUp: while the generated intervention stays open the
// plan skips its occurrences (counted), and generates again once it is closed.
func TestMissedOccurrencesAreCountedNotPiledUp(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "2027-01-04")
	start := at("2027-01-04")
	p, err := w.svc.Create(t.Context(), w.admin, planning.CreateInput{EquipementID: w.machine, Frequence: "hebdomadaire", ProchaineDate: &start})
	if err != nil {
		t.Fatal(err)
	}
	w.run("2027-01-04")
	for _, d := range []string{"2027-01-11", "2027-01-18", "2027-01-25"} {
		if rep := w.run(d); rep.Generated != 0 || rep.Missed != 1 {
			t.Errorf("%s: %+v", d, rep)
		}
	}
	// Three weeks without running, then one run: two more missed.
	if rep := w.run("2027-02-09"); rep.Missed != 2 {
		t.Errorf("after a gap: %+v", rep)
	}
	got := w.plan(p.ID)
	if got.OccurrencesManquees != 5 || text(got.ProchaineDate) != "2027-02-15" || len(w.occurrences(p.ID)) != 1 {
		t.Errorf("missed %d next %s interventions %d", got.OccurrencesManquees, text(got.ProchaineDate), len(w.occurrences(p.ID)))
	}
	w.closeAll("2027-02-10")
	if rep := w.run("2027-02-15"); rep.Generated != 1 {
		t.Errorf("after the closing: %+v", rep)
	}
	if got := w.occurrences(p.ID); fmt.Sprint(got) != "[2027-01-04 2027-02-15]" {
		t.Errorf("occurrences %v", got)
	}
}

// TestAnOccurrenceIsNeverGeneratedTwice: when the due occurrence already has its intervention
// (written by another replica, say), the unique key on (plan, occurrence) makes the insert a
// no-op: the job creates nothing and moves the plan on; generating now answers 409.
func TestAnOccurrenceIsNeverGeneratedTwice(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "2027-03-01")
	due := at("2027-03-01")
	p, err := w.svc.Create(t.Context(), w.admin, planning.CreateInput{EquipementID: w.machine, Frequence: "mensuel", ProchaineDate: &due})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(t.Context(), `INSERT INTO interventions (titre, type_intervention, statut, equipement_id, planning_id, occurrence)
		VALUES ('Déjà là', 'preventive', 'cloturee', $1, $2, '2027-03-01')`, w.machine, p.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Generate(t.Context(), w.admin, p.ID)
	if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindConflict || ae.Message != "L'occurrence du 2027-03-01 a déjà son intervention" {
		t.Errorf("generate now: %v", err)
	}
	if rep := w.run("2027-03-01"); rep.Generated != 0 || rep.Failed != 0 {
		t.Errorf("job: %+v", rep)
	}
	if got := w.occurrences(p.ID); len(got) != 1 {
		t.Errorf("occurrences %v", got)
	}
	if got := w.plan(p.ID); text(got.ProchaineDate) != "2027-04-01" {
		t.Errorf("next %s, want 2027-04-01", text(got.ProchaineDate))
	}
	var n int
	if err := w.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'planning.advanced'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d planning.advanced audit rows (%v)", n, err)
	}
}
