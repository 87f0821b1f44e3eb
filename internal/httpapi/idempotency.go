package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/idempotency"
	"github.com/mif-erp/erp/internal/platform"
)

// idempotentOperations are the creations that honour an Idempotency-Key header.
var idempotentOperations = map[string]bool{"createEquipement": true, "createIntervention": true,
	"createPiece": true, "createMouvementStock": true}

const (
	headerIdempotencyKey     = "Idempotency-Key"
	headerIdempotentReplayed = "Idempotent-Replayed"

	// idempotencyStoreTimeout bounds the writes done after the handler, which do not depend on the
	// client still being connected.
	idempotencyStoreTimeout = 5 * time.Second
	// idempotencyRetryEvery is how often such a write is tried again while the database is
	// unreachable.
	idempotencyRetryEvery = time.Second
)

// replayedHeaders are the response headers stored with an answer and replayed with it.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "ETag"}

var (
	errIdempotencyKeyReused = apperr.Invalid("La clé d'idempotence a déjà servi pour une autre requête",
		apperr.FieldError{Field: headerIdempotencyKey, Message: "déjà utilisée avec un autre corps de requête"})
	errIdempotencyInProgress = apperr.Conflict("Une requête avec cette clé d'idempotence est encore en cours de traitement")
)

// idempotent makes the operations in ops safe to retry. A request carrying an Idempotency-Key
// claims the key (per user and operation) with the hash of its method, path and body, runs, and
// stores its answer; a retry with the same key and body gets the stored answer again (with
// Idempotent-Replayed: true) instead of running twice. The same key with another body answers
// 422, and a retry while the first request still runs 409. A 5xx answer is not stored: its claim
// is released so that a retry runs again (as soon as the database is back, after an outage's
// 503). It runs after the gate, which authenticated the caller and named the operation. The keys
// and answers are kept by store.
func idempotent(store *idempotency.Store, log *slog.Logger, ops map[string]bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			op, _ := c.Get(ctxOperationID).(string)
			key := c.Request().Header.Get(headerIdempotencyKey)
			if !ops[op] || key == "" {
				return next(c)
			}
			p, ok := auth.PrincipalFrom(c.Request().Context())
			if !ok || p.UserID == 0 {
				return next(c)
			}
			req := c.Request()
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return fmt.Errorf("idempotency: read body: %w", err)
			}
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))

			k := idempotency.Key{UserID: p.UserID, Operation: op, Key: key}
			claim, stored, err := store.Begin(req.Context(), k, requestHash(req, body))
			switch {
			case errors.Is(err, idempotency.ErrKeyReused):
				return errIdempotencyKeyReused
			case errors.Is(err, idempotency.ErrInProgress):
				return errIdempotencyInProgress
			case err != nil:
				return err
			case stored != nil:
				return replay(c, stored)
			}
			// The claim counts as abandoned after idempotency.Abandoned: the request must be over
			// by then, or a retry could run beside it.
			ctx, cancel := context.WithTimeout(req.Context(), idempotency.MaxRun)
			defer cancel()
			c.SetRequest(req.WithContext(ctx))
			return idempotencyRun{store: store, log: log, op: op, claim: claim}.serve(c, next)
		}
	}
}

// idempotencyRun is the request that claimed a key.
type idempotencyRun struct {
	store *idempotency.Store
	log   *slog.Logger
	op    string
	claim idempotency.Claim
}

// serve runs the request and stores its answer (or releases the claim).
func (r idempotencyRun) serve(c echo.Context, next echo.HandlerFunc) (err error) {
	res := c.Response()
	rec := &recordingWriter{ResponseWriter: res.Writer}
	res.Writer = rec
	completed := false
	defer func() {
		res.Writer = rec.ResponseWriter
		if !completed {
			// A panic: forget the claim so a retry runs, and let Recover answer 500.
			r.release(c.Request().Context())
		}
	}()
	if herr := next(c); herr != nil {
		c.Error(herr) // write the answer now, so that it can be stored
	}
	completed = true
	ctx := c.Request().Context()
	if !res.Committed || res.Status >= http.StatusInternalServerError {
		r.release(ctx)
		return nil
	}
	headers := map[string]string{}
	for _, h := range replayedHeaders {
		if v := res.Header().Get(h); v != "" {
			headers[h] = v
		}
	}
	answer := idempotency.Answer{Status: res.Status, Headers: headers, Body: rec.body.Bytes()}
	r.settle(ctx, "store answer", func(ctx context.Context) error { return r.store.Complete(ctx, r.claim, answer) })
	return nil
}

func (r idempotencyRun) release(ctx context.Context) {
	r.settle(ctx, "release key", func(ctx context.Context) error { return r.store.Release(ctx, r.claim) })
}

// settle runs write, which stores the claim's answer or releases the claim. While the database
// cannot be reached, it tries again in the background for as long as the claim holds
// (idempotency.Abandoned): an answer the database lost with its connection (after the
// creation's commit, before the answer was stored) would otherwise not be replayed, and a retry
// would run the creation a second time once the claim counted as abandoned; and a key the
// outage kept from being released would keep answering 409 for the whole lease after the
// database came back. The writes are fenced by the claim, so a late one changes nothing.
func (r idempotencyRun) settle(ctx context.Context, what string, write func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	try := func() error {
		sctx, cancel := context.WithTimeout(ctx, idempotencyStoreTimeout)
		defer cancel()
		return write(sctx)
	}
	err := try()
	if err == nil {
		return
	}
	if !platform.Unreachable(err) {
		r.log.ErrorContext(ctx, "idempotency: "+what+" failed", "operation", r.op, "error", err)
		return
	}
	r.log.WarnContext(ctx, "idempotency: database unreachable, "+what+" retried in the background", "operation", r.op, "error", err)
	until := time.Now().Add(idempotency.Abandoned)
	go func() {
		for time.Now().Before(until) {
			time.Sleep(idempotencyRetryEvery)
			switch err := try(); {
			case err == nil:
				return
			case !platform.Unreachable(err):
				r.log.ErrorContext(ctx, "idempotency: "+what+" failed", "operation", r.op, "error", err)
				return
			}
		}
		r.log.ErrorContext(ctx, "idempotency: "+what+" failed: database unreachable for the whole lease of the key", "operation", r.op)
	}()
}

// replay writes a stored answer again.
func replay(c echo.Context, stored *idempotency.Answer) error {
	h := c.Response().Header()
	for k, v := range stored.Headers {
		h.Set(k, v)
	}
	h.Set(headerIdempotentReplayed, "true")
	c.Response().WriteHeader(stored.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(stored.Body)
	}
	return nil
}

// requestHash identifies a request: SHA-256 of its method, path, query and body. A JSON body is
// hashed in a canonical form, so that key order and white space do not make a retry "different".
func requestHash(req *http.Request, body []byte) []byte {
	h := sha256.New()
	_, _ = io.WriteString(h, req.Method+"\n"+req.URL.Path+"?"+req.URL.RawQuery+"\n")
	if strings.Contains(strings.ToLower(req.Header.Get(echo.HeaderContentType)), "json") {
		if canon, ok := canonicalJSON(body); ok {
			body = canon
		}
	}
	_, _ = h.Write(body)
	return h.Sum(nil)
}

// canonicalJSON re-encodes one JSON value with sorted object keys and numbers kept as written.
func canonicalJSON(b []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return out, true
}

// recordingWriter passes an answer through and keeps a copy of its body.
type recordingWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
