package interventions

import (
	"context"
	"fmt"
	"slices"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/namecache"
)

// withNames fills the machine and technician names of a page of rows (InterventionList,
// InterventionListRecent and InterventionGet leave them empty): from cache (nil: none) for the ids it holds, with
// one statement for the page's other distinct ids. The rows were read through a scoped query:
// their names are details of rows the caller may read.
func withNames(ctx context.Context, dbtx db.DBTX, cache *namecache.Cache, rows []db.InterventionListRow) error {
	if len(rows) == 0 {
		return nil
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
		noms, err := db.New(dbtx).InterventionNoms(ctx, db.InterventionNomsParams{
			Equipements: nonNil(missingE), Techniciens: nonNil(missingT),
		})
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

// nonNil is ids, or an empty array for none (a nil slice would be sent as NULL).
func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
