package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestDownloadWithoutItsKeyAnswers503 restarts the server on the same database and store with
// another DOCUMENT_KEYS (the keys of a development server used to be lost at each restart): the
// files stored under the old key answer a French 503 problem naming the missing key id (with a
// token, a signed link or a range), and are logged as server errors; their metadata stays
// readable, and the server holding the key still serves them.
func TestDownloadWithoutItsKeyAnswers503(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil) // encrypts with docKey1
	iv := f.sharedIv()
	content := pdfContent(100_000)
	d := f.mustUpload(f.admin, iv, "plan.pdf", content, nil)
	asked, err := f.env.Client.CreateRapportWithResponse(t.Context(),
		api.RapportCreate{Type: api.RapportTypeDashboard, Format: api.RapportFormatJson}, testenv.As(f.admin))
	if err != nil || asked.JSON202 == nil {
		t.Fatalf("ask a report: %v", err)
	}
	if n := runReports(t, f.env); n != 1 {
		t.Fatalf("%d reports made, want 1", n)
	}
	reportPath := fmt.Sprintf("/api/v1/rapports/%d/fichier", asked.JSON202.Id)

	restarted := f.env.SecondInstance(testenv.Options{
		"STORAGE_URL": "file://" + filepath.ToSlash(f.dir), "DOCUMENT_KEYS": b64(docKey2)})
	wantDetail := "Fichier momentanément illisible : il a été chiffré avec la clé " + documents.KeyID(docKey1) +
		", qui n'est pas configurée sur ce serveur (DOCUMENT_KEYS). Un administrateur doit rétablir cette clé."
	for _, c := range []struct {
		name, path, token string
		headers           map[string]string
	}{
		{"bearer", docPath(d.Id, "/download"), f.admin, nil},
		{"signed link", d.Path, "", nil},
		{"range", docPath(d.Id, "/download"), f.admin, map[string]string{"Range": "bytes=70000-70099"}},
		{"report", reportPath, f.admin, nil},
	} {
		req, err := http.NewRequest(http.MethodGet, restarted.Root+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		resp, err := restarted.HTTP.Do(req) // validated against the contract
		if err != nil {
			t.Fatal(err)
		}
		p := decodeInto[api.Problem](t, readAll(t, resp))
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Type") != "application/problem+json" ||
			p.Status != http.StatusServiceUnavailable || p.Detail == nil || *p.Detail != wantDetail {
			t.Errorf("%s: %d %s %+v, want a 503 problem %q", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), p, wantDetail)
		}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			t.Errorf("%s: Retry-After %q: retrying does not help until the key is back", c.name, ra)
		}
	}
	logs := restarted.Logs.String()
	if n := strings.Count(logs, `"msg":"request failed"`); n != 4 || !strings.Contains(logs, documents.KeyID(docKey1)) {
		t.Errorf("%d request failures logged, want 4 naming key %s:\n%s", n, documents.KeyID(docKey1), logs)
	}

	// The metadata stays readable; the server that has the key still serves the file.
	if resp, b := restarted.Do(http.MethodGet, docPath(d.Id, ""), f.admin, "", nil, false); resp.StatusCode != http.StatusOK {
		t.Errorf("metadata: %d %s", resp.StatusCode, b)
	}
	if resp, b := f.fetch(docPath(d.Id, "/download"), f.admin, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(b, content) {
		t.Errorf("download with the key: %d, %d bytes", resp.StatusCode, len(b))
	}
}
