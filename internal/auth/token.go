// Package auth issues and verifies tokens, hashes passwords and throttles failed logins.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
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
}

// Tokens signs and verifies HS256 access tokens.
type Tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewTokens returns a signer with the given secret and access-token lifetime.
func NewTokens(key []byte, ttl time.Duration) *Tokens {
	return &Tokens{key: key, ttl: ttl, now: time.Now}
}

// TTL is the lifetime of an access token.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for the user.
func (t *Tokens) Issue(userID int64, role, email string) (string, Claims, error) {
	now := t.now().Truncate(time.Second)
	c := Claims{UserID: userID, Role: role, Email: email, ID: uuid.NewString(), IssuedAt: now, ExpiresAt: now.Add(t.ttl)}
	tok, err := jwt.NewBuilder().
		Issuer(Issuer).
		Subject(strconv.FormatInt(userID, 10)).
		JwtID(c.ID).
		IssuedAt(c.IssuedAt).
		Expiration(c.ExpiresAt).
		Claim("role", role).
		Claim("email", email).
		Claim("user_id", userID).
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
	tok, err := jwt.ParseString(raw,
		jwt.WithKey(jwa.HS256(), t.key),
		jwt.WithValidate(true),
		jwt.WithIssuer(Issuer),
		jwt.WithRequiredClaim("exp"),
		jwt.WithRequiredClaim("iat"),
		jwt.WithClock(jwt.ClockFunc(t.now)),
		jwt.WithAcceptableSkew(5*time.Second),
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
