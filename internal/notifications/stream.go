package notifications

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

// StreamPage is how many rows one replay or catch-up read returns at most.
const StreamPage = 500

// Stream reads what a recipient's event stream sends: the account a stream token names, where
// its notifications stand, the ones after a cursor (replay and catch-up) and one announced by
// the hub. It belongs here rather than in internal/live because every read is of notification
// rows scoped to their recipient, which this package owns; live only carries the announcements
// (the LISTEN hub) and signs the stream tokens, and reads no table.
type Stream struct {
	pool *pgxpool.Pool
}

// NewStream reads the streams' rows from pool.
func NewStream(pool *pgxpool.Pool) *Stream { return &Stream{pool: pool} }

// Caller is the account behind a verified stream token: 401 when it no longer exists, 403 when
// it is deactivated.
func (s *Stream) Caller(ctx context.Context, userID int64) (auth.Principal, error) {
	u, err := db.New(s.pool).LiveUserGet(ctx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Principal{}, apperr.Unauthorized("Utilisateur non trouvé")
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("stream: load user: %w", err)
	}
	if !u.IsActive {
		return auth.Principal{}, apperr.Forbidden("Utilisateur désactivé")
	}
	return auth.Principal{UserID: u.ID, Role: string(u.Role), Email: u.Email, Username: u.Username}, nil
}

// Last is the highest id of the user's notifications (0 when none): a new stream starts there.
func (s *Stream) Last(ctx context.Context, userID int64) (int64, error) {
	id, err := db.New(s.pool).LiveLastNotificationID(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("stream: last notification: %w", err)
	}
	return id, nil
}

// After is the user's notifications with an id above afterID, oldest first, StreamPage at
// most: a full page means there may be more.
func (s *Stream) After(ctx context.Context, userID, afterID int64) ([]Notification, error) {
	rows, err := db.New(s.pool).LiveNotificationsAfter(ctx, db.LiveNotificationsAfterParams{UserID: userID, AfterID: afterID, Lim: StreamPage})
	if err != nil {
		return nil, fmt.Errorf("stream: notifications after %d: %w", afterID, err)
	}
	out := make([]Notification, len(rows))
	for i, r := range rows {
		out[i] = streamNotification(r)
	}
	return out, nil
}

// Get is the user's notification id; false when it is not theirs or was deleted meanwhile.
func (s *Stream) Get(ctx context.Context, userID, id int64) (Notification, bool, error) {
	r, err := db.New(s.pool).LiveNotificationGet(ctx, db.LiveNotificationGetParams{ID: id, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return Notification{}, false, nil
	}
	if err != nil {
		return Notification{}, false, fmt.Errorf("stream: notification %d: %w", id, err)
	}
	return streamNotification(db.LiveNotificationsAfterRow(r)), true, nil
}

// streamNotification is a notification as the stream reads it: the contract's columns, without
// its author.
func streamNotification(r db.LiveNotificationsAfterRow) Notification {
	return Notification{ID: r.ID, UserID: r.UserID, Type: r.Type, Canal: r.Canal, Titre: r.Titre,
		Contenu: r.Contenu, InterventionID: r.InterventionID, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt}
}
