package live

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// StreamTokenTTL is the lifetime of a stream token: long enough to open the stream, which
// then stays open whatever its age.
const StreamTokenTTL = 60 * time.Second

// ErrBadStreamToken is returned for a malformed, forged or expired stream token.
var ErrBadStreamToken = errors.New("live: invalid or expired stream token")

// Tokens signs and verifies stream tokens: "<user id>.<expiry, unix seconds>.<HMAC-SHA256>", the
// HMAC keyed by a key derived from SECRET_KEY for this use only, so a stream token is worth
// nothing anywhere else (and no other signature of the server is a stream token).
type Tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewTokens derives the signing key from the server secret.
func NewTokens(secret []byte) *Tokens {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("mif-erp/live/stream-token/v1"))
	return &Tokens{key: m.Sum(nil), ttl: StreamTokenTTL, now: time.Now}
}

// WithClock returns a copy reading the time from now (tests).
func (t *Tokens) WithClock(now func() time.Time) *Tokens {
	c := *t
	c.now = now
	return &c
}

// Issue returns a token for the user and its expiry.
func (t *Tokens) Issue(userID int64) (string, time.Time) {
	exp := t.now().Add(t.ttl).Truncate(time.Second)
	payload := strconv.FormatInt(userID, 10) + "." + strconv.FormatInt(exp.Unix(), 10)
	return payload + "." + t.sign(payload), exp
}

// Verify returns the user of a valid, unexpired token.
func (t *Tokens) Verify(token string) (int64, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || len(token) > 200 {
		return 0, ErrBadStreamToken
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return 0, ErrBadStreamToken
	}
	u, e, ok := strings.Cut(payload, ".")
	if !ok {
		return 0, ErrBadStreamToken
	}
	userID, err1 := strconv.ParseInt(u, 10, 64)
	exp, err2 := strconv.ParseInt(e, 10, 64)
	if err1 != nil || err2 != nil || userID <= 0 || !t.now().Before(time.Unix(exp, 0)) {
		return 0, ErrBadStreamToken
	}
	return userID, nil
}

func (t *Tokens) sign(payload string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
