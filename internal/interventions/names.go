package interventions

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"golang.org/x/sync/singleflight"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/namecache"
	"github.com/mif-erp/erp/internal/platform"
)

// withNames fills the machine and technician names of a page of rows (InterventionList,
// InterventionListRecent and InterventionGet leave them empty): from cache (nil: none) for the
// ids it holds, with one statement for the page's other distinct ids. The rows were read through
// a scoped query: their names are details of rows the caller may read.
//
// With a cache and a flight, concurrent calls missing the same names at the same cache epoch
// share one read: a new intervention at the head of the list is missed by every request for the
// list in flight at that moment (with 50 at once and a few creations a second, 70 % of the pages
// read names). The epoch is part of the key, so that a call after a forget (a rename committed)
// never takes the names of a read begun before it; without a cache there is no epoch, and every
// call reads for itself.
func withNames(ctx context.Context, dbtx db.DBTX, cache *namecache.Cache, flight *singleflight.Group, rows []db.InterventionListRow) error {
	if len(rows) == 0 {
		return nil
	}
	if cache == nil {
		flight = nil
	}
	equipements := make([]int64, 0, len(rows))
	techniciens := make([]int64, 0, len(rows))
	for _, r := range rows {
		equipements = append(equipements, r.EquipementID)
		if r.TechnicienID != nil {
			techniciens = append(techniciens, *r.TechnicienID)
		}
	}
	slices.Sort(equipements)
	slices.Sort(techniciens)
	equipement := make(map[int64]string, len(rows))
	technicien := make(map[int64]string)
	missingE, epoch := cache.Lookup(namecache.Equipement, slices.Compact(equipements), equipement)
	missingT, _ := cache.Lookup(namecache.Technicien, slices.Compact(techniciens), technicien)
	if len(missingE)+len(missingT) > 0 {
		noms, err := readNames(ctx, dbtx, flight, epoch, missingE, missingT)
		if err != nil {
			return fmt.Errorf("names of interventions: %w", err)
		}
		for _, n := range noms {
			kind, names := namecache.Equipement, equipement
			if n.Kind == "t" {
				kind, names = namecache.Technicien, technicien
			}
			names[n.ID] = n.Nom
			cache.Store(epoch, kind, n.ID, n.Nom)
		}
	}
	for i := range rows {
		rows[i].EquipementNom = equipement[rows[i].EquipementID]
		if t := rows[i].TechnicienID; t != nil {
			rows[i].TechnicienNom = technicien[*t]
		}
	}
	return nil
}

// readNames reads the names of the machines and technicians given, through flight when there is
// one (the result is shared: read it, do not change it).
func readNames(ctx context.Context, dbtx db.DBTX, flight *singleflight.Group, epoch uint64, equipements, techniciens []int64) ([]db.InterventionNomsRow, error) {
	read := func(ctx context.Context) ([]db.InterventionNomsRow, error) {
		// Its generic plan is as good as a custom one, which PostgreSQL would make on every call
		// (planning 0.39 ms, running 0.07, in the mix of make bench).
		return db.New(platform.PlanGeneric(dbtx)).InterventionNoms(ctx, db.InterventionNomsParams{
			Equipements: nonNil(equipements), Techniciens: nonNil(techniciens),
		})
	}
	if flight == nil {
		return read(ctx)
	}
	v, err, _ := flight.Do(nameReadKey(epoch, equipements, techniciens), func() (any, error) {
		// The callers that joined must not fail because the first one went away.
		return read(context.WithoutCancel(ctx))
	})
	if err != nil {
		return nil, err
	}
	return v.([]db.InterventionNomsRow), nil
}

// nameReadKey is the key of a shared read of names: the cache epoch, then the machine ids, then
// the technician ids.
func nameReadKey(epoch uint64, equipements, techniciens []int64) string {
	key := strconv.AppendUint(make([]byte, 0, 16+8*(len(equipements)+len(techniciens))), epoch, 10)
	for _, id := range equipements {
		key = strconv.AppendInt(append(key, ' '), id, 10)
	}
	key = append(key, " t"...)
	for _, id := range techniciens {
		key = strconv.AppendInt(append(key, ' '), id, 10)
	}
	return string(key)
}

// nonNil is ids, or an empty array for none (a nil slice would be sent as NULL).
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
