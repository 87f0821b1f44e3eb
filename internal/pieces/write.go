package pieces

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/patch"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Limits of the numbers of a part.
const (
	MaxQuantite = 1_000_000_000
	MaxPrix     = 100_000_000_000 // cents
)

var devisePattern = regexp.MustCompile(`^[A-Z]{3}$`)

// CreateInput is a new part; nil pointers are absent fields.
type CreateInput struct {
	Nom, Reference       string
	Description          *string
	Marque, Modele       *string
	Fournisseur          *string
	ReferenceFournisseur *string
	Emplacement          *string
	Rangee, Etagere      *string
	StockMinimum         *int
	StockMaximum         *int
	PrixUnitaire         *int64
	Devise               *string
	IsActive             *bool
	StockInitial         *int   // recorded as an entree
	CoutInitial          *int64 // unit cost of StockInitial (default PrixUnitaire)
}

// UpdateInput is a partial update of the catalogue fields.
type UpdateInput struct {
	Nom, Reference       *string
	Description          patch.Field[string]
	Marque, Modele       patch.Field[string]
	Fournisseur          patch.Field[string]
	ReferenceFournisseur patch.Field[string]
	Emplacement          patch.Field[string]
	Rangee, Etagere      patch.Field[string]
	StockMinimum         *int
	StockMaximum         patch.Field[int]
	PrixUnitaire         patch.Field[int64]
	Devise               *string
	IsActive             *bool

	// IfMatch, when set, is the caller's precondition on the current version (If-Match).
	IfMatch func(version int32) bool
}

// Create adds a part, and its initial stock movement when StockInitial is above 0.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Piece, error) {
	if err := checkManager(actor); err != nil {
		return Piece{}, err
	}
	row, err := s.newRow(in)
	if err != nil {
		return Piece{}, err
	}
	var out Piece
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		id, err := insert(ctx, tx, row)
		if err != nil {
			return err
		}
		if in.StockInitial != nil && *in.StockInitial > 0 {
			if _, err := s.recordInitial(ctx, tx, actor, id, *in.StockInitial, initialCost(in.CoutInitial, row.PrixUnitaire)); err != nil {
				return err
			}
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "piece.created", ResourceType: "piece", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"reference": row.Reference, "nom": row.Nom}}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	if err != nil {
		return Piece{}, fmt.Errorf("create piece: %w", err)
	}
	return out, nil
}

// newRow checks a new part and returns its row (ID and balances unset).
func (s *Service) newRow(in CreateInput) (db.Piece, error) {
	row := db.Piece{
		Nom: in.Nom, Reference: in.Reference, Description: in.Description, Marque: in.Marque,
		Modele: in.Modele, Fournisseur: in.Fournisseur, ReferenceFournisseur: in.ReferenceFournisseur,
		Emplacement: in.Emplacement, Rangee: in.Rangee, Etagere: in.Etagere,
		StockMaximum: int32Ptr(in.StockMaximum), PrixUnitaire: in.PrixUnitaire,
		Devise: s.devise, IsActive: true,
	}
	var fields apperr.Fields
	if in.StockMinimum != nil {
		row.StockMinimum = clampInt32(*in.StockMinimum)
		checkQuantity(&fields, "stock_minimum", *in.StockMinimum, 0)
	}
	if in.StockMaximum != nil {
		checkQuantity(&fields, "stock_maximum", *in.StockMaximum, 1)
	}
	if in.Devise != nil {
		row.Devise = strings.TrimSpace(*in.Devise)
	}
	if in.IsActive != nil {
		row.IsActive = *in.IsActive
	}
	if in.StockInitial != nil {
		checkQuantity(&fields, "stock_initial", *in.StockInitial, 0)
	}
	if in.CoutInitial != nil {
		checkPrice(&fields, "cout_initial", *in.CoutInitial)
	}
	checkRow(&fields, &row)
	return row, fields.Err()
}

func initialCost(coutInitial, prix *int64) int64 {
	switch {
	case coutInitial != nil:
		return *coutInitial
	case prix != nil:
		return *prix
	default:
		return 0
	}
}

func insert(ctx context.Context, tx pgx.Tx, row db.Piece) (int64, error) {
	q := db.New(tx)
	if taken, err := q.PieceReferenceTaken(ctx, db.PieceReferenceTakenParams{Reference: row.Reference}); err != nil {
		return 0, fmt.Errorf("check reference: %w", err)
	} else if taken {
		return 0, errReferenceTaken
	}
	id, err := q.CreatePiece(ctx, db.CreatePieceParams{
		Nom: row.Nom, Reference: row.Reference, Description: row.Description, Marque: row.Marque,
		Modele: row.Modele, Fournisseur: row.Fournisseur, ReferenceFournisseur: row.ReferenceFournisseur,
		Emplacement: row.Emplacement, Rangee: row.Rangee, Etagere: row.Etagere,
		StockMinimum: row.StockMinimum, StockMaximum: row.StockMaximum, PrixUnitaire: row.PrixUnitaire,
		Devise: row.Devise, IsActive: row.IsActive,
	})
	if err != nil {
		return 0, platform.WriteError("insert piece", err, constraints)
	}
	return id, nil
}

// Update changes the catalogue fields sent; the version goes up by one.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in UpdateInput) (Piece, error) {
	if err := checkManager(actor); err != nil {
		return Piece{}, err
	}
	var out Piece
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		cur, err := q.GetPieceForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errPieceNotFound
		}
		if err != nil {
			return fmt.Errorf("lock piece: %w", err)
		}
		if in.IfMatch != nil && !in.IfMatch(cur.Version) {
			return apperr.PreconditionFailed("La ressource a été modifiée entre-temps (version actuelle : \"%d\")", cur.Version)
		}
		next, err := merge(cur, in)
		if err != nil {
			return err
		}
		if err := s.save(ctx, tx, cur, next); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "piece.updated", ResourceType: "piece", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"changed": changedFields(cur, next)}}); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	if err != nil {
		return Piece{}, fmt.Errorf("update piece %d: %w", id, err)
	}
	return out, nil
}

// merge applies a partial update to cur and checks the result.
func merge(cur db.Piece, in UpdateInput) (db.Piece, error) {
	next := cur
	var fields apperr.Fields
	if in.Nom != nil {
		next.Nom = *in.Nom
	}
	if in.Reference != nil {
		next.Reference = *in.Reference
	}
	next.Description = in.Description.Or(cur.Description)
	next.Marque = in.Marque.Or(cur.Marque)
	next.Modele = in.Modele.Or(cur.Modele)
	next.Fournisseur = in.Fournisseur.Or(cur.Fournisseur)
	next.ReferenceFournisseur = in.ReferenceFournisseur.Or(cur.ReferenceFournisseur)
	next.Emplacement = in.Emplacement.Or(cur.Emplacement)
	next.Rangee = in.Rangee.Or(cur.Rangee)
	next.Etagere = in.Etagere.Or(cur.Etagere)
	if in.StockMinimum != nil {
		checkQuantity(&fields, "stock_minimum", *in.StockMinimum, 0)
		next.StockMinimum = clampInt32(*in.StockMinimum)
	}
	if in.StockMaximum.Set {
		if in.StockMaximum.Value != nil {
			checkQuantity(&fields, "stock_maximum", *in.StockMaximum.Value, 1)
		}
		next.StockMaximum = int32Ptr(in.StockMaximum.Value)
	}
	next.PrixUnitaire = in.PrixUnitaire.Or(cur.PrixUnitaire)
	if in.Devise != nil {
		next.Devise = strings.TrimSpace(*in.Devise)
	}
	if in.IsActive != nil {
		next.IsActive = *in.IsActive
	}
	checkRow(&fields, &next)
	return next, fields.Err()
}

// save writes the catalogue fields of next over cur (locked by the caller's transaction).
func (s *Service) save(ctx context.Context, tx pgx.Tx, cur, next db.Piece) error {
	q := db.New(tx)
	if !strings.EqualFold(next.Reference, cur.Reference) {
		taken, err := q.PieceReferenceTaken(ctx, db.PieceReferenceTakenParams{Reference: next.Reference, ExcludeID: cur.ID})
		if err != nil {
			return fmt.Errorf("check reference: %w", err)
		}
		if taken {
			return errReferenceTaken
		}
	}
	if next.Devise != cur.Devise {
		used, err := q.PieceHasMouvements(ctx, cur.ID)
		if err != nil {
			return fmt.Errorf("check ledger: %w", err)
		}
		if used {
			return errDeviseLocked
		}
	}
	_, err := q.UpdatePiece(ctx, db.UpdatePieceParams{
		ID: cur.ID, Nom: next.Nom, Reference: next.Reference, Description: next.Description,
		Marque: next.Marque, Modele: next.Modele, Fournisseur: next.Fournisseur,
		ReferenceFournisseur: next.ReferenceFournisseur, Emplacement: next.Emplacement,
		Rangee: next.Rangee, Etagere: next.Etagere, StockMinimum: next.StockMinimum,
		StockMaximum: next.StockMaximum, PrixUnitaire: next.PrixUnitaire, Devise: next.Devise,
		IsActive: next.IsActive,
	})
	if err != nil {
		return platform.WriteError("update piece", err, constraints)
	}
	return nil
}

// Delete removes a part that has no stock movement.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	if err := checkManager(actor); err != nil {
		return err
	}
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		p, err := platform.Deletion[db.Piece]{
			Lock:       func() (db.Piece, error) { return q.GetPieceForUpdate(ctx, id) },
			NotFound:   errPieceNotFound,
			Check:      func(db.Piece) error { return platform.RefuseIfUsed(errPieceHasLedger)(q.PieceHasMouvements(ctx, id)) },
			Delete:     func() error { return q.DeletePiece(ctx, id) },
			Referenced: platform.Refuse(errPieceHasLedger),
		}.Run()
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "piece.deleted", ResourceType: "piece", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"reference": p.Reference}})
	})
	if err != nil {
		return fmt.Errorf("delete piece %d: %w", id, err)
	}
	return nil
}

// SetEquipements replaces the machines a part fits and returns the new list.
func (s *Service) SetEquipements(ctx context.Context, actor auth.Principal, id int64, ids []int64) ([]Equipement, error) {
	if err := checkManager(actor); err != nil {
		return nil, err
	}
	var out []Equipement
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if _, err := q.GetPieceForUpdate(ctx, id); errors.Is(err, pgx.ErrNoRows) {
			return errPieceNotFound
		} else if err != nil {
			return fmt.Errorf("lock piece: %w", err)
		}
		missing, err := q.MissingEquipements(ctx, ids)
		if err != nil {
			return fmt.Errorf("check machines: %w", err)
		}
		if len(missing) > 0 {
			var fields apperr.Fields
			for _, m := range missing {
				fields.Addf("equipement_ids", "machine %d introuvable", m)
			}
			return fields.Err()
		}
		if err := q.ClearPieceEquipements(ctx, id); err != nil {
			return fmt.Errorf("clear machines: %w", err)
		}
		if err := q.AddPieceEquipements(ctx, db.AddPieceEquipementsParams{PieceID: id, EquipementIds: ids}); err != nil {
			return platform.WriteError("add machines", err, constraints)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "piece.equipements", ResourceType: "piece", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"equipement_ids": ids}}); err != nil {
			return err
		}
		out, err = equipements(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set equipements of piece %d: %w", id, err)
	}
	return out, nil
}

// checkRow normalises a part's text fields in place (trimmed; blank optional text becomes nil)
// and adds its invalid fields.
func checkRow(fields *apperr.Fields, p *db.Piece) {
	p.Nom = strings.TrimSpace(p.Nom)
	p.Reference = strings.TrimSpace(p.Reference)
	*fields = text.CheckRequired(*fields, "nom", p.Nom, 255)
	*fields = text.CheckRequired(*fields, "reference", p.Reference, 100)
	for _, f := range []struct {
		name string
		p    **string
		max  int
	}{
		{"description", &p.Description, 10000}, {"marque", &p.Marque, 100}, {"modele", &p.Modele, 100},
		{"fournisseur", &p.Fournisseur, 255}, {"reference_fournisseur", &p.ReferenceFournisseur, 100},
		{"emplacement", &p.Emplacement, 100}, {"rangee", &p.Rangee, 50}, {"etagere", &p.Etagere, 50},
	} {
		*f.p = text.Optional(*f.p)
		*fields = text.CheckOptional(*fields, f.name, *f.p, f.max)
	}
	if p.StockMaximum != nil && *p.StockMaximum < p.StockMinimum {
		fields.Add("stock_maximum", "doit être supérieur ou égal à stock_minimum")
	}
	if p.PrixUnitaire != nil {
		checkPrice(fields, "prix_unitaire", *p.PrixUnitaire)
	}
	if !devisePattern.MatchString(p.Devise) {
		fields.Add("devise", "code ISO 4217 de trois lettres majuscules (ex. MAD)")
	}
}

func checkQuantity(fields *apperr.Fields, name string, v, minimum int) {
	if v < minimum || v > MaxQuantite {
		fields.Addf(name, "entre %d et %d", minimum, MaxQuantite)
	}
}

func checkPrice(fields *apperr.Fields, name string, v int64) {
	if v < 0 || v > MaxPrix {
		fields.Addf(name, "entre 0 et %d centimes", int64(MaxPrix))
	}
}

func clampInt32(v int) int32 {
	return int32(max(min(v, MaxQuantite), -MaxQuantite))
}

func int32Ptr(v *int) *int32 {
	if v == nil {
		return nil
	}
	c := clampInt32(*v)
	return &c
}

func changedFields(a, b db.Piece) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	eq := func(x, y *string) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
	add("nom", a.Nom != b.Nom)
	add("reference", a.Reference != b.Reference)
	add("description", !eq(a.Description, b.Description))
	add("marque", !eq(a.Marque, b.Marque))
	add("modele", !eq(a.Modele, b.Modele))
	add("fournisseur", !eq(a.Fournisseur, b.Fournisseur))
	add("reference_fournisseur", !eq(a.ReferenceFournisseur, b.ReferenceFournisseur))
	add("emplacement", !eq(a.Emplacement, b.Emplacement))
	add("rangee", !eq(a.Rangee, b.Rangee))
	add("etagere", !eq(a.Etagere, b.Etagere))
	add("stock_minimum", a.StockMinimum != b.StockMinimum)
	add("stock_maximum", (a.StockMaximum == nil) != (b.StockMaximum == nil) || (a.StockMaximum != nil && *a.StockMaximum != *b.StockMaximum))
	add("prix_unitaire", (a.PrixUnitaire == nil) != (b.PrixUnitaire == nil) || (a.PrixUnitaire != nil && *a.PrixUnitaire != *b.PrixUnitaire))
	add("devise", a.Devise != b.Devise)
	add("is_active", a.IsActive != b.IsActive)
	if out == nil {
		out = []string{}
	}
	return out
}
