package testenv

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// InterventionsByTitle maps the title of every intervention whose title is LIKE like to its ids
// (in id order): what load tests read back to check that each acknowledged creation is there
// exactly once.
func InterventionsByTitle(t testing.TB, pool *pgxpool.Pool, like string) map[string][]int64 {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT titre, id FROM interventions WHERE titre LIKE $1 ORDER BY id`, like)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var title string
		var id int64
		if err := rows.Scan(&title, &id); err != nil {
			t.Fatal(err)
		}
		out[title] = append(out[title], id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
