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
	"mime/multipart"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gocloud.dev/blob"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/internal/access"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/audit"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/storage"
	"github.com/mif-erp/erp/internal/text"
)

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
	if msg := text.Unstorable(string(b)); msg != "" { // invalid UTF-8 or a NUL, which PostgreSQL refuses
		return nil, []apperr.FieldError{{Field: name, Message: msg}}, nil
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
func (s *Service) storeUntraced(ctx context.Context, src io.Reader, clientName string) (*storedBlob, error) {
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
