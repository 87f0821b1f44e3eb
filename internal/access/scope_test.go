package access

import (
	"testing"

	"github.com/mif-erp/erp/internal/auth"
)

func TestScopeOfEachRole(t *testing.T) {
	t.Parallel()
	tech, company := int64(7), int64(3)
	type want struct {
		manager, allEquipment      bool
		technicienID, clientID     *int64
		ivAll, eqAll, companiesAll bool
	}
	cases := []struct {
		name string
		p    auth.Principal
		want want
	}{
		{"admin reads everything", auth.Principal{Role: "admin"}, want{manager: true, allEquipment: true, ivAll: true, eqAll: true, companiesAll: true}},
		{"responsable reads everything", auth.Principal{Role: "responsable"}, want{manager: true, allEquipment: true, ivAll: true, eqAll: true, companiesAll: true}},
		{"technicien: its assigned interventions, every machine", auth.Principal{Role: "technicien", TechnicienID: &tech, ClientID: &company},
			want{allEquipment: true, technicienID: &tech, eqAll: true}},
		{"technicien without profile: no intervention", auth.Principal{Role: "technicien"}, want{allEquipment: true, eqAll: true}},
		{"client: its company's rows", auth.Principal{Role: "client", TechnicienID: &tech, ClientID: &company}, want{clientID: &company}},
		{"client without company: nothing", auth.Principal{Role: "client"}, want{}},
		{"metrics scraper: nothing", auth.Principal{Role: auth.RoleMetrics}, want{}},
		{"unknown role: nothing", auth.Principal{Role: "Admin"}, want{}},
	}
	for _, c := range cases {
		s := For(c.p)
		q := s.Queries(nil)
		ivAll, ivTech, ivClient := q.interventions()
		eqAll, eqClient := q.equipment()
		coAll, coClient := q.company()
		got := want{manager: s.Manager(), allEquipment: s.ReadsAllEquipment(), technicienID: s.TechnicienID(),
			clientID: s.ClientID(), ivAll: ivAll, eqAll: eqAll, companiesAll: coAll}
		if got.manager != c.want.manager || got.allEquipment != c.want.allEquipment || got.ivAll != c.want.ivAll ||
			got.eqAll != c.want.eqAll || got.companiesAll != c.want.companiesAll ||
			!same(got.technicienID, c.want.technicienID) || !same(got.clientID, c.want.clientID) ||
			!same(ivTech, c.want.technicienID) || !same(ivClient, c.want.clientID) ||
			!same(eqClient, c.want.clientID) || !same(coClient, c.want.clientID) {
			t.Errorf("%s: got %+v (interventions %v/%v/%v, machines %v/%v, companies %v/%v)", c.name, got,
				ivAll, ivTech, ivClient, eqAll, eqClient, coAll, coClient)
		}
	}
	if !System().Manager() {
		t.Error("the jobs' scope must read every row")
	}
}

func same(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
