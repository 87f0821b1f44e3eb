package app_test

import (
	"context"
	"testing"

	"github.com/mif-erp/erp/internal/app"
)

// TestCompactStatsFoldsAndVacuums: after machines are added one statement at a time, the job
// leaves one row per statut with the right sums and vacuums the figure tables.
func TestCompactStatsFoldsAndVacuums(t *testing.T) {
	ctx := context.Background()
	pool := pg.NewPool(t, 4)
	for i := range 30 {
		statut := []string{"operationnel", "panne", "maintenance"}[i%3]
		if _, err := pool.Exec(ctx, `INSERT INTO equipements (nom, type_equipement, localisation, statut)
			VALUES ('Machine ' || $1::int, 'pompe', 'Atelier', $2::equipement_statut)`, i, statut); err != nil {
			t.Fatal(err)
		}
	}
	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM equipement_stats`); n < 30 {
		t.Fatalf("%d delta rows before compaction, want one per insert (30)", n)
	}
	if err := app.CompactStats(pool)(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM equipement_stats`); n != 3 {
		t.Errorf("%d rows after compaction, want 3 (one per statut)", n)
	}
	if n := count(`SELECT sum(n) FROM equipement_stats WHERE statut = 'panne'`); n != 10 {
		t.Errorf("%d machines en panne in the figures, want 10", n)
	}
	// VACUUM reports itself synchronously (dead-row counts are flushed lazily: not asserted).
	if n := count(`SELECT count(*) FROM pg_stat_user_tables
		WHERE relname IN ('equipement_stats', 'intervention_stats') AND vacuum_count > 0`); n != 2 {
		t.Errorf("%d of the 2 figure tables vacuumed by the job", n)
	}
	if err := app.CompactStats(pool)(ctx); err != nil { // nothing to fold: no error, nothing changes
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM equipement_stats`); n != 3 {
		t.Errorf("%d rows after a second compaction, want 3", n)
	}
}
