package pieces

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Movement kinds (type_mouvement).
const (
	Entree     = "entree"
	Sortie     = "sortie"
	Ajustement = "ajustement"
	Retour     = "retour"
)

// MotifStockInitial is the motif of the entree that records a new part's initial stock.
const MotifStockInitial = "Stock initial"

// Mouvement is one line of the stock ledger.
type Mouvement struct {
	db.MouvementsStock
	PieceReference, PieceNom string
}

// Valeur is the value of the movement, in cents.
func (m Mouvement) Valeur() int64 {
	q := int64(m.Quantite)
	if q < 0 {
		q = -q
	}
	return q * m.CoutUnitaire
}

// MouvementInput is a movement to record; nil pointers are absent fields.
type MouvementInput struct {
	Type           string
	Quantite       *int
	StockCompte    *int   // ajustement only: the counted stock
	PrixUnitaire   *int64 // entree only: purchase price per unit
	Devise         *string
	Motif          *string
	Commentaire    *string
	InterventionID *int64

	reserved   bool   // a sortie consuming units reserved for it (by an intervention's line)
	coutRetour *int64 // a retour valued at this unit cost (the sortie it gives back)
}

// MouvementFilter selects a page of the ledger.
type MouvementFilter struct {
	PieceID        *int64
	Type           string
	InterventionID *int64
	UserID         *int64
	Depuis, JusquA *time.Time
	Limit, Offset  int
}

// Record appends a movement to a part's ledger and updates its balance and average cost, in one
// transaction under the part's row lock.
func (s *Service) Record(ctx context.Context, actor auth.Principal, pieceID int64, in MouvementInput) (Mouvement, error) {
	if err := checkManager(actor); err != nil {
		return Mouvement{}, err
	}
	if err := checkMouvement(&in); err != nil {
		return Mouvement{}, err
	}
	var out Mouvement
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if in.InterventionID != nil {
			ok, err := access.For(actor).Queries(tx).InterventionReadable(ctx, db.InterventionReadableParams{ID: *in.InterventionID})
			if err != nil {
				return fmt.Errorf("check intervention: %w", err)
			}
			if !ok {
				return errInterventionRef
			}
		}
		id, err := post(ctx, tx, actor.UserID, pieceID, in)
		if err != nil {
			return err
		}
		if out, err = getMouvement(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "piece.mouvement",
			ResourceType: "piece", ResourceID: strconv.FormatInt(pieceID, 10),
			Details: map[string]any{"mouvement_id": id, "type": string(out.TypeMouvement), "quantite": out.Quantite,
				"stock_apres": out.StockApres}})
	})
	if err != nil {
		return Mouvement{}, fmt.Errorf("record mouvement of piece %d: %w", pieceID, err)
	}
	return out, nil
}

// recordInitial records a new part's initial stock (an entree at unit cost cout).
func (s *Service) recordInitial(ctx context.Context, tx pgx.Tx, actor auth.Principal, pieceID int64, quantite int, cout int64) (int64, error) {
	motif := MotifStockInitial
	return post(ctx, tx, actor.UserID, pieceID, MouvementInput{Type: Entree, Quantite: &quantite, PrixUnitaire: &cout, Motif: &motif})
}

// checkMouvement checks what can be checked without the part, and normalises the texts.
func checkMouvement(in *MouvementInput) error {
	var fields apperr.Fields
	switch in.Type {
	case Entree, Sortie, Retour:
		switch {
		case in.Quantite == nil:
			fields.Add("quantite", "obligatoire")
		case *in.Quantite < 1 || *in.Quantite > MaxQuantite:
			fields.Addf("quantite", "entre 1 et %d", MaxQuantite)
		}
		if in.StockCompte != nil {
			fields.Add("stock_compte", "réservé aux mouvements de type ajustement")
		}
	case Ajustement:
		switch {
		case in.Quantite == nil && in.StockCompte == nil:
			fields.Add("quantite", "obligatoire (ou stock_compte, le stock compté)")
		case in.Quantite != nil && in.StockCompte != nil:
			fields.Add("stock_compte", "quantite ou stock_compte, pas les deux")
		case in.Quantite != nil && (*in.Quantite == 0 || *in.Quantite < -MaxQuantite || *in.Quantite > MaxQuantite):
			fields.Addf("quantite", "variation non nulle entre -%d et %d", MaxQuantite, MaxQuantite)
		case in.StockCompte != nil && (*in.StockCompte < 0 || *in.StockCompte > MaxQuantite):
			fields.Addf("stock_compte", "entre 0 et %d", MaxQuantite)
		}
	default:
		fields.Add("type_mouvement", "entree, sortie, ajustement ou retour")
	}
	if in.PrixUnitaire != nil {
		if in.Type != Entree {
			fields.Add("prix_unitaire", "réservé aux mouvements de type entree")
		} else {
			checkPrice(&fields, "prix_unitaire", *in.PrixUnitaire)
		}
	}
	if in.Devise != nil && !devisePattern.MatchString(*in.Devise) {
		fields.Add("devise", "code ISO 4217 de trois lettres majuscules (ex. MAD)")
	}
	in.Motif = text.Optional(in.Motif)
	in.Commentaire = text.Optional(in.Commentaire)
	fields = text.CheckOptional(fields, "motif", in.Motif, 255)
	fields = text.CheckOptional(fields, "commentaire", in.Commentaire, 10000)
	return fields.Err()
}

// post appends one checked movement inside tx: lock the part, compute the new balance and
// average cost, insert the ledger line, write the balances. It returns the movement's id.
func post(ctx context.Context, tx pgx.Tx, userID, pieceID int64, in MouvementInput) (int64, error) {
	p, err := db.New(tx).GetPieceForUpdate(ctx, pieceID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errPieceNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("lock piece: %w", err)
	}
	id, _, err := postLocked(ctx, tx, userID, p, in)
	return id, err
}

// postLocked is post for a part the transaction has locked (GetPieceForUpdate), as it read it: it
// returns the movement and its unit cost.
func postLocked(ctx context.Context, tx pgx.Tx, userID int64, p db.Piece, in MouvementInput) (int64, int64, error) {
	q := db.New(tx)
	pieceID := p.ID
	if in.Devise != nil && *in.Devise != p.Devise {
		return 0, 0, apperr.InvalidField("devise", fmt.Sprintf("la pièce est en %s", p.Devise))
	}
	before := int64(p.StockActuel)
	var delta int64
	if in.Quantite != nil {
		delta = int64(*in.Quantite)
	}
	unit, avg := p.CoutMoyen, p.CoutMoyen
	reserve := int64(p.StockReserve)
	switch in.Type {
	case Entree:
		unit = entryCost(p, in.PrixUnitaire)
		avg = weightedAverage(before, p.CoutMoyen, delta, unit)
	case Retour:
		if in.coutRetour != nil {
			unit = *in.coutRetour
			avg = weightedAverage(before, p.CoutMoyen, delta, unit)
		}
	case Sortie:
		// Units reserved by interventions are not free, except for the sortie consuming them.
		free := before - reserve
		if in.reserved {
			free = before
			reserve = max(reserve-delta, 0)
		}
		if delta > free {
			return 0, 0, insufficient(max(free, 0), delta)
		}
		delta = -delta
	case Ajustement:
		if in.StockCompte != nil {
			delta = int64(*in.StockCompte) - before
			if delta == 0 {
				return 0, 0, apperr.InvalidField("stock_compte", fmt.Sprintf("égal au stock actuel (%d) : rien à ajuster", before))
			}
		}
	}
	after := before + delta
	if after > MaxQuantite || after < -MaxQuantite {
		return 0, 0, apperr.InvalidField("quantite", fmt.Sprintf("le stock dépasserait %d", MaxQuantite))
	}
	quantite := delta
	if in.Type == Sortie {
		quantite = -delta
	}
	id, err := q.InsertMouvement(ctx, db.InsertMouvementParams{
		PieceID: pieceID, TypeMouvement: db.TypeMouvement(in.Type), Quantite: int32(quantite),
		StockAvant: int32(before), StockApres: int32(after), CoutUnitaire: unit, Devise: p.Devise,
		Motif: in.Motif, Commentaire: in.Commentaire, InterventionID: in.InterventionID, UserID: userID,
	})
	if err != nil {
		return 0, 0, platform.WriteError("insert mouvement", err, constraints)
	}
	alerte, err := reorderAlert(ctx, tx, p, after, userID)
	if err != nil {
		return 0, 0, err
	}
	if err := q.SetPieceStock(ctx, db.SetPieceStockParams{
		ID: pieceID, StockActuel: int32(after), StockReserve: int32(reserve), CoutMoyen: avg,
		TypeMouvement: db.TypeMouvement(in.Type), AlerteStock: alerte,
	}); err != nil {
		return 0, 0, fmt.Errorf("write balance: %w", err)
	}
	return id, unit, nil
}

// reorderAlert tells the responsables, once, that an active part's stock reached its minimum,
// and returns the part's new alert flag: set while the stock stays at or below the minimum,
// cleared once it is above (so the next time it falls, they hear of it again).
func reorderAlert(ctx context.Context, tx pgx.Tx, p db.Piece, after int64, userID int64) (bool, error) {
	if after > int64(p.StockMinimum) {
		return false, nil
	}
	if p.AlerteStock || !p.IsActive {
		return p.AlerteStock, nil
	}
	target := max(int64(p.StockMinimum)+1, 2*int64(p.StockMinimum))
	if p.StockMaximum != nil {
		target = max(int64(*p.StockMaximum), int64(p.StockMinimum)+1)
	}
	err := notifications.StockLow(ctx, tx, notifications.StockPiece{ID: p.ID, Nom: p.Nom, Reference: p.Reference,
		Stock: int(after), Minimum: int(p.StockMinimum), QuantiteSuggeree: int(target - after)}, &userID)
	if err != nil {
		return false, fmt.Errorf("reorder alert: %w", err)
	}
	return true, nil
}

// entryCost is the unit value of an entree: its purchase price, else the average cost, else
// (while that is 0) the catalogue price.
func entryCost(p db.Piece, prix *int64) int64 {
	switch {
	case prix != nil:
		return *prix
	case p.CoutMoyen > 0:
		return p.CoutMoyen
	case p.PrixUnitaire != nil:
		return *p.PrixUnitaire
	default:
		return 0
	}
}

// weightedAverage is the average cost after receiving q units at unit cost: the stock on hand
// (never counted below 0) at avg plus the receipt, rounded half up to the cent.
func weightedAverage(stock, avg, q, unit int64) int64 {
	stock = max(stock, 0)
	if stock+q <= 0 {
		return avg
	}
	num := new(big.Int).Mul(big.NewInt(stock), big.NewInt(avg))
	num.Add(num, new(big.Int).Mul(big.NewInt(q), big.NewInt(unit)))
	den := big.NewInt(stock + q)
	// round half up: (2·num + den) / (2·den)
	num.Mul(num, big.NewInt(2)).Add(num, den)
	den.Mul(den, big.NewInt(2))
	return num.Quo(num, den).Int64()
}

func getMouvement(ctx context.Context, q db.DBTX, id int64) (Mouvement, error) {
	r, err := db.New(q).GetMouvement(ctx, id)
	if err != nil {
		return Mouvement{}, fmt.Errorf("read mouvement %d: %w", id, err)
	}
	return Mouvement{MouvementsStock: r.MouvementsStock, PieceReference: r.PieceReference, PieceNom: r.PieceNom}, nil
}

// Mouvements returns one page of the ledger, newest first, and its total. With a PieceID, the
// part must exist (404 otherwise); the ledger of every part is for managers.
func (s *Service) Mouvements(ctx context.Context, actor auth.Principal, f MouvementFilter) ([]Mouvement, int64, error) {
	if f.PieceID == nil {
		if err := checkManager(actor); err != nil {
			return nil, 0, err
		}
	} else if err := checkStaff(actor); err != nil {
		return nil, 0, err
	}
	var fields apperr.Fields
	var typ db.NullTypeMouvement
	if f.Type != "" {
		typ = db.NullTypeMouvement{TypeMouvement: db.TypeMouvement(f.Type), Valid: true}
		if !typ.TypeMouvement.Valid() {
			fields.Add("type_mouvement", "entree, sortie, ajustement ou retour")
		}
	}
	if f.Depuis != nil && f.JusquA != nil && !f.JusquA.After(*f.Depuis) {
		fields.Add("jusqu_a", "doit être postérieur à depuis")
	}
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if err := fields.Err(); err != nil {
		return nil, 0, err
	}
	if f.PieceID != nil {
		if _, err := get(ctx, s.pool, *f.PieceID); err != nil {
			return nil, 0, err
		}
	}
	queries := db.New(platform.PlanEachCall(s.pool))
	rows, err := queries.ListMouvements(ctx, db.ListMouvementsParams{
		PieceID: f.PieceID, TypeMouvement: typ, InterventionID: f.InterventionID, UserID: f.UserID,
		Depuis: f.Depuis, JusquA: f.JusquA, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list mouvements: %w", err)
	}
	total := int64(offset) + int64(len(rows))
	if len(rows) == int(limit) || (len(rows) == 0 && offset > 0) {
		total, err = queries.CountMouvements(ctx, db.CountMouvementsParams{
			PieceID: f.PieceID, TypeMouvement: typ, InterventionID: f.InterventionID, UserID: f.UserID,
			Depuis: f.Depuis, JusquA: f.JusquA,
		})
		if err != nil {
			return nil, 0, fmt.Errorf("count mouvements: %w", err)
		}
	}
	out := make([]Mouvement, len(rows))
	for i, r := range rows {
		out[i] = Mouvement{MouvementsStock: r.MouvementsStock, PieceReference: r.PieceReference, PieceNom: r.PieceNom}
	}
	return out, total, nil
}
