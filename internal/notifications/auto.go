package notifications

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
)

// Subject is the intervention an automatic notification is about.
type Subject struct {
	InterventionID int64
	Titre          string
	DateLimite     *time.Time
	// Zone is where the texts read the deadline (APP_TIMEZONE, from the caller's service);
	// nil: UTC.
	Zone *time.Location
}

func (s Subject) ref() string {
	return "« " + s.Titre + " » (n° " + strconv.FormatInt(s.InterventionID, 10) + ")"
}

// Assigned notifies the account of technician technicienID that the intervention is assigned
// to it (type affectation), inside the transaction q of the assignment. An inactive account
// gets nothing.
func Assigned(ctx context.Context, q db.DBTX, s Subject, technicienID int64, actorID *int64) error {
	userID, ok, err := technicianAccount(ctx, q, technicienID)
	if !ok || err != nil {
		return err
	}
	contenu := "L'intervention " + s.ref() + " vous est assignée."
	if s.DateLimite != nil {
		contenu += " Échéance : " + formatTime(*s.DateLimite, s.Zone) + "."
	}
	return send(ctx, q, []int64{userID}, New{Type: db.NotificationTypeAffectation,
		Titre: "Nouvelle intervention assignée", Contenu: &contenu, CreatedBy: actorID}, s)
}

// Cancelled tells the technician an intervention was assigned to that it is cancelled, and why
// (type information), inside the transaction q of the cancellation. An inactive account, or the
// technician cancelling it, gets nothing.
func Cancelled(ctx context.Context, q db.DBTX, s Subject, technicienID int64, motif string, actorID *int64) error {
	userID, ok, err := technicianAccount(ctx, q, technicienID)
	if !ok || err != nil || actorID != nil && *actorID == userID {
		return err
	}
	contenu := "L'intervention " + s.ref() + " qui vous était assignée est annulée. Motif : " + motif
	return send(ctx, q, []int64{userID}, New{Type: db.NotificationTypeInformation,
		Titre: "Intervention annulée", Contenu: &contenu, CreatedBy: actorID}, s)
}

// technicianAccount is the active account of a technician (ok false when it has none).
func technicianAccount(ctx context.Context, q db.DBTX, technicienID int64) (int64, bool, error) {
	userID, err := db.New(q).NotificationTechnicienUser(ctx, technicienID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("account of technician %d: %w", technicienID, err)
	}
	return userID, true, nil
}

// Closed notifies the closing of an intervention (type cloture) to its creator, every active
// responsable and the client company's account, once each, the actor included.
func Closed(ctx context.Context, q db.DBTX, s Subject, actorID *int64) error {
	ids, err := db.New(q).NotificationClosureRecipients(ctx, s.InterventionID)
	if err != nil {
		return fmt.Errorf("recipients of the closing of %d: %w", s.InterventionID, err)
	}
	contenu := "L'intervention " + s.ref() + " a été clôturée."
	return send(ctx, q, ids, New{Type: db.NotificationTypeCloture, Titre: "Intervention clôturée",
		Contenu: &contenu, CreatedBy: actorID}, s)
}

// ClientRequest tells every active responsable that a client submitted a request (type
// information).
func ClientRequest(ctx context.Context, q db.DBTX, s Subject, actorID *int64) error {
	ids, err := db.New(q).NotificationActiveResponsables(ctx)
	if err != nil {
		return fmt.Errorf("responsables: %w", err)
	}
	contenu := "Un client a soumis la demande d'intervention " + s.ref() + ". Elle attend d'être affectée."
	return send(ctx, q, ids, New{Type: db.NotificationTypeInformation, Titre: "Nouvelle demande d'intervention",
		Contenu: &contenu, CreatedBy: actorID}, s)
}

// Generated tells every active responsable that a preventive plan generated an intervention
// (type information).
func Generated(ctx context.Context, q db.DBTX, s Subject, planningID int64, occurrence time.Time) error {
	ids, err := db.New(q).NotificationActiveResponsables(ctx)
	if err != nil {
		return fmt.Errorf("responsables: %w", err)
	}
	contenu := "Le planning n° " + strconv.FormatInt(planningID, 10) + " a généré l'intervention préventive " +
		s.ref() + " pour l'échéance du " + occurrence.Format("02/01/2006") + "."
	return send(ctx, q, ids, New{Type: db.NotificationTypeInformation, Titre: "Intervention préventive générée",
		Contenu: &contenu}, s)
}

// send inserts n for each recipient; one already sent (reminders) is skipped.
func send(ctx context.Context, q db.DBTX, userIDs []int64, n New, s Subject) error {
	n.InterventionID = &s.InterventionID
	n.InterventionTitre = s.Titre
	n.Echeance, n.Zone = s.DateLimite, s.Zone
	for _, id := range userIDs {
		n.UserID = id
		if _, err := Insert(ctx, q, n); err != nil && !errors.Is(err, ErrAlreadySent) {
			return fmt.Errorf("notify user %d: %w", id, err)
		}
	}
	return nil
}

// FollowUp tells every active responsable that a checklist answer opened a follow-up
// corrective intervention (type information).
func FollowUp(ctx context.Context, q db.DBTX, s Subject, origineID int64, actorID *int64) error {
	ids, err := db.New(q).NotificationActiveResponsables(ctx)
	if err != nil {
		return fmt.Errorf("responsables: %w", err)
	}
	contenu := "Un écart relevé par la checklist de l'intervention n° " + strconv.FormatInt(origineID, 10) +
		" a ouvert l'intervention corrective " + s.ref() + "."
	return send(ctx, q, ids, New{Type: db.NotificationTypeInformation, Titre: "Intervention de suivi ouverte",
		Contenu: &contenu, CreatedBy: actorID}, s)
}
