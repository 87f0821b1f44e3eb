// Package users manages accounts: creation, profile changes, activation and passwords.
package users

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/coalesce"
	"github.com/mif-erp/erp/internal/namecache"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/text"
)

// Sort keys accepted by List; a leading '-' sorts descending.
var sortKeys = map[string]bool{
	"id": true, "-id": true, "username": true, "-username": true, "email": true, "-email": true,
	"created_at": true, "-created_at": true, "last_login": true, "-last_login": true,
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$`)

var (
	errNotFound      = apperr.NotFound("Utilisateur non trouvé.")
	errEmailTaken    = apperr.Conflict("Email déjà utilisé.")
	errUsernameTaken = apperr.Conflict("Username déjà utilisé.")
	errLastAdmin     = apperr.Conflict("Impossible : il doit rester au moins un administrateur actif")
	errSelfDisable   = apperr.Conflict("Vous ne pouvez pas désactiver votre propre compte")
	errWrongPassword = apperr.BadRequest("Mot de passe actuel incorrect")
)

// Service manages accounts.
type Service struct {
	pool     *pgxpool.Pool
	hasher   *auth.Hasher
	accounts *auth.AccountCache
	names    *namecache.Cache
	pages    coalesce.Group[string, page] // the pages of accounts, shared (List)
}

// NewService returns the accounts service.
func NewService(pool *pgxpool.Pool, hasher *auth.Hasher) *Service {
	return &Service{pool: pool, hasher: hasher}
}

// WithAccountCache makes the service drop an account from this instance's authentication cache
// as soon as a change to it is committed (nil: no cache).
func (s *Service) WithAccountCache(c *auth.AccountCache) *Service {
	s.accounts = c
	return s
}

// WithNameCache makes the service forget this instance's cached names (a technician's is its
// account's full name) as soon as a change to an account is committed (nil: no cache).
func (s *Service) WithNameCache(c *namecache.Cache) *Service {
	s.names = c
	return s
}

// change runs fn in a transaction changing account id, then makes this instance's
// authentication cache forget the account, so its very next request here sees the change (the
// other instances hear of it through the 'auth_accounts' announcement), and its name cache forget
// the names, since the change may be of the full name (accounts change rarely).
func (s *Service) change(ctx context.Context, id int64, fn func(pgx.Tx) error) error {
	defer s.names.Forget()
	defer s.accounts.Forget(id)
	return platform.InTx(ctx, s.pool, fn)
}

// CreateInput is a new account.
type CreateInput struct {
	Username, FullName, Email, Role, Password string
}

// ListFilter selects and orders a page of accounts.
type ListFilter struct {
	Role          string
	IsActive      *bool
	Query         string
	Sort          string
	Limit, Offset int
}

// SelfUpdate is what a user may change on their own account.
type SelfUpdate struct {
	FullName        *string
	Password        *string
	CurrentPassword *string
}

// AdminUpdate is what an admin may change on any account.
type AdminUpdate struct {
	FullName *string
	Email    *string
	Role     *string
}

// Create adds an active account.
func (s *Service) Create(ctx context.Context, actor auth.Principal, in CreateInput) (db.User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.FullName = strings.TrimSpace(in.FullName)
	in.Email = strings.TrimSpace(in.Email)
	var fields []apperr.FieldError
	if !usernamePattern.MatchString(in.Username) {
		fields = append(fields, apperr.FieldError{Field: "username",
			Message: "3 à 100 caractères : lettres, chiffres, '.', '_' ou '-'"})
	}
	if in.FullName == "" {
		fields = append(fields, apperr.FieldError{Field: "full_name", Message: "ne doit pas être vide"})
	}
	if msg := checkEmail(in.Email); msg != "" {
		fields = append(fields, apperr.FieldError{Field: "email", Message: msg})
	}
	role := db.UserRole(in.Role)
	if !role.Valid() {
		fields = append(fields, apperr.FieldError{Field: "role", Message: "rôle inconnu"})
	}
	if len(fields) > 0 {
		return db.User{}, apperr.Validation(fields...)
	}
	if err := auth.CheckPasswordPolicy("password", in.Password); err != nil {
		return db.User{}, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return db.User{}, err
	}
	var user db.User
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		if taken, err := q.EmailTaken(ctx, db.EmailTakenParams{Email: in.Email}); err != nil {
			return fmt.Errorf("check e-mail: %w", err)
		} else if taken {
			return errEmailTaken
		}
		if taken, err := q.UsernameTaken(ctx, in.Username); err != nil {
			return fmt.Errorf("check username: %w", err)
		} else if taken {
			return errUsernameTaken
		}
		user, err = q.CreateUser(ctx, db.CreateUserParams{
			Username: in.Username, FullName: in.FullName, Email: in.Email, PasswordHash: hash, Role: role,
		})
		if err != nil {
			return platform.WriteError("write user", err, constraints)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "user.created", ResourceType: "user", ResourceID: strconv.FormatInt(user.ID, 10),
			Details: map[string]any{"role": in.Role, "email": in.Email}})
	})
	if err != nil {
		return db.User{}, fmt.Errorf("create user: %w", err)
	}
	return user, nil
}

// Get reads one account.
func (s *Service) Get(ctx context.Context, id int64) (db.User, error) {
	u, err := db.New(s.pool).GetUser(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.User{}, errNotFound
	}
	if err != nil {
		return db.User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// List returns one page of accounts and the total number matching the filter.
func (s *Service) List(ctx context.Context, f ListFilter) ([]db.User, int64, error) {
	if f.Sort == "" {
		f.Sort = "-created_at"
	}
	if !sortKeys[f.Sort] {
		return nil, 0, apperr.Validation(apperr.FieldError{Field: "sort", Message: "clé de tri inconnue"})
	}
	var role db.NullUserRole
	if f.Role != "" {
		role = db.NullUserRole{UserRole: db.UserRole(f.Role), Valid: true}
	}
	var q *string
	if s := strings.TrimSpace(f.Query); s != "" {
		esc := text.EscapeLike(s)
		q = &esc
	}
	p := db.ListUsersParams{Role: role, IsActive: f.IsActive, Q: q, Sort: f.Sort, Lim: int32(f.Limit), Off: int32(f.Offset)}
	key, err := coalesce.Key(p)
	if err != nil {
		return nil, 0, err
	}
	// The admins read the same accounts: the identical requests that wait share a read
	// (coalesce: never one that began before the request arrived).
	pg, err := s.pages.Do(ctx, key, func(ctx context.Context) (page, error) { return s.readPage(ctx, p) })
	return pg.users, pg.total, err
}

// readPage reads the page of p and its total.
func (s *Service) readPage(ctx context.Context, p db.ListUsersParams) (page, error) {
	var pg page
	var err error
	if !p.Role.Valid && p.IsActive == nil && p.Q == nil && p.Sort == "-created_at" {
		// The default page: fixed-shape statements with cached generic plans.
		pg.users, err = db.New(platform.PlanGeneric(s.pool)).ListUsersRecent(ctx, db.ListUsersRecentParams{Lim: p.Lim, Off: p.Off})
		if err == nil {
			pg.total, err = db.New(s.pool).CountUsersAll(ctx)
		}
	} else {
		queries := db.New(platform.PlanEachCall(s.pool)) // a catch-all list: planned with its values
		pg.users, err = queries.ListUsers(ctx, p)
		if err == nil {
			pg.total, err = queries.CountUsers(ctx, db.CountUsersParams{Role: p.Role, IsActive: p.IsActive, Q: p.Q})
		}
	}
	if err != nil {
		return page{}, fmt.Errorf("list users: %w", err)
	}
	return pg, nil
}

// page is a page of accounts and the total of its filter. It may be shared: read-only.
type page struct {
	users []db.User
	total int64
}

// UpdateSelf changes the caller's name and/or password (the current password is required).
func (s *Service) UpdateSelf(ctx context.Context, actor auth.Principal, in SelfUpdate) (db.User, error) {
	if in.FullName != nil {
		name := strings.TrimSpace(*in.FullName)
		if name == "" {
			return db.User{}, apperr.Validation(apperr.FieldError{Field: "full_name", Message: "ne doit pas être vide"})
		}
		in.FullName = &name
	}
	if in.Password != nil {
		if in.CurrentPassword == nil {
			return db.User{}, apperr.Validation(apperr.FieldError{Field: "current_password", Message: "requis pour changer le mot de passe"})
		}
		if err := auth.CheckPasswordPolicy("password", *in.Password); err != nil {
			return db.User{}, err
		}
	}
	var user db.User
	err := s.change(ctx, actor.UserID, func(tx pgx.Tx) error {
		q := db.New(tx)
		var err error
		user, err = q.GetUserForUpdate(ctx, actor.UserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		if in.FullName != nil {
			user, err = q.UpdateUserProfile(ctx, db.UpdateUserProfileParams{ID: user.ID, FullName: in.FullName})
			if err != nil {
				return fmt.Errorf("update profile: %w", err)
			}
		}
		if in.Password != nil {
			if user, err = s.setPassword(ctx, tx, user, *in.CurrentPassword, *in.Password); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "user.self_updated", ResourceType: "user", ResourceID: strconv.FormatInt(user.ID, 10),
			Details: map[string]any{"full_name": in.FullName != nil, "password": in.Password != nil}})
	})
	if err != nil {
		return db.User{}, fmt.Errorf("update own profile: %w", err)
	}
	return user, nil
}

// ChangePassword checks the current password, sets the new one and revokes refresh tokens.
func (s *Service) ChangePassword(ctx context.Context, actor auth.Principal, current, next string) error {
	if err := auth.CheckPasswordPolicy("new_password", next); err != nil {
		return err
	}
	err := s.change(ctx, actor.UserID, func(tx pgx.Tx) error {
		user, err := db.New(tx).GetUserForUpdate(ctx, actor.UserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		if _, err := s.setPassword(ctx, tx, user, current, next); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "auth.password.changed", ResourceType: "user", ResourceID: strconv.FormatInt(user.ID, 10)})
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}

// setPassword verifies current, stores the hash of next and revokes every refresh token.
func (s *Service) setPassword(ctx context.Context, tx pgx.Tx, user db.User, current, next string) (db.User, error) {
	if !s.hasher.Verify(user.PasswordHash, current) {
		return db.User{}, errWrongPassword
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return db.User{}, err
	}
	q := db.New(tx)
	user, err = q.UpdateUserPassword(ctx, db.UpdateUserPasswordParams{ID: user.ID, PasswordHash: hash})
	if err != nil {
		return db.User{}, fmt.Errorf("store password: %w", err)
	}
	if _, err := q.RevokeUserRefreshTokens(ctx, user.ID); err != nil {
		return db.User{}, fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return user, nil
}

// Update lets an admin change an account's name, e-mail or role.
func (s *Service) Update(ctx context.Context, actor auth.Principal, id int64, in AdminUpdate) (db.User, error) {
	var fields []apperr.FieldError
	if in.FullName != nil {
		name := strings.TrimSpace(*in.FullName)
		if name == "" {
			fields = append(fields, apperr.FieldError{Field: "full_name", Message: "ne doit pas être vide"})
		}
		in.FullName = &name
	}
	if in.Email != nil {
		email := strings.TrimSpace(*in.Email)
		if msg := checkEmail(email); msg != "" {
			fields = append(fields, apperr.FieldError{Field: "email", Message: msg})
		}
		in.Email = &email
	}
	var role db.NullUserRole
	if in.Role != nil {
		role = db.NullUserRole{UserRole: db.UserRole(*in.Role), Valid: true}
		if !role.UserRole.Valid() {
			fields = append(fields, apperr.FieldError{Field: "role", Message: "rôle inconnu"})
		}
	}
	if len(fields) > 0 {
		return db.User{}, apperr.Validation(fields...)
	}
	var user db.User
	err := s.change(ctx, id, func(tx pgx.Tx) error {
		q := db.New(tx)
		before, err := s.lockTarget(ctx, q, id)
		if err != nil {
			return err
		}
		if in.Email != nil {
			if taken, err := q.EmailTaken(ctx, db.EmailTakenParams{Email: *in.Email, ExcludeID: id}); err != nil {
				return fmt.Errorf("check e-mail: %w", err)
			} else if taken {
				return errEmailTaken
			}
		}
		if role.Valid && before.Role == db.UserRoleAdmin && role.UserRole != db.UserRoleAdmin && before.IsActive {
			if err := ensureAnotherAdmin(ctx, q); err != nil {
				return err
			}
		}
		user, err = q.UpdateUserProfile(ctx, db.UpdateUserProfileParams{
			ID: id, FullName: in.FullName, Email: in.Email, Role: role,
		})
		if err != nil {
			return platform.WriteError("write user", err, constraints)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "user.updated", ResourceType: "user", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"role_before": before.Role, "role_after": user.Role,
				"email_changed": before.Email != user.Email}})
	})
	if err != nil {
		return db.User{}, fmt.Errorf("update user %d: %w", id, err)
	}
	return user, nil
}

// Deactivate soft-deletes an account and revokes its sessions; idempotent.
func (s *Service) Deactivate(ctx context.Context, actor auth.Principal, id int64) error {
	if id == actor.UserID {
		return errSelfDisable
	}
	err := s.change(ctx, id, func(tx pgx.Tx) error {
		q := db.New(tx)
		user, err := s.lockTarget(ctx, q, id)
		if err != nil {
			return err
		}
		if user.IsActive && user.Role == db.UserRoleAdmin {
			if err := ensureAnotherAdmin(ctx, q); err != nil {
				return err
			}
		}
		if _, err := q.SetUserActive(ctx, db.SetUserActiveParams{ID: id, IsActive: false}); err != nil {
			return fmt.Errorf("deactivate: %w", err)
		}
		n, err := q.RevokeUserRefreshTokens(ctx, id)
		if err != nil {
			return fmt.Errorf("revoke refresh tokens: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "user.deactivated", ResourceType: "user", ResourceID: strconv.FormatInt(id, 10),
			Details: map[string]any{"was_active": user.IsActive, "revoked_refresh_tokens": n}})
	})
	if err != nil {
		return fmt.Errorf("deactivate user %d: %w", id, err)
	}
	return nil
}

// Activate reactivates an account and clears its login lockout.
func (s *Service) Activate(ctx context.Context, actor auth.Principal, id int64) (db.User, error) {
	var user db.User
	err := s.change(ctx, id, func(tx pgx.Tx) error {
		q := db.New(tx)
		if _, err := s.lockTarget(ctx, q, id); err != nil {
			return err
		}
		var err error
		if user, err = q.SetUserActive(ctx, db.SetUserActiveParams{ID: id, IsActive: true}); err != nil {
			return fmt.Errorf("activate: %w", err)
		}
		if err := auth.ClearAccountLock(ctx, tx, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role,
			Action: "user.activated", ResourceType: "user", ResourceID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return db.User{}, fmt.Errorf("activate user %d: %w", id, err)
	}
	return user, nil
}

// lockTarget locks the account an admin is changing. It first takes the admin-set lock, so admin
// changes to accounts run one at a time: each locks its target row and then writes an audit row
// whose actor_id (the acting admin's row) the foreign key check must share-lock, so two admins
// changing each other's accounts at once would otherwise deadlock.
func (s *Service) lockTarget(ctx context.Context, q *db.Queries, id int64) (db.User, error) {
	if err := q.LockAdminSet(ctx); err != nil {
		return db.User{}, fmt.Errorf("lock admin set: %w", err)
	}
	u, err := q.GetUserForUpdate(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return db.User{}, errNotFound
	}
	if err != nil {
		return db.User{}, fmt.Errorf("load user: %w", err)
	}
	return u, nil
}

// ensureAnotherAdmin refuses a change that would leave no active admin. An advisory lock makes
// concurrent demotions wait for each other, so two of them cannot both pass the check.
func ensureAnotherAdmin(ctx context.Context, q *db.Queries) error {
	if err := q.LockAdminSet(ctx); err != nil {
		return fmt.Errorf("lock admin set: %w", err)
	}
	n, err := q.CountActiveAdmins(ctx)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n <= 1 {
		return errLastAdmin
	}
	return nil
}

func checkEmail(email string) string {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return "doit être une adresse e-mail valide"
	}
	if len(email) > 255 {
		return "255 caractères au plus"
	}
	return ""
}

// constraints are the answers of the pre-checks that a concurrent writer may get past.
var constraints = platform.Constraints{
	"users_username_key": errUsernameTaken,
	"users_email_key":    errEmailTaken,
}
