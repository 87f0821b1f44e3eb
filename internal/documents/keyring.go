package documents

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/minio/sio"
)

// KeyRing holds the document master keys (DOCUMENT_KEYS): the first encrypts, any decrypts, so
// keys can rotate. Each document records the id of the key it was encrypted with.
//
// Format: DARE 2.0 (github.com/minio/sio) with AES-256-GCM, in packages of 64 KiB, each
// authenticated, numbered and the last one flagged, so a blob can be decrypted from any package
// (Range requests) and truncation or reordering is detected. Each blob is encrypted with its own
// data key, HMAC-SHA256(master key, storage key): no two blobs share a key, so the random
// per-stream nonces of DARE can never repeat under one key.
type KeyRing struct {
	keys []ringKey
}

type ringKey struct {
	id     string
	secret []byte
}

// KeyLen is the length of a master key, in bytes.
const KeyLen = 32

// NewKeyRing builds the ring from the master keys, the first one encrypting.
func NewKeyRing(keys [][]byte) (*KeyRing, error) {
	if len(keys) == 0 {
		return nil, errors.New("documents: no encryption key")
	}
	r := &KeyRing{}
	seen := map[string]bool{}
	for i, k := range keys {
		if len(k) != KeyLen {
			return nil, fmt.Errorf("documents: key %d is %d bytes long, want %d", i+1, len(k), KeyLen)
		}
		id := KeyID(k)
		if seen[id] {
			return nil, fmt.Errorf("documents: key %d is listed twice", i+1)
		}
		seen[id] = true
		r.keys = append(r.keys, ringKey{id: id, secret: append([]byte(nil), k...)})
	}
	return r, nil
}

// KeyID is the public name of a master key: a short fingerprint, stored with each document.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("mif-erp/documents/key-id/v1"))
	return "k" + hex.EncodeToString(m.Sum(nil)[:6])
}

// Primary is the id of the key that encrypts.
func (r *KeyRing) Primary() string { return r.keys[0].id }

// Has reports whether the ring holds the key id.
func (r *KeyRing) Has(id string) bool {
	_, ok := r.find(id)
	return ok
}

func (r *KeyRing) find(id string) (ringKey, bool) {
	for _, k := range r.keys {
		if k.id == id {
			return k, true
		}
	}
	return ringKey{}, false
}

// KeyMissingError is a stored file (a document, a generated report) encrypted with a key that
// is not in DOCUMENT_KEYS, typically a server restarted with other keys: the file cannot be read
// until that key is listed again. The HTTP layer answers it 503 with a French detail.
type KeyMissingError struct {
	KeyID string // the id of the missing key, as stored with the file (see KeyID)
}

func (e *KeyMissingError) Error() string {
	return fmt.Sprintf("documents: the file was encrypted with key %s, which is not in DOCUMENT_KEYS", e.KeyID)
}

// config is the DARE configuration of one blob, from its first package seq on.
func (r *KeyRing) config(keyID, storageKey string, seq uint32) (sio.Config, error) {
	k, ok := r.find(keyID)
	if !ok {
		return sio.Config{}, &KeyMissingError{KeyID: keyID}
	}
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte("mif-erp/documents/data-key/v1\x00"))
	m.Write([]byte(storageKey))
	return sio.Config{
		MinVersion:     sio.Version20,
		MaxVersion:     sio.Version20,
		CipherSuites:   []byte{sio.AES_256_GCM},
		Key:            m.Sum(nil),
		SequenceNumber: seq,
	}, nil
}

// encryptWriter encrypts everything written to it with the primary key into dst; Close
// writes the final package (it does not close dst).
func (r *KeyRing) encryptWriter(dst io.Writer, storageKey string) (io.WriteCloser, string, error) {
	id := r.Primary()
	cfg, err := r.config(id, storageKey, 0)
	if err != nil {
		return nil, "", err
	}
	// sio closes a destination that is an io.Closer: hide it, the caller commits the blob.
	w, err := sio.EncryptWriter(struct{ io.Writer }{dst}, cfg)
	return w, id, err
}

// DARE 2.0 geometry: each package carries up to 64 KiB of plaintext plus a 16-byte header and
// a 16-byte tag.
const (
	payloadSize = 64 * 1024
	packageSize = payloadSize + 32
)

// encryptedSize is the size of the blob holding size bytes of plaintext.
func encryptedSize(size int64) int64 {
	n, err := sio.EncryptedSize(uint64(size))
	if err != nil {
		return -1
	}
	return int64(n)
}

// decryptReader decrypts src, the encrypted bytes from package seq on.
func (r *KeyRing) decryptReader(src io.Reader, keyID, storageKey string, seq uint32) (io.Reader, error) {
	cfg, err := r.config(keyID, storageKey, seq)
	if err != nil {
		return nil, err
	}
	return sio.DecryptReader(src, cfg)
}

// decryptReaderAt decrypts src at any offset.
func (r *KeyRing) decryptReaderAt(src io.ReaderAt, keyID, storageKey string) (io.ReaderAt, error) {
	cfg, err := r.config(keyID, storageKey, 0)
	if err != nil {
		return nil, err
	}
	return sio.DecryptReaderAt(src, cfg)
}
