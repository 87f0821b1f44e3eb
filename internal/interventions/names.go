package interventions

import (
	"context"
	"fmt"
	"slices"

	"github.com/mif-erp/erp/gen/db"
)

// withNames fills the machine and technician names of a page of rows (InterventionList and
// InterventionListRecent leave them empty) with one statement for the page's distinct ids. The
// rows were read through a scoped query: their names are details of rows the caller may read.
func withNames(ctx context.Context, dbtx db.DBTX, rows []db.InterventionListRow) error {
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
	noms, err := db.New(dbtx).InterventionNoms(ctx, db.InterventionNomsParams{
		Equipements: slices.Compact(equipements), Techniciens: slices.Compact(techniciens),
	})
	if err != nil {
		return fmt.Errorf("names of interventions: %w", err)
	}
	equipement := make(map[int64]string, len(noms))
	technicien := make(map[int64]string)
	for _, n := range noms {
		if n.Kind == "t" {
			technicien[n.ID] = n.Nom
		} else {
			equipement[n.ID] = n.Nom
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
