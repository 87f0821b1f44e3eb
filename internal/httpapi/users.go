package httpapi

import (
	"context"
	"strconv"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/paging"
	"github.com/mif-erp/erp/internal/users"
)

// ListUsers is GET /users.
func (s *Server) ListUsers(ctx context.Context, req api.ListUsersRequestObject) (api.ListUsersResponseObject, error) {
	p := req.Params
	f := users.ListFilter{Limit: valueOr(p.Limit, paging.Default), Offset: valueOr(p.Offset, 0),
		Sort: stringOf(p.Sort), Role: stringOf(p.Role), Query: stringOf(p.Q), IsActive: p.IsActive}
	rows, total, err := s.deps.Users.List(ctx, f)
	if err != nil {
		return nil, err
	}
	return api.ListUsers200JSONResponse{
		Body:    toAPIUsers(rows),
		Headers: api.ListUsers200ResponseHeaders{XTotalCount: int(total)},
	}, nil
}

// CreateUser is POST /users.
func (s *Server) CreateUser(ctx context.Context, req api.CreateUserRequestObject) (api.CreateUserResponseObject, error) {
	b := req.Body
	u, err := s.deps.Users.Create(ctx, principal(ctx), users.CreateInput{
		Username: b.Username, FullName: b.FullName, Email: b.Email, Role: string(b.Role), Password: b.Password,
	})
	if err != nil {
		return nil, err
	}
	return api.CreateUser201JSONResponse{
		Body:    toAPIUser(u),
		Headers: api.CreateUser201ResponseHeaders{Location: ptr(APIPrefix + "/users/" + strconv.FormatInt(u.ID, 10))},
	}, nil
}

// GetMyProfile is GET /users/me.
func (s *Server) GetMyProfile(ctx context.Context, _ api.GetMyProfileRequestObject) (api.GetMyProfileResponseObject, error) {
	u, err := s.deps.Users.Get(ctx, principal(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return api.GetMyProfile200JSONResponse{UserOKJSONResponse: api.UserOKJSONResponse(toAPIUser(u))}, nil
}

// UpdateMyProfile is PUT /users/update.
func (s *Server) UpdateMyProfile(ctx context.Context, req api.UpdateMyProfileRequestObject) (api.UpdateMyProfileResponseObject, error) {
	b := req.Body
	u, err := s.deps.Users.UpdateSelf(ctx, principal(ctx), users.SelfUpdate{
		FullName: b.FullName, Password: b.Password, CurrentPassword: b.CurrentPassword,
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateMyProfile200JSONResponse{UserOKJSONResponse: api.UserOKJSONResponse(toAPIUser(u))}, nil
}

// GetUser is GET /users/{user_id}.
func (s *Server) GetUser(ctx context.Context, req api.GetUserRequestObject) (api.GetUserResponseObject, error) {
	u, err := s.deps.Users.Get(ctx, req.UserId)
	if err != nil {
		return nil, err
	}
	return api.GetUser200JSONResponse{UserOKJSONResponse: api.UserOKJSONResponse(toAPIUser(u))}, nil
}

// UpdateUser is PATCH /users/{user_id}.
func (s *Server) UpdateUser(ctx context.Context, req api.UpdateUserRequestObject) (api.UpdateUserResponseObject, error) {
	b := req.Body
	in := users.AdminUpdate{FullName: b.FullName, Email: b.Email}
	if b.Role != nil {
		r := string(*b.Role)
		in.Role = &r
	}
	u, err := s.deps.Users.Update(ctx, principal(ctx), req.UserId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateUser200JSONResponse{UserOKJSONResponse: api.UserOKJSONResponse(toAPIUser(u))}, nil
}

// DeactivateUser is DELETE /users/{user_id}.
func (s *Server) DeactivateUser(ctx context.Context, req api.DeactivateUserRequestObject) (api.DeactivateUserResponseObject, error) {
	if err := s.deps.Users.Deactivate(ctx, principal(ctx), req.UserId); err != nil {
		return nil, err
	}
	return api.DeactivateUser204Response{}, nil
}

// ActivateUser is PATCH /users/{user_id}/activate.
func (s *Server) ActivateUser(ctx context.Context, req api.ActivateUserRequestObject) (api.ActivateUserResponseObject, error) {
	u, err := s.deps.Users.Activate(ctx, principal(ctx), req.UserId)
	if err != nil {
		return nil, err
	}
	return api.ActivateUser200JSONResponse{UserOKJSONResponse: api.UserOKJSONResponse(toAPIUser(u))}, nil
}
