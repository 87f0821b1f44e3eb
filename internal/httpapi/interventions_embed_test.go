package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
)

// TestInterventionsNameTheirMachineAndTechnician: a list or a detail of interventions shows the
// machine's name and the technician's without another request per row, wherever an intervention
// is answered (lists, detail, creation, change).
func TestInterventionsNameTheirMachineAndTechnician(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	machine := f.machine(&f.company, nil)
	var nom, techName string
	f.env.Pool.QueryRow(t.Context(), `SELECT nom FROM equipements WHERE id = $1`, machine).Scan(&nom)
	f.env.Pool.QueryRow(t.Context(), `SELECT u.full_name FROM techniciens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`, f.techID).Scan(&techName)
	if nom == "" || techName == "" {
		t.Fatalf("fixture names %q %q", nom, techName)
	}
	assigned := f.insert("affectee", machine, &f.techID)
	open := f.insert("ouverte", machine, nil)

	check := func(what string, v api.Intervention, wantTech bool) {
		t.Helper()
		if v.Equipement.Id != machine || v.Equipement.Nom != nom {
			t.Errorf("%s: equipement %+v, want {%d %s}", what, v.Equipement, machine, nom)
		}
		switch {
		case wantTech && (v.Technicien == nil || v.Technicien.Id != f.techID || v.Technicien.FullName != techName):
			t.Errorf("%s: technicien %+v, want {%d %s}", what, v.Technicien, f.techID, techName)
		case !wantTech && v.Technicien != nil:
			t.Errorf("%s: technicien %+v, want null", what, v.Technicien)
		}
	}

	// The lists, for managers and for the technician and client they concern.
	for _, c := range []struct{ who, token, path string }{
		{"admin", f.admin, fmt.Sprintf("/api/v1/interventions?equipement_id=%d", machine)},
		{"admin (default page)", f.admin, "/api/v1/interventions?limit=500"},
		{"responsable (filters)", f.resp, fmt.Sprintf("/api/v1/filters/interventions?equipement_id=%d", machine)},
		{"client", f.client, fmt.Sprintf("/api/v1/equipements/%d/interventions", machine)},
		{"technicien", f.tech, fmt.Sprintf("/api/v1/techniciens/%d/interventions", f.techID)},
	} {
		resp, b := f.do(http.MethodGet, c.path, c.token, "", nil, false)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s GET %s: %d %s", c.who, c.path, resp.StatusCode, b)
		}
		var rows []api.Intervention
		if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, v := range rows {
			if v.Id == assigned || v.Id == open {
				seen++
				check(c.who+" list", v, v.Id == assigned)
			}
		}
		if seen == 0 {
			t.Errorf("%s GET %s: neither intervention listed", c.who, c.path)
		}
		// null, not absent: a front end reads row.technicien?.full_name either way, a typed client
		// needs the field.
		var raw []map[string]json.RawMessage
		_ = json.Unmarshal(b, &raw)
		for _, r := range raw {
			if _, ok := r["technicien"]; !ok {
				t.Errorf("%s GET %s: a row without the technicien field", c.who, c.path)
			}
		}
	}

	_, v := f.get(f.admin, assigned)
	check("detail", v, true)
	_, v = f.get(f.admin, open)
	check("unassigned detail", v, false)

	v = f.create(f.admin, api.InterventionCreate{Titre: "Nommée", Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine})
	check("creation", v, false)
	resp, b := f.act(f.admin, v.Id, "assign", fmt.Sprintf(`{"technicien_id":%d}`, f.techID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("assign: %d %s", resp.StatusCode, b)
	}
	var after api.InterventionActionResult
	if err := json.Unmarshal(b, &after); err != nil {
		t.Fatal(err)
	}
	check("assignment", after.Intervention, true)
}
