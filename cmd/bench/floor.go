package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/bench"
	"github.com/mif-erp/erp/internal/equipements"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/platform"
)

// floorOps are the operations of the mix without HTTP: the same service calls the handlers make
// for a responsable (global scope), so the same queries with the same parameters, through pgx,
// without the network, authentication, validation or JSON.
func floorOps(pool *pgxpool.Pool, interventionIDs []int64, responsableID int64) []bench.FloorOp {
	inter, equip := interventions.NewService(pool), equipements.NewService(pool)
	resp := auth.Principal{UserID: responsableID, Role: "responsable"}
	return []bench.FloorOp{
		{Name: "get_intervention (interventions.Get)", API: "get_intervention", Do: func(ctx context.Context, r *rand.Rand) error {
			_, err := inter.Get(ctx, resp, interventionIDs[r.IntN(len(interventionIDs))])
			return err
		}},
		{Name: "list_interventions (interventions.List)", API: "list_interventions", Do: func(ctx context.Context, _ *rand.Rand) error {
			_, _, err := inter.List(ctx, resp, interventions.Filter{})
			return err
		}},
		{Name: "list_equipements (equipements.List)", API: "list_equipements", Do: func(ctx context.Context, _ *rand.Rand) error {
			_, _, err := equip.List(ctx, resp, equipements.ListFilter{Limit: 50})
			return err
		}},
		{Name: "dashboard_stats (interventions.Dashboard)", API: "dashboard_stats", Do: func(ctx context.Context, _ *rand.Rand) error {
			_, err := inter.Dashboard(ctx, resp)
			return err
		}},
	}
}

// floorAPIs are the API operations of the floors, in floor order (the closures are not called).
func floorAPIs() []string {
	var out []string
	for _, op := range floorOps(nil, nil, 0) {
		out = append(out, op.API)
	}
	return out
}

// runFloor measures each floor query alone with the API's pool settings and workers goroutines;
// single and mixed are the HTTP stats of the operations alone and in the mixed run.
func runFloor(ctx context.Context, dbURL string, maxConns int32, workers int, d time.Duration, interventionIDs []int64, responsableID int64, single, mixed []bench.Stats) ([]bench.FloorStats, error) {
	pool, err := platform.OpenPool(ctx, dbURL, maxConns)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	var out []bench.FloorStats
	for _, op := range floorOps(pool, interventionIDs, responsableID) {
		step(fmt.Sprintf("floor %s: %d goroutines for %s", op.Name, workers, d))
		s, elapsed := bench.RunFloor(ctx, workers, d, op)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out = append(out, bench.Floor(op, s, elapsed, single, mixed))
	}
	return out, nil
}
