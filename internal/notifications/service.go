package notifications

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/platform"
)

// CreateInput is a notification sent by an admin or a responsable.
type CreateInput struct {
	UserID         int64
	Type           string // empty: information
	Canal          string // empty: email when an e-mail is queued, else log
	Titre          *string
	Contenu        string
	InterventionID *int64
}

// Filter selects a page of notifications.
type Filter struct {
	UserID         *int64
	Type           string
	Lue            *bool
	InterventionID *int64
	Limit, Offset  int
}

// manager reports whether the principal manages everybody's notifications.
func manager(p auth.Principal) bool {
	return p.Role == string(db.UserRoleAdmin) || p.Role == string(db.UserRoleResponsable)
}

// Create sends a notification (admins and responsables): the recipient must exist (404
// "Utilisateur cible introuvable"), the intervention too when given (404).
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (Notification, error) {
	var fields []apperr.FieldError
	typ := db.NotificationType(in.Type)
	if typ == "" {
		typ = db.NotificationTypeInformation
	}
	if !typ.Valid() {
		fields = append(fields, apperr.FieldError{Field: "type", Message: "type inconnu"})
	}
	canal := db.NotificationCanal(in.Canal)
	if canal != "" && !canal.Valid() {
		fields = append(fields, apperr.FieldError{Field: "canal", Message: "canal inconnu"})
	}
	contenu := strings.TrimSpace(in.Contenu)
	if contenu == "" {
		fields = append(fields, apperr.FieldError{Field: "contenu", Message: "ne doit pas être vide"})
	} else if len([]rune(contenu)) > maxContenu {
		fields = append(fields, apperr.FieldError{Field: "contenu", Message: "1000 caractères au plus"})
	}
	var titre string
	if in.Titre != nil {
		titre = strings.TrimSpace(*in.Titre)
		if titre == "" {
			fields = append(fields, apperr.FieldError{Field: "titre", Message: "ne doit pas être vide"})
		} else if len([]rune(titre)) > maxTitre {
			fields = append(fields, apperr.FieldError{Field: "titre", Message: "255 caractères au plus"})
		}
	}
	if len(fields) > 0 {
		return Notification{}, apperr.Validation(fields...)
	}
	var out Notification
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		n := New{UserID: in.UserID, Type: typ, Canal: canal, Titre: titre, Contenu: &contenu,
			InterventionID: in.InterventionID, CreatedBy: &actor.UserID}
		if in.InterventionID != nil {
			t, err := db.New(tx).NotificationInterventionTitre(ctx, *in.InterventionID)
			if errors.Is(err, pgx.ErrNoRows) {
				return errInterventionNotFound
			}
			if err != nil {
				return fmt.Errorf("intervention %d: %w", *in.InterventionID, err)
			}
			n.InterventionTitre = t
		}
		var err error
		if out, err = Insert(ctx, tx, n); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "notification.created", ResourceType: "notification", ResourceID: strconv.FormatInt(out.ID, 10),
			Details: map[string]any{"user_id": out.UserID, "type": out.Type, "canal": out.Canal,
				"intervention_id": out.InterventionID}})
	})
	if err != nil {
		return Notification{}, fmt.Errorf("create notification: %w", err)
	}
	return out, nil
}

func listParams(f Filter) (db.NotificationListParams, error) {
	p := db.NotificationListParams{UserID: f.UserID, Lue: f.Lue, InterventionID: f.InterventionID,
		Lim: int32(f.Limit), Off: int32(f.Offset)}
	if f.Type != "" {
		t := db.NotificationType(f.Type)
		if !t.Valid() {
			return p, apperr.Validation(apperr.FieldError{Field: "type", Message: "type inconnu"})
		}
		p.Type = db.NullNotificationType{NotificationType: t, Valid: true}
	}
	return p, nil
}

// List returns one page of notifications (newest first) and how many match.
func (s *Service) List(ctx context.Context, f Filter) ([]Notification, int64, error) {
	p, err := listParams(f)
	if err != nil {
		return nil, 0, err
	}
	q := db.New(platform.PlanEachCall(s.pool)) // a catch-all list: planned with its values
	rows, err := q.NotificationList(ctx, p)
	if err != nil {
		return nil, 0, fmt.Errorf("list notifications: %w", err)
	}
	total, err := q.NotificationCount(ctx, db.NotificationCountParams{UserID: p.UserID, Type: p.Type, Lue: p.Lue,
		InterventionID: p.InterventionID})
	if err != nil {
		return nil, 0, fmt.Errorf("count notifications: %w", err)
	}
	return rows, total, nil
}

// ListMine returns one page of the caller's notifications, how many match and how many of
// all its notifications are unread.
func (s *Service) ListMine(ctx context.Context, actor auth.Principal, f Filter) ([]Notification, int64, int64, error) {
	f.UserID, f.InterventionID = &actor.UserID, nil
	rows, total, err := s.List(ctx, f)
	if err != nil {
		return nil, 0, 0, err
	}
	unread, err := db.New(s.pool).NotificationUnreadCount(ctx, actor.UserID)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return rows, total, unread, nil
}

// ListForUser returns one page of a user's notifications (404 when the user does not exist).
func (s *Service) ListForUser(ctx context.Context, userID int64, f Filter) ([]Notification, int64, error) {
	exists, err := db.New(s.pool).NotificationUserExists(ctx, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("user %d: %w", userID, err)
	}
	if !exists {
		return nil, 0, errUserNotFound
	}
	f.UserID = &userID
	return s.List(ctx, f)
}

// MarkRead marks one of the caller's notifications read (idempotent); any other id is a 404.
func (s *Service) MarkRead(ctx context.Context, actor auth.Principal, id int64) (Notification, error) {
	var n Notification
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		n, err = db.New(tx).NotificationMarkRead(ctx, db.NotificationMarkReadParams{ID: id, UserID: actor.UserID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("mark notification %d read: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "notification.read", ResourceType: "notification", ResourceID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return Notification{}, err
	}
	return n, nil
}

// MarkAllRead marks every unread notification of the caller read and says how many.
func (s *Service) MarkAllRead(ctx context.Context, actor auth.Principal) (int64, error) {
	var n int64
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if n, err = db.New(tx).NotificationMarkAllRead(ctx, actor.UserID); err != nil {
			return fmt.Errorf("mark notifications read: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "notification.read_all", ResourceType: "user", ResourceID: strconv.FormatInt(actor.UserID, 10),
			Details: map[string]any{"marked": n}})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Delete removes a notification: the recipient its own, admins and responsables any; 404
// otherwise.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	return platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		n, err := db.New(tx).NotificationDelete(ctx, db.NotificationDeleteParams{ID: id, AnyUser: manager(actor), UserID: actor.UserID})
		if err != nil {
			return fmt.Errorf("delete notification %d: %w", id, err)
		}
		if n == 0 {
			return errNotFound
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "notification.deleted", ResourceType: "notification", ResourceID: strconv.FormatInt(id, 10)})
	})
}

// Preferences says, for each type, whether it also reaches the user by e-mail (yes unless
// turned off).
func (s *Service) Preferences(ctx context.Context, userID int64) (map[db.NotificationType]bool, error) {
	return preferences(ctx, db.New(s.pool), userID)
}

func preferences(ctx context.Context, q *db.Queries, userID int64) (map[db.NotificationType]bool, error) {
	out := make(map[db.NotificationType]bool, len(Types))
	for _, t := range Types {
		out[t] = true
	}
	rows, err := q.NotificationPreferences(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("preferences of user %d: %w", userID, err)
	}
	for _, r := range rows {
		out[r.Type] = r.Email
	}
	return out, nil
}

// SetPreferences changes the types given and keeps the others; it returns all of them.
func (s *Service) SetPreferences(ctx context.Context, actor auth.Principal, set map[string]bool) (map[db.NotificationType]bool, error) {
	if len(set) == 0 {
		return nil, apperr.Validation(apperr.FieldError{Field: "email", Message: "au moins un type"})
	}
	for k := range set {
		if !db.NotificationType(k).Valid() {
			return nil, apperr.Validation(apperr.FieldError{Field: "email." + k, Message: "type inconnu"})
		}
	}
	var out map[db.NotificationType]bool
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		for _, t := range Types { // a fixed order: concurrent updates lock rows alike
			v, ok := set[string(t)]
			if !ok {
				continue
			}
			if err := q.NotificationPreferenceSet(ctx, db.NotificationPreferenceSetParams{UserID: actor.UserID, Type: t, Email: v}); err != nil {
				return fmt.Errorf("set preference %s: %w", t, err)
			}
		}
		var err error
		if out, err = preferences(ctx, q, actor.UserID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "notification.preferences", ResourceType: "user", ResourceID: strconv.FormatInt(actor.UserID, 10),
			Details: map[string]any{"email": set}})
	})
	if err != nil {
		return nil, fmt.Errorf("update preferences: %w", err)
	}
	return out, nil
}

// Emails returns one page of the outbox (newest first) and how many match (statut: empty for
// all).
func (s *Service) Emails(ctx context.Context, statut string, limit, offset int) ([]Email, int64, error) {
	var st db.NullEmailStatut
	if statut != "" {
		st = db.NullEmailStatut{EmailStatut: db.EmailStatut(statut), Valid: true}
		if !st.EmailStatut.Valid() {
			return nil, 0, apperr.Validation(apperr.FieldError{Field: "statut", Message: "statut inconnu"})
		}
	}
	q := db.New(platform.PlanEachCall(s.pool)) // a catch-all list: planned with its values
	rows, err := q.EmailList(ctx, db.EmailListParams{Statut: st, Lim: int32(limit), Off: int32(offset)})
	if err != nil {
		return nil, 0, fmt.Errorf("list e-mails: %w", err)
	}
	total, err := q.EmailCount(ctx, st)
	if err != nil {
		return nil, 0, fmt.Errorf("count e-mails: %w", err)
	}
	return rows, total, nil
}

// Resend puts a given-up e-mail back in the queue with its attempts reset; 409 when it was
// sent or is still queued.
func (s *Service) Resend(ctx context.Context, actor auth.Principal, id int64) (Email, error) {
	var out Email
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		e, err := q.EmailGetForUpdate(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return errEmailNotFound
		}
		if err != nil {
			return fmt.Errorf("e-mail %d: %w", id, err)
		}
		switch e.Statut {
		case db.EmailStatutSent:
			return apperr.Conflict("E-mail déjà envoyé")
		case db.EmailStatutPending:
			return apperr.Conflict("E-mail déjà en file d'envoi")
		}
		r, err := q.EmailRequeue(ctx, id)
		if err != nil {
			return fmt.Errorf("requeue e-mail %d: %w", id, err)
		}
		out = Email(r)
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "email.resent", ResourceType: "email", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"attempts": e.Attempts, "last_error": e.LastError}})
	})
	if err != nil {
		return Email{}, fmt.Errorf("resend e-mail %d: %w", id, err)
	}
	return out, nil
}
