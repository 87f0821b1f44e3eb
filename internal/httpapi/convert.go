package httpapi

import (
	"mime/multipart"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/users"
)

type multipartReader = *multipart.Reader

func toAPIUser(u users.User) api.User {
	var last *time.Time
	if u.LastLogin != nil {
		t := u.LastLogin.UTC()
		last = &t
	}
	return api.User{
		Id:        u.ID,
		Username:  u.Username,
		FullName:  u.FullName,
		Email:     u.Email,
		Role:      api.UserRole(u.Role),
		IsActive:  u.IsActive,
		CreatedAt: u.CreatedAt.UTC(),
		UpdatedAt: u.UpdatedAt.UTC(),
		LastLogin: last,
	}
}

func toAPIUsers(us []users.User) []api.User { return mapAll(us, toAPIUser) }

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

// mapAll converts every element of a page with a transformer.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
