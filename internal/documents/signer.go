package documents

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/mif-erp/erp/internal/apperr"
)

// Signer makes and checks the short-lived download URLs of documents: an HMAC-SHA256 of the
// document id and the expiry, with a key derived from SECRET_KEY. A signature is bound to one
// document and one expiry: changing either invalidates it.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewSigner derives the signing key of document links from the server secret.
func NewSigner(secret []byte, ttl time.Duration) *Signer {
	return NewSignerFor(secret, "mif-erp/documents/download-url/v1", ttl)
}

// NewSignerFor derives a signing key for links of another purpose (generated reports): a
// signature made for one purpose never opens anything of another.
func NewSignerFor(secret []byte, purpose string, ttl time.Duration) *Signer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return &Signer{key: m.Sum(nil), ttl: ttl, now: time.Now}
}

// WithClock returns a copy of the signer reading the time from now (tests).
func (s *Signer) WithClock(now func() time.Time) *Signer {
	c := *s
	c.now = now
	return &c
}

// TTL is how long a signed URL works.
func (s *Signer) TTL() time.Duration { return s.ttl }

// Sign returns the expiry (Unix seconds, also as a time) and the signature for the document.
func (s *Signer) Sign(id int64) (expires time.Time, signature string) {
	exp := s.now().Add(s.ttl).Truncate(time.Second)
	return exp.UTC(), s.mac(id, exp.Unix())
}

// SignUntil returns the signature of a link to id that works until expires (Unix seconds).
func (s *Signer) SignUntil(id int64, expires time.Time) string { return s.mac(id, expires.Unix()) }

func (s *Signer) mac(id, expires int64) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var (
	errBadSignature = apperr.Unauthorized("Lien de téléchargement invalide")
	errExpiredLink  = apperr.Unauthorized("Lien de téléchargement expiré")
)

// Verify checks a signature for the document id and expiry: 401 when it does not match or has
// expired.
func (s *Signer) Verify(id, expires int64, signature string) error {
	if !hmac.Equal([]byte(signature), []byte(s.mac(id, expires))) {
		return errBadSignature
	}
	if s.now().Unix() > expires {
		return errExpiredLink
	}
	return nil
}
