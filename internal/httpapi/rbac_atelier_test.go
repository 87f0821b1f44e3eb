package httpapi_test

import "strconv"

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
