package arrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
)

// Change is a new statut of a machine and where it comes from.
type Change struct {
	EquipementID   int64
	Statut         db.EquipementStatut
	At             time.Time
	UserID         *int64
	InterventionID *int64
	Source         string // ChangeCreation, ChangeManuel or ChangeIntervention
}

// Recorded keeps, in tx, a change of statut already written on the machine's row (locked by the
// caller): a row of history, and the downtime it opens or ends. before is "" for a new machine.
func Recorded(ctx context.Context, tx pgx.Tx, before db.EquipementStatut, c Change) error {
	if before == c.Statut {
		return nil
	}
	q := db.New(tx)
	avant := db.NullEquipementStatut{EquipementStatut: before, Valid: before != ""}
	if err := q.InsertEquipementStatut(ctx, db.InsertEquipementStatutParams{EquipementID: c.EquipementID,
		StatutAvant: avant, StatutApres: c.Statut, ChangeLe: c.At, UserID: c.UserID, InterventionID: c.InterventionID,
		Source: c.Source}); err != nil {
		return fmt.Errorf("status history of machine %d: %w", c.EquipementID, err)
	}
	if before == "" {
		return nil // a new machine has no downtime yet
	}
	switch c.Statut {
	case db.EquipementStatutPanne:
		return stopped(ctx, q, c, db.MotifArretPanne)
	case db.EquipementStatutMaintenance:
		return stopped(ctx, q, c, db.MotifArretPreventif)
	default:
		return restarted(ctx, q, c.EquipementID, c.At)
	}
}

// stopped opens a downtime record for a machine that stops at c.At, unless one is open (then
// it is linked to c's intervention if it had none).
func stopped(ctx context.Context, q *db.Queries, c Change, motif db.MotifArret) error {
	open, err := q.ArretOuvert(ctx, c.EquipementID)
	switch {
	case err == nil:
		if c.InterventionID != nil && open.InterventionID == nil {
			if err := q.LinkArret(ctx, db.LinkArretParams{ID: open.ID, InterventionID: c.InterventionID}); err != nil {
				return fmt.Errorf("link downtime %d: %w", open.ID, err)
			}
		}
		return nil
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("open downtime of machine %d: %w", c.EquipementID, err)
	}
	debut := c.At
	// A record entered by hand may end after now (clock skew between the app and the
	// database): the new one starts when it ends.
	if last, err := q.ArretFinMax(ctx, c.EquipementID); err != nil {
		return fmt.Errorf("last downtime of machine %d: %w", c.EquipementID, err)
	} else if last.After(debut) {
		debut = last
	}
	if _, err := q.InsertArret(ctx, db.InsertArretParams{EquipementID: c.EquipementID, Debut: debut, Motif: motif,
		InterventionID: c.InterventionID, Source: SourceAutomatique, CreatedBy: c.UserID}); err != nil {
		return fmt.Errorf("open downtime of machine %d: %w", c.EquipementID, err)
	}
	return nil
}

// restarted ends the machine's open downtime record, if any, at the given time (or just after
// its start).
func restarted(ctx context.Context, q *db.Queries, equipementID int64, at time.Time) error {
	open, err := q.ArretOuvert(ctx, equipementID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open downtime of machine %d: %w", equipementID, err)
	}
	return closeAt(ctx, q, open, at)
}

func closeAt(ctx context.Context, q *db.Queries, a db.Arret, at time.Time) error {
	if !at.After(a.Debut) {
		at = a.Debut.Add(time.Second)
	}
	if _, err := q.CloseArret(ctx, db.CloseArretParams{ID: a.ID, Fin: at}); err != nil {
		return fmt.Errorf("end downtime %d: %w", a.ID, err)
	}
	return nil
}

// setStatut writes a new statut on a locked machine and keeps the change.
func setStatut(ctx context.Context, tx pgx.Tx, before db.EquipementStatut, c Change) error {
	if before == c.Statut {
		return nil
	}
	if err := db.New(tx).SetEquipementStatut(ctx, db.SetEquipementStatutParams{ID: c.EquipementID, Statut: c.Statut}); err != nil {
		return fmt.Errorf("statut of machine %d: %w", c.EquipementID, err)
	}
	return Recorded(ctx, tx, before, c)
}

// Breakdown is a corrective intervention reporting its machine down, in the intervention's
// transaction: the machine goes to `panne` (unless it is already) and a downtime record linked
// to the intervention is opened (or the open one is linked). A retired machine cannot break down.
func Breakdown(ctx context.Context, tx pgx.Tx, equipementID, interventionID int64, userID *int64, at time.Time) error {
	q := db.New(tx)
	before, err := lockMachine(ctx, q, equipementID)
	if err != nil {
		return err
	}
	if before == db.EquipementStatutRetire {
		return apperr.InvalidField("equipement_en_panne", "l'équipement est retiré du service : il ne peut pas tomber en panne")
	}
	c := Change{EquipementID: equipementID, Statut: db.EquipementStatutPanne, At: at, UserID: userID,
		InterventionID: &interventionID, Source: ChangeIntervention}
	if before == db.EquipementStatutPanne {
		return stopped(ctx, q, c, db.MotifArretPanne)
	}
	return setStatut(ctx, tx, before, c)
}

// Repaired is the closing of an intervention, in its transaction: the open downtime record it
// reported ends at `at` and its machine, if still in `panne` or `maintenance`, is `operationnel`
// again. Nothing happens when the intervention has no open record.
func Repaired(ctx context.Context, tx pgx.Tx, interventionID int64, userID *int64, at time.Time) error {
	q := db.New(tx)
	a, err := q.ArretOuvertOfIntervention(ctx, &interventionID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("downtime of intervention %d: %w", interventionID, err)
	}
	before, err := lockMachine(ctx, q, a.EquipementID)
	if err != nil {
		return err
	}
	// Read again under the machine's lock: a manager may have ended it meanwhile.
	if a, err = q.ArretOuvertOfIntervention(ctx, &interventionID); errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("downtime of intervention %d: %w", interventionID, err)
	}
	if err := closeAt(ctx, q, a, at); err != nil {
		return err
	}
	if before != db.EquipementStatutPanne && before != db.EquipementStatutMaintenance {
		return nil
	}
	return setStatut(ctx, tx, before, Change{EquipementID: a.EquipementID, Statut: db.EquipementStatutOperationnel,
		At: at, UserID: userID, InterventionID: &interventionID, Source: ChangeIntervention})
}
