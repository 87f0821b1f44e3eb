package interventions

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// scopePredicate is the one row-level access predicate (sql/queries/interventions.sql).
const scopePredicate = `(@scope_all::boolean OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint OR i.client_id = sqlc.narg('scope_client_id')::bigint)`

// TestEveryReadOfInterventionsIsScoped guards row-level access: every query that reads the
// interventions table under the alias i carries the scoping predicate, word for word. (Writes go
// through a row locked by InterventionLock, which is scoped; the *Global queries are the global
// scope's fast paths and have no caller parameter; a technician's workload counts
// interventions under another alias on purpose: it is about the technician, not the caller.)
func TestEveryReadOfInterventionsIsScoped(t *testing.T) {
	t.Parallel()
	space := regexp.MustCompile(`\s+`)
	reads := regexp.MustCompile(`(?i)(FROM|JOIN)\s+interventions\s+i\b`)
	checked := 0
	for _, file := range []string{"../../sql/queries/interventions.sql", "../../sql/queries/dashboard.sql"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range strings.Split(string(b), "-- name: ")[1:] {
			name := strings.Fields(q)[0]
			var sql []string
			for _, line := range strings.Split(q, "\n")[1:] {
				if !strings.HasPrefix(strings.TrimSpace(line), "--") {
					sql = append(sql, line)
				}
			}
			text := space.ReplaceAllString(strings.Join(sql, " "), " ")
			text = strings.ReplaceAll(strings.ReplaceAll(text, "( ", "("), " )", ")")
			if !reads.MatchString(text) || strings.HasSuffix(name, "Global") {
				continue // *Global queries serve only callers who read everything (Go checks caller.all)
			}
			checked++
			if !strings.Contains(text, scopePredicate) {
				t.Errorf("%s (%s) reads interventions without the scoping predicate", name, file)
			}
		}
	}
	if checked < 8 {
		t.Errorf("only %d scoped queries found: did the files move?", checked)
	}
}
