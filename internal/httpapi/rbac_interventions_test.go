package httpapi_test

import (
	"fmt"
	"strconv"
)

// Rows of the RBAC matrix for interventions (DESIGN section 9). The target interventions are on
// the demo client's equipment and assigned to the demo technicien, so every role may read them.
var managersTech = []string{"admin", "responsable", "technicien"}

func init() {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	on := func(statut string) func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": id(f.sharedIntervention(statut))}, "", ""
		}
	}
	rows := map[string]rbacRow{
		"listInterventions":          {allowed: everyAccount, request: noBody},
		"filterInterventions":        {allowed: everyAccount, request: noBody},
		"getDashboardStats":          {allowed: everyAccount, request: noBody},
		"getIntervention":            {allowed: everyAccount, request: on("affectee")},
		"listInterventionHistorique": {allowed: everyAccount, request: on("affectee")},
		"listEquipementInterventions": {allowed: everyAccount, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			c := f.demoClientCompany()
			return map[string]string{"equipement_id": id(f.freshEquipement(&c))}, "", ""
		}},
		"createIntervention": {allowed: []string{"admin", "responsable", "client"}, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			c := f.demoClientCompany()
			return nil, "application/json", fmt.Sprintf(`{"titre":"Panne RBAC","type":"corrective","equipement_id":%d}`, f.freshEquipement(&c))
		}},
		"updateIntervention": {allowed: managers, request: func(f *rbacFixture, c string) (map[string]string, string, string) {
			params, _, _ := on("ouverte")(f, c)
			return params, "application/json", `{"priorite":"haute"}`
		}},
		"changeInterventionStatut": {allowed: managersTech, query: "statut=en_cours", request: on("affectee")},
		"applyInterventionAction": {allowed: managersTech, request: func(f *rbacFixture, c string) (map[string]string, string, string) {
			params, _, _ := on("affectee")(f, c)
			params["action"] = "start"
			return params, "", ""
		}},
		"rateIntervention": {allowed: []string{"client"}, request: func(f *rbacFixture, c string) (map[string]string, string, string) {
			params, _, _ := on("cloturee")(f, c)
			return params, "application/json", `{"satisfaction_client":5}`
		}},
		"listTechnicienInterventions": {allowed: managersTech, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"technicien_id": id(f.demoTechnicien())}, "", ""
		}},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

// demoTechnicien returns the profile of the demo technicien account, creating it if needed.
func (f *rbacFixture) demoTechnicien() int64 {
	f.t.Helper()
	return f.insert(`WITH u AS (SELECT id FROM users WHERE username = 'technicien'),
		ins AS (INSERT INTO techniciens (user_id, equipe) SELECT id, 'A' FROM u
			ON CONFLICT (user_id) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT t.id FROM techniciens t JOIN u ON t.user_id = u.id LIMIT 1`)
}

// sharedIntervention inserts an intervention every role may read: on the demo client's
// equipment, assigned to the demo technicien, in the given status with coherent dates.
func (f *rbacFixture) sharedIntervention(statut string) int64 {
	f.t.Helper()
	c := f.demoClientCompany()
	e := f.freshEquipement(&c)
	tech := f.demoTechnicien()
	return f.insert(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, technicien_id,
			date_affectation, date_debut_travaux, date_cloture, date_fin_travaux)
		VALUES ('Intervention RBAC', 'corrective', $1::intervention_statut, $2, $3,
			CASE WHEN $1 = 'ouverte' THEN NULL ELSE $4::bigint END,
			CASE WHEN $1 = 'ouverte' THEN NULL ELSE now() END,
			CASE WHEN $1 IN ('en_cours', 'en_attente', 'cloturee', 'archivee') THEN now() END,
			CASE WHEN $1 IN ('cloturee', 'archivee') THEN now() END,
			CASE WHEN $1 IN ('cloturee', 'archivee') THEN now() END)
		RETURNING id`, statut, e, c, tech)
}
