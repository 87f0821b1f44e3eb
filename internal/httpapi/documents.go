package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/documents"
)

// uploadRoutes are the "METHOD /echo/:path" of the operations whose body is streamed (file
// uploads): the 1 MiB body limit does not apply to them, MAX_UPLOAD_MB does.
func uploadRoutes(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if !streamsBody(op) {
				continue
			}
			parts := strings.Split(path, "/")
			for i, p := range parts {
				if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
					parts[i] = ":" + p[1:len(p)-1]
				}
			}
			out[method+" "+strings.Join(parts, "/")] = true
		}
	}
	return out
}

// uploadBodyLimit is the whole body allowed around a file of max bytes: the other form fields
// and the multipart framing fit in the extra MiB. The file itself is held to max while it streams.
func uploadBodyLimit(max int64) int64 { return max + 1<<20 }

type requestKey struct{}

// withRequest keeps the HTTP request in its context, for the few handlers that read headers the
// contract does not declare as parameters (If-None-Match, If-Range on downloads).
func withRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), requestKey{}, r)))
		return next(c)
	}
}

func requestHeader(ctx context.Context, name string) string {
	if r, ok := ctx.Value(requestKey{}).(*http.Request); ok {
		return r.Header.Get(name)
	}
	return ""
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// ListDocuments is GET /documents.
func (s *Server) ListDocuments(ctx context.Context, req api.ListDocumentsRequestObject) (api.ListDocumentsResponseObject, error) {
	p := req.Params
	page, err := s.documentPage(s.deps.Documents.List(ctx, principal(ctx), documents.Filter{
		InterventionID: p.InterventionId, Categorie: p.Categorie, Q: p.Q,
		Limit: intOr(p.Limit, documents.DefaultLimit), Offset: intOr(p.Offset, 0),
	}))
	if err != nil {
		return nil, err
	}
	return api.ListDocuments200JSONResponse{DocumentPageJSONResponse: page}, nil
}

// ListInterventionDocuments is GET /interventions/{intervention_id}/documents.
func (s *Server) ListInterventionDocuments(ctx context.Context, req api.ListInterventionDocumentsRequestObject) (api.ListInterventionDocumentsResponseObject, error) {
	p := req.Params
	page, err := s.documentPage(s.deps.Documents.ListForIntervention(ctx, principal(ctx), req.InterventionId,
		intOr(p.Limit, documents.DefaultLimit), intOr(p.Offset, 0)))
	if err != nil {
		return nil, err
	}
	return api.ListInterventionDocuments200JSONResponse{DocumentPageJSONResponse: page}, nil
}

// ListDocumentsByIntervention is the deprecated GET /documents/intervention/{intervention_id}.
func (s *Server) ListDocumentsByIntervention(ctx context.Context, req api.ListDocumentsByInterventionRequestObject) (api.ListDocumentsByInterventionResponseObject, error) {
	p := req.Params
	page, err := s.documentPage(s.deps.Documents.ListForIntervention(ctx, principal(ctx), req.InterventionId,
		intOr(p.Limit, documents.DefaultLimit), intOr(p.Offset, 0)))
	if err != nil {
		return nil, err
	}
	return api.ListDocumentsByIntervention200JSONResponse{DocumentPageJSONResponse: page}, nil
}

// upload stores the streamed form on the intervention and shapes the 201 answer.
func (s *Server) upload(ctx context.Context, interventionID int64, form *multipart.Reader) (api.DocumentCreatedJSONResponse, error) {
	d, err := s.deps.Documents.Upload(ctx, principal(ctx), interventionID, form)
	if err != nil {
		return api.DocumentCreatedJSONResponse{}, documentError(err, s.deps.Documents.MaxUpload())
	}
	loc := APIPrefix + "/documents/" + strconv.FormatInt(d.ID, 10)
	return api.DocumentCreatedJSONResponse{Body: s.toAPIDocument(d), Headers: api.DocumentCreatedResponseHeaders{Location: &loc}}, nil
}

// documentError maps the documents package's upload errors to 413, 415 and 400.
func documentError(err error, maxUpload int64) error {
	var tooLarge *documents.TooLargeError
	var unsupported *documents.UnsupportedTypeError
	var readErr *documents.ReadError
	var maxBytes *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return newProblem(http.StatusRequestEntityTooLarge, tooLarge.Error())
	case errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &maxBytes):
		return newProblem(http.StatusRequestEntityTooLarge, (&documents.TooLargeError{Limit: maxUpload}).Error())
	case errors.As(err, &unsupported):
		return newProblem(http.StatusUnsupportedMediaType, unsupported.Detail)
	case errors.As(err, &readErr):
		return newProblem(http.StatusBadRequest, "Corps multipart illisible ou interrompu")
	}
	return err
}

// keyMissingProblem is the 503 of a stored file (a document, a generated report) whose
// encryption key is not in DOCUMENT_KEYS, nil for any other error: only an administrator can
// fix it (by listing the key again), so there is no Retry-After. The key id is a fingerprint,
// not the key.
func keyMissingProblem(err error) *problem {
	var missing *documents.KeyMissingError
	if !errors.As(err, &missing) {
		return nil
	}
	return newProblem(http.StatusServiceUnavailable, fmt.Sprintf("Fichier momentanément illisible : il a été chiffré "+
		"avec la clé %s, qui n'est pas configurée sur ce serveur (DOCUMENT_KEYS). "+
		"Un administrateur doit rétablir cette clé.", missing.KeyID))
}

// UploadInterventionDocument is POST /interventions/{intervention_id}/documents.
func (s *Server) UploadInterventionDocument(ctx context.Context, req api.UploadInterventionDocumentRequestObject) (api.UploadInterventionDocumentResponseObject, error) {
	r, err := s.upload(ctx, req.InterventionId, req.Body)
	if err != nil {
		return nil, err
	}
	return api.UploadInterventionDocument201JSONResponse{DocumentCreatedJSONResponse: r}, nil
}

// UploadDocument is the original's POST /documents?intervention_id=.
func (s *Server) UploadDocument(ctx context.Context, req api.UploadDocumentRequestObject) (api.UploadDocumentResponseObject, error) {
	r, err := s.upload(ctx, req.Params.InterventionId, req.Body)
	if err != nil {
		return nil, err
	}
	return api.UploadDocument201JSONResponse{DocumentCreatedJSONResponse: r}, nil
}

// UploadDocumentAlias is the original's POST /documents/upload?intervention_id=.
func (s *Server) UploadDocumentAlias(ctx context.Context, req api.UploadDocumentAliasRequestObject) (api.UploadDocumentAliasResponseObject, error) {
	r, err := s.upload(ctx, req.Params.InterventionId, req.Body)
	if err != nil {
		return nil, err
	}
	return api.UploadDocumentAlias201JSONResponse{DocumentCreatedJSONResponse: r}, nil
}

// GetDocument is GET /documents/{document_id}.
func (s *Server) GetDocument(ctx context.Context, req api.GetDocumentRequestObject) (api.GetDocumentResponseObject, error) {
	d, err := s.deps.Documents.Get(ctx, principal(ctx), req.DocumentId)
	if err != nil {
		return nil, err
	}
	return api.GetDocument200JSONResponse(s.toAPIDocument(d)), nil
}

// DeleteDocument is DELETE /documents/{document_id}.
func (s *Server) DeleteDocument(ctx context.Context, req api.DeleteDocumentRequestObject) (api.DeleteDocumentResponseObject, error) {
	if err := s.deps.Documents.Delete(ctx, principal(ctx), req.DocumentId); err != nil {
		return nil, err
	}
	return api.DeleteDocument204Response{}, nil
}

// DownloadDocument is GET /documents/{document_id}/download: with a bearer token of a caller
// who may read the intervention, or with the signed URL's expires and signature.
func (s *Server) DownloadDocument(ctx context.Context, req api.DownloadDocumentRequestObject) (api.DownloadDocumentResponseObject, error) {
	var d documents.Document
	var err error
	p := req.Params
	if caller, ok := auth.PrincipalFrom(ctx); ok {
		d, err = s.deps.Documents.Get(ctx, caller, req.DocumentId)
	} else {
		if p.Expires == nil || p.Signature == nil {
			return nil, apperr.Unauthorized("Not authenticated")
		}
		d, err = s.deps.Documents.GetSigned(ctx, req.DocumentId, *p.Expires, *p.Signature)
	}
	if err != nil {
		return nil, err
	}

	etag := `"` + d.Sha256 + `"`
	if inm := requestHeader(ctx, "If-None-Match"); inm != "" && etagListHas(inm, etag) {
		return notModified{etag: etag}, nil
	}
	disposition := "attachment"
	if documents.Inline(d.MimeType) {
		disposition = "inline"
	}
	disposition = mime.FormatMediaType(disposition, map[string]string{"filename": d.Filename})

	start, length, status := int64(0), d.Taille, http.StatusOK
	if p.Range != nil && (requestHeader(ctx, "If-Range") == "" || requestHeader(ctx, "If-Range") == etag) {
		switch from, n, ok, satisfiable := parseRange(*p.Range, d.Taille); {
		case !ok: // not a single byte range: ignored, the whole file is sent (RFC 9110 14.2)
		case !satisfiable:
			return rangeNotSatisfiable{size: d.Taille, etag: etag}, nil
		default:
			start, length, status = from, n, http.StatusPartialContent
		}
	}
	body, err := s.deps.Documents.Open(ctx, d, start, length)
	if err != nil {
		return nil, err
	}
	return download{
		status: status, body: body, length: length, start: start, size: d.Taille,
		etag: etag, disposition: disposition, mimeType: d.MimeType,
	}, nil
}

// download streams a document (200) or one range of it (206).
type download struct {
	status                      int
	body                        io.ReadCloser
	start, length, size         int64
	etag, disposition, mimeType string
}

func (d download) VisitDownloadDocumentResponse(w http.ResponseWriter) error {
	defer d.body.Close()
	// A large file on a slow link outlives the server's WriteTimeout: this response sets its own.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(downloadWriteTimeout(d.length)))
	h := w.Header()
	h.Set("Content-Type", d.mimeType) // from the allow-list, checked on upload; nosniff is set
	h.Set("Content-Length", strconv.FormatInt(d.length, 10))
	h.Set("Content-Disposition", d.disposition)
	h.Set("ETag", d.etag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Cache-Control", "private, no-store")
	if d.status == http.StatusPartialContent {
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", d.start, d.start+d.length-1, d.size))
	}
	w.WriteHeader(d.status)
	_, err := io.Copy(w, d.body)
	return err
}

// notModified is the 304 answer to a matching If-None-Match.
type notModified struct{ etag string }

func (n notModified) VisitDownloadDocumentResponse(w http.ResponseWriter) error {
	w.Header().Set("ETag", n.etag)
	w.WriteHeader(http.StatusNotModified)
	return nil
}

// rangeNotSatisfiable is the 416 answer to a range outside the file.
type rangeNotSatisfiable struct {
	size int64
	etag string
}

func (r rangeNotSatisfiable) VisitDownloadDocumentResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(r.size, 10))
	w.Header().Set("ETag", r.etag)
	detail := fmt.Sprintf("Plage non satisfaisable : le fichier fait %d octets", r.size)
	return api.DownloadDocument416ApplicationProblemPlusJSONResponse(api.Problem{
		Type: "about:blank", Title: http.StatusText(http.StatusRequestedRangeNotSatisfiable),
		Status: http.StatusRequestedRangeNotSatisfiable, Detail: &detail,
	}).VisitDownloadDocumentResponse(w)
}

// parseRange reads a Range header: ok when it is one byte range ("bytes=a-b", "bytes=a-",
// "bytes=-n"), satisfiable when it overlaps the file; from and n are then the bytes to send.
func parseRange(h string, size int64) (from, n int64, ok, satisfiable bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, false
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return v, err == nil
	}
	if a == "" { // suffix: the last n bytes
		last, okB := num(b)
		if !okB {
			return 0, 0, false, false
		}
		if last == 0 || size == 0 {
			return 0, 0, true, false
		}
		last = min(last, size)
		return size - last, last, true, true
	}
	first, okA := num(a)
	if !okA {
		return 0, 0, false, false
	}
	end := size - 1
	if b != "" {
		e, okB := num(b)
		if !okB || e < first {
			return 0, 0, false, false
		}
		end = min(e, size-1)
	}
	if first >= size {
		return 0, 0, true, false
	}
	return first, end - first + 1, true, true
}

// etagListHas reports whether an If-None-Match value matches etag (weak comparison, or *).
func etagListHas(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// downloadWriteTimeout allows a download at least 1 MiB/s plus a minute.
func downloadWriteTimeout(n int64) time.Duration {
	return time.Minute + time.Duration(n/(1<<20))*time.Second
}
