// Package storage opens the blob bucket of the documents through gocloud.dev/blob: a local
// directory (file:///...), S3-compatible storage (s3://bucket?region=...&endpoint=...) or memory
// (mem://, for tests). Blobs are stored as given: internal/documents encrypts them first. Nothing
// here is mounted on the HTTP server.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs
	_ "gocloud.dev/blob/memblob"  // mem:// URLs
	"gocloud.dev/gcerrors"
)

// Open opens the bucket at rawURL. A file:// bucket gets sensible defaults unless the URL sets
// them: the directory is created (mode 0700), temporary files are written next to their final
// path (so the rename never crosses file systems, and a crash leaves them where the sweeper
// looks) and no metadata side-car files are written.
func Open(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("STORAGE_URL: %w", err)
	}
	if u.Scheme == "file" {
		q := u.Query()
		for k, v := range map[string]string{"create_dir": "true", "dir_file_mode": "0700", "no_tmp_dir": "true", "metadata": "skip"} {
			if !q.Has(k) {
				q.Set(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("open document storage %s://%s: %w", u.Scheme, u.Host+u.Path, err)
	}
	return b, nil
}

// IsNotFound reports whether err says the blob does not exist.
func IsNotFound(err error) bool {
	return err != nil && gcerrors.Code(err) == gcerrors.NotFound
}

// ReaderAt reads a blob at arbitrary offsets, one ranged read per call.
type ReaderAt struct {
	ctx    context.Context // the reads belong to one request
	bucket *blob.Bucket
	key    string
}

// NewReaderAt returns an io.ReaderAt over the blob key.
func NewReaderAt(ctx context.Context, b *blob.Bucket, key string) *ReaderAt {
	return &ReaderAt{ctx: ctx, bucket: b, key: key}
}

// ReadAt implements io.ReaderAt.
func (r *ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	rr, err := r.bucket.NewRangeReader(r.ctx, r.key, off, int64(len(p)), nil)
	if err != nil {
		return 0, err
	}
	defer rr.Close()
	n, err := io.ReadFull(rr, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF // a short read at the end of the blob, as io.ReaderAt says
	}
	return n, err
}
