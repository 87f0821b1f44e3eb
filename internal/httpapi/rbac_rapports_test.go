package httpapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/rapports"
	"github.com/mif-erp/erp/internal/testenv"
)

// Rows of the RBAC matrix for reports and indicators (issue 15). The indicators: every role,
// each on its own scope (kpis_test.go). Reports: managers and clients (a client reads its own).
func init() {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	onModele := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"modele_id": id(f.freshModele())}, "", ""
	}
	onPlanifie := func(f *rbacFixture, _ string) (map[string]string, string, string) {
		return map[string]string{"planification_id": id(f.freshPlanifie())}, "", ""
	}
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
		// The exports of the lists: the roles of each list.
		"exportEquipements":     {allowed: everyAccount, request: noBody},
		"exportTechniciens":     {allowed: staff, request: noBody},
		"exportClients":         {allowed: managersClient, request: noBody},
		"exportContrats":        {allowed: managersClient, request: noBody},
		"exportPlannings":       {allowed: everyAccount, request: noBody},
		"exportMouvementsStock": {allowed: managers, request: noBody},
		"exportNotifications":   {allowed: managers, request: noBody},
		"listRapportModeles":    {allowed: managers, request: noBody},
		"createRapportModele": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"nom":"Modèle RBAC %d","type":"stock","format":"csv","titre_modele":"Stock au {fin}"}`, f.seq.Add(1))
		}},
		"getRapportModele":      {allowed: managers, request: onModele},
		"deleteRapportModele":   {allowed: managers, request: onModele},
		"generateRapportModele": {allowed: managers, request: onModele},
		"updateRapportModele": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"modele_id": id(f.freshModele())}, "application/json",
				fmt.Sprintf(`{"nom":"Modèle RBAC %d","type":"stock","format":"pdf","titre_modele":"Stock"}`, f.seq.Add(1))
		}},
		"listRapportPlanifies": {allowed: managers, request: noBody},
		"createRapportPlanifie": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return nil, "application/json", fmt.Sprintf(`{"nom":"Planif RBAC","modele_id":%d,"cron":"0 7 * * 1","destinataires":{"emails":["direction@mif.ma"]}}`,
				f.freshModele())
		}},
		"getRapportPlanifie":    {allowed: managers, request: onPlanifie},
		"deleteRapportPlanifie": {allowed: managers, request: onPlanifie},
		"updateRapportPlanifie": {allowed: managers, request: func(f *rbacFixture, _ string) (map[string]string, string, string) {
			return map[string]string{"planification_id": id(f.freshPlanifie())}, "application/json",
				fmt.Sprintf(`{"nom":"Planif RBAC","modele_id":%d,"cron":"@daily","destinataires":{"emails":["direction@mif.ma"]},"actif":false}`,
					f.freshModele())
		}},
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
	// The operations run at once: another one's worker may be making this report right now.
	deadline := time.Now().Add(testenv.Scaled(10 * time.Second))
	for {
		runReports(f.t, f.env)
		var statut string
		if err := f.env.Pool.QueryRow(f.t.Context(), `SELECT statut::text FROM rapports WHERE id = $1`, r.ID).Scan(&statut); err != nil {
			f.t.Fatal(err)
		}
		switch {
		case statut == "completed":
			return r.ID
		case statut == "failed" || time.Now().After(deadline):
			f.t.Fatalf("fixture report %d: %s", r.ID, statut)
		}
		time.Sleep(10 * time.Millisecond)
	}
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

// freshModele saves a report template.
func (f *rbacFixture) freshModele() int64 {
	f.t.Helper()
	return f.insert(`INSERT INTO rapports_modeles (nom, type_rapport, format, titre_modele)
		VALUES ($1, 'stock', 'json', 'Stock du {debut} au {fin}') RETURNING id`, fmt.Sprintf("Modèle fixture %d", f.seq.Add(1)))
}

// freshPlanifie schedules a fresh template's report.
func (f *rbacFixture) freshPlanifie() int64 {
	f.t.Helper()
	return f.insert(`INSERT INTO rapports_planifies (nom, modele_id, cron, destinataires_emails, prochaine_execution, proprietaire_id)
		SELECT 'Planif fixture', $1, '0 7 * * 1', '{direction@mif.ma}', now() + interval '1 day', id FROM users WHERE username = 'admin'
		RETURNING id`, f.freshModele())
}
