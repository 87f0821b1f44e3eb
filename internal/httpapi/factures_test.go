package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestInvoices: the fee share and the billable work of a period, HT/TVA/TTC computed by hand,
// numbering without gaps under concurrency, statuses, and who reads them.
func TestInvoices(t *testing.T) {
	t.Parallel()
	iv := newIvFixture(t)
	env := iv.env
	ctx := t.Context()
	year := time.Now().UTC().Year()
	contract := func(company int64) int64 {
		return iv.id(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, statut, date_debut, date_fin,
				montant_annuel) VALUES ($1, $2, 'Contrat facturé', 'maintenance_complete', 'en_cours', '2026-01-01', '2026-12-31', 12000000)
			RETURNING id`, company, fmt.Sprintf("CTR-F-%d", iv.next()))
	}
	k := contract(iv.company)
	machine := iv.machine(&iv.company, &k)
	closed := func(horsContrat bool, when string, pieces, mo, autres int64) {
		iv.id(`INSERT INTO interventions (titre, type_intervention, statut, equipement_id, client_id, contrat_id, hors_contrat,
				date_creation, date_cloture, date_fin_travaux, cout_pieces, cout_main_oeuvre, cout_autres)
			SELECT 'Facturable', 'corrective', 'cloturee', e.id, e.client_id, e.contrat_id, $2, $3::timestamptz - interval '1 day',
				$3::timestamptz, $3::timestamptz, $4, $5, $6
			FROM equipements e WHERE e.id = $1 RETURNING id`, machine, horsContrat, when, pieces, mo, autres)
	}
	closed(true, "2026-11-10T10:00:00Z", 5000, 7000, 1000)
	closed(true, "2026-10-20T10:00:00Z", 2000, 0, 0)
	closed(false, "2026-11-12T10:00:00Z", 99999, 99999, 99999) // covered by the fee

	create := func(token string, contrat int64, periode string, body *api.FactureCreate) *api.CreateFactureResponse {
		t.Helper()
		var r *api.CreateFactureResponse
		var err error
		if body == nil {
			r, err = env.Client.CreateFactureWithResponse(ctx, contrat, &api.CreateFactureParams{Periode: periode}, api.FactureCreate{}, testenv.As(token))
		} else {
			r, err = env.Client.CreateFactureWithResponse(ctx, contrat, &api.CreateFactureParams{Periode: periode}, *body, testenv.As(token))
		}
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	nov := create(iv.resp, k, "2026-11", nil)
	if nov.JSON201 == nil {
		t.Fatalf("invoice: %d %s", nov.StatusCode(), nov.Body)
	}
	f := *nov.JSON201
	type amounts struct{ forfait, pieces, mo, autres, ht, tva, ttc int64 }
	if got := (amounts{f.MontantForfait, f.MontantPieces, f.MontantMainOeuvre, f.MontantAutres, f.MontantHt, f.MontantTva, f.MontantTtc}); got != (amounts{1000000, 5000, 7000, 1000, 1013000, 202600, 1215600}) {
		t.Errorf("November amounts %+v", got)
	}
	if f.NumeroFacture != fmt.Sprintf("FAC-%d-0001", year) || f.Statut != api.StatutFactureBrouillon || f.NbInterventionsFacturees != 1 || f.TauxTva != 20 {
		t.Errorf("November invoice %+v", f)
	}
	q4 := create(iv.resp, k, "2026-T4", &api.FactureCreate{TauxTva: ptrTo(5.5), DelaiPaiementJours: ptrTo(45)})
	if q4.JSON201 == nil || q4.JSON201.MontantHt != 3015000 || q4.JSON201.MontantTva != 165825 || q4.JSON201.MontantTtc != 3180825 ||
		q4.JSON201.DateEcheance.Time.Sub(q4.JSON201.DateEmission.Time) != 45*24*time.Hour {
		t.Fatalf("fourth quarter at 5.5 %%: %d %s", q4.StatusCode(), q4.Body)
	}

	t.Run("bad periods", func(t *testing.T) {
		stockProblem(t, create(iv.resp, k, "2026-11", nil).StatusCode(), create(iv.resp, k, "2026-11", nil).Body, http.StatusConflict)
		r := create(iv.resp, k, "2026-13", nil)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "periode")
		r = create(iv.resp, k, "2025", nil)
		stockProblem(t, r.StatusCode(), r.Body, http.StatusUnprocessableEntity, "periode")
	})
	t.Run("numbers have no gap under concurrency", func(t *testing.T) {
		contracts := make([]int64, 8)
		for i := range contracts {
			contracts[i] = contract(iv.company)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var numbers []string
		refused := 0
		for i := range 10 {
			wg.Go(func() {
				periode := "2026-S1"
				c := contracts[i%len(contracts)] // two requests repeat a period: refused, no number used
				r, err := env.Client.CreateFactureWithResponse(ctx, c, &api.CreateFactureParams{Periode: periode}, api.FactureCreate{},
					testenv.As(iv.resp))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				switch r.StatusCode() {
				case http.StatusCreated:
					numbers = append(numbers, r.JSON201.NumeroFacture)
				case http.StatusConflict:
					refused++
				default:
					t.Errorf("invoice: %d %s", r.StatusCode(), r.Body)
				}
			})
		}
		wg.Wait()
		slices.Sort(numbers)
		var want []string
		for n := 3; n <= 10; n++ {
			want = append(want, fmt.Sprintf("FAC-%d-%04d", year, n))
		}
		if !slices.Equal(numbers, want) || refused != 2 {
			t.Errorf("numbers %v (refused %d), want %v", numbers, refused, want)
		}
	})
	t.Run("statuses and who reads them", func(t *testing.T) {
		act := func(action string) *api.ApplyFactureActionResponse {
			r, err := env.Client.ApplyFactureActionWithResponse(ctx, f.Id, action, testenv.As(iv.resp))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := act("payer")
		stockProblem(t, r.StatusCode(), r.Body, http.StatusConflict)
		if r := act("emettre"); r.JSON200 == nil || r.JSON200.Statut != api.StatutFactureEmise {
			t.Fatalf("issue: %s", r.Body)
		}
		iv.exec(`UPDATE factures SET date_emission = CURRENT_DATE - 40, date_echeance = CURRENT_DATE - 10 WHERE id = $1`, f.Id)
		g, err := env.Client.GetFactureWithResponse(ctx, f.Id, testenv.As(iv.client))
		if err != nil || g.JSON200 == nil || g.JSON200.Statut != api.StatutFactureEnRetard {
			t.Fatalf("the client reads its late invoice: %v %s", err, g.Body)
		}
		if r := act("payer"); r.JSON200 == nil || r.JSON200.Statut != api.StatutFacturePayee || r.JSON200.DatePaiement == nil {
			t.Fatalf("pay: %s", r.Body)
		}
		l, err := env.Client.ListContratFacturesWithResponse(ctx, k, nil, testenv.As(iv.client))
		if err != nil || l.JSON200 == nil || len(*l.JSON200) != 2 || l.Headers200.XTotalCount != 2 {
			t.Fatalf("the client lists its contract's invoices: %v %s", err, l.Body)
		}
		_, other := iv.clientAccount()
		if g, _ := env.Client.GetFactureWithResponse(ctx, f.Id, testenv.As(other)); g.StatusCode() != http.StatusNotFound {
			t.Errorf("another client reads the invoice: %d", g.StatusCode())
		}
		if r, _ := env.Client.CreateFactureWithResponse(ctx, k, &api.CreateFactureParams{Periode: "2026-12"}, api.FactureCreate{},
			testenv.As(iv.client)); r.StatusCode() != http.StatusForbidden {
			t.Errorf("a client invoices: %d", r.StatusCode())
		}
	})
}
