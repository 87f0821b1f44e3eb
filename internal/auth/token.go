// Package auth issues and verifies tokens, hashes passwords and throttles failed logins.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Issuer is the `iss` claim of every access token.
const Issuer = "mif-erp"

// Claims are what an access token asserts.
type Claims struct {
	UserID    int64
	Role      string
	Email     string
	ID        string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
	// SessionVersion is the account's session_version when the token was issued (claim "sv"):
	// the token is refused once the account's version has moved on (logout, password, role or
	// active flag changed, a refresh token reused).
	SessionVersion int32
}

// Tokens signs and verifies HS256 access tokens.
type Tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time

	// verified remembers the claims of tokens whose signature, issuer and claims were checked
	// (a token string never changes), so a client's next requests skip the JWT parsing; the
	// time checks run on every use.
	mu       sync.Mutex
	verified map[string]Claims
}

// verifiedCacheSize bounds the remembered tokens (about 100 bytes each plus the token).
const verifiedCacheSize = 10000

// acceptableSkew is the clock difference tolerated on exp and iat.
const acceptableSkew = 5 * time.Second

// NewTokens returns a signer with the given secret and access-token lifetime.
func NewTokens(key []byte, ttl time.Duration) *Tokens {
	return &Tokens{key: key, ttl: ttl, now: time.Now, verified: map[string]Claims{}}
}

// TTL is the lifetime of an access token.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for the user, valid while the account's session_version is
// sessionVersion.
func (t *Tokens) Issue(userID int64, role, email string, sessionVersion int32) (string, Claims, error) {
	now := t.now().Truncate(time.Second)
	c := Claims{UserID: userID, Role: role, Email: email, ID: uuid.NewString(), IssuedAt: now, ExpiresAt: now.Add(t.ttl),
		SessionVersion: sessionVersion}
	tok, err := jwt.NewBuilder().
		Issuer(Issuer).
		Subject(strconv.FormatInt(userID, 10)).
		JwtID(c.ID).
		IssuedAt(c.IssuedAt).
		Expiration(c.ExpiresAt).
		Claim("role", role).
		Claim("email", email).
		Claim("user_id", userID).
		Claim("sv", sessionVersion).
		Build()
	if err != nil {
		return "", Claims{}, fmt.Errorf("build token: %w", err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), t.key))
	if err != nil {
		return "", Claims{}, fmt.Errorf("sign token: %w", err)
	}
	return string(signed), c, nil
}

// Verify checks the signature, algorithm, issuer and expiry of an access token.
func (t *Tokens) Verify(raw string) (Claims, error) {
	now := t.now()
	t.mu.Lock()
	c, ok := t.verified[raw]
	t.mu.Unlock()
	if ok {
		if !now.Before(c.ExpiresAt.Add(acceptableSkew)) {
			return Claims{}, errors.New("verify token: \"exp\" not satisfied")
		}
		if now.Add(acceptableSkew).Before(c.IssuedAt) {
			return Claims{}, errors.New("verify token: \"iat\" not satisfied")
		}
		return c, nil
	}
	c, err := t.parse(raw)
	if err != nil {
		return Claims{}, err
	}
	t.remember(raw, c, now)
	return c, nil
}

// remember adds verified claims, first dropping the expired ones when the cache is full (and
// everything if none has expired).
func (t *Tokens) remember(raw string, c Claims, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.verified) >= verifiedCacheSize {
		for k, v := range t.verified {
			if !now.Before(v.ExpiresAt.Add(acceptableSkew)) {
				delete(t.verified, k)
			}
		}
		if len(t.verified) >= verifiedCacheSize {
			clear(t.verified)
		}
	}
	t.verified[raw] = c
}

// parse is the full check of a token: signature, algorithm, issuer, required claims, times.
func (t *Tokens) parse(raw string) (Claims, error) {
	tok, err := jwt.ParseString(raw,
		jwt.WithKey(jwa.HS256(), t.key),
		jwt.WithValidate(true),
		jwt.WithIssuer(Issuer),
		jwt.WithRequiredClaim("exp"),
		jwt.WithRequiredClaim("iat"),
		jwt.WithClock(jwt.ClockFunc(t.now)),
		jwt.WithAcceptableSkew(acceptableSkew),
	)
	if err != nil {
		return Claims{}, fmt.Errorf("verify token: %w", err)
	}
	sub, _ := tok.Subject()
	id, err := strconv.ParseInt(sub, 10, 64)
	if err != nil || id <= 0 {
		return Claims{}, fmt.Errorf("verify token: subject %q is not a user id", sub)
	}
	var c Claims
	c.UserID = id
	c.ID, _ = tok.JwtID()
	c.IssuedAt, _ = tok.IssuedAt()
	c.ExpiresAt, _ = tok.Expiration()
	_ = tok.Get("role", &c.Role)
	_ = tok.Get("email", &c.Email)
	var sv float64 // a JSON number
	if err := tok.Get("sv", &sv); err != nil || sv < 0 || sv > math.MaxInt32 || sv != math.Trunc(sv) {
		return Claims{}, errors.New("verify token: no session version")
	}
	c.SessionVersion = int32(sv)
	return c, nil
}

// NewRefreshToken returns a random opaque refresh token and the hash to store.
func NewRefreshToken() (string, []byte) {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on Linux.
	raw := base64.RawURLEncoding.EncodeToString(buf)
	return raw, HashRefreshToken(raw)
}

// HashRefreshToken is the stored form of a refresh token.
func HashRefreshToken(raw string) []byte {
	sum := sha256.Sum256([]byte(raw))
	return sum[:]
}
