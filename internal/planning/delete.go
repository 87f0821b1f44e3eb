package planning

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// Delete removes a plan; the interventions it generated stay, unlinked.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		r, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := q.PlanningDelete(ctx, id); err != nil {
			return fmt.Errorf("delete plan %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "planning.deleted", ResourceType: "planning", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"equipement_id": r.EquipementID, "frequence": r.Frequence, "statut": r.Statut}})
	})
	if err != nil {
		return fmt.Errorf("delete plan: %w", err)
	}
	return nil
}
