package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// quotaContract inserts a contract of the demo company including n interventions, and a
// machine under it.
func quotaContract(iv *ivFixture, n int) (contrat, machine int64) {
	contrat = iv.id(`INSERT INTO contrats (client_id, numero_contrat, nom_contrat, type_contrat, statut, date_debut, date_fin,
			nb_interventions_incluses)
		VALUES ($1, $2, 'Contrat à quota', 'maintenance_corrective', 'en_cours', CURRENT_DATE - 10, CURRENT_DATE + 300, $3)
		RETURNING id`, iv.company, fmt.Sprintf("CTR-Q-%d", iv.next()), n)
	return contrat, iv.machine(&iv.company, &contrat)
}

func TestContractQuotaIsFlaggedByDefault(t *testing.T) {
	t.Parallel()
	iv := newIvFixture(t)
	_, machine := quotaContract(iv, 2)
	body := api.InterventionCreate{Titre: "Demande", Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine}
	first := iv.create(iv.client, body)
	cancelled := iv.create(iv.resp, body)
	if resp, b := iv.act(iv.resp, cancelled.Id, "cancel", `{"motif":"Doublon"}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d %s", resp.StatusCode, b)
	}
	second := iv.create(iv.client, body) // the cancelled one does not count
	third := iv.create(iv.client, body)
	if first.HorsContrat || second.HorsContrat || !third.HorsContrat {
		t.Errorf("hors_contrat: %v %v %v, want false false true", first.HorsContrat, second.HorsContrat, third.HorsContrat)
	}
}

func TestContractQuotaRefusesUnderConcurrency(t *testing.T) {
	t.Parallel()
	iv := newIvFixtureOn(t, testenv.NewEnv(t, pg, testenv.Options{"CONTRAT_QUOTA_MODE": "refuser"}))
	contrat, machine := quotaContract(iv, 3)
	const n = 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range n {
		wg.Go(func() {
			r, err := iv.env.Client.CreateInterventionWithResponse(t.Context(), nil, api.InterventionCreate{Titre: "Demande",
				Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine}, testenv.As(iv.resp))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			codes[r.StatusCode()]++
			if r.StatusCode() == http.StatusConflict {
				// The quota is counted up to its size, the refusal says the exact use.
				if p := decodeProblem(t, r.Body); fieldsOf(p)[0] != "contrat_id" || !strings.Contains(string(r.Body), "3 intervention(s) incluse(s), 3 utilisée(s)") {
					t.Errorf("problem %s", r.Body)
				}
			}
		})
	}
	wg.Wait()
	if codes[http.StatusCreated] != 3 || codes[http.StatusConflict] != n-3 {
		t.Errorf("answers %v, want 3 created and %d refused", codes, n-3)
	}
	if got := iv.count(`SELECT count(*) FROM interventions WHERE contrat_id = $1`, contrat); got != 3 {
		t.Errorf("%d interventions on the contract, want 3", got)
	}
}
