package httpapi_test

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/rapports"
	"github.com/mif-erp/erp/internal/testenv"
)

// Rows of the RBAC matrix for reports and indicators (issue 15). The indicators: every role,
// each on its own scope (kpis_test.go). Reports: managers and clients (a client reads its own).
func init() {
	managersClient := []string{"admin", "responsable", "client"}
	onOwn := func(f *rbacFixture, caller string) (map[string]string, string, string) {
		return map[string]string{"rapport_id": strconv.FormatInt(f.completedRapport(caller), 10)}, "", ""
	}
	rows := map[string]rbacRow{
		"getKpis":      {allowed: everyAccount, request: noBody},
		"listRapports": {allowed: managersClient, request: noBody},
		"createRapport": {allowed: managersClient, request: func(*rbacFixture, string) (map[string]string, string, string) {
			return nil, "application/json", `{"type":"interventions","format":"json"}`
		}},
		"getRapport":      {allowed: managersClient, request: onOwn},
		"downloadRapport": {allowed: managersClient, request: onOwn},
		"getInterventionRapport": {allowed: managersClient, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"intervention_id": strconv.FormatInt(f.sharedIntervention("cloturee"), 10)}, "", ""
		}},
	}
	for k, v := range rows {
		rbacMatrix[k] = v
	}
}

// completedRapport asks for a small report as caller (as admin for a role that may not) and
// makes it, as the worker would.
func (f *rbacFixture) completedRapport(caller string) int64 {
	f.t.Helper()
	if caller != "responsable" && caller != "client" {
		caller = "admin"
	}
	resp, b := f.env.Do("POST", "/api/v1/rapports", f.env.Token(caller), "application/json",
		strings.NewReader(`{"type":"interventions","format":"json"}`), false)
	if resp.StatusCode != 202 {
		f.t.Fatalf("fixture report: %d %s", resp.StatusCode, b)
	}
	var r struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		f.t.Fatal(err)
	}
	runReports(f.t, f.env)
	return r.ID
}

// reportWorker is the report service of env's database, bucket and keys, as the scheduler of
// `erp serve` builds it.
func reportWorker(t testing.TB, env *testenv.Env) *rapports.Service {
	t.Helper()
	docs, err := app.Documents(t.Context(), env.Config, env.Pool, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return app.Rapports(env.Config, env.Pool, docs, slog.New(slog.DiscardHandler))
}

// runReports makes every queued report of env and fails the test on an error of the worker.
func runReports(t testing.TB, env *testenv.Env) int {
	t.Helper()
	n, err := reportWorker(t, env).RunPending(t.Context())
	if err != nil {
		t.Fatalf("report worker: %v", err)
	}
	return n
}
