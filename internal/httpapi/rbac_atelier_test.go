package httpapi_test

import (
	"fmt"
	"strconv"
)

// Rows of the RBAC matrix for the shop floor (issue 14). Downtime and status history: staff and
// a client (its own machines) read them; managers and a technicien with open work on the machine
// record downtime; managers correct and delete it. Dispatch suggestions and the workload board:
// managers.
func init() {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	onWorked := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"equipement_id": id(f.workedMachine())}, "", ""
	}
	onArret := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"arret_id": id(f.freshArret())}, "", ""
	}
	rows := map[string]rbacRow{
		"listArrets":            {allowed: everyAccount, request: onWorked},
		"listEquipementStatuts": {allowed: everyAccount, request: onWorked},
		"createArret": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"equipement_id": id(f.workedMachine())}, "application/json",
				`{"debut":"2026-11-20T08:00:00Z","fin":"2026-11-20T09:00:00Z","motif":"externe"}`
		}},
		"updateArret": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"arret_id": id(f.freshArret())}, "application/json", `{"motif":"autre"}`
		}},
		"deleteArret": {allowed: managers, request: onArret},
		"listInterventionSuggestions": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention("en_cours"))}, "", ""
		}},
		"getTechniciensCharge": {allowed: managers, request: noBody},
		"listChecklists":       {allowed: staff, request: noBody},
		"getChecklist": {allowed: staff, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"checklist_id": id(f.freshChecklist())}, "", ""
		}},
		"createChecklist": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"nom":"Checklist RBAC %d","items":[{"libelle":"Purge","type_item":"case"}]}`, f.seq.Add(1))
		}},
		"updateChecklist": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"checklist_id": id(f.freshChecklist())}, "application/json",
				fmt.Sprintf(`{"nom":"Checklist RBAC %d","items":[{"libelle":"Graissage","type_item":"case"}]}`, f.seq.Add(1))
		}},
		"deleteChecklist": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"checklist_id": id(f.freshChecklist())}, "", ""
		}},
		// The checklist of an intervention assigned to the demo technicien, of the demo client.
		"getInterventionChecklist": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			iv, _ := f.checklistWork()
			return map[string]string{"intervention_id": id(iv)}, "", ""
		}},
		"answerChecklistItem": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			iv, item := f.checklistWork()
			return map[string]string{"intervention_id": id(iv), "item_id": id(item)}, "application/json", `{"coche":true}`
		}},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

// freshArret is a closed downtime record on a worked machine of the demo client.
func (f *rbacFixture) freshArret() int64 {
	return f.insert(`INSERT INTO arrets (equipement_id, debut, fin, motif) VALUES ($1, now() - interval '3 hours',
		now() - interval '2 hours', 'panne') RETURNING id`, f.workedMachine())
}

// freshChecklist is a template with one item.
func (f *rbacFixture) freshChecklist() int64 {
	c := f.insert(`INSERT INTO checklists (nom) VALUES ($1) RETURNING id`, fmt.Sprintf("Checklist fixture %d", f.seq.Add(1)))
	f.insert(`INSERT INTO checklist_items (checklist_id, ordre, libelle, type_item) VALUES ($1, 1, 'Purge', 'case') RETURNING id`, c)
	return c
}

// checklistWork is an intervention in progress of the demo technicien with a one-item checklist.
func (f *rbacFixture) checklistWork() (intervention, item int64) {
	iv := f.sharedIntervention("en_cours")
	it := f.insert(`INSERT INTO interventions_checklist (intervention_id, ordre, libelle, type_item, obligatoire, suivi_si_ecart)
		VALUES ($1, 1, 'Purge', 'case', true, false) RETURNING id`, iv)
	return iv, it
}
