package pieces

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/interventions"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Statuses of a part line of an intervention.
const (
	LigneReservee  = "reservee"
	LigneConsommee = "consommee"
	LigneLiberee   = "liberee"
	LigneRetournee = "retournee"
)

var (
	errLigneNotFound = apperr.NotFound("Ligne de pièce introuvable")
	errLigneDone     = apperr.Conflict("Ligne déjà libérée ou retournée")
)

// Ligne is a part used (or reserved) on an intervention.
type Ligne struct {
	db.InterventionsPiece
	PieceReference, PieceNom, Devise string
}

// Montant is the cost of a consumed line, in cents (0 otherwise).
func (l Ligne) Montant() int64 {
	if l.Statut != db.StatutPieceInterventionConsommee || l.CoutUnitaire == nil {
		return 0
	}
	return int64(l.Quantite) * *l.CoutUnitaire
}

// LigneInput is a part to put on an intervention.
type LigneInput struct {
	PieceID     int64
	Quantite    int
	Consommer   bool // consume at once (a sortie now) instead of reserving until the closing
	Commentaire *string
}

// InterventionLignes lists the part lines of an intervention the caller may read (404
// otherwise), oldest first.
func (s *Service) InterventionLignes(ctx context.Context, actor auth.Principal, interventionID int64) ([]Ligne, error) {
	if err := interventions.CheckReadable(ctx, s.pool, actor, interventionID); err != nil {
		return nil, err
	}
	rows, err := db.New(s.pool).ListInterventionPieces(ctx, interventionID)
	if err != nil {
		return nil, fmt.Errorf("list pieces of intervention %d: %w", interventionID, err)
	}
	out := make([]Ligne, len(rows))
	for i, r := range rows {
		out[i] = Ligne{r.InterventionsPiece, r.PieceReference, r.PieceNom, r.Devise}
	}
	return out, nil
}

// AddLigne reserves a part for an intervention, or consumes it at once. Managers may do it on
// any open intervention, a technicien on those assigned to it.
func (s *Service) AddLigne(ctx context.Context, actor auth.Principal, interventionID int64, in LigneInput) (Ligne, error) {
	if !access.For(actor).ReadsAllEquipment() {
		return Ligne{}, access.ErrStaffOnly
	}
	var fields apperr.Fields
	if in.Quantite < 1 || in.Quantite > MaxQuantite {
		fields.Addf("quantite", "entre 1 et %d", MaxQuantite)
	}
	in.Commentaire = text.Optional(in.Commentaire)
	fields = text.CheckOptional(fields, "commentaire", in.Commentaire, 10000)
	if err := fields.Err(); err != nil {
		return Ligne{}, err
	}
	var out Ligne
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, actor, interventionID); err != nil {
			return err
		}
		q := db.New(tx)
		p, err := q.GetPieceForUpdate(ctx, in.PieceID)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.InvalidField("piece_id", "pièce introuvable")
		}
		if err != nil {
			return fmt.Errorf("lock piece: %w", err)
		}
		if !p.IsActive {
			return apperr.InvalidField("piece_id", "pièce désactivée")
		}
		if free := int64(p.StockActuel) - int64(p.StockReserve); int64(in.Quantite) > free {
			return insufficient(max(free, 0), int64(in.Quantite))
		}
		params := db.InsertInterventionPieceParams{InterventionID: interventionID, PieceID: p.ID,
			Quantite: int32(in.Quantite), Commentaire: in.Commentaire, UserID: actor.UserID}
		if in.Consommer {
			// Consumed at once: the sortie on the part locked above, then the line, born consumed
			// (not reserved then consumed: four statements less).
			sortie, unit, err := postLocked(ctx, tx, actor.UserID, p, consumption(interventionID, in.Quantite, false))
			if err != nil {
				return err
			}
			params.SortieID, params.CoutUnitaire = &sortie, &unit
		}
		line, err := q.InsertInterventionPiece(ctx, params)
		if err != nil {
			return platform.WriteError("insert intervention piece", err, constraints)
		}
		if in.Consommer {
			if err := syncCost(ctx, tx, interventionID); err != nil {
				return err
			}
		} else if err := q.SetPieceReserve(ctx, db.SetPieceReserveParams{ID: p.ID, StockReserve: p.StockReserve + int32(in.Quantite)}); err != nil {
			return fmt.Errorf("reserve: %w", err)
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention.piece_ajoutee", ResourceType: "intervention", ResourceID: strconv.FormatInt(interventionID, 10),
			Details: map[string]any{"ligne_id": line.ID, "piece_id": p.ID, "quantite": in.Quantite, "consommee": in.Consommer}}); err != nil {
			return err
		}
		out = Ligne{line, p.Reference, p.Nom, p.Devise}
		return nil
	})
	if err != nil {
		return Ligne{}, fmt.Errorf("add piece to intervention %d: %w", interventionID, err)
	}
	return out, nil
}

// RemoveLigne takes a part off an open intervention: a reserved line is released, a consumed one
// goes back to the store (a retour at the unit cost it left at).
func (s *Service) RemoveLigne(ctx context.Context, actor auth.Principal, interventionID, ligneID int64) (Ligne, error) {
	if !access.For(actor).ReadsAllEquipment() {
		return Ligne{}, access.ErrStaffOnly
	}
	var out Ligne
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, actor, interventionID); err != nil {
			return err
		}
		q := db.New(tx)
		line, err := q.LockInterventionPiece(ctx, db.LockInterventionPieceParams{ID: ligneID, InterventionID: interventionID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errLigneNotFound
		}
		if err != nil {
			return fmt.Errorf("lock line: %w", err)
		}
		switch line.Statut {
		case db.StatutPieceInterventionReservee:
			if err := release(ctx, tx, line); err != nil {
				return err
			}
		case db.StatutPieceInterventionConsommee:
			q := int(line.Quantite)
			motif := "Retour de l'intervention n° " + strconv.FormatInt(interventionID, 10)
			retour, err := post(ctx, tx, actor.UserID, line.PieceID, MouvementInput{Type: Retour, Quantite: &q,
				Motif: &motif, InterventionID: &interventionID, coutRetour: line.CoutUnitaire})
			if err != nil {
				return err
			}
			if err := db.New(tx).ReturnInterventionPiece(ctx, db.ReturnInterventionPieceParams{ID: line.ID, RetourID: &retour}); err != nil {
				return fmt.Errorf("return line: %w", err)
			}
			if err := syncCost(ctx, tx, interventionID); err != nil {
				return err
			}
		default:
			return errLigneDone
		}
		if err := audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "intervention.piece_retiree", ResourceType: "intervention", ResourceID: strconv.FormatInt(interventionID, 10),
			Details: map[string]any{"ligne_id": line.ID, "piece_id": line.PieceID, "statut_avant": line.Statut}}); err != nil {
			return err
		}
		out, err = getLigne(ctx, tx, line.ID)
		return err
	})
	if err != nil {
		return Ligne{}, fmt.Errorf("remove piece line %d of intervention %d: %w", ligneID, interventionID, err)
	}
	return out, nil
}

// Settle is the intervention lifecycle's settler of parts (interventions.Settler): closing
// consumes the reserved lines and records the parts cost computed from the lines (over any typed
// by hand), cancelling releases them.
func Settle(ctx context.Context, tx pgx.Tx, actorID int64, a interventions.Action, next *interventions.Row) error {
	switch a {
	case interventions.Close:
		cost, err := ConsumeReserved(ctx, tx, actorID, next.ID)
		if err != nil {
			return err
		}
		if cost != nil {
			next.CoutPieces = cost
		}
	case interventions.Cancel:
		return ReleaseReserved(ctx, tx, next.ID)
	}
	return nil
}

func lockOpen(ctx context.Context, tx pgx.Tx, actor auth.Principal, id int64) error {
	_, err := interventions.LockOpen(ctx, tx, actor, id)
	return err
}

// ConsumeReserved consumes every reserved line of an intervention being closed, in the caller's
// transaction (which holds the intervention's lock): one sortie per line. It returns the parts
// cost to record on the intervention, nil when it has no part line.
func ConsumeReserved(ctx context.Context, tx pgx.Tx, userID, interventionID int64) (*int64, error) {
	lines, err := db.New(tx).LockReservedInterventionPieces(ctx, interventionID)
	if err != nil {
		return nil, fmt.Errorf("lock reserved parts: %w", err)
	}
	for _, l := range lines {
		if err := consume(ctx, tx, userID, l); err != nil {
			return nil, err
		}
	}
	return partsCost(ctx, tx, interventionID)
}

// ReleaseReserved releases the reserved lines of an intervention being cancelled, in the
// caller's transaction. What was consumed stays consumed (remove the line to return it first).
func ReleaseReserved(ctx context.Context, tx pgx.Tx, interventionID int64) error {
	lines, err := db.New(tx).LockReservedInterventionPieces(ctx, interventionID)
	if err != nil {
		return fmt.Errorf("lock reserved parts: %w", err)
	}
	for _, l := range lines {
		if err := release(ctx, tx, l); err != nil {
			return err
		}
	}
	return nil
}

// consume issues a reserved line: a sortie linked to the intervention, valued at the average cost.
func consume(ctx context.Context, tx pgx.Tx, userID int64, l db.InterventionsPiece) error {
	p, err := db.New(tx).GetPieceForUpdate(ctx, l.PieceID)
	if err != nil {
		return fmt.Errorf("lock piece: %w", err)
	}
	sortie, unit, err := postLocked(ctx, tx, userID, p, consumption(l.InterventionID, int(l.Quantite), true))
	if err != nil {
		return err
	}
	if err := db.New(tx).ConsumeInterventionPiece(ctx, db.ConsumeInterventionPieceParams{ID: l.ID, SortieID: &sortie,
		CoutUnitaire: &unit}); err != nil {
		return fmt.Errorf("consume line: %w", err)
	}
	return nil
}

// consumption is the sortie of quantite units for an intervention (reserved: units the
// intervention had reserved, which the sortie frees from the reserve).
func consumption(interventionID int64, quantite int, reserved bool) MouvementInput {
	motif := "Intervention n° " + strconv.FormatInt(interventionID, 10)
	return MouvementInput{Type: Sortie, Quantite: &quantite, Motif: &motif, InterventionID: &interventionID, reserved: reserved}
}

// release gives a reserved line's units back to the free stock.
func release(ctx context.Context, tx pgx.Tx, l db.InterventionsPiece) error {
	q := db.New(tx)
	p, err := q.GetPieceForUpdate(ctx, l.PieceID)
	if err != nil {
		return fmt.Errorf("lock piece: %w", err)
	}
	if err := q.SetPieceReserve(ctx, db.SetPieceReserveParams{ID: p.ID, StockReserve: max(p.StockReserve-l.Quantite, 0)}); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	if err := q.ReleaseInterventionPiece(ctx, l.ID); err != nil {
		return fmt.Errorf("release line: %w", err)
	}
	return nil
}

// partsCost is the cost of the parts an intervention consumed; nil when it has no part line.
func partsCost(ctx context.Context, tx pgx.Tx, interventionID int64) (*int64, error) {
	c, err := db.New(tx).InterventionPiecesCost(ctx, interventionID)
	if err != nil {
		return nil, fmt.Errorf("parts cost: %w", err)
	}
	if c.Lignes == 0 {
		return nil, nil
	}
	return &c.Cout, nil
}

// syncCost writes the parts cost of an intervention from its lines.
func syncCost(ctx context.Context, tx pgx.Tx, interventionID int64) error {
	if err := db.New(tx).SyncInterventionCoutPieces(ctx, interventionID); err != nil {
		return fmt.Errorf("write parts cost: %w", err)
	}
	return nil
}

func getLigne(ctx context.Context, q db.DBTX, id int64) (Ligne, error) {
	r, err := db.New(q).GetInterventionPiece(ctx, id)
	if err != nil {
		return Ligne{}, fmt.Errorf("read line %d: %w", id, err)
	}
	return Ligne{r.InterventionsPiece, r.PieceReference, r.PieceNom, r.Devise}, nil
}

func insufficient(free, asked int64) error {
	return &apperr.Error{Kind: apperr.KindConflict,
		Message: fmt.Sprintf("Stock insuffisant : %d disponible(s), %d demandé(s)", free, asked),
		Fields:  []apperr.FieldError{{Field: "quantite", Message: fmt.Sprintf("%d disponible(s)", free)}}}
}
