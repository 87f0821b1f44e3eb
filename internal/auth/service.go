package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/platform"
)

// ErrInvalidCredentials is a wrong identifier or password; each login route words it its own way.
var ErrInvalidCredentials = apperr.Unauthorized("Email ou mot de passe incorrect")

// ErrAccountDisabled answers a correct password for a deactivated account.
var ErrAccountDisabled = apperr.Forbidden("Compte désactivé")

var errBadRefresh = apperr.Unauthorized("Refresh token invalide")

// TokenPair is what a login or a refresh returns.
type TokenPair struct {
	AccessToken      string
	RefreshToken     string
	ExpiresIn        time.Duration
	RefreshExpiresIn time.Duration
}

// Config configures the authentication service.
type Config struct {
	Tokens       *Tokens
	Hasher       *Hasher
	RefreshTTL   time.Duration
	Throttle     ThrottlePolicy
	MetricsToken string // bearer accepted by the metrics pseudo-role; empty disables it
	Logger       *slog.Logger
	// Accounts caches what Authenticate reads of each account (nil: read on every request).
	Accounts *AccountCache
}

// Service logs users in, rotates refresh tokens and authenticates bearer tokens.
type Service struct {
	pool     *pgxpool.Pool
	cfg      Config
	throttle *throttle
	now      func() time.Time
}

// NewService returns the authentication service.
func NewService(pool *pgxpool.Pool, cfg Config) *Service {
	return &Service{
		pool:     pool,
		cfg:      cfg,
		throttle: &throttle{pool: pool, policy: cfg.Throttle, now: time.Now},
		now:      time.Now,
	}
}

// Login checks credentials (identifier = username or e-mail) and opens a new session family.
func (s *Service) Login(ctx context.Context, identifier, password string) (TokenPair, error) {
	meta := audit.MetaFrom(ctx)
	q := db.New(s.pool)
	user, err := q.GetUserByLogin(ctx, identifier)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return TokenPair{}, fmt.Errorf("login: look up user: %w", err)
	}
	key := newLoginKey(identifier, meta.ClientIP, user.ID) // user.ID is 0 when not found
	wait, kind, err := s.throttle.lockedFor(ctx, key)
	if err != nil {
		return TokenPair{}, err
	}
	if wait > 0 {
		s.audit(ctx, audit.Entry{ActorID: user.ID, Action: "auth.login.locked",
			Details: map[string]any{"identifier": identifier, "kind": kind}})
		return TokenPair{}, apperr.Locked(wait)
	}
	hash := ""
	if found {
		hash = user.PasswordHash
	}
	if !s.cfg.Hasher.Verify(hash, password) {
		if err := s.throttle.fail(ctx, key); err != nil {
			return TokenPair{}, err
		}
		s.audit(ctx, audit.Entry{ActorID: user.ID, Action: "auth.login.failed",
			Details: map[string]any{"identifier": identifier}})
		return TokenPair{}, ErrInvalidCredentials
	}
	if !user.IsActive {
		s.audit(ctx, audit.Entry{ActorID: user.ID, ActorRole: string(user.Role), Action: "auth.login.disabled"})
		return TokenPair{}, ErrAccountDisabled
	}
	var pair TokenPair
	err = platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.throttle.clear(ctx, tx, key); err != nil {
			return err
		}
		if err := db.New(tx).TouchLastLogin(ctx, user.ID); err != nil {
			return fmt.Errorf("record last login: %w", err)
		}
		pair, err = s.issue(ctx, tx, user, uuid.New())
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: user.ID, ActorRole: string(user.Role),
			Action: "auth.login.success", ResourceType: "user", ResourceID: strconv.FormatInt(user.ID, 10)})
	})
	if err != nil {
		return TokenPair{}, fmt.Errorf("login: %w", err)
	}
	return pair, nil
}

// issue signs an access token and stores a new refresh token of the given family.
func (s *Service) issue(ctx context.Context, q db.DBTX, user db.User, family uuid.UUID) (TokenPair, error) {
	access, _, err := s.cfg.Tokens.Issue(user.ID, string(user.Role), user.Email, user.SessionVersion)
	if err != nil {
		return TokenPair{}, err
	}
	raw, hash := NewRefreshToken()
	meta := audit.MetaFrom(ctx)
	_, err = db.New(q).InsertRefreshToken(ctx, db.InsertRefreshTokenParams{
		UserID:    user.ID,
		FamilyID:  family,
		TokenHash: hash,
		ExpiresAt: s.now().Add(s.cfg.RefreshTTL),
		ClientIp:  meta.ClientIP,
		UserAgent: truncate(meta.UserAgent, 255),
	})
	if err != nil {
		return TokenPair{}, fmt.Errorf("store refresh token: %w", err)
	}
	return TokenPair{
		AccessToken:      access,
		RefreshToken:     raw,
		ExpiresIn:        s.cfg.Tokens.TTL(),
		RefreshExpiresIn: s.cfg.RefreshTTL,
	}, nil
}

// Refresh exchanges a refresh token for a new pair. A token presented twice revokes its family.
func (s *Service) Refresh(ctx context.Context, raw string) (TokenPair, error) {
	var (
		pair    TokenPair
		refusal error // refusals still commit (a reuse must revoke the family)
		reused  int64 // the account whose sessions a reuse ended
	)
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		tok, err := q.GetRefreshTokenForUpdate(ctx, HashRefreshToken(raw))
		if errors.Is(err, pgx.ErrNoRows) {
			refusal = errBadRefresh
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up refresh token: %w", err)
		}
		switch {
		case tok.RevokedAt != nil || !tok.ExpiresAt.After(s.now()):
			refusal = errBadRefresh
			return nil
		case tok.UsedAt != nil:
			if _, err := q.RevokeRefreshFamily(ctx, tok.FamilyID); err != nil {
				return fmt.Errorf("revoke refresh family: %w", err)
			}
			// The thief may hold an access token of the family too: end the account's sessions.
			if _, err := q.EndUserSessions(ctx, tok.UserID); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
			reused = tok.UserID
			refusal = errBadRefresh
			return audit.Write(ctx, tx, audit.Entry{ActorID: tok.UserID, Action: "auth.refresh.reuse",
				ResourceType: "refresh_family", ResourceID: tok.FamilyID.String()})
		}
		user, err := q.GetUser(ctx, tok.UserID)
		if err != nil {
			return fmt.Errorf("load refresh token owner: %w", err)
		}
		if !user.IsActive {
			if _, err := q.RevokeRefreshFamily(ctx, tok.FamilyID); err != nil {
				return fmt.Errorf("revoke refresh family: %w", err)
			}
			refusal = ErrAccountDisabled
			return nil
		}
		if err := q.MarkRefreshTokenUsed(ctx, tok.ID); err != nil {
			return fmt.Errorf("mark refresh token used: %w", err)
		}
		pair, err = s.issue(ctx, tx, user, tok.FamilyID)
		return err
	})
	if err != nil {
		return TokenPair{}, fmt.Errorf("refresh: %w", err)
	}
	if reused != 0 {
		s.cfg.Accounts.Forget(reused) // this instance refuses the old access tokens at once
	}
	if refusal != nil {
		return TokenPair{}, refusal
	}
	return pair, nil
}

// Logout ends every session of the user: its refresh tokens are revoked and its access tokens,
// this one included, are refused from the next request on (on every instance within a second),
// as are its open event streams.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	err := platform.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		n, err := q.RevokeUserRefreshTokens(ctx, p.UserID)
		if err != nil {
			return fmt.Errorf("logout: revoke refresh tokens: %w", err)
		}
		if _, err := q.EndUserSessions(ctx, p.UserID); err != nil {
			return fmt.Errorf("logout: end sessions: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorRole: p.Role, Action: "auth.logout",
			ResourceType: "user", ResourceID: strconv.FormatInt(p.UserID, 10),
			Details: map[string]any{"revoked_refresh_tokens": n}})
	})
	if err != nil {
		return err
	}
	s.cfg.Accounts.Forget(p.UserID)
	return nil
}

// Authenticate turns a bearer token into the caller. The account is checked on every request,
// so a deactivated or deleted account loses access at once and role changes apply immediately;
// the same statement reads the technician profile and client company that row access scopes
// by. With an AccountCache the account is read from the database only when it is not cached
// (see AccountCache for how a change reaches every instance).
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	claims, err := s.cfg.Tokens.Verify(bearer)
	if err != nil {
		return Principal{}, apperr.Unauthorized("Token invalide ou expiré")
	}
	acc, epoch, cached := s.cfg.Accounts.lookup(claims.UserID)
	if !cached {
		acc, err = db.New(s.pool).AuthAccount(ctx, claims.UserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return Principal{}, apperr.Unauthorized("Utilisateur non trouvé")
		}
		if err != nil {
			return Principal{}, fmt.Errorf("authenticate: load user: %w", err)
		}
		s.cfg.Accounts.store(claims.UserID, acc, epoch)
	}
	user := acc.User
	if !user.IsActive {
		return Principal{}, apperr.Forbidden("Utilisateur désactivé")
	}
	if claims.SessionVersion != user.SessionVersion {
		return Principal{}, apperr.Unauthorized("Session terminée : reconnectez-vous")
	}
	return Principal{UserID: user.ID, Role: string(user.Role), Email: user.Email, Username: user.Username,
		TechnicienID: acc.TechnicienID, ClientID: acc.ClientID, SessionVersion: user.SessionVersion,
		ExpiresAt: claims.ExpiresAt}, nil
}

// CheckSession reports whether the account's session of the given version still holds (an
// event stream checks it when the account changes): nil, or what Authenticate would answer a
// token of that version (401 once the session ended, 403 for a deactivated account).
func (s *Service) CheckSession(ctx context.Context, userID int64, sessionVersion int32) error {
	acc, epoch, cached := s.cfg.Accounts.lookup(userID)
	if !cached {
		var err error
		acc, err = db.New(s.pool).AuthAccount(ctx, userID)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.Unauthorized("Utilisateur non trouvé")
		}
		if err != nil {
			return fmt.Errorf("check session: load user: %w", err)
		}
		s.cfg.Accounts.store(userID, acc, epoch)
	}
	switch {
	case !acc.User.IsActive:
		return apperr.Forbidden("Utilisateur désactivé")
	case acc.User.SessionVersion != sessionVersion:
		return apperr.Unauthorized("Session terminée : reconnectez-vous")
	}
	return nil
}

// IsMetricsToken reports whether bearer is the configured METRICS_TOKEN (constant time).
func (s *Service) IsMetricsToken(bearer string) bool {
	t := s.cfg.MetricsToken
	return t != "" && subtle.ConstantTimeCompare([]byte(bearer), []byte(t)) == 1
}

// audit records an event outside any transaction; a failure is logged, not returned, because
// it must not turn a refused login into a server error.
func (s *Service) audit(ctx context.Context, e audit.Entry) {
	if err := audit.Write(ctx, s.pool, e); err != nil && s.cfg.Logger != nil {
		s.cfg.Logger.ErrorContext(ctx, "audit write failed", "error", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
