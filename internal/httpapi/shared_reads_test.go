package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestSharedReadsNeverPredateAnAcknowledgedWrite: the managers' default pages of interventions,
// machines, technicians, plans and accounts, and the dashboard, are read once for the identical
// requests that wait for them (internal/coalesce). A request sent after a write was acknowledged
// must still see it. Eight clients read those pages without pause while a ninth creates
// interventions and machines one at a time and, right after each creation is acknowledged, reads
// it back in the default list and in the dashboard's totals.
func TestSharedReadsNeverPredateAnAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, nil)
	resp, admin := env.Token("responsable"), env.Token("admin")
	ctx := t.Context()

	dashboard := func() api.DashboardStats {
		t.Helper()
		r, err := env.Client.GetDashboardStatsWithResponse(ctx, testenv.As(resp))
		if err != nil || r.JSON200 == nil {
			t.Fatalf("dashboard: %v %+v", err, r)
		}
		return *r.JSON200
	}
	m, err := env.Client.CreateEquipementWithResponse(ctx, nil, api.EquipementCreate{Nom: "Compresseur partagé",
		Type: "compresseur", Localisation: "Atelier B"}, testenv.As(admin))
	if err != nil || m.JSON201 == nil {
		t.Fatalf("machine: %v %+v", err, m)
	}
	machine := m.JSON201.Id
	before := dashboard()

	readers, stop := sync.WaitGroup{}, make(chan struct{})
	var pages atomic.Int64
	for i := range 8 {
		readers.Go(func() {
			token := resp
			if i%4 == 0 {
				token = admin
			}
			rctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				switch pages.Add(1) % 6 {
				case 0:
					_, err = env.Client.ListInterventionsWithResponse(rctx, &api.ListInterventionsParams{}, testenv.As(token))
				case 1:
					_, err = env.Client.ListEquipementsWithResponse(rctx, &api.ListEquipementsParams{}, testenv.As(token))
				case 2:
					_, err = env.Client.GetDashboardStatsWithResponse(rctx, testenv.As(token))
				case 3:
					_, err = env.Client.ListTechniciensWithResponse(rctx, &api.ListTechniciensParams{}, testenv.As(token))
				case 4:
					_, err = env.Client.ListPlanningsWithResponse(rctx, &api.ListPlanningsParams{}, testenv.As(token))
				case 5:
					_, err = env.Client.ListUsersWithResponse(rctx, &api.ListUsersParams{}, testenv.As(admin))
				}
				if err != nil {
					t.Errorf("reader %d: %v", i, err)
					return
				}
			}
		})
	}
	defer func() {
		close(stop)
		readers.Wait()
	}()

	const writes = 25
	for k := range writes {
		iv, err := env.Client.CreateInterventionWithResponse(ctx, nil, api.InterventionCreate{
			Titre: fmt.Sprintf("Lecture partagée %d", k), Type: ptrTo(api.InterventionTypeCorrective), EquipementId: machine,
		}, testenv.As(resp))
		if err != nil || iv.JSON201 == nil {
			t.Fatalf("create intervention %d: %v %+v", k, err, iv)
		}
		list, err := env.Client.ListInterventionsWithResponse(ctx, &api.ListInterventionsParams{}, testenv.As(resp))
		if err != nil || list.JSON200 == nil || len(*list.JSON200) == 0 {
			t.Fatalf("list after creation %d: %v %+v", k, err, list)
		}
		if first := (*list.JSON200)[0].Id; first != iv.JSON201.Id {
			t.Fatalf("creation %d (id %d) acknowledged, then the default page starts with %d", k, iv.JSON201.Id, first)
		}
		if got, want := dashboard().Interventions.Total, before.Interventions.Total+k+1; got != want {
			t.Fatalf("creation %d acknowledged, then the dashboard counts %d interventions, want %d", k, got, want)
		}

		eq, err := env.Client.CreateEquipementWithResponse(ctx, nil, api.EquipementCreate{Nom: fmt.Sprintf("Pompe partagée %d", k),
			Type: "pompe", Localisation: "Atelier B"}, testenv.As(admin))
		if err != nil || eq.JSON201 == nil {
			t.Fatalf("create machine %d: %v %+v", k, err, eq)
		}
		machines, err := env.Client.ListEquipementsWithResponse(ctx, &api.ListEquipementsParams{}, testenv.As(admin))
		if err != nil || machines.JSON200 == nil {
			t.Fatalf("machines after creation %d: %v %+v", k, err, machines)
		}
		if !slices.ContainsFunc(*machines.JSON200, func(e api.Equipement) bool { return e.Id == eq.JSON201.Id }) {
			t.Fatalf("machine %d acknowledged, then missing from the default page", eq.JSON201.Id)
		}
		if got, want := dashboard().Equipements.Total, before.Equipements.Total+k+1; got != want {
			t.Fatalf("machine %d acknowledged, then the dashboard counts %d machines, want %d", k, got, want)
		}
	}
	if pages.Load() < writes {
		t.Fatalf("the readers read %d pages during %d writes: no concurrency to test", pages.Load(), writes)
	}
}
