package httpapi_test

import (
	"strings"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// namesCacheOn turns the cache of the names shown in the lists of interventions on, as `erp
// serve` has it (the test default is off).
var namesCacheOn = testenv.Options{"NAMES_CACHE_TTL": "1m"}

// namesReads counts the reads of the names among statements.
func namesReads(statements []string) int { return statementsOf("InterventionNoms", statements) }

// listedNames returns the machine's and technician's names the list shows for the
// interventions of machine on env.
func listedNames(t *testing.T, env *testenv.Env, token string, machine int64) (equipement, technicien string) {
	t.Helper()
	r, err := env.Client.ListInterventionsWithResponse(t.Context(), &api.ListInterventionsParams{EquipementId: &machine}, testenv.As(token))
	if err != nil || r.JSON200 == nil || len(*r.JSON200) != 1 {
		t.Fatalf("list the interventions of machine %d: %v %+v", machine, err, r)
	}
	iv := (*r.JSON200)[0]
	if iv.Technicien != nil {
		technicien = iv.Technicien.FullName
	}
	return iv.Equipement.Nom, technicien
}

// detailNames returns the machine's and technician's names GET /interventions/{id} shows on env.
func detailNames(t *testing.T, env *testenv.Env, token string, id int64) (equipement, technicien string) {
	t.Helper()
	r, err := env.Client.GetInterventionWithResponse(t.Context(), id, testenv.As(token))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("get intervention %d: %v %+v", id, err, r)
	}
	if r.JSON200.Technicien != nil {
		technicien = r.JSON200.Technicien.FullName
	}
	return r.JSON200.Equipement.Nom, technicien
}

// TestNamesCacheShowsARenameAtOnceHereAndWithinASecondElsewhere: the lists of interventions and
// the detail take the machine and technician names from a cache once read; a machine renamed
// through the API shows its new name on the very next page or detail of the instance that renamed
// it, and within a second on another instance; so does a technician whose account's full name
// changed, and a machine renamed straight in SQL (announced by PostgreSQL's trigger).
func TestNamesCacheShowsARenameAtOnceHereAndWithinASecondElsewhere(t *testing.T) {
	t.Parallel()
	a := testenv.NewEnv(t, pg, namesCacheOn)
	b, counter := a.WithQueryCounter() // another instance on the same database, its own cache
	waitHub(t, a)
	waitHub(t, b)
	f := newIvFixtureOn(t, a)
	machine := f.machine(nil, nil)
	iv := f.insert("affectee", machine, &f.techID)

	listedNames(t, b, f.resp, machine)
	counter.Reset()
	eq, tech := listedNames(t, b, f.resp, machine)
	if n := namesReads(counter.Statements()); n != 0 {
		t.Fatalf("b read the names %d times on the second page, want 0 (cached)", n)
	}
	if !strings.HasPrefix(eq, "Machine IV") || tech == "" {
		t.Fatalf("names listed: %q, %q", eq, tech)
	}
	if deq, dtech := detailNames(t, b, f.resp, iv); deq != eq || dtech != tech {
		t.Fatalf("detail names %q, %q; listed %q, %q", deq, dtech, eq, tech)
	}
	if n := namesReads(counter.Statements()); n != 0 {
		t.Fatalf("b read the names %d times for the detail, want 0 (cached by the page)", n)
	}
	listedNames(t, a, f.resp, machine) // cached on a too

	// Renamed through a: a shows the new name at once, b within a second.
	nom := "Compresseur renommé"
	r, err := a.Client.UpdateEquipementWithResponse(t.Context(), machine, nil, api.EquipementUpdate{Nom: &nom}, testenv.As(f.admin))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("rename: %v %+v", err, r)
	}
	if got, _ := listedNames(t, a, f.resp, machine); got != nom {
		t.Errorf("a, right after renaming: %q, want %q", got, nom)
	}
	if got, _ := detailNames(t, a, f.resp, iv); got != nom {
		t.Errorf("a's detail, right after renaming: %q, want %q", got, nom)
	}
	shownWithinASecond(t, "b's machine name", nom, func() string { got, _ := listedNames(t, b, f.resp, machine); return got })
	shownWithinASecond(t, "b's machine name in the detail", nom, func() string { got, _ := detailNames(t, b, f.resp, iv); return got })

	// The technician's account renamed through a.
	full := "Technicien Renommé"
	if r, err := a.Client.UpdateUserWithResponse(t.Context(), f.techUserID, api.UserAdminUpdate{FullName: &full}, testenv.As(f.admin)); err != nil || r.JSON200 == nil {
		t.Fatalf("rename the technician: %v %+v", err, r)
	}
	if _, got := listedNames(t, a, f.resp, machine); got != full {
		t.Errorf("a, right after renaming the technician: %q, want %q", got, full)
	}
	if _, got := detailNames(t, a, f.resp, iv); got != full {
		t.Errorf("a's detail, right after renaming the technician: %q, want %q", got, full)
	}
	shownWithinASecond(t, "b's technician name", full, func() string { _, got := listedNames(t, b, f.resp, machine); return got })
	shownWithinASecond(t, "b's technician name in the detail", full, func() string { _, got := detailNames(t, b, f.resp, iv); return got })

	// Renamed in SQL, by neither instance: both hear of it.
	f.exec(`UPDATE equipements SET nom = 'Pompe renommée en SQL' WHERE id = $1`, machine)
	for name, env := range map[string]*testenv.Env{"a": a, "b": b} {
		shownWithinASecond(t, name+"'s machine name after an SQL rename", "Pompe renommée en SQL",
			func() string { got, _ := listedNames(t, env, f.resp, machine); return got })
	}
}
