package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/live"
	"github.com/mif-erp/erp/internal/notifications"
)

// CreateStreamToken is POST /notifications/stream-token: a 60-second token for
// GET /notifications/stream?stream_token=, for browsers' EventSource (no Authorization header).
func (s *Server) CreateStreamToken(ctx context.Context, _ api.CreateStreamTokenRequestObject) (api.CreateStreamTokenResponseObject, error) {
	p := principal(ctx)
	tok, exp := s.deps.StreamTokens.Issue(p.UserID, p.SessionVersion)
	return api.CreateStreamToken201JSONResponse{StreamToken: tok, ExpiresAt: exp}, nil
}

// StreamNotifications is GET /notifications/stream (Server-Sent Events). The caller comes from
// the bearer token (the gate) or, without one, from stream_token. The stream subscribes to the
// hub first, then replays what the caller missed (Last-Event-ID) or notes where its
// notifications stand, so nothing inserted meanwhile is lost; ids already sent are skipped.
func (s *Server) StreamNotifications(ctx context.Context, req api.StreamNotificationsRequestObject) (api.StreamNotificationsResponseObject, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		var err error
		if p, err = s.streamCaller(ctx, req.Params.StreamToken); err != nil {
			return nil, err
		}
	}
	var lastID int64 = -1
	if v := req.Params.LastEventID; v != nil && strings.TrimSpace(*v) != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
		if err != nil || n < 0 {
			return nil, apperr.Validation(apperr.FieldError{Field: "Last-Event-ID", Message: "identifiant de notification attendu (entier positif)"})
		}
		lastID = n
	}

	sub := s.deps.Live.Subscribe(p.UserID)
	st := &sseStream{ctx: ctx, rows: s.deps.Stream, log: s.deps.Logger, sub: sub, userID: p.UserID,
		sent: map[int64]bool{}, heartbeat: s.deps.Config.SSEHeartbeat, maxAge: s.deps.Config.LiveStreamMax,
		session: func(ctx context.Context) error { return s.deps.Auth.CheckSession(ctx, p.UserID, p.SessionVersion) }}
	if !p.ExpiresAt.IsZero() { // opened with an access token: the stream ends with it
		st.maxAge = min(st.maxAge, time.Until(p.ExpiresAt))
	}
	if lastID >= 0 {
		st.cursor = lastID
		// The first page is read now, so a database failure is still a 500.
		rows, err := st.after(lastID)
		if err != nil {
			sub.Close()
			return nil, err
		}
		st.pending = rows
		st.replayMore = len(rows) == notifications.StreamPage
	} else {
		last, err := st.rows.Last(ctx, p.UserID)
		if err != nil {
			sub.Close()
			return nil, err
		}
		st.cursor = last
	}
	return st, nil
}

// streamCaller authenticates a stream token: 401 when missing, malformed, forged or expired
// (or its user no longer exists), 403 when its user is deactivated.
func (s *Server) streamCaller(ctx context.Context, token *string) (auth.Principal, error) {
	if token == nil || *token == "" {
		return auth.Principal{}, apperr.Unauthorized("Not authenticated")
	}
	id, sv, err := s.deps.StreamTokens.Verify(*token)
	if err != nil {
		return auth.Principal{}, apperr.Unauthorized("Jeton de flux invalide ou expiré")
	}
	if err := s.deps.Auth.CheckSession(ctx, id, sv); err != nil {
		return auth.Principal{}, err // the session the token was made in has ended since
	}
	p, err := s.deps.Stream.Caller(ctx, id)
	p.SessionVersion = sv // the stream lives as long as that session (not the token's 60 s)
	return p, err
}

// sseStream writes the event stream of one caller.
type sseStream struct {
	ctx       context.Context
	rows      *notifications.Stream
	log       *slog.Logger
	sub       *live.Subscription
	userID    int64
	heartbeat time.Duration
	maxAge    time.Duration
	// session says whether the caller's session still holds; the stream ends when it does not
	// (checked when the account changes, after a resync and at each heartbeat).
	session func(context.Context) error

	cursor     int64                        // highest id sent or replayed
	sent       map[int64]bool               // ids sent: never twice
	pending    []notifications.Notification // first replay page, read by the handler
	replayMore bool                         // the replay has more pages
}

// sessionHolds checks the caller's session; a stream whose session ended (logout, password,
// role or active flag changed) closes, and its client's reconnection is refused. A failed check
// (the database unreachable) keeps the stream: the next check decides.
func (st *sseStream) sessionHolds() bool {
	if st.session == nil {
		return true
	}
	err := st.session(st.ctx)
	if err == nil {
		return true
	}
	if _, ok := apperr.As(err); ok {
		st.log.InfoContext(st.ctx, "stream: session ended, closing", "user_id", st.userID, "reason", err.Error())
		return false
	}
	st.log.WarnContext(st.ctx, "stream: session check failed", "user_id", st.userID, "error", err)
	return true
}

// after reads the caller's notifications with an id above id, one page.
func (st *sseStream) after(id int64) ([]notifications.Notification, error) {
	return st.rows.After(st.ctx, st.userID, id)
}

func (st *sseStream) VisitStreamNotificationsResponse(w http.ResponseWriter) error {
	defer st.sub.Close()
	rc := http.NewResponseController(w)
	// The stream outlives the server's ReadTimeout and WriteTimeout, meant for ordinary requests
	// (an expired read deadline would cancel the request's context).
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	var buf bytes.Buffer
	flush := func() error {
		if buf.Len() == 0 {
			return nil
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
		buf.Reset()
		return rc.Flush()
	}
	buf.WriteString("retry: 3000\n\n")
	for _, r := range st.pending {
		st.write(&buf, r)
	}
	st.pending = nil
	if err := flush(); err != nil {
		return nil // the client is gone
	}
	for st.replayMore {
		if err := st.catchUp(&buf); err != nil {
			st.log.WarnContext(st.ctx, "stream: replay failed", "user_id", st.userID, "error", err)
			return nil
		}
		if err := flush(); err != nil {
			return nil
		}
	}

	ping := time.NewTicker(st.heartbeat)
	defer ping.Stop()
	end := time.NewTimer(st.maxAge)
	defer end.Stop()
	for {
		select {
		case <-st.ctx.Done():
			return nil
		case <-end.C:
			return nil // the client reconnects with Last-Event-ID
		case <-st.sub.Done():
			return nil // hub stopped (shutdown) or this stream lagged: the client reconnects
		case <-st.sub.AccountChanged():
			if !st.sessionHolds() {
				return nil
			}
		case <-ping.C:
			if !st.sessionHolds() {
				return nil
			}
			buf.WriteString(": ping\n\n")
		case e := <-st.sub.Events():
			var err error
			if e.Resync() {
				if !st.sessionHolds() { // account changes may have been missed meanwhile
					return nil
				}
				st.replayMore = true
				for st.replayMore && err == nil {
					err = st.catchUp(&buf)
				}
			} else {
				err = st.one(&buf, e.ID)
			}
			if err != nil {
				if st.ctx.Err() == nil {
					st.log.WarnContext(st.ctx, "stream: read notification failed", "user_id", st.userID, "error", err)
				}
				return nil
			}
		}
		if err := flush(); err != nil {
			return nil
		}
	}
}

// catchUp sends one page of the rows after the cursor.
func (st *sseStream) catchUp(buf *bytes.Buffer) error {
	rows, err := st.after(st.cursor)
	if err != nil {
		return err
	}
	for _, r := range rows {
		st.write(buf, r)
	}
	st.replayMore = len(rows) == notifications.StreamPage
	return nil
}

// one sends the announced notification, unless already sent (or deleted meanwhile).
func (st *sseStream) one(buf *bytes.Buffer, id int64) error {
	if st.sent[id] {
		return nil
	}
	n, ok, err := st.rows.Get(st.ctx, st.userID, id)
	if err != nil || !ok {
		return err
	}
	st.write(buf, n)
	return nil
}

// write appends one event: id, type and the Notification JSON on one data line.
func (st *sseStream) write(buf *bytes.Buffer, r notifications.Notification) {
	if r.ID > st.cursor {
		st.cursor = r.ID
	}
	if st.sent[r.ID] {
		return
	}
	st.sent[r.ID] = true
	data, err := json.Marshal(toAPINotification(r))
	if err != nil { // cannot happen: plain values
		st.log.ErrorContext(st.ctx, "stream: encode notification", "id", r.ID, "error", err)
		return
	}
	fmt.Fprintf(buf, "id: %d\nevent: notification\ndata: %s\n\n", r.ID, data)
}
