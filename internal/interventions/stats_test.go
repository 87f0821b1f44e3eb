package interventions_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// scaleDatabase is a new database with the demo data and n scale interventions (erp seed
// --scale), and a pool on it closed at the end of the test.
func scaleDatabase(t *testing.T, n int) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	url := pg.NewDatabase(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, pool, hasher); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Scale(ctx, pool, hasher, n); err != nil {
		t.Fatal(err)
	}
	return url, pool
}

// statsDiff compares the pre-aggregated figures (intervention_stats) with the same figures
// computed from the interventions themselves, per (statut, priorite); it returns the groups
// that differ. The open interventions past their deadline ('e') are compared per day from
// yesterday on and as one sum before (stats_compact folds the earlier days into yesterday).
const statsDiff = `
WITH truth AS (
    SELECT 'g'::"char" AS kind, statut, priorite, NULL::date AS jour, NULL::bigint AS technicien_id, count(*) AS n,
           count(*) FILTER (WHERE date_debut_travaux IS NOT NULL AND date_cloture IS NOT NULL) AS mttr_n,
           coalesce(sum(extract(epoch FROM date_cloture - date_debut_travaux)), 0) AS mttr_secondes,
           count(*) FILTER (WHERE date_limite IS NOT NULL AND date_cloture IS NOT NULL) AS sla_n,
           count(*) FILTER (WHERE date_limite IS NOT NULL AND date_cloture <= date_limite) AS sla_respectes
    FROM interventions GROUP BY statut, priorite
    UNION ALL
    SELECT 'c', NULL, NULL, date_trunc('month', date_creation AT TIME ZONE 'UTC')::date, NULL, count(*), 0, 0, 0, 0
    FROM interventions GROUP BY 4
    UNION ALL
    SELECT 'f', NULL, NULL, date_trunc('month', date_cloture AT TIME ZONE 'UTC')::date, NULL, count(*), 0, 0, 0, 0
    FROM interventions WHERE statut IN ('cloturee', 'archivee') AND date_cloture IS NOT NULL GROUP BY 4
    UNION ALL
    SELECT 'e', NULL, NULL, greatest((date_limite AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date - 1), NULL, count(*), 0, 0, 0, 0
    FROM interventions WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') AND date_limite IS NOT NULL GROUP BY 4
    UNION ALL
    SELECT 't', NULL, NULL, NULL, technicien_id, count(*), 0, 0, 0, 0
    FROM interventions WHERE statut IN ('affectee', 'en_cours', 'en_attente') AND technicien_id IS NOT NULL GROUP BY 5
), agg AS (
    SELECT kind, statut, priorite,
           CASE WHEN kind = 'e' THEN greatest(jour, (now() AT TIME ZONE 'UTC')::date - 1) ELSE jour END AS jour,
           technicien_id, sum(n) AS n, sum(mttr_n) AS mttr_n, sum(mttr_secondes) AS mttr_secondes,
           sum(sla_n) AS sla_n, sum(sla_respectes) AS sla_respectes
    FROM intervention_stats GROUP BY 1, 2, 3, 4, 5
    HAVING sum(n) <> 0 OR sum(mttr_n) <> 0 OR sum(mttr_secondes) <> 0 OR sum(sla_n) <> 0 OR sum(sla_respectes) <> 0
)
SELECT coalesce(t.kind, a.kind)::text || '/' || coalesce(coalesce(t.statut, a.statut)::text, '-') || '/' ||
       coalesce(coalesce(t.priorite, a.priorite)::text, '-') || '/' || coalesce(coalesce(t.jour, a.jour)::text, '-') || '/' ||
       coalesce(coalesce(t.technicien_id, a.technicien_id)::text, '-') ||
       ': truth ' || coalesce(t.n, 0) || ',' || coalesce(t.mttr_n, 0) || ',' || coalesce(t.mttr_secondes, 0) || ',' ||
       coalesce(t.sla_n, 0) || ',' || coalesce(t.sla_respectes, 0) || ' stats ' ||
       coalesce(a.n, 0) || ',' || coalesce(a.mttr_n, 0) || ',' || coalesce(a.mttr_secondes, 0) || ',' ||
       coalesce(a.sla_n, 0) || ',' || coalesce(a.sla_respectes, 0)
FROM truth t FULL JOIN agg a ON a.kind = t.kind AND a.statut IS NOT DISTINCT FROM t.statut
    AND a.priorite IS NOT DISTINCT FROM t.priorite AND a.jour IS NOT DISTINCT FROM t.jour
    AND a.technicien_id IS NOT DISTINCT FROM t.technicien_id
WHERE (coalesce(t.n, 0), coalesce(t.mttr_n, 0), coalesce(t.mttr_secondes, 0), coalesce(t.sla_n, 0), coalesce(t.sla_respectes, 0))
   IS DISTINCT FROM (coalesce(a.n, 0), coalesce(a.mttr_n, 0), coalesce(a.mttr_secondes, 0), coalesce(a.sla_n, 0), coalesce(a.sla_respectes, 0))`

func assertStatsExact(t *testing.T, ctx context.Context, pool *pgxpool.Pool, when string) {
	t.Helper()
	rows, err := pool.Query(ctx, statsDiff)
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("%s: %s", when, d)
	}
}

// The random changes the writers make, as real flows do: lifecycle steps (one row), closing
// many at once, creating, deleting, editing a field the figures do not depend on, and a
// transaction that rolls back.
var statsWrites = []string{
	`UPDATE interventions SET statut = 'en_cours', date_debut_travaux = now() - interval '3 hours'
	  WHERE id = (SELECT id FROM interventions WHERE statut IN ('ouverte', 'affectee') ORDER BY random() LIMIT 1)`,
	`UPDATE interventions SET statut = 'cloturee', date_cloture = now(), date_fin_travaux = now()
	  WHERE id = (SELECT id FROM interventions WHERE statut = 'en_cours' ORDER BY random() LIMIT 1)`,
	`UPDATE interventions SET statut = 'archivee', date_archivage = now()
	  WHERE id IN (SELECT id FROM interventions WHERE statut = 'cloturee' ORDER BY random() LIMIT 5)`,
	`UPDATE interventions SET priorite = 'urgente', date_limite = date_creation + interval '2 hours'
	  WHERE id = (SELECT id FROM interventions ORDER BY random() LIMIT 1)`,
	`UPDATE interventions SET statut = 'affectee', technicien_id = (SELECT id FROM techniciens ORDER BY random() LIMIT 1)
	  WHERE id = (SELECT id FROM interventions WHERE statut = 'ouverte' ORDER BY random() LIMIT 1)`,
	`UPDATE interventions SET technicien_id = (SELECT id FROM techniciens ORDER BY random() LIMIT 1)
	  WHERE id IN (SELECT id FROM interventions WHERE statut = 'en_cours' ORDER BY random() LIMIT 2)`,
	`UPDATE interventions SET titre = titre || '.' WHERE id = (SELECT id FROM interventions ORDER BY random() LIMIT 1)`,
	`INSERT INTO interventions (titre, type_intervention, priorite, equipement_id, date_limite)
	 SELECT 'Stats ' || g, 'corrective', 'haute', (SELECT min(id) FROM equipements), now() + interval '1 day'
	 FROM generate_series(1, 3) g`,
	`DELETE FROM interventions WHERE id = (SELECT id FROM interventions WHERE titre LIKE 'Stats %' ORDER BY random() LIMIT 1)`,
	`UPDATE equipements SET statut = (ARRAY['operationnel', 'maintenance', 'panne', 'retire'])[1 + floor(random() * 4)::int]::equipement_statut
	  WHERE id IN (SELECT id FROM equipements ORDER BY random() LIMIT 3)`,
	`INSERT INTO equipements (nom, type_equipement, localisation, statut)
	 VALUES ('Stats ' || gen_random_uuid(), 'pompe', 'Atelier', 'panne')`,
	`DELETE FROM equipements WHERE id = (SELECT id FROM equipements WHERE nom LIKE 'Stats %' ORDER BY random() LIMIT 1)`,
}

// TestStatsStayExactUnderConcurrentWritesAndCompaction: the pre-aggregated figures the global
// dashboard and list totals read equal a full count after bulk seeding, after writers and
// compactions ran concurrently, after rolled-back changes, and once compacted to one row per group.
func TestStatsStayExactUnderConcurrentWritesAndCompaction(t *testing.T) {
	ctx := context.Background()
	_, pool := scaleDatabase(t, 3000) // bulk INSERT ... SELECT
	assertStatsExact(t, ctx, pool, "after the bulk seed")

	q := db.New(pool)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	for w := range 6 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range 60 {
				tx, err := pool.Begin(ctx)
				if err != nil {
					errs <- err
					return
				}
				aborted := false
				for range 1 + r.IntN(3) {
					if _, err := tx.Exec(ctx, statsWrites[r.IntN(len(statsWrites))]); err != nil {
						_ = tx.Rollback(ctx)
						// Random rows locked in random orders by transactions of several statements
						// can deadlock; PostgreSQL then aborts one of them, a rollback the figures
						// must survive like the others.
						if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "40P01" {
							aborted = true
							break
						}
						errs <- err
						return
					}
				}
				if aborted {
					continue
				}
				if r.IntN(5) == 0 {
					err = tx.Rollback(ctx) // nothing of it may stay in the figures
				} else {
					err = tx.Commit(ctx)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var compactions sync.WaitGroup
	for range 2 {
		compactions.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := q.StatsCompact(ctx); err != nil {
					errs <- fmt.Errorf("compact: %w", err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	wg.Wait()
	close(stop)
	compactions.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	assertStatsExact(t, ctx, pool, "after concurrent writes and compactions")

	if _, err := q.StatsCompact(ctx); err != nil {
		t.Fatal(err)
	}
	assertStatsExact(t, ctx, pool, "after the last compaction")
	// One row per group once compacted.
	var rowsLeft, groups int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM intervention_stats),
		(SELECT count(*) FROM (SELECT DISTINCT kind, statut, priorite, jour, technicien_id FROM intervention_stats) g)`).Scan(&rowsLeft, &groups); err != nil {
		t.Fatal(err)
	}
	var eqRows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM equipement_stats`).Scan(&eqRows); err != nil {
		t.Fatal(err)
	}
	if rowsLeft > groups || eqRows > 4 {
		t.Errorf("after compaction %d rows of figures for %d groups, %d for 4 machine statuts", rowsLeft, groups, eqRows)
	}
	// The overdue figures of the days before yesterday are folded into yesterday's: the dashboard
	// reads one row for all the past days.
	var pastDays, overdueDays int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM intervention_stats
		  WHERE kind = 'e' AND jour < (now() AT TIME ZONE 'UTC')::date),
		(SELECT count(DISTINCT (date_limite AT TIME ZONE 'UTC')::date) FROM interventions
		  WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') AND date_limite < now())`).Scan(&pastDays, &overdueDays); err != nil {
		t.Fatal(err)
	}
	// (2 rows if midnight UTC passed since the compaction: yesterday's became the day before's.)
	if pastDays > 2 || overdueDays < 3 {
		t.Errorf("after compaction %d rows of overdue figures before today, for %d past days with open interventions (want 1 row, several days)", pastDays, overdueDays)
	}

	// The global dashboard read from the figures equals the full scan of every row, with open
	// interventions due earlier this month, later this month and in earlier months.
	if _, err := pool.Exec(ctx, `INSERT INTO interventions (titre, type_intervention, equipement_id, date_creation, date_limite)
		SELECT 'Echeance ' || d, 'corrective', (SELECT min(id) FROM equipements), now() - interval '40 days', d
		FROM unnest(ARRAY[date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 second',
		                  now() - interval '1 second', now() + interval '1 hour', now() - interval '35 days']) d`); err != nil {
		t.Fatal(err)
	}
	row, err := q.DashboardGlobal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	global := interventions.GlobalStats(row)
	scan, err := q.DashboardInterventions(ctx, db.DashboardInterventionsParams{ScopeAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(global.Interventions.MttrSecondes-scan.MttrSecondes) > 1e-3*math.Max(1, scan.MttrSecondes) {
		t.Errorf("MTTR seconds: %v from the figures, %v from the rows", global.Interventions.MttrSecondes, scan.MttrSecondes)
	}
	global.Interventions.MttrSecondes = scan.MttrSecondes
	if global.Interventions != scan {
		t.Errorf("global dashboard from the figures\n%+v\nfrom the rows\n%+v", global.Interventions, scan)
	}
	if scan.EnRetard == 0 || scan.TotalMensuel == 0 {
		t.Errorf("the data set should have overdue and this month's interventions: %+v", scan)
	}
	evoScan, err := q.DashboardEvolution(ctx, db.DashboardEvolutionParams{ScopeAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(global.Evolution) != fmt.Sprint(evoScan) || len(evoScan) != 6 {
		t.Errorf("evolution from the figures %v, from the rows %v", global.Evolution, evoScan)
	}
	eqScan, err := q.DashboardEquipements(ctx, db.DashboardEquipementsParams{ScopeAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if global.Equipements != eqScan || eqScan.Panne == 0 {
		t.Errorf("machines from the figures %+v, counted %+v", global.Equipements, eqScan)
	}
	var users, active int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE is_active) FROM users`).Scan(&users, &active); err != nil {
		t.Fatal(err)
	}
	if global.UtilisateursTotal != users || global.UtilisateursActifs != active {
		t.Errorf("users %d/%d, want %d/%d", global.UtilisateursTotal, global.UtilisateursActifs, users, active)
	}
	for _, st := range []db.NullEquipementStatut{{}, {EquipementStatut: db.EquipementStatutPanne, Valid: true}} {
		got, err := q.CountEquipementsGlobal(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		want, err := q.CountEquipements(ctx, db.CountEquipementsParams{ScopeAll: true, Statut: st})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("machines %v: %d from the figures, %d counted", st, got, want)
		}
	}

	// The list total read from the figures is the real count.
	for _, statuts := range [][]string{{}, {"ouverte"}, {"cloturee", "archivee"}} {
		var want int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM interventions
			WHERE cardinality($1::text[]) = 0 OR statut::text = ANY ($1)`, statuts).Scan(&want); err != nil {
			t.Fatal(err)
		}
		got, err := q.InterventionCountGlobal(ctx, db.InterventionCountGlobalParams{Statuts: statuts, Priorites: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("count %v: %d from the figures, %d counted", statuts, got, want)
		}
	}

	// TRUNCATE (no row triggers) empties the figures too.
	if _, err := pool.Exec(ctx, `TRUNCATE interventions, equipements CASCADE`); err != nil {
		t.Fatal(err)
	}
	assertStatsExact(t, ctx, pool, "after TRUNCATE")
	if n, err := q.CountEquipementsGlobal(ctx, db.NullEquipementStatut{}); err != nil || n != 0 {
		t.Errorf("machines after TRUNCATE: %d, %v", n, err)
	}
}
