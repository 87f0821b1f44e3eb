package documents

import (
	"context"
	"io"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The blob operations of the documents and reports each run in a span (children of the request's
// or the job's): documents.blob.put (a stored upload, or a generated report's file) and
// documents.blob.get (a read, until the reader is closed). gocloud.dev's own spans
// (gocloud.dev/blob.NewWriter...) are their children. With tracing off the spans are
// OpenTelemetry's no-op ones. The tracer is looked up at each span, so that it is the global
// provider of the moment.
func tracer() trace.Tracer { return otel.Tracer("github.com/mif-erp/erp/internal/documents") }

func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "blob operation failed")
	}
	span.End()
}

// store streams one file into the bucket (storeUntraced) in a span documents.blob.put.
func (s *Service) store(ctx context.Context, src io.Reader, clientName string) (*storedBlob, error) {
	ctx, span := tracer().Start(ctx, "documents.blob.put", trace.WithAttributes(attribute.String("documents.kind", "upload")))
	b, err := s.storeUntraced(ctx, src, clientName)
	if err == nil && span.IsRecording() {
		span.SetAttributes(attribute.Int64("documents.size", b.size), attribute.String("documents.mime", b.mime))
	}
	endSpan(span, err)
	return b, err
}

// Put encrypts content into a new blob under prefix (a generated report's file, in a span
// documents.blob.put). Nothing is left in the bucket on failure.
func (s *Service) Put(ctx context.Context, prefix string, content []byte) (Stored, error) {
	ctx, span := tracer().Start(ctx, "documents.blob.put", trace.WithAttributes(
		attribute.String("documents.kind", "generated"), attribute.Int64("documents.size", int64(len(content)))))
	st, err := s.putBlob(ctx, prefix, content)
	endSpan(span, err)
	return st, err
}

// openBlob is openBlobUntraced in a span documents.blob.get, ended when the reader is closed.
func (s *Service) openBlob(ctx context.Context, key, keyID string, size, off, n int64) (io.ReadCloser, error) {
	ctx, span := tracer().Start(ctx, "documents.blob.get", trace.WithAttributes(
		attribute.Int64("documents.offset", off), attribute.Int64("documents.length", n)))
	rc, err := s.openBlobUntraced(ctx, key, keyID, size, off, n)
	if err != nil || !span.IsRecording() {
		endSpan(span, err)
		return rc, err
	}
	return &spanReadCloser{ReadCloser: rc, span: span}, nil
}

// spanReadCloser ends its span when closed.
type spanReadCloser struct {
	io.ReadCloser
	span trace.Span
}

func (r *spanReadCloser) Close() error {
	err := r.ReadCloser.Close()
	endSpan(r.span, err)
	return err
}
