package mif

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	api "github.com/mif-erp/erp/gen/api"
)

// IfMatch sends If-Match: the ETag read with the resource (ETag(resp), e.g. `"3"`). An update
// of a resource changed since answers a *Problem with Status 412 (http.StatusPreconditionFailed)
// and changes nothing: read it again and retry. It is the same as the IfMatch field of the
// generated ...Params.
func IfMatch(etag string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("If-Match", etag)
		return nil
	}
}

// IdempotencyKey sends Idempotency-Key: the server stores the first answer to a creation for
// 24 hours and replays it (Replayed(resp) is true) to a retry with the same key and body, so a
// creation retried after a network error happens once. The same key with another body answers
// 422, and 409 while the first request is still running. It is the same as the IdempotencyKey
// field of the generated ...Params.
func IdempotencyKey(key string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Idempotency-Key", key)
		return nil
	}
}

// NewIdempotencyKey returns a new random key (a UUID) for IdempotencyKey: make one per
// logical operation and reuse it for its retries.
func NewIdempotencyKey() string { return uuid.NewString() }

// ETag returns the version of the resource in an answer, to send back with IfMatch.
func ETag(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	return resp.Header.Get("ETag")
}

// Replayed reports whether an answer is the stored one of an earlier request with the same
// Idempotency-Key (header Idempotent-Replayed: true).
func Replayed(resp *http.Response) bool {
	return resp != nil && resp.Header.Get("Idempotent-Replayed") == "true"
}
