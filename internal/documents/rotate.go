package documents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/google/uuid"
	"gocloud.dev/blob"

	"github.com/mif-erp/erp/gen/db"
)

// RotateResult counts what RotateKeys did.
type RotateResult struct {
	Rotated int
	Skipped int // deleted or changed while being re-encrypted
	Failed  int
}

// RotateKeys re-encrypts every document not yet under the primary key: each is decrypted,
// re-encrypted into a new blob, checked against its SHA-256, then the row is pointed at it (the
// old blob is queued and deleted). Safe to interrupt and to run again; documents deleted or
// rotated meanwhile are skipped.
func (s *Service) RotateKeys(ctx context.Context) (RotateResult, error) {
	var res RotateResult
	q := db.New(s.pool)
	primary := s.keys.Primary()
	var after int64
	for {
		rows, err := q.DocumentsToRekey(ctx, db.DocumentsToRekeyParams{KeyID: primary, AfterID: after, Lim: 100})
		if err != nil {
			return res, err
		}
		if len(rows) == 0 {
			return res, nil
		}
		for _, r := range rows {
			after = r.ID
			done, err := s.rekey(ctx, r)
			if err != nil {
				if ctx.Err() != nil {
					return res, ctx.Err()
				}
				s.log.ErrorContext(ctx, "document not re-encrypted", "document_id", r.ID, "error", err)
				res.Failed++
				continue
			}
			if done {
				res.Rotated++
			} else {
				res.Skipped++
			}
		}
	}
}

func (s *Service) rekey(ctx context.Context, r db.DocumentsToRekeyRow) (bool, error) {
	old := Document{ID: r.ID, StorageKey: r.StorageKey, KeyID: r.KeyID, Taille: r.Taille}
	src, err := s.Open(ctx, old, 0, r.Taille)
	if err != nil {
		return false, err
	}
	defer src.Close()
	key := KeyPrefix + uuid.NewString()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{ContentType: "application/octet-stream", BufferSize: 5 << 20, MaxConcurrency: 1})
	if err != nil {
		return false, err
	}
	enc, keyID, err := s.keys.encryptWriter(w, key)
	if err != nil {
		cancel()
		_ = w.Close()
		return false, err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(h, enc), src); err != nil {
		cancel()
		_ = w.Close()
		return false, fmt.Errorf("re-encrypt: %w", err)
	}
	if err := enc.Close(); err != nil {
		cancel()
		_ = w.Close()
		return false, err
	}
	if err := w.Close(); err != nil {
		s.deleteBlobNow(ctx, key)
		return false, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != r.Sha256 {
		s.deleteBlobNow(ctx, key)
		return false, fmt.Errorf("checksum mismatch after decryption: %s, want %s", got, r.Sha256)
	}
	n, err := db.New(s.pool).DocumentRekey(ctx, db.DocumentRekeyParams{
		NewStorageKey: key, NewKeyID: keyID, ID: r.ID, OldStorageKey: r.StorageKey,
	})
	if err != nil || n == 0 {
		s.deleteBlobNow(ctx, key)
		return false, err // nil when the document changed meanwhile: nothing to do
	}
	s.removeQueued(ctx, r.StorageKey)
	return true, nil
}
