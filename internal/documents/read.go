package documents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/paging"
)

// Filter selects documents.
type Filter struct {
	InterventionID *int64
	Categorie, Q   *string
	Limit, Offset  int
}

// DefaultLimit is the page size when none is asked.
const DefaultLimit = paging.Default

// List returns one page of the documents the caller may read, newest first, and the total.
func (s *Service) List(ctx context.Context, actor auth.Principal, f Filter) ([]Document, int64, error) {
	sc := access.For(actor)
	return s.list(ctx, sc, f)
}

// ListForIntervention is List for one intervention, 404 when the caller may not read it.
func (s *Service) ListForIntervention(ctx context.Context, actor auth.Principal, interventionID int64, limit, offset int) ([]Document, int64, error) {
	sc := access.For(actor)
	ok, err := s.readable(ctx, sc, interventionID)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		return nil, 0, apperr.NotFound("Intervention introuvable")
	}
	return s.list(ctx, sc, Filter{InterventionID: &interventionID, Limit: limit, Offset: offset})
}

func (s *Service) list(ctx context.Context, sc access.Scope, f Filter) ([]Document, int64, error) {
	limit, offset, err := paging.Check(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	blank := func(p *string) *string {
		if p == nil || strings.TrimSpace(*p) == "" {
			return nil
		}
		v := strings.TrimSpace(*p)
		return &v
	}
	q := blank(f.Q)
	if q != nil {
		escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(*q)
		q = &escaped
	}
	cat := blank(f.Categorie)
	queries := sc.Queries(s.pool)
	rows, err := queries.DocumentList(ctx, db.DocumentListParams{
		InterventionID: f.InterventionID, Categorie: cat, Q: q, Lim: limit, Off: offset,
	})
	if err != nil {
		return nil, 0, err
	}
	total, err := queries.DocumentCount(ctx, db.DocumentCountParams{
		InterventionID: f.InterventionID, Categorie: cat, Q: q,
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]Document, len(rows))
	for i, r := range rows {
		out[i] = r.Document
	}
	return out, total, nil
}

// Get reads one document the caller may read (404 otherwise).
func (s *Service) Get(ctx context.Context, actor auth.Principal, id int64) (Document, error) {
	sc := access.For(actor)
	r, err := sc.Queries(s.pool).DocumentGet(ctx, db.DocumentGetParams{ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, errNotFound
	}
	if err != nil {
		return Document{}, err
	}
	return r.Document, nil
}

// GetSigned reads the document a signed URL points to: the signature must be valid for this
// id and not expired (401 otherwise); it stands for the access of whoever it was issued to.
func (s *Service) GetSigned(ctx context.Context, id, expires int64, signature string) (Document, error) {
	if err := s.signer.Verify(id, expires, signature); err != nil {
		return Document{}, err
	}
	d, err := db.New(s.pool).DocumentByID(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Document{}, errNotFound
	}
	return d, err
}

// Open returns the plaintext bytes [off, off+n) of a document, decrypting only the packages
// that hold them: memory stays constant whatever the size. The caller closes the reader.
func (s *Service) Open(ctx context.Context, d Document, off, n int64) (io.ReadCloser, error) {
	r, err := s.openBlob(ctx, d.StorageKey, d.KeyID, d.Taille, off, n)
	if err != nil {
		return nil, fmt.Errorf("document %d: %w", d.ID, err)
	}
	return r, nil
}

// openBlob returns the plaintext bytes [off, off+n) of the encrypted blob key of a size-byte
// file, decrypting only the packages that hold them.
func (s *Service) openBlobUntraced(ctx context.Context, key, keyID string, size, off, n int64) (io.ReadCloser, error) {
	if off < 0 || n < 0 || off+n > size {
		return nil, fmt.Errorf("range [%d, %d) outside a file of %d bytes", off, off+n, size)
	}
	if n == 0 {
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	first := off / payloadSize
	last := (off + n - 1) / payloadSize
	encOff := first * packageSize
	encEnd := min((last+1)*packageSize, encryptedSize(size))
	rr, err := s.bucket.NewRangeReader(ctx, key, encOff, encEnd-encOff, nil)
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	dec, err := s.keys.decryptReader(rr, keyID, key, uint32(first))
	if err != nil {
		_ = rr.Close()
		return nil, err
	}
	if skip := off - first*payloadSize; skip > 0 {
		if _, err := io.CopyN(io.Discard, dec, skip); err != nil {
			_ = rr.Close()
			return nil, fmt.Errorf("decrypt: %w", err)
		}
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(dec, n), rr}, nil
}
