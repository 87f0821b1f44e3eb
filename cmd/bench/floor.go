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
	"github.com/mif-erp/erp/internal/namecache"
	"github.com/mif-erp/erp/internal/platform"
)

// floorOps are the operations of the mix without HTTP: the same service calls the handlers make
// for a responsable (global scope), so the same queries with the same parameters, through pgx,
// without the network, authentication, validation or JSON. The services keep the machine and
// technician names as `erp serve` does (NAMES_CACHE_TTL's default); the cache serves without
// hearing of renames, none being made while the floors run.
func floorOps(pool *pgxpool.Pool, interventionIDs []int64, responsableID int64) []bench.FloorOp {
	names := namecache.New(time.Minute)
	names.Listening(true)
	inter, equip := interventions.NewService(pool).WithNameCache(names), equipements.NewService(pool).WithNameCache(names)
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

// pkSelect is the physical floor's statement: the primary-key read of an intervention, the
// whole row, prepared once per connection (pgx caches the prepared statement).
const pkSelect = `SELECT * FROM interventions WHERE id = $1`

// pkFloorOp reads a random intervention by primary key, its row received but not decoded.
func pkFloorOp(pool *pgxpool.Pool, interventionIDs []int64) bench.FloorOp {
	return bench.FloorOp{Name: "pk_select (" + pkSelect + ")", Do: func(ctx context.Context, r *rand.Rand) error {
		rows, err := pool.Query(ctx, pkSelect, interventionIDs[r.IntN(len(interventionIDs))])
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("pk_select: %d rows", n)
		}
		return nil
	}}
}

// runFloor measures, with the API's pool size and workers goroutines, the physical floor (pk)
// and each service floor alone; single and mixed are the HTTP stats of the operations alone and
// in the mixed run.
func runFloor(ctx context.Context, dbURL string, maxConns int32, workers int, d time.Duration, interventionIDs []int64, responsableID int64, single, mixed []bench.Stats) (pk bench.Stats, _ []bench.FloorStats, _ error) {
	// The API's pool settings keep PostgreSQL's plan cache, so the physical floor's statement is
	// prepared once per connection and runs its cached generic plan, as pgbench -M prepared.
	pool, err := platform.OpenPool(ctx, dbURL, maxConns)
	if err != nil {
		return pk, nil, err
	}
	defer pool.Close()
	op := pkFloorOp(pool, interventionIDs)
	step(fmt.Sprintf("physical floor %s: %d goroutines for %s", op.Name, workers, d))
	s, elapsed := bench.RunFloor(ctx, workers, d, op)
	if ctx.Err() != nil {
		return pk, nil, ctx.Err()
	}
	pk = bench.Summarise(op.Name, s, elapsed)
	var out []bench.FloorStats
	for _, op := range floorOps(pool, interventionIDs, responsableID) {
		step(fmt.Sprintf("service floor %s: %d goroutines for %s", op.Name, workers, d))
		s, elapsed := bench.RunFloor(ctx, workers, d, op)
		if ctx.Err() != nil {
			return pk, nil, ctx.Err()
		}
		out = append(out, bench.Floor(op, s, elapsed, single, mixed))
	}
	return pk, out, nil
}
