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
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gocloud.dev/blob"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
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

// deleteBlobNow removes a blob that no row references (a failed upload), even when the request
// was cancelled; a failure leaves it to Sweep.
func (s *Service) deleteBlobNow(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.bucket.Delete(ctx, key); err != nil && !storage.IsNotFound(err) {
		s.log.WarnContext(ctx, "document blob not deleted; the sweeper will remove it", "key", key, "error", err)
	}
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
