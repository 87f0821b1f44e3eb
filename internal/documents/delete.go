package documents

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
)

// Delete removes a document: the row first (its blob is queued in the same statement), then the
// blob. A blob that cannot be deleted now stays queued for Sweep.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	sc := access.For(actor)
	var key string
	err := s.inTx(ctx, func(_ *db.Queries, tx pgx.Tx) error {
		var err error
		key, err = sc.Queries(tx).DocumentDelete(ctx, db.DocumentDeleteParams{ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "document.deleted",
			ResourceType: "document", ResourceID: fmt.Sprint(id)})
	})
	if err != nil {
		return err
	}
	s.removeQueued(context.WithoutCancel(ctx), key)
	return nil
}
