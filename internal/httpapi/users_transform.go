package httpapi

import (
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/users"
)

// Transformers of users: domain -> contract types.

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
