package documents

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"
	"gocloud.dev/blob"

	"github.com/mif-erp/erp/internal/storage"
)

// Stored is a file the server made itself (a generated report), kept in the documents' bucket
// and encrypted with their key ring, under its own prefix (Sweep leaves it alone).
type Stored struct {
	Key, KeyID string
	Size       int64
}

// putBlob encrypts content into a new blob under prefix (Put, traced). Nothing is left in the
// bucket on failure.
func (s *Service) putBlob(ctx context.Context, prefix string, content []byte) (Stored, error) {
	key := prefix + uuid.NewString()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{ContentType: "application/octet-stream", MaxConcurrency: 1})
	if err != nil {
		return Stored{}, fmt.Errorf("open blob writer: %w", err)
	}
	enc, keyID, err := s.keys.encryptWriter(w, key)
	if err == nil {
		_, err = enc.Write(content)
	}
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		cancel() // a cancelled writer commits nothing
		_ = w.Close()
		return Stored{}, fmt.Errorf("encrypt %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		s.deleteBlobNow(ctx, key)
		return Stored{}, fmt.Errorf("write blob %s: %w", key, err)
	}
	return Stored{Key: key, KeyID: keyID, Size: int64(len(content))}, nil
}

// OpenStored returns the plaintext of a stored file; the caller closes it.
func (s *Service) OpenStored(ctx context.Context, f Stored) (io.ReadCloser, error) {
	return s.openBlob(ctx, f.Key, f.KeyID, f.Size, 0, f.Size)
}

// Remove deletes a stored file; one already gone is not an error.
func (s *Service) Remove(ctx context.Context, key string) error {
	if err := s.bucket.Delete(ctx, key); err != nil && !storage.IsNotFound(err) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}
