package interventions

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

// Settler settles what hangs off an intervention (parts, labour) in the transaction of one of
// its lifecycle steps, before the row is saved: closing consumes reserved parts and stops running
// timers, cancelling releases reservations. It may set the computed fields of next (costs,
// duration).
type Settler func(ctx context.Context, tx pgx.Tx, actorID int64, a Action, next *Row) error

// WithSettlers makes every lifecycle change run fns, in order, for each of its steps.
func (s *Service) WithSettlers(fns ...Settler) *Service {
	s.settlers = append(s.settlers, fns...)
	return s
}

func (s *Service) settle(ctx context.Context, tx pgx.Tx, steps []Step, next *Row, actorID int64) error {
	for _, st := range steps {
		for _, fn := range s.settlers {
			if err := fn(ctx, tx, actorID, st.Action, next); err != nil {
				return err
			}
		}
	}
	return nil
}

var errWorkOver = apperr.Conflict("Intervention terminée : elle ne change plus")

// LockBilled locks, in tx, an intervention that actor may change whose costs may still change:
// open or closed (a subcontractor's invoice often comes after the work), not cancelled or
// archived (409).
func LockBilled(ctx context.Context, tx pgx.Tx, actor auth.Principal, id int64) (Row, error) {
	r, err := callerOf(actor).lock(ctx, tx, id, false)
	if err != nil {
		return Row{}, fmt.Errorf("intervention %d: %w", id, err)
	}
	if st := Statut(r.Statut); !st.Active() && st != Cloturee {
		return Row{}, errCostsOver
	}
	return r, nil
}

var errCostsOver = apperr.Conflict("Intervention annulée ou archivée : ses coûts ne changent plus")

// LockOpen locks, in tx, an intervention that actor may change (404 otherwise: a technicien's
// own, a client's own) and whose work is not over (409 once cloturee, annulee or archivee). Parts
// and labour are recorded under this lock.
func LockOpen(ctx context.Context, tx pgx.Tx, actor auth.Principal, id int64) (Row, error) {
	r, err := callerOf(actor).lock(ctx, tx, id, false)
	if err != nil {
		return Row{}, fmt.Errorf("intervention %d: %w", id, err)
	}
	if !Statut(r.Statut).Active() {
		return Row{}, errWorkOver
	}
	return r, nil
}

// CheckReadable answers 404 "Intervention introuvable" unless actor may read intervention id
// (what hangs off an intervention is read only after this check).
func CheckReadable(ctx context.Context, q db.DBTX, actor auth.Principal, id int64) error {
	ok, err := access.For(actor).Queries(q).InterventionReadable(ctx, db.InterventionReadableParams{ID: id})
	if err != nil {
		return fmt.Errorf("check intervention %d: %w", id, err)
	}
	if !ok {
		return errNotFound
	}
	return nil
}
