package httpapi_test

// Rows of the RBAC matrix for reports and indicators (issue 15). The indicators: every role, each
// on its own scope (checked in kpis_test.go).
func init() {
	rows := map[string]rbacRow{
		"getKpis": {allowed: everyAccount, request: noBody},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}
