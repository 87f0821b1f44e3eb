package dispatch

import (
	"context"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
)

// AutoAssign is the action `assign` with `auto: true`: the intervention goes to the best ranked
// technician who is neither on leave, in training nor unavailable (409 when there is none),
// through the lifecycle like any assignment. Managers only; auto names no technician and goes
// with assign only (422).
func (s *Service) AutoAssign(ctx context.Context, actor auth.Principal, ivs *interventions.Service, id int64,
	a interventions.Action, in interventions.ActionInput, expect interventions.Expect) (interventions.Result, error) {
	switch {
	case a != interventions.Assign:
		return interventions.Result{}, apperr.InvalidField("auto", "seulement pour l'action assign")
	case in.TechnicienID != nil:
		return interventions.Result{}, apperr.InvalidField("auto", "auto choisit le technicien : sans technicien_id")
	case !access.For(actor).Manager():
		return interventions.Result{}, access.ErrManagersOnly
	}
	best, err := s.Best(ctx, actor, id)
	if err != nil {
		return interventions.Result{}, err
	}
	in.TechnicienID = &best
	return ivs.Apply(ctx, actor, id, a, in, expect)
}

// Best is the technician an automatic assignment of intervention id takes (managers): the best
// ranked who is neither on leave, in training nor unavailable (409 when there is none).
func (s *Service) Best(ctx context.Context, actor auth.Principal, id int64) (int64, error) {
	if !access.For(actor).Manager() {
		return 0, access.ErrManagersOnly
	}
	all, err := s.rank(ctx, db.New(s.pool), id)
	if err != nil {
		return 0, err
	}
	for _, c := range all {
		if c.Disponibilite == string(db.TechnicienDisponibiliteDisponible) || c.Disponibilite == string(db.TechnicienDisponibiliteOccupe) {
			return c.TechnicienID, nil
		}
	}
	return 0, apperr.Conflict("Aucun technicien disponible pour une affectation automatique")
}
