package notifications

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/mail"
)

// Limits of the notifications table.
const (
	maxTitre   = 255
	maxContenu = 1000
)

// New is a notification to write.
type New struct {
	UserID         int64                // recipient
	Type           db.NotificationType  // empty: information
	Canal          db.NotificationCanal // empty: email when an e-mail is queued, else log
	Titre          string               // empty: the type's label
	Contenu        *string              // optional
	InterventionID *int64               // optional
	CreatedBy      *int64               // nil: the system
	// For the e-mail only: the intervention's title (read when empty and InterventionID is
	// set) and its deadline.
	InterventionTitre string
	Echeance          *time.Time
	Zone              *time.Location // where the e-mail reads Echeance (APP_TIMEZONE); nil: UTC
}

var typeLabels = map[db.NotificationType]string{
	db.NotificationTypeAffectation: "Nouvelle intervention assignée",
	db.NotificationTypeCloture:     "Intervention clôturée",
	db.NotificationTypeRappel:      "Échéance proche",
	db.NotificationTypeRetard:      "Intervention en retard",
	db.NotificationTypeInformation: "Information",
}

// Insert writes one notification with q (the caller's transaction) and, when the recipient's
// account is active and its preferences want this type by e-mail, its e-mail in the outbox.
// It is the only way notifications are written. A reminder or overdue notice the recipient
// already has for the intervention writes nothing and returns ErrAlreadySent; an unknown
// recipient is a 404 "Utilisateur cible introuvable".
func Insert(ctx context.Context, q db.DBTX, n New) (Notification, error) {
	queries := db.New(q)
	if n.Type == "" {
		n.Type = db.NotificationTypeInformation
	}
	if !n.Type.Valid() {
		return Notification{}, fmt.Errorf("notification type %q", n.Type)
	}
	n.Titre = clip(strings.Join(strings.Fields(n.Titre), " "), maxTitre)
	if n.Titre == "" {
		n.Titre = typeLabels[n.Type]
	}
	if n.Contenu != nil {
		c := clip(strings.TrimSpace(*n.Contenu), maxContenu)
		n.Contenu = &c
		if c == "" {
			n.Contenu = nil
		}
	}
	to, err := queries.NotificationRecipient(ctx, db.NotificationRecipientParams{ID: n.UserID, Type: n.Type})
	if errors.Is(err, pgx.ErrNoRows) {
		return Notification{}, errRecipientNotFound
	}
	if err != nil {
		return Notification{}, fmt.Errorf("recipient %d: %w", n.UserID, err)
	}
	queue := to.IsActive && strings.TrimSpace(to.Email) != "" && to.WantsEmail
	canal := n.Canal
	if canal == "" {
		canal = db.NotificationCanalLog
		if queue {
			canal = db.NotificationCanalEmail
		}
	}
	row, err := queries.NotificationInsert(ctx, db.NotificationInsertParams{
		UserID: n.UserID, Type: n.Type, Canal: canal, Titre: n.Titre, Contenu: n.Contenu,
		InterventionID: n.InterventionID, CreatedBy: n.CreatedBy,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Notification{}, ErrAlreadySent
	}
	if err != nil {
		return Notification{}, fmt.Errorf("insert notification: %w", err)
	}
	if !queue {
		return row, nil
	}
	if err := enqueue(ctx, queries, row, n, to); err != nil {
		return Notification{}, err
	}
	return row, nil
}

// enqueue renders the e-mail of a notification and writes it to the outbox.
func enqueue(ctx context.Context, q *db.Queries, row Notification, n New, to db.NotificationRecipientRow) error {
	d := mail.Data{Destinataire: to.FullName, Titre: row.Titre, InterventionTitre: n.InterventionTitre}
	if row.Contenu != nil {
		d.Contenu = *row.Contenu
	}
	if row.InterventionID != nil {
		d.InterventionID = *row.InterventionID
		if d.InterventionTitre == "" {
			t, err := q.NotificationInterventionTitre(ctx, *row.InterventionID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("intervention %d: %w", *row.InterventionID, err)
			}
			d.InterventionTitre = t
		}
	}
	if n.Echeance != nil {
		d.Echeance = formatTime(*n.Echeance, n.Zone)
	}
	r, err := mail.Render(row.Type, d)
	if err != nil {
		return err
	}
	if _, err := q.EmailEnqueue(ctx, db.EmailEnqueueParams{
		NotificationID: &row.ID, ToEmail: strings.TrimSpace(to.Email), ToName: to.FullName,
		Subject: r.Subject, BodyText: r.Text, BodyHtml: r.HTML,
	}); err != nil {
		return fmt.Errorf("queue e-mail of notification %d: %w", row.ID, err)
	}
	return nil
}

// clip cuts s to at most max runes.
func clip(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max])
	}
	return s
}
