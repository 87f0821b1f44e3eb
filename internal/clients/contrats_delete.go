package clients

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// DeleteContrat removes a contract that no equipment or intervention references.
func (s *Service) DeleteContrat(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return errManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c, err := q.GetContratForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errContratNotFound
		}
		if err != nil {
			return fmt.Errorf("load contract: %w", err)
		}
		if used, err := q.ContratInUse(ctx, id); err != nil {
			return fmt.Errorf("check contract use: %w", err)
		} else if used {
			return errContratInUse
		}
		if err := q.DeleteContrat(ctx, id); err != nil {
			if platform.IsForeignKeyViolation(err) {
				return errContratInUse
			}
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "contrat.deleted", ResourceType: "contrat", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"client_id": c.ClientID, "numero_contrat": c.NumeroContrat}})
	})
	if err != nil {
		return fmt.Errorf("delete contract %d: %w", id, err)
	}
	return nil
}
