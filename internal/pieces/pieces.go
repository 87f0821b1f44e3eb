// Package pieces manages the spare parts catalogue, its append-only stock ledger and the
// machines each part fits (DESIGN section 10).
//
// The balance of a part (stock_actuel) and its weighted average cost (cout_moyen) are kept on
// its row and changed only by the transaction that appends a movement, under the row's lock, so
// they always equal what the ledger adds up to. Admins and responsables manage parts and record
// movements; techniciens read the catalogue and the ledger; clients read neither (the casbin
// policy refuses them and the service checks again).
package pieces

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// DefaultDevise is the currency of a part created without one when the service is given none.
const DefaultDevise = "MAD"

// Stock states of a part (EtatStock in the contract).
const (
	EtatNormal  = "normal"
	EtatBas     = "bas"
	EtatRupture = "rupture"
)

var (
	errPieceNotFound   = apperr.NotFound("Pièce introuvable")
	errReferenceTaken  = apperr.Conflict("Référence déjà utilisée")
	errPieceHasLedger  = apperr.Conflict("Pièce ayant des mouvements de stock : désactivez-la (is_active: false)")
	errDeviseLocked    = apperr.Conflict("Devise non modifiable : la pièce a des mouvements de stock")
	errInterventionRef = apperr.InvalidField("intervention_id", "intervention introuvable")
)

// constraints are the answers of the checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"pieces_reference_key":                  errReferenceTaken,
	"mouvements_stock_piece_id_fkey":        errPieceHasLedger,
	"mouvements_stock_intervention_id_fkey": errInterventionRef,
	"pieces_equipements_equipement_id_fkey": apperr.InvalidField("equipement_ids", "machine introuvable"),
}

// Service manages parts and their stock.
type Service struct {
	pool   *pgxpool.Pool
	devise string
}

// NewService returns the service; devise is the currency of parts created without one ("":
// DefaultDevise).
func NewService(pool *pgxpool.Pool, devise string) *Service {
	if devise == "" {
		devise = DefaultDevise
	}
	return &Service{pool: pool, devise: devise}
}

// Piece is a part with its derived figures.
type Piece struct {
	db.Piece
}

// EtatStock is the stock state: rupture at or below 0, bas at or below the minimum, else normal.
func (p Piece) EtatStock() string {
	switch {
	case p.StockActuel <= 0:
		return EtatRupture
	case p.StockActuel <= p.StockMinimum:
		return EtatBas
	default:
		return EtatNormal
	}
}

// ValeurStock is the value of the stock at the average cost, in cents (0 when the stock is not
// positive).
func (p Piece) ValeurStock() int64 {
	if p.StockActuel <= 0 {
		return 0
	}
	return int64(p.StockActuel) * p.CoutMoyen
}

// ACommander is a part to reorder with the suggested quantity and its estimated value.
type ACommander struct {
	Piece
	QuantiteSuggeree int
	ValeurEstimee    int64
}

// Equipement is a machine a part fits.
type Equipement struct {
	ID                      int64
	Nom, Type, Localisation string
}

func checkStaff(actor auth.Principal) error {
	if !access.For(actor).ReadsAllEquipment() {
		return access.ErrStaffOnly
	}
	return nil
}

func checkManager(actor auth.Principal) error {
	if !access.For(actor).Manager() {
		return access.ErrManagersOnly
	}
	return nil
}
