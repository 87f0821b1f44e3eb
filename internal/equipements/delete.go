package equipements

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// Delete removes a machine that no intervention references and that has no components.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := platform.Deletion[db.Equipement]{
			Lock:     func() (db.Equipement, error) { return q.LockEquipement(ctx, id) },
			NotFound: errNotFound,
			Check: func(db.Equipement) error {
				usage, err := q.EquipementUsage(ctx, id)
				switch {
				case err != nil:
					return fmt.Errorf("equipement usage: %w", err)
				case usage.HasInterventions:
					return errUsed
				case usage.HasComponents:
					return errHasComponents
				}
				return nil
			},
			Delete: func() error { _, err := q.DeleteEquipement(ctx, id); return err },
			Referenced: func(table string) error {
				if table == "interventions" {
					return errUsed
				}
				return errStillReferenced
			},
		}.Run()
		if err != nil {
			return err
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
