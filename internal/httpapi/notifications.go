package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/notifications"
	"github.com/mif-erp/erp/internal/paging"
)

// ListNotifications is GET /notifications (admins and responsables).
func (s *Server) ListNotifications(ctx context.Context, req api.ListNotificationsRequestObject) (api.ListNotificationsResponseObject, error) {
	p := req.Params
	f := notificationFilter(p.Limit, p.Offset, p.Type, p.Lue)
	f.UserID, f.InterventionID = p.UserId, p.InterventionId
	rows, total, err := s.deps.Notifications.List(ctx, f)
	if err != nil {
		return nil, err
	}
	return api.ListNotifications200JSONResponse{NotificationPageJSONResponse: api.NotificationPageJSONResponse{
		Body: toAPINotifications(rows), Headers: api.NotificationPageResponseHeaders{XTotalCount: int(total)},
	}}, nil
}

// CreateNotification is POST /notifications (admins and responsables).
func (s *Server) CreateNotification(ctx context.Context, req api.CreateNotificationRequestObject) (api.CreateNotificationResponseObject, error) {
	b := req.Body
	in := notifications.CreateInput{UserID: b.UserId, Titre: b.Titre, Contenu: b.Contenu, InterventionID: b.InterventionId}
	if b.Type != nil {
		in.Type = string(*b.Type)
	}
	if b.Canal != nil {
		in.Canal = string(*b.Canal)
	}
	n, err := s.deps.Notifications.Create(ctx, principal(ctx), in)
	if err != nil {
		return nil, err
	}
	return api.CreateNotification201JSONResponse{
		Body: toAPINotification(n),
		// The notification is read through the lists: its Location is the recipient's.
		Headers: api.CreateNotification201ResponseHeaders{
			Location: ptr(APIPrefix + "/notifications/user/" + strconv.FormatInt(n.UserID, 10))},
	}, nil
}

// ListMyNotifications is GET /notifications/user/me.
func (s *Server) ListMyNotifications(ctx context.Context, req api.ListMyNotificationsRequestObject) (api.ListMyNotificationsResponseObject, error) {
	p := req.Params
	page, err := s.myNotifications(ctx, notificationFilter(p.Limit, p.Offset, p.Type, p.Lue))
	if err != nil {
		return nil, err
	}
	return api.ListMyNotifications200JSONResponse{MyNotificationPageJSONResponse: page}, nil
}

// ListMyNotificationsAlias is GET /notifications/me.
func (s *Server) ListMyNotificationsAlias(ctx context.Context, req api.ListMyNotificationsAliasRequestObject) (api.ListMyNotificationsAliasResponseObject, error) {
	p := req.Params
	page, err := s.myNotifications(ctx, notificationFilter(p.Limit, p.Offset, p.Type, p.Lue))
	if err != nil {
		return nil, err
	}
	return api.ListMyNotificationsAlias200JSONResponse{MyNotificationPageJSONResponse: page}, nil
}

func (s *Server) myNotifications(ctx context.Context, f notifications.Filter) (api.MyNotificationPageJSONResponse, error) {
	rows, total, unread, err := s.deps.Notifications.ListMine(ctx, principal(ctx), f)
	if err != nil {
		return api.MyNotificationPageJSONResponse{}, err
	}
	return api.MyNotificationPageJSONResponse{Body: toAPINotifications(rows),
		Headers: api.MyNotificationPageResponseHeaders{XTotalCount: int(total), XUnreadCount: int(unread)}}, nil
}

// MarkAllNotificationsRead is POST /notifications/me/read-all.
func (s *Server) MarkAllNotificationsRead(ctx context.Context, _ api.MarkAllNotificationsReadRequestObject) (api.MarkAllNotificationsReadResponseObject, error) {
	n, err := s.deps.Notifications.MarkAllRead(ctx, principal(ctx))
	if err != nil {
		return nil, err
	}
	return api.MarkAllNotificationsRead200JSONResponse{Updated: int(n)}, nil
}

// ListUserNotifications is GET /notifications/user/{user_id} (admins and responsables).
func (s *Server) ListUserNotifications(ctx context.Context, req api.ListUserNotificationsRequestObject) (api.ListUserNotificationsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Notifications.ListForUser(ctx, req.UserId, notificationFilter(p.Limit, p.Offset, p.Type, p.Lue))
	if err != nil {
		return nil, err
	}
	return api.ListUserNotifications200JSONResponse{NotificationPageJSONResponse: api.NotificationPageJSONResponse{
		Body: toAPINotifications(rows), Headers: api.NotificationPageResponseHeaders{XTotalCount: int(total)},
	}}, nil
}

// DeleteNotification is DELETE /notifications/{notification_id}.
func (s *Server) DeleteNotification(ctx context.Context, req api.DeleteNotificationRequestObject) (api.DeleteNotificationResponseObject, error) {
	if err := s.deps.Notifications.Delete(ctx, principal(ctx), req.NotificationId); err != nil {
		return nil, err
	}
	return api.DeleteNotification204Response{}, nil
}

// MarkNotificationRead is PUT /notifications/{notification_id}/read.
func (s *Server) MarkNotificationRead(ctx context.Context, req api.MarkNotificationReadRequestObject) (api.MarkNotificationReadResponseObject, error) {
	n, err := s.deps.Notifications.MarkRead(ctx, principal(ctx), req.NotificationId)
	if err != nil {
		return nil, err
	}
	return api.MarkNotificationRead200JSONResponse(toAPINotification(n)), nil
}

// GetMyPreferences is GET /users/me/preferences.
func (s *Server) GetMyPreferences(ctx context.Context, _ api.GetMyPreferencesRequestObject) (api.GetMyPreferencesResponseObject, error) {
	prefs, err := s.deps.Notifications.Preferences(ctx, principal(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return api.GetMyPreferences200JSONResponse(toAPIPreferences(prefs)), nil
}

// UpdateMyPreferences is PUT /users/me/preferences.
func (s *Server) UpdateMyPreferences(ctx context.Context, req api.UpdateMyPreferencesRequestObject) (api.UpdateMyPreferencesResponseObject, error) {
	e := req.Body.Email
	set := map[string]bool{}
	for t, v := range map[api.NotificationType]*bool{
		api.NotificationTypeAffectation: e.Affectation, api.NotificationTypeCloture: e.Cloture,
		api.NotificationTypeRappel: e.Rappel, api.NotificationTypeRetard: e.Retard,
		api.NotificationTypeInformation: e.Information,
	} {
		if v != nil {
			set[string(t)] = *v
		}
	}
	prefs, err := s.deps.Notifications.SetPreferences(ctx, principal(ctx), set)
	if err != nil {
		return nil, err
	}
	return api.UpdateMyPreferences200JSONResponse(toAPIPreferences(prefs)), nil
}

// ListEmails is GET /emails (admins).
func (s *Server) ListEmails(ctx context.Context, req api.ListEmailsRequestObject) (api.ListEmailsResponseObject, error) {
	p := req.Params
	rows, total, err := s.deps.Notifications.Emails(ctx, stringOf(p.Statut),
		valueOr(p.Limit, paging.Default), valueOr(p.Offset, 0))
	if err != nil {
		return nil, err
	}
	out := mapAll(rows, toAPIEmail)
	return api.ListEmails200JSONResponse{Body: out, Headers: api.ListEmails200ResponseHeaders{XTotalCount: int(total)}}, nil
}

// ResendEmail is POST /emails/{email_id}/resend (admins).
func (s *Server) ResendEmail(ctx context.Context, req api.ResendEmailRequestObject) (api.ResendEmailResponseObject, error) {
	e, err := s.deps.Notifications.Resend(ctx, principal(ctx), req.EmailId)
	if err != nil {
		return nil, err
	}
	return api.ResendEmail200JSONResponse(toAPIEmail(e)), nil
}

func notificationFilter(limit, offset *int, typ *api.NotificationType, lue *bool) notifications.Filter {
	return notifications.Filter{Limit: valueOr(limit, paging.Default), Offset: valueOr(offset, 0),
		Type: stringOf(typ), Lue: lue}
}
