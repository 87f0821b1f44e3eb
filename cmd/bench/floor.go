package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/bench"
	"github.com/mif-erp/erp/internal/platform"
)

// floorOps are the hot queries of the mix with the parameters the API sends for a responsable
// (global scope): the same gen/db calls as the services, without HTTP, auth or JSON.
func floorOps(q *db.Queries, interventionIDs []int64, responsableID int64) []bench.FloorOp {
	return []bench.FloorOp{
		{Name: "get_intervention (InterventionGet)", API: "get_intervention", Do: func(ctx context.Context, r *rand.Rand) error {
			_, err := q.InterventionGet(ctx, db.InterventionGetParams{ID: interventionIDs[r.IntN(len(interventionIDs))], ScopeAll: true})
			return err
		}},
		{Name: "list_interventions (List + Count)", API: "list_interventions", Do: func(ctx context.Context, _ *rand.Rand) error {
			if _, err := q.InterventionList(ctx, db.InterventionListParams{ScopeAll: true, Sort: "-date_creation", Lim: 50}); err != nil {
				return err
			}
			_, err := q.InterventionCount(ctx, db.InterventionCountParams{ScopeAll: true})
			return err
		}},
		{Name: "list_equipements (List + Count)", API: "list_equipements", Do: func(ctx context.Context, _ *rand.Rand) error {
			if _, err := q.ListEquipements(ctx, db.ListEquipementsParams{ViewerID: responsableID, Sort: "-created_at", Lim: 50}); err != nil {
				return err
			}
			_, err := q.CountEquipements(ctx, db.CountEquipementsParams{ViewerID: responsableID})
			return err
		}},
		{Name: "dashboard_stats (DashboardInterventions)", API: "dashboard_stats", Do: func(ctx context.Context, _ *rand.Rand) error {
			_, err := q.DashboardInterventions(ctx, db.DashboardInterventionsParams{ScopeAll: true})
			return err
		}},
	}
}

// runFloor measures each floor query alone with the API's pool settings and workers goroutines.
func runFloor(ctx context.Context, dbURL string, maxConns int32, workers int, d time.Duration, interventionIDs []int64, responsableID int64, apiOps []bench.Stats) ([]bench.FloorStats, error) {
	pool, err := platform.OpenPool(ctx, dbURL, maxConns)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	var out []bench.FloorStats
	for _, op := range floorOps(db.New(pool), interventionIDs, responsableID) {
		step(fmt.Sprintf("floor %s: %d goroutines for %s", op.Name, workers, d))
		s, elapsed := bench.RunFloor(ctx, workers, d, op)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out = append(out, bench.Floor(op, s, elapsed, apiOps))
	}
	return out, nil
}
