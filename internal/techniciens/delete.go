package techniciens

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

// Delete removes a profile (its competences go with it; the account is not touched). Refused
// while interventions in progress are assigned to it; closed ones keep their history with no
// technician.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	var t db.Technicien
	// Once committed, the account has no profile any more.
	defer func() { s.accounts.Forget(t.UserID) }()
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		// The row lock makes a concurrent assignment (whose foreign key check key-share locks
		// the row) wait for this transaction, so the count below cannot miss one.
		var err error
		t, err = platform.Deletion[db.Technicien]{
			Lock:     func() (db.Technicien, error) { return q.GetTechnicienForUpdate(ctx, id) },
			NotFound: errNotFound,
			Check: func(db.Technicien) error {
				n, err := q.CountActiveInterventionsOfTechnicien(ctx, id)
				if err != nil {
					return fmt.Errorf("count interventions: %w", err)
				}
				if n > 0 {
					return errBusy
				}
				return nil
			},
			Delete:     func() error { _, err := q.DeleteTechnicien(ctx, id); return err },
			Referenced: platform.Refuse(errReferenced),
		}.Run()
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "technicien.deleted", ResourceType: "technicien", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"user_id": t.UserID}})
	})
	if err != nil {
		return fmt.Errorf("delete technicien %d: %w", id, err)
	}
	return nil
}
