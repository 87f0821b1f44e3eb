package arrets

import (
	"context"
	"fmt"
	"time"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
)

// Filter narrows a machine's downtime list: records of one reason, overlapping a window.
type Filter struct {
	Motif          string
	Depuis, JusquA *time.Time
}

// List returns one page of a machine's downtime records (newest first) and their total.
func (s *Service) List(ctx context.Context, actor auth.Principal, equipementID int64, f Filter, limit, offset int) ([]Arret, int64, error) {
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	var motif db.NullMotifArret
	if f.Motif != "" {
		motif = db.NullMotifArret{MotifArret: db.MotifArret(f.Motif), Valid: true}
		if !motif.MotifArret.Valid() {
			return nil, 0, apperr.InvalidField("motif", "panne, preventif, externe ou autre")
		}
	}
	if f.Depuis != nil && f.JusquA != nil && !f.JusquA.After(*f.Depuis) {
		return nil, 0, apperr.InvalidField("jusqu_a", "doit être après depuis")
	}
	if err := access.For(actor).Queries(s.pool).CheckEquipement(ctx, equipementID); err != nil {
		return nil, 0, err
	}
	q := db.New(s.pool)
	rows, err := q.ListArrets(ctx, db.ListArretsParams{EquipementID: equipementID, Motif: motif, Depuis: f.Depuis,
		JusquA: f.JusquA, Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("list downtime of machine %d: %w", equipementID, err)
	}
	total, err := q.CountArrets(ctx, db.CountArretsParams{EquipementID: equipementID, Motif: motif, Depuis: f.Depuis,
		JusquA: f.JusquA})
	if err != nil {
		return nil, 0, fmt.Errorf("count downtime of machine %d: %w", equipementID, err)
	}
	return rows, total, nil
}

// Statuts returns one page of a machine's status history (newest first) and its total.
func (s *Service) Statuts(ctx context.Context, actor auth.Principal, equipementID int64, limit, offset int) ([]StatutChange, int64, error) {
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	if err := access.For(actor).Queries(s.pool).CheckEquipement(ctx, equipementID); err != nil {
		return nil, 0, err
	}
	q := db.New(s.pool)
	rows, err := q.ListEquipementStatuts(ctx, db.ListEquipementStatutsParams{EquipementID: equipementID, Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("status history of machine %d: %w", equipementID, err)
	}
	total, err := q.CountEquipementStatuts(ctx, equipementID)
	if err != nil {
		return nil, 0, fmt.Errorf("count status history of machine %d: %w", equipementID, err)
	}
	return rows, total, nil
}
