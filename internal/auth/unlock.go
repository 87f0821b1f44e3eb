package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/platform"
)

// ErrNoAccount is an identifier that names no account.
var ErrNoAccount = errors.New("no account")

// Unlocked is what UnlockAccount cleared.
type Unlocked struct {
	UserID   int64
	Username string
	Cleared  int64 // counters deleted (the account's and its (account, address) pairs)
}

// UnlockAccount forgets every failed login of the account named by identifier (username or
// e-mail, any case), from every address, and audits it (auth.unlock, via cli). The counters of
// the addresses themselves are kept. For `erp users unlock`.
func UnlockAccount(ctx context.Context, pool *pgxpool.Pool, identifier string) (Unlocked, error) {
	var out Unlocked
	err := platform.InTx(ctx, pool, func(tx pgx.Tx) error {
		user, err := db.New(tx).GetUserByLogin(ctx, identifier)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w %q", ErrNoAccount, identifier)
		}
		if err != nil {
			return fmt.Errorf("look up account: %w", err)
		}
		n, err := clearAccountLock(ctx, tx, user.ID, "cli", true)
		if err != nil {
			return err
		}
		out = Unlocked{UserID: user.ID, Username: user.Username, Cleared: n}
		return nil
	})
	if err != nil {
		return Unlocked{}, fmt.Errorf("unlock: %w", err)
	}
	return out, nil
}
