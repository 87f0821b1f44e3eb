// Package documents stores the files attached to interventions: streamed uploads checked
// against an allow-list (extension and content) and a size limit, encrypted at rest with a key
// ring (keyring.go), kept in a gocloud.dev/blob bucket (internal/storage), listed and read under
// the row-level access of interventions, downloaded whole or by range, and deleted without ever
// leaving a row that points nowhere.
//
// Row-level access: a document is readable by whoever may read its intervention (admins and
// responsables: all; a technicien: those assigned to its profile; a client: those of its
// company). Every query carries the scoping predicate of sql/queries/interventions.sql; an
// intervention or document the caller may not read answers 404, like a missing one. Uploading
// follows the same rule (DESIGN section 9: a technicien uploads to its assigned interventions, a
// client to its own).
//
// Consistency between rows and blobs:
//   - upload: the blob is written first under a fresh random key (a cancelled or failed write
//     commits nothing), then the row is inserted; any failure after the blob exists deletes it.
//     A crash between the two leaves an unreferenced blob, which Sweep removes after an hour.
//   - delete: the row is deleted first (a trigger queues its blob in document_blob_sweep in the
//     same transaction), then the blob; the queue entry goes once the blob is gone, so a failed
//     blob deletion is retried by Sweep.
package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gocloud.dev/blob"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/storage"
)

// Document is a stored document's row.
type Document = db.Document

// KeyPrefix is the folder of the document blobs in the bucket.
const KeyPrefix = "documents/"

// OrphanAge is how old an unreferenced blob must be before Sweep deletes it: older than any
// upload still in progress.
const OrphanAge = time.Hour

// Config are the service's dependencies.
type Config struct {
	Pool      *pgxpool.Pool
	Bucket    *blob.Bucket
	Keys      *KeyRing
	Signer    *Signer
	MaxUpload int64 // bytes of one file
	Logger    *slog.Logger
}

// Service manages documents.
type Service struct {
	pool      *pgxpool.Pool
	bucket    *blob.Bucket
	keys      *KeyRing
	signer    *Signer
	maxUpload int64
	log       *slog.Logger
}

// NewService returns the service.
func NewService(c Config) *Service {
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: c.Pool, bucket: c.Bucket, keys: c.Keys, signer: c.Signer, maxUpload: c.MaxUpload, log: log}
}

// Signer returns the signer of download URLs.
func (s *Service) Signer() *Signer { return s.signer }

// MaxUpload is the largest accepted file, in bytes.
func (s *Service) MaxUpload() int64 { return s.maxUpload }

// Errors the HTTP layer maps to 413 and 415 (apperr has no such kinds).
type (
	// TooLargeError is a file beyond MAX_UPLOAD_MB.
	TooLargeError struct{ Limit int64 }
	// UnsupportedTypeError is a file outside the allow-list, or whose content does not match its
	// extension.
	UnsupportedTypeError struct{ Detail string }
	// ReadError is an upload body that could not be read (malformed multipart, interrupted
	// transfer, or the server's body limit: the cause is wrapped).
	ReadError struct{ Err error }
)

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("Fichier trop volumineux : %d Mo au maximum", e.Limit>>20)
}
func (e *UnsupportedTypeError) Error() string { return e.Detail }
func (e *ReadError) Error() string            { return "Corps multipart illisible : " + e.Err.Error() }
func (e *ReadError) Unwrap() error            { return e.Err }

var (
	errInterventionNotFound = apperr.NotFound("Intervention cible introuvable")
	errNotFound             = apperr.NotFound("Document non trouvé")
	errNoExtension          = apperr.BadRequest("Le fichier doit avoir une extension valide")
)

// readable reports whether the caller may read (and so attach documents to) the intervention.
func (s *Service) readable(ctx context.Context, sc access.Scope, interventionID int64) (bool, error) {
	return sc.Queries(s.pool).DocumentInterventionReadable(ctx, db.DocumentInterventionReadableParams{ID: interventionID})
}

// Form field limits (DocumentUploadForm in the contract).
const (
	maxDescription = 1000
	maxCategorie   = 50
)

// Upload stores the multipart form's `file` (with its optional `description` and `categorie`)
// on the intervention, streaming: the file is checked, hashed and encrypted as it arrives.
func (s *Service) Upload(ctx context.Context, actor auth.Principal, interventionID int64, form *multipart.Reader) (Document, error) {
	sc := access.For(actor)
	ok, err := s.readable(ctx, sc, interventionID)
	if err != nil {
		return Document{}, err
	}
	if !ok {
		return Document{}, errInterventionNotFound
	}

	var stored *storedBlob
	cleanup := func() {
		if stored != nil {
			s.deleteBlobNow(ctx, stored.key)
		}
	}
	var description, categorie *string
	var fields []apperr.FieldError
	for {
		part, err := form.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			cleanup()
			return Document{}, s.readError(err)
		}
		switch part.FormName() {
		case "file":
			if stored != nil {
				fields = append(fields, apperr.FieldError{Field: "file", Message: "un seul fichier par envoi"})
				if _, err := io.Copy(io.Discard, part); err != nil {
					cleanup()
					return Document{}, s.readError(err)
				}
				continue
			}
			if part.FileName() == "" {
				fields = append(fields, apperr.FieldError{Field: "file", Message: "doit être un fichier (filename manquant)"})
				if _, err := io.Copy(io.Discard, part); err != nil {
					cleanup()
					return Document{}, s.readError(err)
				}
				continue
			}
			stored, err = s.store(ctx, part, part.FileName())
			if err != nil {
				return Document{}, err
			}
		case "description":
			v, fe, err := textField(part, "description", maxDescription)
			if err != nil {
				cleanup()
				return Document{}, s.readError(err)
			}
			description, fields = v, append(fields, fe...)
		case "categorie":
			v, fe, err := textField(part, "categorie", maxCategorie)
			if err != nil {
				cleanup()
				return Document{}, s.readError(err)
			}
			categorie, fields = v, append(fields, fe...)
		default: // unknown fields are ignored, like the original
			if _, err := io.Copy(io.Discard, part); err != nil {
				cleanup()
				return Document{}, s.readError(err)
			}
		}
	}
	if stored == nil && len(fields) == 0 {
		fields = append(fields, apperr.FieldError{Field: "file", Message: "champ requis"})
	}
	if len(fields) > 0 {
		cleanup()
		return Document{}, apperr.Validation(fields...)
	}

	var uploader *int64
	if actor.UserID != 0 {
		uploader = &actor.UserID
	}
	var d Document
	err = s.inTx(ctx, func(q *db.Queries, tx pgx.Tx) error {
		var err error
		d, err = sc.Queries(tx).DocumentInsert(ctx, db.DocumentInsertParams{
			Filename: stored.filename, StorageKey: stored.key, KeyID: stored.keyID, Taille: stored.size,
			MimeType: stored.mime, Sha256: stored.sha256, Description: description, Categorie: categorie,
			UploadedBy: uploader, InterventionID: interventionID,
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return errInterventionNotFound // gone (or reassigned) while the file was arriving
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "document.uploaded",
			ResourceType: "document", ResourceID: fmt.Sprint(d.ID),
			Details: map[string]any{"intervention_id": interventionID, "filename": d.Filename, "taille": d.Taille, "sha256": d.Sha256}})
	})
	if err != nil {
		cleanup()
		return Document{}, err
	}
	return d, nil
}

func (s *Service) inTx(ctx context.Context, fn func(q *db.Queries, tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(db.New(tx), tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// readError classifies a failure to read the upload body.
func (s *Service) readError(err error) error {
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return err
	}
	return &ReadError{Err: err}
}

// textField reads a short form value; too long or not UTF-8 is a field error.
func textField(part *multipart.Part, name string, maxRunes int) (*string, []apperr.FieldError, error) {
	b, err := io.ReadAll(io.LimitReader(part, int64(maxRunes)*4+1))
	if err != nil {
		return nil, nil, err
	}
	if _, err := io.Copy(io.Discard, part); err != nil {
		return nil, nil, err
	}
	if !utf8.Valid(b) {
		return nil, []apperr.FieldError{{Field: name, Message: "texte UTF-8 invalide"}}, nil
	}
	v := strings.TrimSpace(string(b))
	if utf8.RuneCountInString(v) > maxRunes {
		return nil, []apperr.FieldError{{Field: name, Message: fmt.Sprintf("au plus %d caractères", maxRunes)}}, nil
	}
	if v == "" {
		return nil, nil, nil
	}
	return &v, nil, nil
}

// storedBlob is a file written to the bucket, not yet referenced by a row.
type storedBlob struct {
	key, keyID, filename, mime, sha256 string
	size                               int64
}

// limitReader fails with TooLargeError as soon as more than max bytes come through.
type limitReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return n, &TooLargeError{Limit: l.limit}
	}
	return n, err
}

// store streams one file into the bucket: name and type checks on the first bytes, then hash,
// size limit and encryption as the rest arrives. Nothing is left in the bucket on failure.
func (s *Service) store(ctx context.Context, src io.Reader, clientName string) (*storedBlob, error) {
	name := SanitizeFilename(clientName)
	if name == "" {
		return nil, errNoExtension
	}
	lr := &limitReader{r: src, limit: s.maxUpload}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lr, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, s.readError(err)
	}
	head = head[:n]
	if n == 0 {
		return nil, apperr.InvalidField("file", "le fichier est vide")
	}
	ft, err := detect(name, head)
	if err != nil {
		return nil, err
	}

	key := KeyPrefix + uuid.NewString()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{
		ContentType:    "application/octet-stream",
		BufferSize:     5 << 20, // S3 multipart part size: the most an upload holds in memory
		MaxConcurrency: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("open blob writer: %w", err)
	}
	abort := func() {
		cancel()      // a cancelled writer commits nothing
		_ = w.Close() // and removes its temporary file
	}
	enc, keyID, err := s.keys.encryptWriter(w, key)
	if err != nil {
		abort()
		return nil, err
	}
	h := sha256.New()
	buf := make([]byte, 32*1024)
	if _, err := io.CopyBuffer(io.MultiWriter(h, enc), io.MultiReader(bytes.NewReader(head), lr), buf); err != nil {
		abort()
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return nil, tl
		}
		if ctx.Err() != nil {
			return nil, &ReadError{Err: ctx.Err()}
		}
		return nil, s.readError(err)
	}
	if err := enc.Close(); err != nil {
		abort()
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	if err := w.Close(); err != nil {
		s.deleteBlobNow(ctx, key) // in case the store committed something
		return nil, fmt.Errorf("write blob: %w", err)
	}
	size := lr.n
	b := &storedBlob{key: key, keyID: keyID, filename: name, mime: ft.mime, sha256: hex.EncodeToString(h.Sum(nil)), size: size}
	if ft.container != nil {
		if err := s.checkContainer(ctx, b, ft); err != nil {
			s.deleteBlobNow(ctx, key)
			return nil, err
		}
	}
	return b, nil
}

// checkContainer opens a stored zip-based document (decrypting by ranges, without loading it)
// and checks the entries its format requires.
func (s *Service) checkContainer(ctx context.Context, b *storedBlob, ft fileType) error {
	ra, err := s.keys.decryptReaderAt(storage.NewReaderAt(ctx, s.bucket, b.key), b.keyID, b.key)
	if err != nil {
		return err
	}
	z, err := zip.NewReader(ra, b.size)
	if err != nil || !ft.container(z) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &UnsupportedTypeError{Detail: "Le contenu du fichier ne correspond pas à son extension " +
			extensionOf(b.filename) + " (archive incomplète ou d'un autre format)"}
	}
	return nil
}

// deleteBlobNow removes a blob that no row references (a failed upload), even when the request
// was cancelled; a failure leaves it to Sweep.
func (s *Service) deleteBlobNow(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.bucket.Delete(ctx, key); err != nil && !storage.IsNotFound(err) {
		s.log.WarnContext(ctx, "document blob not deleted; the sweeper will remove it", "key", key, "error", err)
	}
}

// Filter selects documents.
type Filter struct {
	InterventionID *int64
	Categorie, Q   *string
	Limit, Offset  int
}

// DefaultLimit is the page size when none is asked.
const DefaultLimit = 50

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
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	f.Limit = min(f.Limit, 500)
	f.Offset = max(f.Offset, 0)
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
		InterventionID: f.InterventionID, Categorie: cat, Q: q, Lim: int32(f.Limit), Off: int32(min(f.Offset, 1<<31-1)),
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
	if off < 0 || n < 0 || off+n > d.Taille {
		return nil, fmt.Errorf("documents: range [%d, %d) outside a file of %d bytes", off, off+n, d.Taille)
	}
	if n == 0 {
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	first := off / payloadSize
	last := (off + n - 1) / payloadSize
	encOff := first * packageSize
	encEnd := min((last+1)*packageSize, encryptedSize(d.Taille))
	rr, err := s.bucket.NewRangeReader(ctx, d.StorageKey, encOff, encEnd-encOff, nil)
	if err != nil {
		return nil, fmt.Errorf("open blob of document %d: %w", d.ID, err)
	}
	dec, err := s.keys.decryptReader(rr, d.KeyID, d.StorageKey, uint32(first))
	if err != nil {
		_ = rr.Close()
		return nil, err
	}
	if skip := off - first*payloadSize; skip > 0 {
		if _, err := io.CopyN(io.Discard, dec, skip); err != nil {
			_ = rr.Close()
			return nil, fmt.Errorf("decrypt document %d: %w", d.ID, err)
		}
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(dec, n), rr}, nil
}

// Delete removes a document: the row first (its blob is queued in the same statement), then the
// blob. A blob that cannot be deleted now stays queued for Sweep.
func (s *Service) Delete(ctx context.Context, actor auth.Principal, id int64) error {
	sc := access.For(actor)
	var key string
	err := s.inTx(ctx, func(_ *db.Queries, tx pgx.Tx) error {
		var err error
		key, err = sc.Queries(tx).DocumentDelete(ctx, db.DocumentDeleteParams{ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: actor.UserID, ActorRole: actor.Role, Action: "document.deleted",
			ResourceType: "document", ResourceID: fmt.Sprint(id)})
	})
	if err != nil {
		return err
	}
	s.removeQueued(context.WithoutCancel(ctx), key)
	return nil
}

// removeQueued deletes a blob queued in document_blob_sweep and then its queue entry; on failure
// the entry stays (with the error) for the next Sweep.
func (s *Service) removeQueued(ctx context.Context, key string) bool {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	q := db.New(s.pool)
	if err := s.bucket.Delete(ctx, key); err != nil && !storage.IsNotFound(err) {
		msg := err.Error()
		s.log.WarnContext(ctx, "document blob not deleted; queued for the sweeper", "key", key, "error", msg)
		if err := q.DocumentSweepFailed(ctx, db.DocumentSweepFailedParams{StorageKey: key, LastError: &msg}); err != nil {
			s.log.WarnContext(ctx, "record sweep failure", "key", key, "error", err)
		}
		return false
	}
	if err := q.DocumentSweepDone(ctx, key); err != nil {
		s.log.WarnContext(ctx, "clear sweep entry", "key", key, "error", err)
	}
	return true
}

// SweepResult counts what Sweep did.
type SweepResult struct {
	Queued  int // queued blobs deleted (deleted rows, rotated keys)
	Orphans int // unreferenced blobs deleted
	Failed  int // deletions that failed (retried next time)
}

// Sweep deletes the blobs queued by deletions and key rotations, then the blobs no row
// references that are older than orphanAge (OrphanAge in production: uploads in progress are
// younger). It is safe to run concurrently and on several replicas.
func (s *Service) Sweep(ctx context.Context, orphanAge time.Duration) (SweepResult, error) {
	var res SweepResult
	q := db.New(s.pool)
	now := time.Now()
	for {
		keys, err := q.DocumentSweepPending(ctx, db.DocumentSweepPendingParams{QueuedBefore: now, Lim: 200})
		if err != nil {
			return res, err
		}
		progress := false
		for _, k := range keys {
			if s.removeQueued(ctx, k) {
				res.Queued++
				progress = true
			} else {
				res.Failed++
			}
		}
		if len(keys) < 200 || !progress {
			break
		}
	}

	cutoff := now.Add(-orphanAge)
	it := s.bucket.List(&blob.ListOptions{Prefix: KeyPrefix})
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		referenced, err := q.DocumentKeysReferenced(ctx, batch)
		if err != nil {
			return err
		}
		keep := make(map[string]bool, len(referenced))
		for _, k := range referenced {
			keep[k] = true
		}
		for _, k := range batch {
			if keep[k] {
				continue
			}
			if err := s.bucket.Delete(ctx, k); err != nil && !storage.IsNotFound(err) {
				s.log.WarnContext(ctx, "orphan document blob not deleted", "key", k, "error", err)
				res.Failed++
				continue
			}
			res.Orphans++
		}
		batch = batch[:0]
		return nil
	}
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("list document blobs: %w", err)
		}
		if obj.IsDir || !obj.ModTime.Before(cutoff) {
			continue
		}
		batch = append(batch, obj.Key)
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

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
