package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/testenv"
)

// heapPeak samples the heap in use every few milliseconds until stopped, and returns the
// highest value seen.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// TestDocument100MBStreamsWithBoundedMemory uploads and downloads 100 MB generated on the fly
// (never held in memory by the test either) and checks that the process heap stays far below
// the file size. It does not run in parallel, so the heap it measures is this transfer's.
func TestDocument100MBStreamsWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the 100 MB upload and download (make test and .ci/run run it without -short)")
	}
	const size = 100 << 20
	const maxHeapGrowth = 40 << 20
	f := newDocFixture(t, testenv.Options{"MAX_UPLOAD_MB": "128"})
	iv := f.sharedIv()
	client, err := api.NewClientWithResponses(f.env.URL, api.WithHTTPClient(newStreamClient(t)))
	if err != nil {
		t.Fatal(err)
	}

	// The body: a multipart form whose file is "%PDF-1.7\n" and pseudo-random bytes, hashed as
	// it is generated.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	sent := sha256.New()
	go func() {
		part, err := mw.CreateFormFile("file", "gros-plan.pdf")
		if err == nil {
			src := io.MultiReader(strings.NewReader("%PDF-1.7\n"),
				io.LimitReader(rand.NewChaCha8([32]byte{7}), size-9))
			_, err = io.Copy(io.MultiWriter(part, sent), src)
		}
		if err == nil {
			err = mw.Close()
		}
		_ = pw.CloseWithError(err)
	}()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapPeak()
	start := time.Now()
	up, err := client.UploadInterventionDocumentWithBodyWithResponse(t.Context(), iv, mw.FormDataContentType(), pr, testenv.As(f.admin))
	if err != nil {
		stop()
		t.Fatal(err)
	}
	if up.JSON201 == nil {
		stop()
		t.Fatalf("upload: %d %s", up.StatusCode(), up.Body)
	}
	uploaded := time.Since(start)
	d := *up.JSON201
	resp, err := client.DownloadDocument(t.Context(), d.Id, nil, testenv.As(f.admin))
	if err != nil {
		stop()
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, resp.Body)
	_ = resp.Body.Close()
	peak := stop()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d %v", resp.StatusCode, err)
	}
	growth := int64(peak) - int64(before.HeapInuse)
	t.Logf("100 MB: upload %s, download %s; heap in use %d MiB before, peak %d MiB (+%d MiB); %d MiB allocated in all",
		uploaded.Round(time.Millisecond), (time.Since(start) - uploaded).Round(time.Millisecond),
		before.HeapInuse>>20, peak>>20, growth>>20, (after.TotalAlloc-before.TotalAlloc)>>20)

	want := hex.EncodeToString(sent.Sum(nil))
	if d.Taille != size || d.Sha256 != want || n != size || hex.EncodeToString(got.Sum(nil)) != want {
		t.Errorf("upload %d bytes sha %s, download %d bytes sha %x; want %d bytes sha %s", d.Taille, d.Sha256, n, got.Sum(nil), size, want)
	}
	if resp.Header.Get("Content-Length") != fmt.Sprint(size) {
		t.Errorf("Content-Length %q", resp.Header.Get("Content-Length"))
	}
	if growth > maxHeapGrowth {
		t.Errorf("the heap grew by %d MiB during a 100 MiB transfer: the file is buffered somewhere", growth>>20)
	}
	files := f.blobFiles()
	if len(files) != 1 {
		t.Fatalf("blob files %v", files)
	}
	if st, err := os.Stat(files[0]); err != nil || st.Size() <= size {
		t.Errorf("stored blob: %v %v", st, err)
	}
}

func TestDocumentKilledUploadLeavesNoRowAndNoBlob(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv := f.sharedIv()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	written := make(chan struct{})
	go func() {
		part, _ := mw.CreateFormFile("file", "coupure.pdf")
		_, _ = part.Write(pdfContent(300_000)) // several packages reach the bucket's temporary file
		close(written)
		<-ctx.Done() // the client dies mid-upload
		_ = pw.CloseWithError(ctx.Err())
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.env.URL+fmt.Sprintf("/interventions/%d/documents", iv), pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+f.admin)
	errc := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{}).Do(req)
		if err == nil {
			_ = resp.Body.Close()
			err = fmt.Errorf("the upload answered %d", resp.StatusCode)
		}
		errc <- err
	}()
	<-written
	waitFor(t, "the upload to reach the bucket", func() bool { return len(f.blobFiles()) > 0 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client: %v", err)
	}
	waitFor(t, "the server to finish the killed upload", func() bool {
		return strings.Contains(f.env.Logs.String(), `"operation":"uploadInterventionDocument"`)
	})
	waitFor(t, "the temporary blob to go", func() bool { return len(f.blobFiles()) == 0 })
	if n := f.count("SELECT count(*) FROM documents"); n != 0 {
		t.Errorf("%d rows after a killed upload", n)
	}
	if strings.Contains(f.env.Logs.String(), `"status":500`) {
		t.Errorf("a killed upload is logged as a server error:\n%s", f.env.Logs.String())
	}
}

// docService builds a documents service on the fixture's database and bucket with other keys,
// as `erp documents` does.
func (f *docFixture) docService(keys ...[]byte) *documents.Service {
	f.t.Helper()
	cfg := f.env.Config
	cfg.DocumentKeys = keys
	s, err := app.Documents(f.t.Context(), cfg, f.env.Pool, slog.New(slog.DiscardHandler))
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// serverWith starts another server on the fixture's database and bucket with other keys, and
// returns a download function through the contract-validating client.
func (f *docFixture) serverWith(keys ...[]byte) func(d api.Document) (int, string) {
	f.t.Helper()
	cfg := f.env.Config
	cfg.DocumentKeys = keys
	h, err := app.Handler(cfg, f.env.Pool, nil, slog.New(slog.DiscardHandler), "test", time.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	f.t.Cleanup(ts.Close)
	hc := testenv.NewContractClient(f.t)
	return func(d api.Document) (int, string) {
		f.t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+d.Path, nil)
		req.Header.Set("Authorization", "Bearer "+f.admin)
		resp, err := hc.Do(req)
		if err != nil {
			f.t.Fatal(err)
		}
		defer resp.Body.Close()
		h := sha256.New()
		_, _ = io.Copy(h, resp.Body)
		return resp.StatusCode, hex.EncodeToString(h.Sum(nil))
	}
}

func TestDocumentKeyRotation(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil) // encrypts with docKey1
	iv := f.sharedIv()
	old := f.mustUpload(f.admin, iv, "ancien.pdf", pdfContent(150_000), nil)
	oldBlob := f.blobPath(old.Id)

	// A new first key: old files stay readable, new ones use the new key.
	rotated := f.serverWith(docKey2, docKey1)
	if st, sum := rotated(old); st != 200 || sum != old.Sha256 {
		t.Fatalf("old document under the new ring: %d %s", st, sum)
	}
	newSvc := f.docService(docKey2, docKey1)
	ct, body := multipartFile("file", "nouveau.txt", []byte("nouveau\n"), nil)
	mr, err := multipartReader(ct, body)
	if err != nil {
		t.Fatal(err)
	}
	adminP := f.principal("admin")
	nd, err := newSvc.Upload(t.Context(), adminP, iv, mr)
	if err != nil {
		t.Fatal(err)
	}
	var keyIDs []string
	rows, err := f.env.Pool.Query(t.Context(), "SELECT key_id FROM documents ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		keyIDs = append(keyIDs, k)
	}
	rows.Close()
	if len(keyIDs) != 2 || keyIDs[0] != documents.KeyID(docKey1) || keyIDs[1] != documents.KeyID(docKey2) {
		t.Errorf("key ids %v, want [%s %s]", keyIDs, documents.KeyID(docKey1), documents.KeyID(docKey2))
	}
	// Without the old key, the old document cannot be read (503), the new one can.
	onlyNew := f.serverWith(docKey2)
	if st, _ := onlyNew(old); st != http.StatusServiceUnavailable {
		t.Errorf("old document without its key: %d", st)
	}

	// rotate-keys re-encrypts it with the first key; then the old key can go.
	res, err := newSvc.RotateKeys(t.Context())
	if err != nil || res.Rotated != 1 || res.Failed != 0 {
		t.Fatalf("rotate: %+v %v", res, err)
	}
	if res, err := newSvc.RotateKeys(t.Context()); err != nil || res.Rotated != 0 {
		t.Errorf("second rotation: %+v %v", res, err)
	}
	if st, sum := onlyNew(old); st != 200 || sum != old.Sha256 {
		t.Errorf("rotated document with the new key only: %d %s", st, sum)
	}
	newDoc := api.Document{Path: docPath(nd.ID, "/download")}
	if st, sum := onlyNew(newDoc); st != 200 || sum != nd.Sha256 {
		t.Errorf("new document: %d %s", st, sum)
	}
	if _, err := os.Stat(oldBlob); !os.IsNotExist(err) {
		t.Errorf("the old blob is still there: %v", err)
	}
	if n := len(f.blobFiles()); n != 2 {
		t.Errorf("%d blobs, want 2", n)
	}
	if n := f.count("SELECT count(*) FROM document_blob_sweep"); n != 0 {
		t.Errorf("%d blobs queued", n)
	}
}

func TestDocumentSweeperAndFailedBlobDeletion(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv := f.sharedIv()
	keep := f.mustUpload(f.admin, iv, "garde.txt", []byte("à garder\n"), nil)
	gone := f.mustUpload(f.admin, iv, "supprime.txt", []byte("à supprimer\n"), nil)
	svc := f.docService(docKey1)

	// A blob whose deletion fails: the row still goes, the blob is queued with the error.
	blob := f.blobPath(gone.Id)
	if err := os.Remove(blob); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(blob, "bloque"), 0o700); err != nil { // a non-empty directory cannot be removed
		t.Fatal(err)
	}
	resp, b := f.do(http.MethodDelete, docPath(gone.Id, ""), f.admin, "", nil, false)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	if n := f.count("SELECT count(*) FROM documents WHERE id = $1", gone.Id); n != 0 {
		t.Errorf("the row survived")
	}
	if n := f.count("SELECT count(*) FROM document_blob_sweep WHERE attempts = 1 AND last_error IS NOT NULL"); n != 1 {
		t.Errorf("%d failed deletions queued, want 1", n)
	}
	res, err := svc.Sweep(t.Context(), documents.OrphanAge)
	if err != nil || res.Failed != 1 || res.Queued != 0 {
		t.Errorf("sweep while still failing: %+v %v", res, err)
	}
	if err := os.RemoveAll(blob); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, []byte("ciphertext"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Orphans (a crash between the blob and its row): swept once older than an hour.
	oldOrphan := filepath.Join(f.dir, "documents", "orphelin-ancien")
	youngOrphan := filepath.Join(f.dir, "documents", "orphelin-recent")
	for _, p := range []string{oldOrphan, youngOrphan} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	twoHoursAgo := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{oldOrphan, f.blobPath(keep.Id)} {
		if err := os.Chtimes(p, twoHoursAgo, twoHoursAgo); err != nil {
			t.Fatal(err)
		}
	}
	res, err = svc.Sweep(t.Context(), documents.OrphanAge)
	if err != nil || res.Queued != 1 || res.Orphans != 1 || res.Failed != 0 {
		t.Errorf("sweep: %+v %v", res, err)
	}
	for p, want := range map[string]bool{blob: false, oldOrphan: false, youngOrphan: true, f.blobPath(keep.Id): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists=%v, want %v", p, err == nil, want)
		}
	}
	if n := f.count("SELECT count(*) FROM document_blob_sweep"); n != 0 {
		t.Errorf("%d still queued", n)
	}
	if _, b := f.fetch(keep.Path, f.admin, nil); string(b) != "à garder\n" {
		t.Errorf("kept document: %q", b)
	}
	// Deleting the intervention's rows by cascade queues their blobs too.
	f.exec("DELETE FROM intervention_historique WHERE intervention_id = $1", iv)
	f.exec("DELETE FROM interventions WHERE id = $1", iv)
	if n := f.count("SELECT count(*) FROM document_blob_sweep"); n != 1 {
		t.Errorf("%d queued after the cascade, want 1", n)
	}
	if res, err = svc.Sweep(t.Context(), documents.OrphanAge); err != nil || res.Queued != 1 {
		t.Errorf("sweep after cascade: %+v %v", res, err)
	}
}

// multipartReader reads a multipart body as the server's handlers get it.
func multipartReader(contentType string, body io.Reader) (*multipart.Reader, error) {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, err
	}
	return multipart.NewReader(body, params["boundary"]), nil
}

// principal is a demo account as the services see it.
func (f *docFixture) principal(role string) auth.Principal {
	f.t.Helper()
	return auth.Principal{UserID: f.id("SELECT id FROM users WHERE username = $1", role), Role: role}
}
