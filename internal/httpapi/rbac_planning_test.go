package httpapi_test

import (
	"fmt"
	"strconv"
)

// Rows of the RBAC matrix for preventive planning (DESIGN section 9): admins and responsables
// write; every role reads, a client the plans of its own equipment. The target plans are on the
// demo client's equipment, so every role may read them.
func init() {
	onPlan := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"planning_id": strconv.FormatInt(f.sharedPlan(), 10)}, "", ""
	}
	rows := map[string]rbacRow{
		"listPlannings":           {allowed: everyAccount, request: noBody},
		"getPlanning":             {allowed: everyAccount, request: onPlan},
		"listPlanningOccurrences": {allowed: everyAccount, request: onPlan},
		"createPlanning": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			c := f.demoClientCompany()
			return nil, "application/json", fmt.Sprintf(`{"equipement_id":%d,"frequence":"mensuelle"}`, f.freshEquipement(&c))
		}},
		"updatePlanning": {allowed: managers, request: func(f *rbacFixture, c string) (map[string]string, string, string) {
			params, _, _ := onPlan(f, c)
			return params, "application/json", `{"frequence":"trimestrielle"}`
		}},
		"deletePlanning": {allowed: managers, request: onPlan},
		"replanPlanning": {allowed: managers, query: "nouvelle_date=2030-01-15", request: onPlan},
		"applyPlanningAction": {allowed: managers, request: func(f *rbacFixture, c string) (map[string]string, string, string) {
			params, _, _ := onPlan(f, c)
			params["action"] = "suspend"
			return params, "", ""
		}},
		"generatePlanning": {allowed: managers, request: onPlan},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

// sharedPlan inserts an active monthly plan, due in a week, on a fresh machine of the demo
// client's company.
func (f *rbacFixture) sharedPlan() int64 {
	f.t.Helper()
	c := f.demoClientCompany()
	return f.insert(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date)
		VALUES ($1, 'mensuel', CURRENT_DATE + 7, CURRENT_DATE + 7) RETURNING id`, f.freshEquipement(&c))
}
