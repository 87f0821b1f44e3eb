package equipements

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// Delete removes a machine that no intervention references and that has no components.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := q.LockEquipement(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("lock equipement: %w", err)
		}
		usage, err := q.EquipementUsage(ctx, id)
		if err != nil {
			return fmt.Errorf("equipement usage: %w", err)
		}
		if usage.HasInterventions {
			return errUsed
		}
		if usage.HasComponents {
			return errHasComponents
		}
		if _, err := q.DeleteEquipement(ctx, id); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23503" {
				if pgErr.TableName == "interventions" {
					return errUsed
				}
				return errStillReferenced
			}
			return fmt.Errorf("delete: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "equipement.deleted", ResourceType: "equipement", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"nom": cur.Nom, "client_id": cur.ClientID}})
	})
	if err != nil {
		return fmt.Errorf("delete equipement %d: %w", id, err)
	}
	return nil
}
