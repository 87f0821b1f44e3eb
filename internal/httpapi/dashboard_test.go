package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestDashboardStatsOnAKnownDataSet checks every figure of GET /dashboard/stats on a data set
// built month by month, globally (admin, responsable) and scoped (technicien, client).
func TestDashboardStatsOnAKnownDataSet(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	foreign, foreignTok := f.clientAccount()
	otherTech := f.profile("Autre Technicien", "disponible", 1)
	_, noProfileTok := f.account(api.UserRoleTechnicien)
	machine := func(client *int64, statut string) int64 {
		id := f.machine(client, nil)
		f.exec(`UPDATE equipements SET statut = $2::equipement_statut WHERE id = $1`, id, statut)
		return id
	}
	op1, op2, maint := machine(&f.company, "operationnel"), machine(&f.company, "operationnel"), machine(&f.company, "maintenance")
	panne, retire := machine(&foreign, "panne"), machine(nil, "retire")

	now := time.Now().UTC()
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	month := func(back int) time.Time { return monthStart.AddDate(0, -back, 0).Add(time.Hour) }
	at := func(t time.Time) *time.Time { return &t }
	type row struct {
		statut, priorite string
		machine          int64
		tech             *int64
		created          time.Time
		limite           *time.Time
		debut, cloture   *time.Time
	}
	rows := []row{
		{"ouverte", "urgente", op1, nil, month(0), at(now.Add(-time.Minute)), nil, nil},                                                     // 1, overdue
		{"affectee", "haute", op1, &f.techID, month(0), at(now.Add(24 * time.Hour)), nil, nil},                                              // 2
		{"en_cours", "normale", maint, &f.techID, month(1), at(now.Add(-24 * time.Hour)), at(month(1)), nil},                                // 3, overdue
		{"en_attente", "basse", panne, &otherTech, month(2), nil, at(month(2)), nil},                                                        // 4
		{"cloturee", "normale", op2, &f.techID, month(0), at(month(0).Add(2 * time.Hour)), at(month(0)), at(month(0).Add(4 * time.Hour))},   // 5, late, 4 h
		{"cloturee", "haute", panne, &otherTech, month(3), at(month(3).Add(24 * time.Hour)), at(month(3)), at(month(3).Add(2 * time.Hour))}, // 6, in time, 2 h
		{"archivee", "programmee", retire, &f.techID, month(5), nil, at(month(5)), at(month(5).Add(6 * time.Hour))},                         // 7, 6 h
		{"annulee", "basse", op2, nil, month(6), nil, nil, nil},                                                                             // 8, before the window
	}
	for i, r := range rows {
		f.exec(`INSERT INTO interventions (titre, type_intervention, statut, priorite, equipement_id, client_id, technicien_id,
				date_creation, date_limite, date_debut_travaux, date_cloture, date_fin_travaux)
			SELECT $1, 'corrective', $2::intervention_statut, $3::intervention_priorite, e.id, e.client_id, $5, $6, $7, $8, $9, $9
			FROM equipements e WHERE e.id = $4`, "Dashboard "+string(rune('1'+i)), r.statut, r.priorite, r.machine, r.tech,
			r.created, r.limite, r.debut, r.cloture)
	}
	months := make([]string, 6)
	for i := range months {
		months[i] = monthStart.AddDate(0, i-5, 0).Format("2006-01")
	}
	type evo = map[string]int
	f.exec(`INSERT INTO users (username, full_name, email, password_hash, role, is_active)
		VALUES ('dash.inactive', 'Inactif', 'dash.inactive@example.com', 'x', 'client', false)`)
	users := f.count(`SELECT count(*) FROM users`)

	type want struct {
		counts                                     api.CountsByStatut
		taux                                       float64
		evolution                                  evo
		urgente, haute, normale, basse, programmee int
		eqTotal, eqOp, eqMaint, eqPanne, eqRetire  int
		usersTotal, usersActifs                    int
		mttr, sla                                  *float64
	}
	global := want{
		counts: api.CountsByStatut{Ouverte: 1, Affectee: 1, EnCours: 1, EnAttente: 1, Cloturee: 2, Annulee: 1, Archivee: 1,
			Terminees: 3, Total: 8, TotalMensuel: 3, TermineesMensuel: 1, EnRetard: 2},
		taux:      37.5,
		evolution: evo{months[0]: 1, months[2]: 1, months[3]: 1, months[4]: 1, months[5]: 3},
		urgente:   1, haute: 2, normale: 2, basse: 2, programmee: 1,
		eqTotal: 5, eqOp: 2, eqMaint: 1, eqPanne: 1, eqRetire: 1,
		usersTotal: users, usersActifs: users - 1,
		mttr: ptrTo(4.0), sla: ptrTo(50.0),
	}
	cases := []struct {
		name, token string
		want        want
	}{
		{"admin", f.admin, global},
		{"responsable", f.resp, global},
		{"technicien", f.tech, want{
			counts: api.CountsByStatut{Affectee: 1, EnCours: 1, Cloturee: 1, Archivee: 1, Terminees: 2, Total: 4,
				TotalMensuel: 2, TermineesMensuel: 1, EnRetard: 1},
			taux:      50,
			evolution: evo{months[0]: 1, months[4]: 1, months[5]: 2},
			haute:     1, normale: 2, programmee: 1,
			eqTotal: 4, eqOp: 2, eqMaint: 1, eqRetire: 1,
			usersTotal: 1, usersActifs: 1,
			mttr: ptrTo(5.0), sla: ptrTo(0.0),
		}},
		{"client", f.client, want{
			counts: api.CountsByStatut{Ouverte: 1, Affectee: 1, EnCours: 1, Cloturee: 1, Annulee: 1, Terminees: 1, Total: 5,
				TotalMensuel: 3, TermineesMensuel: 1, EnRetard: 2},
			taux:      20,
			evolution: evo{months[4]: 1, months[5]: 3},
			urgente:   1, haute: 1, normale: 2, basse: 1,
			eqTotal: 3, eqOp: 2, eqMaint: 1,
			usersTotal: 1, usersActifs: 1,
			mttr: ptrTo(4.0), sla: ptrTo(0.0),
		}},
		{"other client", foreignTok, want{
			counts:    api.CountsByStatut{EnAttente: 1, Cloturee: 1, Terminees: 1, Total: 2},
			taux:      50,
			evolution: evo{months[2]: 1, months[3]: 1},
			haute:     1, basse: 1,
			eqTotal: 1, eqPanne: 1,
			usersTotal: 1, usersActifs: 1,
			mttr: ptrTo(2.0), sla: ptrTo(100.0),
		}},
		{"technicien without profile", noProfileTok, want{evolution: evo{}, usersTotal: 1, usersActifs: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := f.env.Client.GetDashboardStatsWithResponse(t.Context(), testenv.As(c.token))
			if err != nil || r.JSON200 == nil {
				t.Fatalf("stats: %v %d %s", err, r.StatusCode(), r.Body)
			}
			got, w := *r.JSON200, c.want
			if got.Interventions != w.counts {
				t.Errorf("interventions %+v, want %+v", got.Interventions, w.counts)
			}
			if got.TauxResolution != w.taux {
				t.Errorf("taux_resolution %v, want %v", got.TauxResolution, w.taux)
			}
			if len(got.EvolutionMensuelle) != 6 {
				t.Fatalf("evolution_mensuelle has %d months", len(got.EvolutionMensuelle))
			}
			for i, m := range got.EvolutionMensuelle {
				if m.Month != months[i] || m.Total != w.evolution[months[i]] {
					t.Errorf("month %d: %s = %d, want %s = %d", i, m.Month, m.Total, months[i], w.evolution[months[i]])
				}
			}
			p := got.Priorites
			if p.Urgente != w.urgente || p.Haute != w.haute || p.Normale != w.normale || p.Basse != w.basse || p.Programmee != w.programmee {
				t.Errorf("priorites %+v", p)
			}
			e := got.Equipements
			if e.Total != w.eqTotal || e.Operationnel != w.eqOp || e.Maintenance != w.eqMaint || e.Panne != w.eqPanne || e.Retire != w.eqRetire {
				t.Errorf("equipements %+v", e)
			}
			if got.Utilisateurs.Total != w.usersTotal || got.Utilisateurs.Actifs != w.usersActifs {
				t.Errorf("utilisateurs %+v, want %d/%d", got.Utilisateurs, w.usersTotal, w.usersActifs)
			}
			checkOpt := func(name string, isNull bool, v float64, want *float64) {
				if (want == nil) != isNull || want != nil && v != *want {
					t.Errorf("%s: null=%v %v, want %v", name, isNull, v, want)
				}
			}
			checkOpt("mttr_heures", got.MttrHeures == nil, deref(got.MttrHeures), w.mttr)
			checkOpt("sla_respect_pct", got.SlaRespectPct == nil, deref(got.SlaRespectPct), w.sla)
		})
	}
	// The original's path with a trailing slash and at the root still answers.
	resp, b := f.do(http.MethodGet, "/dashboard/stats/", f.client, "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("root path: %d %s", resp.StatusCode, b)
	}
}
