package pieces

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

var pieceSortKeys = map[string]bool{
	"id": true, "-id": true, "nom": true, "-nom": true, "reference": true, "-reference": true,
	"stock_actuel": true, "-stock_actuel": true, "created_at": true, "-created_at": true,
}

// Filter selects and orders a page of parts.
type Filter struct {
	Query         string
	Stock         string // "", rupture, bas or normal
	Fournisseur   string
	Actif         *bool
	EquipementID  *int64
	Sort          string // default nom
	Limit, Offset int
}

// Get reads one part.
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Piece, error) {
	if err := checkStaff(actor); err != nil {
		return Piece{}, err
	}
	p, err := get(ctx, s.pool, id)
	if err != nil {
		return Piece{}, fmt.Errorf("get piece %d: %w", id, err)
	}
	return p, nil
}

func get(ctx context.Context, q db.DBTX, id int64) (Piece, error) {
	r, err := db.New(q).GetPiece(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Piece{}, errPieceNotFound
	}
	if err != nil {
		return Piece{}, fmt.Errorf("read piece: %w", err)
	}
	return Piece{r}, nil
}

// List returns one page of parts and their total number (two queries whatever the page size).
func (s *Service) List(ctx context.Context, actor auth.Principal, f Filter) ([]Piece, int64, error) {
	if err := checkStaff(actor); err != nil {
		return nil, 0, err
	}
	if f.Sort == "" {
		f.Sort = "nom"
	}
	var fields apperr.Fields
	if !pieceSortKeys[f.Sort] {
		fields.Add("sort", "clé de tri inconnue")
	}
	switch f.Stock {
	case "", EtatRupture, EtatBas, EtatNormal:
	default:
		fields.Add("stock", "rupture, bas ou normal")
	}
	q := searchText(&fields, "q", f.Query)
	fournisseur := exactText(&fields, "fournisseur", f.Fournisseur)
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	var stock *string
	if f.Stock != "" {
		stock = &f.Stock
	}
	queries := db.New(platform.PlanEachCall(s.pool))
	rows, err := queries.ListPieces(ctx, db.ListPiecesParams{
		IsActive: f.Actif, Fournisseur: fournisseur, Stock: stock, EquipementID: f.EquipementID, Q: q,
		Sort: f.Sort, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list pieces: %w", err)
	}
	total := int64(offset) + int64(len(rows))
	if len(rows) == int(limit) || (len(rows) == 0 && offset > 0) {
		total, err = queries.CountPieces(ctx, db.CountPiecesParams{
			IsActive: f.Actif, Fournisseur: fournisseur, Stock: stock, EquipementID: f.EquipementID, Q: q,
		})
		if err != nil {
			return nil, 0, fmt.Errorf("count pieces: %w", err)
		}
	}
	out := make([]Piece, len(rows))
	for i, r := range rows {
		out[i] = Piece{r}
	}
	return out, total, nil
}

// ACommanderList returns one page of the active parts at or below their minimum, with the
// quantity to order, and their total number.
func (s *Service) ACommanderList(ctx context.Context, actor auth.Principal, limit, offset int) ([]ACommander, int64, error) {
	if err := checkManager(actor); err != nil {
		return nil, 0, err
	}
	lim, off, err := paging.Check(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	q := db.New(s.pool)
	rows, err := q.ListPiecesACommander(ctx, db.ListPiecesACommanderParams{Lim: lim, Off: off})
	if err != nil {
		return nil, 0, fmt.Errorf("list pieces a commander: %w", err)
	}
	total, err := q.CountPiecesACommander(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count pieces a commander: %w", err)
	}
	out := make([]ACommander, len(rows))
	for i, r := range rows {
		unit := r.Piece.CoutMoyen
		if unit == 0 && r.Piece.PrixUnitaire != nil {
			unit = *r.Piece.PrixUnitaire
		}
		out[i] = ACommander{Piece: Piece{r.Piece}, QuantiteSuggeree: int(r.QuantiteSuggeree),
			ValeurEstimee: int64(r.QuantiteSuggeree) * unit}
	}
	return out, total, nil
}

// Equipements lists the machines a part fits.
func (s *Service) Equipements(ctx context.Context, actor auth.Principal, id int64) ([]Equipement, error) {
	if err := checkStaff(actor); err != nil {
		return nil, err
	}
	if _, err := get(ctx, s.pool, id); err != nil {
		return nil, fmt.Errorf("list equipements of piece %d: %w", id, err)
	}
	out, err := equipements(ctx, s.pool, id)
	if err != nil {
		return nil, fmt.Errorf("list equipements of piece %d: %w", id, err)
	}
	return out, nil
}

func equipements(ctx context.Context, q db.DBTX, id int64) ([]Equipement, error) {
	rows, err := db.New(q).ListPieceEquipements(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read equipements: %w", err)
	}
	out := make([]Equipement, len(rows))
	for i, r := range rows {
		out[i] = Equipement{ID: r.ID, Nom: r.Nom, Type: r.TypeEquipement, Localisation: r.Localisation}
	}
	return out, nil
}

// searchText is the escaped ILIKE operand of a search text (nil when blank).
func searchText(fields *apperr.Fields, name, s string) *string {
	if msg := text.Unstorable(s); msg != "" {
		fields.Add(name, msg)
		return nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	esc := text.EscapeLike(s)
	return &esc
}

// exactText is a trimmed filter value (nil when blank).
func exactText(fields *apperr.Fields, name, s string) *string {
	if msg := text.Unstorable(s); msg != "" {
		fields.Add(name, msg)
		return nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}
