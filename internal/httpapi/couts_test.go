package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestCostsRollUpByMonthAndType checks other cost lines and the roll-ups of a machine, a client
// and a contract against figures computed by hand, the window clipping months, and who sees what.
func TestCostsRollUpByMonthAndType(t *testing.T) {
	t.Parallel()
	iv := newIvFixture(t)
	env := iv.env
	ctx := t.Context()
	contrat := iv.contrat(iv.company, [4]*int{})
	machine := iv.machine(&iv.company, &contrat)
	otherCompany, otherClient := iv.clientAccount()
	elsewhere := iv.machine(&otherCompany, nil)
	// at inserts a closed (or open, without closing date) intervention with its costs.
	at := func(machine int64, typ, statut, cree string, clos *string, pieces, mo, estime *int64) int64 {
		return iv.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, contrat_id,
				date_creation, date_cloture, date_fin_travaux, cout_pieces, cout_main_oeuvre, cout_estime)
			SELECT 'Coûts', $2::intervention_type, $3::intervention_statut, e.id, e.client_id, e.contrat_id,
				$4::timestamptz, $5::timestamptz, $5::timestamptz, $6, $7, $8
			FROM equipements e WHERE e.id = $1 RETURNING id`, machine, typ, statut, cree, clos, pieces, mo, estime)
	}
	i64 := func(v int64) *int64 { return &v }
	str := func(s string) *string { return &s }
	at(machine, "corrective", "cloturee", "2026-10-10T08:00:00Z", str("2026-10-15T12:00:00Z"), i64(1000), i64(2000), i64(2500))
	b := at(machine, "preventive", "cloturee", "2026-10-28T08:00:00Z", str("2026-11-03T09:00:00Z"), i64(500), nil, nil)
	at(machine, "corrective", "en_cours", "2026-11-20T08:00:00Z", nil, nil, i64(800), i64(1000))
	archived := at(machine, "corrective", "archivee", "2026-09-01T08:00:00Z", str("2026-09-02T08:00:00Z"), nil, nil, nil)
	at(elsewhere, "corrective", "cloturee", "2026-10-10T08:00:00Z", str("2026-10-11T08:00:00Z"), i64(99999), nil, nil)

	addCost := func(token string, id int64, body api.InterventionCoutCreate, editors ...api.RequestEditorFn) *api.AddInterventionCoutResponse {
		t.Helper()
		r, err := env.Client.AddInterventionCoutWithResponse(ctx, id, body, append(editors, testenv.As(token))...)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// A subcontractor's invoice arrives after the closing of b.
	r := addCost(iv.resp, b, api.InterventionCoutCreate{TypeCout: api.TypeCoutSousTraitance, Libelle: "Rebobinage moteur", Montant: 3000,
		Fournisseur: ptrTo("Électro Bobinage")})
	if r.JSON201 == nil || r.JSON201.Montant != 3000 {
		t.Fatalf("cost line: %d %s", r.StatusCode(), r.Body)
	}
	wrong := addCost(iv.resp, b, api.InterventionCoutCreate{TypeCout: api.TypeCoutAutre, Libelle: "Saisie erronée", Montant: 777})
	if wrong.JSON201 == nil {
		t.Fatalf("second line: %s", wrong.Body)
	}
	c, err := env.Client.CancelInterventionCoutWithResponse(ctx, b, wrong.JSON201.Id, testenv.As(iv.resp))
	if err != nil || c.JSON200 == nil || c.JSON200.AnnuleeAt == nil {
		t.Fatalf("cancel: %v %s", err, c.Body)
	}
	g, err := env.Client.GetInterventionWithResponse(ctx, b, testenv.As(iv.client))
	if err != nil || g.JSON200 == nil {
		t.Fatalf("get: %v %s", err, g.Body)
	}
	if v := g.JSON200; v.CoutAutres == nil || *v.CoutAutres != 3000 || v.CoutReel != 3500 || v.CoutTotal != 500 {
		t.Errorf("costs of b: autres %v reel %d total %d", v.CoutAutres, v.CoutReel, v.CoutTotal)
	}

	t.Run("bad cost lines", func(t *testing.T) {
		tomorrow := openapi_types.Date{Time: time.Now().UTC().AddDate(0, 0, 2)}
		r := addCost(iv.resp, b, api.InterventionCoutCreate{TypeCout: api.TypeCoutAutre, Libelle: "X", Montant: 10, DateCout: &tomorrow})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "date_cout")
		r = addCost(iv.resp, b, api.InterventionCoutCreate{TypeCout: api.TypeCoutAutre, Libelle: " ", Montant: 0}, testenv.InvalidOnPurpose)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity)
		r = addCost(iv.resp, archived, api.InterventionCoutCreate{TypeCout: api.TypeCoutAutre, Libelle: "Trop tard", Montant: 10})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
		r = addCost(iv.tech, b, api.InterventionCoutCreate{TypeCout: api.TypeCoutAutre, Libelle: "X", Montant: 10})
		stockProblem(t, r.StatusCode(), r.Body, http.StatusForbidden)
	})

	day := func(s string) *openapi_types.Date {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &openapi_types.Date{Time: d}
	}
	type fig struct {
		n                                 int
		pieces, mo, autres, total, estime int64
	}
	figOf := func(f api.CoutsFigures) fig {
		return fig{f.Interventions, f.Pieces, f.MainOeuvre, f.Autres, f.Total, f.Estime}
	}
	t.Run("machine roll-up over two months", func(t *testing.T) {
		r, err := env.Client.GetEquipementCoutsWithResponse(ctx, machine, &api.GetEquipementCoutsParams{
			Depuis: day("2026-10-01"), JusquA: day("2026-11-30")}, testenv.As(iv.resp))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("roll-up: %v %s", err, r.Body)
		}
		got := r.JSON200
		type month struct {
			mois, typ string
			f         fig
		}
		var months []month
		for _, m := range got.ParMois {
			months = append(months, month{m.Mois, string(m.TypeIntervention), fig{m.Interventions, m.Pieces, m.MainOeuvre, m.Autres, m.Total, m.Estime}})
		}
		want := []month{
			{"2026-10", "corrective", fig{1, 1000, 2000, 0, 3000, 2500}},
			{"2026-11", "corrective", fig{1, 0, 800, 0, 800, 1000}},  // open: its creation month
			{"2026-11", "preventive", fig{1, 500, 0, 3000, 3500, 0}}, // closed in November
		}
		if len(months) != len(want) {
			t.Fatalf("months %+v, want %+v", months, want)
		}
		for i := range want {
			if months[i] != want[i] {
				t.Errorf("month %d: %+v, want %+v", i, months[i], want[i])
			}
		}
		if f := figOf(got.Total); f != (fig{3, 1500, 2800, 3000, 7300, 3500}) {
			t.Errorf("total %+v", f)
		}
		if f := figOf(got.ParType["corrective"]); f != (fig{2, 1000, 2800, 0, 3800, 3500}) {
			t.Errorf("corrective %+v", f)
		}
		// October alone: the window cuts November off.
		r, _ = env.Client.GetEquipementCoutsWithResponse(ctx, machine, &api.GetEquipementCoutsParams{
			Depuis: day("2026-10-01"), JusquA: day("2026-10-31")}, testenv.As(iv.resp))
		if r.JSON200 == nil || figOf(r.JSON200.Total) != (fig{1, 1000, 2000, 0, 3000, 2500}) {
			t.Errorf("October: %s", r.Body)
		}
		r, _ = env.Client.GetEquipementCoutsWithResponse(ctx, machine, &api.GetEquipementCoutsParams{
			Depuis: day("2026-11-01"), JusquA: day("2026-10-01")}, testenv.As(iv.resp))
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "jusqu_a")
	})
	t.Run("client and contract roll-ups, and who reads them", func(t *testing.T) {
		p := &api.GetClientCoutsParams{Depuis: day("2026-09-01"), JusquA: day("2026-11-30")}
		r, err := env.Client.GetClientCoutsWithResponse(ctx, iv.company, p, testenv.As(iv.client))
		if err != nil || r.JSON200 == nil || figOf(r.JSON200.Total) != (fig{4, 1500, 2800, 3000, 7300, 3500}) {
			t.Fatalf("the client's own roll-up: %v %s", err, r.Body)
		}
		k, err := env.Client.GetContratCoutsWithResponse(ctx, contrat, &api.GetContratCoutsParams{Depuis: p.Depuis, JusquA: p.JusquA},
			testenv.As(iv.resp))
		if err != nil || k.JSON200 == nil || k.JSON200.Total.Total != 7300 {
			t.Fatalf("contract roll-up: %v %s", err, k.Body)
		}
		if r, _ := env.Client.GetClientCoutsWithResponse(ctx, iv.company, p, testenv.As(otherClient)); r.StatusCode() != http.StatusNotFound {
			t.Errorf("another client reads the roll-up: %d", r.StatusCode())
		}
		if r, _ := env.Client.GetEquipementCoutsWithResponse(ctx, machine, nil, testenv.As(iv.tech)); r.StatusCode() != http.StatusForbidden {
			t.Errorf("a technicien reads costs: %d", r.StatusCode())
		}
	})
	t.Run("an estimate set at creation", func(t *testing.T) {
		v := iv.create(iv.resp, api.InterventionCreate{Titre: "Estimée", Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine,
			CoutEstime: ptrTo[int64](45000)})
		if v.CoutEstime == nil || *v.CoutEstime != 45000 || v.CoutReel != 0 {
			t.Errorf("created %+v", v)
		}
	})
}
