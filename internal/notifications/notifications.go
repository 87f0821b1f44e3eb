// Package notifications stores in-app notifications, the users' e-mail preferences and the
// e-mail outbox, and creates the automatic notifications of the maintenance workflow.
//
// Every notification is written by Insert, in the caller's transaction, together with its
// e-mail (a row of email_outbox) when the recipient wants this type by e-mail; internal/mail
// delivers the outbox. The automatic notifications (Assigned, Closed, ClientRequest,
// Generated) are called by the interventions and planning services inside the transaction of
// their cause, so a cause rolled back leaves no notification; the deadline reminders and
// overdue notices come from Service.RunDeadlines, a scheduler job.
package notifications

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/platform"
)

// Notification is one stored notification.
type Notification = db.Notification

// Email is one e-mail of the outbox, as admins see it.
type Email = db.EmailListRow

// Type is a notification type: affectation, cloture, rappel, retard or information.
type Type = db.NotificationType

// Preferences says, for each type, whether it also reaches the user by e-mail.
type Preferences = map[Type]bool

// Types lists the notification types in the contract's order.
var Types = db.AllNotificationTypeValues()

// DefaultReminderBefore is how long before its deadline an open intervention is recalled.
const DefaultReminderBefore = 24 * time.Hour

var (
	errRecipientNotFound    = apperr.NotFound("Utilisateur cible introuvable")
	errUserNotFound         = apperr.NotFound("Utilisateur non trouvé.")
	errNotFound             = apperr.NotFound("Notification non trouvée")
	errInterventionNotFound = apperr.NotFound("Intervention introuvable")
	errEmailNotFound        = apperr.NotFound("E-mail introuvable")
)

// ErrAlreadySent is returned by Insert for a reminder or an overdue notice the recipient
// already has for this intervention (nothing is written).
var ErrAlreadySent = errors.New("notification already sent")

// formatTime writes t for a French reader in zone loc (APP_TIMEZONE; nil: UTC), naming it:
// 07/12/2026 à 14:30 (Africa/Casablanca).
func formatTime(t time.Time, loc *time.Location) string {
	return platform.DateTimeText(t, loc)
}

// Service manages notifications.
type Service struct {
	pool           *pgxpool.Pool
	reminderBefore time.Duration
	zone           *time.Location // of the deadlines in the texts; nil: UTC
}

// NewService returns the service; reminders go out DefaultReminderBefore the deadline.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, reminderBefore: DefaultReminderBefore}
}

// WithReminderBefore returns the service with reminders d before the deadline
// (REMINDER_BEFORE_HOURS).
func (s *Service) WithReminderBefore(d time.Duration) *Service {
	c := *s
	if d > 0 {
		c.reminderBefore = d
	}
	return &c
}

// WithZone returns the service writing the deadlines of its texts in loc (APP_TIMEZONE).
func (s *Service) WithZone(loc *time.Location) *Service {
	c := *s
	c.zone = loc
	return &c
}

func ptr[T any](v T) *T { return &v }
