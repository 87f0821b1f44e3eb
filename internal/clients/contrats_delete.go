package clients

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

// DeleteContrat removes a contract that no equipment or intervention references.
func (s *Service) DeleteContrat(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		c, err := platform.Deletion[db.Contrat]{
			Lock:       func() (db.Contrat, error) { return q.GetContratForUpdate(ctx, id) },
			NotFound:   errContratNotFound,
			Check:      func(db.Contrat) error { return platform.RefuseIfUsed(errContratInUse)(q.ContratInUse(ctx, id)) },
			Delete:     func() error { return q.DeleteContrat(ctx, id) },
			Referenced: platform.Refuse(errContratInUse),
		}.Run()
		if err != nil {
			return err
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
