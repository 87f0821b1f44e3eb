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

// DeleteClient removes a company that no contract, equipment or intervention references.
func (s *Service) DeleteClient(ctx context.Context, actor auth.Principal, id int64) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	var c db.Client
	// Once committed, the account has no company any more.
	defer func() { s.accounts.Forget(c.UserID) }()
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		var err error
		c, err = platform.Deletion[db.Client]{
			Lock:       func() (db.Client, error) { return q.GetClientForUpdate(ctx, id) },
			NotFound:   errClientNotFound,
			Check:      func(db.Client) error { return platform.RefuseIfUsed(errClientInUse)(q.ClientInUse(ctx, id)) },
			Delete:     func() error { return q.DeleteClient(ctx, id) },
			Referenced: platform.Refuse(errClientInUse),
		}.Run()
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "client.deleted", ResourceType: "client", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"user_id": c.UserID, "nom_entreprise": c.NomEntreprise}})
	})
	if err != nil {
		return fmt.Errorf("delete client %d: %w", id, err)
	}
	return nil
}
