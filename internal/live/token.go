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

// Tokens signs and verifies stream tokens: "<user id>.<session version>.<expiry, unix seconds>.<HMAC-SHA256>", the
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
	m.Write([]byte("mif-erp/live/stream-token/v2"))
	return &Tokens{key: m.Sum(nil), ttl: StreamTokenTTL, now: time.Now}
}

// WithClock returns a copy reading the time from now (tests).
func (t *Tokens) WithClock(now func() time.Time) *Tokens {
	c := *t
	c.now = now
	return &c
}

// Issue returns a token for the user's session of the given version, and its expiry.
func (t *Tokens) Issue(userID int64, sessionVersion int32) (string, time.Time) {
	exp := t.now().Add(t.ttl).Truncate(time.Second)
	payload := strconv.FormatInt(userID, 10) + "." + strconv.FormatInt(int64(sessionVersion), 10) + "." +
		strconv.FormatInt(exp.Unix(), 10)
	return payload + "." + t.sign(payload), exp
}

// Verify returns the user and session version of a valid, unexpired token.
func (t *Tokens) Verify(token string) (userID int64, sessionVersion int32, err error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || len(token) > 200 {
		return 0, 0, ErrBadStreamToken
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return 0, 0, ErrBadStreamToken
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return 0, 0, ErrBadStreamToken
	}
	userID, err1 := strconv.ParseInt(parts[0], 10, 64)
	sv, err2 := strconv.ParseInt(parts[1], 10, 32)
	exp, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || userID <= 0 || sv < 0 || !t.now().Before(time.Unix(exp, 0)) {
		return 0, 0, ErrBadStreamToken
	}
	return userID, int32(sv), nil
}

func (t *Tokens) sign(payload string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
