package httpapi

import (
	"context"
	"errors"
	"mime/multipart"
	"strings"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
)

// LoginForToken is POST /auth/token (the original's e-mail login).
func (s *Server) LoginForToken(ctx context.Context, req api.LoginForTokenRequestObject) (api.LoginForTokenResponseObject, error) {
	pair, err := s.login(ctx, req.FormdataBody, req.MultipartBody, "Email ou mot de passe incorrect")
	if err != nil {
		return nil, err
	}
	return api.LoginForToken200JSONResponse{TokenPairJSONResponse: pair}, nil
}

// Login is POST /auth/login (the original's username login).
func (s *Server) Login(ctx context.Context, req api.LoginRequestObject) (api.LoginResponseObject, error) {
	pair, err := s.login(ctx, req.FormdataBody, req.MultipartBody, "Identifiants invalides")
	if err != nil {
		return nil, err
	}
	return api.Login200JSONResponse{TokenPairJSONResponse: pair}, nil
}

func (s *Server) login(ctx context.Context, fd *api.LoginForm, mr *multipart.Reader, badCredentials string) (api.TokenPairJSONResponse, error) {
	form, err := bindForm(fd, mr)
	if err != nil {
		return api.TokenPairJSONResponse{}, err
	}
	identifier := ""
	switch {
	case form.Username != nil && strings.TrimSpace(*form.Username) != "":
		identifier = *form.Username
	case form.Email != nil && strings.TrimSpace(*form.Email) != "":
		identifier = *form.Email
	default:
		return api.TokenPairJSONResponse{}, apperr.Validation(apperr.FieldError{Field: "username", Message: "username (ou email) est requis"})
	}
	if form.Password == "" {
		return api.TokenPairJSONResponse{}, apperr.Validation(apperr.FieldError{Field: "password", Message: "password est requis"})
	}
	pair, err := s.deps.Auth.Login(ctx, strings.TrimSpace(identifier), form.Password)
	if errors.Is(err, auth.ErrInvalidCredentials) {
		return api.TokenPairJSONResponse{}, apperr.Unauthorized("%s", badCredentials)
	}
	if err != nil {
		return api.TokenPairJSONResponse{}, err
	}
	return toTokenPair(pair), nil
}

// RefreshToken is POST /auth/refresh.
func (s *Server) RefreshToken(ctx context.Context, req api.RefreshTokenRequestObject) (api.RefreshTokenResponseObject, error) {
	form, err := bindForm(req.FormdataBody, req.MultipartBody)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(form.RefreshToken) == "" {
		return nil, apperr.Validation(apperr.FieldError{Field: "refresh_token", Message: "refresh_token est requis"})
	}
	pair, err := s.deps.Auth.Refresh(ctx, strings.TrimSpace(form.RefreshToken))
	if err != nil {
		return nil, err
	}
	return api.RefreshToken200JSONResponse{TokenPairJSONResponse: toTokenPair(pair)}, nil
}

// Logout is POST /auth/logout.
func (s *Server) Logout(ctx context.Context, _ api.LogoutRequestObject) (api.LogoutResponseObject, error) {
	if err := s.deps.Auth.Logout(ctx, principal(ctx)); err != nil {
		return nil, err
	}
	return api.Logout200JSONResponse{Message: "Déconnexion réussie"}, nil
}

// GetAuthMe is GET /auth/me.
func (s *Server) GetAuthMe(ctx context.Context, _ api.GetAuthMeRequestObject) (api.GetAuthMeResponseObject, error) {
	u, err := s.deps.Users.Get(ctx, principal(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return api.GetAuthMe200JSONResponse{UserOKJSONResponse: api.UserOKJSONResponse(toAPIUser(u))}, nil
}

// ChangePassword is POST /auth/change-password.
func (s *Server) ChangePassword(ctx context.Context, req api.ChangePasswordRequestObject) (api.ChangePasswordResponseObject, error) {
	form, err := bindForm(req.FormdataBody, req.MultipartBody)
	if err != nil {
		return nil, err
	}
	if err := s.deps.Users.ChangePassword(ctx, principal(ctx), form.CurrentPassword, form.NewPassword); err != nil {
		return nil, err
	}
	return api.ChangePassword200JSONResponse{Message: "Mot de passe changé avec succès"}, nil
}

func toTokenPair(p auth.TokenPair) api.TokenPairJSONResponse {
	return api.TokenPairJSONResponse{
		Body: api.TokenResponse{
			AccessToken:      p.AccessToken,
			RefreshToken:     p.RefreshToken,
			TokenType:        api.TokenResponseTokenTypeBearer,
			ExpiresIn:        int(p.ExpiresIn.Seconds()),
			RefreshExpiresIn: int(p.RefreshExpiresIn.Seconds()),
		},
		Headers: api.TokenPairResponseHeaders{CacheControl: ptr("no-store")},
	}
}
