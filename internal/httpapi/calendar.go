package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/auth"
)

// GetCalendar is GET /planning/calendar.ics: the caller's maintenance calendar (RFC 5545),
// scoped like the lists. The caller comes from the bearer token (the gate) or, without one,
// from the secret link's token.
func (s *Server) GetCalendar(ctx context.Context, req api.GetCalendarRequestObject) (api.GetCalendarResponseObject, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		tok := ""
		if req.Params.Token != nil {
			tok = *req.Params.Token
		}
		var err error
		if p, err = s.deps.Calendar.Caller(ctx, tok); err != nil {
			return nil, err
		}
	}
	body, err := s.deps.Calendar.Feed(ctx, p)
	if err != nil {
		return nil, err
	}
	return icsResponse(body), nil
}

// CreateCalendarToken is POST /users/me/calendar-token: a new secret link; the previous one
// stops working.
func (s *Server) CreateCalendarToken(ctx context.Context, _ api.CreateCalendarTokenRequestObject) (api.CreateCalendarTokenResponseObject, error) {
	tok, err := s.deps.Calendar.NewToken(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return api.CreateCalendarToken201JSONResponse{Token: tok,
		Url: APIPrefix + "/planning/calendar.ics?token=" + url.QueryEscape(tok)}, nil
}

// icsResponse is a calendar feed.
type icsResponse []byte

func (b icsResponse) VisitGetCalendarResponse(w http.ResponseWriter) error {
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", `inline; filename="mif-erp.ics"`)
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}
