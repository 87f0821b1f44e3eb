// Package clients manages client companies and their maintenance contracts.
//
// Admins and responsables manage every row; a user of role client reads only its own company and
// its own contracts. The restriction is part of each read query (the caller's scope), never a
// filter applied after reading.
package clients

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

// DefaultPays is the country of a company created without one.
const DefaultPays = "Maroc"

var (
	errClientNotFound  = apperr.NotFound("Client introuvable")
	errUserNotFound    = apperr.NotFound("Utilisateur lié introuvable")
	errUserNotClient   = apperr.Invalid("L'utilisateur n'est pas un client", apperr.FieldError{Field: "user_id", Message: "doit désigner un utilisateur de rôle client"})
	errUserHasCompany  = apperr.Conflict("Ce client a déjà une entreprise")
	errClientNameTaken = apperr.Conflict("Entreprise déjà existante")
	errClientInUse     = apperr.Conflict("Client lié à des contrats, équipements ou interventions")
)

// Service manages client companies and their maintenance contracts.
type Service struct {
	pool     *pgxpool.Pool
	accounts *auth.AccountCache
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool}
}

// WithAccountCache makes the service drop the linked account from this instance's
// authentication cache as soon as a client company is created or deleted (it changes the
// account's row access; nil: no cache).
func (s *Service) WithAccountCache(c *auth.AccountCache) *Service {
	s.accounts = c
	return s
}

// Client is a company with its computed counts.
type Client struct {
	db.Client
	NbContratsActifs int // contracts en_cours whose dates cover today
	NbEquipements    int
}
