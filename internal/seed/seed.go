// Package seed creates the demo data. Every step is idempotent: running it twice changes nothing.
package seed

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/auth"
)

// Account is a demo login.
type Account struct {
	Username, FullName, Email, Password string
	Role                                db.UserRole
}

// Accounts are the four demo logins, one per role (DESIGN section 9).
var Accounts = []Account{
	{Username: "admin", FullName: "Admin MIF", Email: "admin@mif.ma", Password: "Admin12345!", Role: db.UserRoleAdmin},
	{Username: "responsable", FullName: "Responsable MIF", Email: "responsable@mif.ma", Password: "Responsable123!", Role: db.UserRoleResponsable},
	{Username: "technicien", FullName: "Mohammed Bennani", Email: "technicien@mif.ma", Password: "Tech12345!", Role: db.UserRoleTechnicien},
	{Username: "client", FullName: "Société ABC", Email: "client@mif.ma", Password: "Client1234!", Role: db.UserRoleClient},
}

// Result counts what a run created.
type Result struct {
	UsersCreated int
}

// Run creates whatever demo account is missing (the integration tests start from these only).
func Run(ctx context.Context, pool *pgxpool.Pool, hasher *auth.Hasher) (Result, error) {
	var res Result
	for _, a := range Accounts {
		n, err := ensureAccount(ctx, pool, hasher, a)
		if err != nil {
			return res, err
		}
		res.UsersCreated += n
	}
	return res, nil
}

// ensureAccount creates the account unless its e-mail is taken; it reports 1 when created.
func ensureAccount(ctx context.Context, pool *pgxpool.Pool, hasher *auth.Hasher, a Account) (int, error) {
	q := db.New(pool)
	_, err := q.GetUserByLogin(ctx, a.Email)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("seed %s: %w", a.Email, err)
	}
	hash, err := hasher.Hash(a.Password)
	if err != nil {
		return 0, err
	}
	n, err := q.SeedUser(ctx, db.SeedUserParams{
		Username: a.Username, FullName: a.FullName, Email: a.Email, PasswordHash: hash, Role: a.Role,
	})
	if err != nil {
		return 0, fmt.Errorf("seed %s: %w", a.Email, err)
	}
	return int(n), nil
}
