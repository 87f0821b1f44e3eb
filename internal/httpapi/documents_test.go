package httpapi_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/testenv"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// pdfContent is a distinctive PDF-looking body of n bytes (a repeated sentence, so that a copy
// of it in the stored blob would be easy to find).
func pdfContent(n int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Rapport d'intervention confidentiel, ligne %06d. ", i)
	}
	return b.Bytes()[:n]
}

func TestDocumentUploadIsEncryptedAtRestAndDownloadsWithItsChecksum(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv := f.sharedIv()
	content := pdfContent(200_000) // several DARE packages
	d := f.mustUpload(f.tech, iv, `C:\Users\moi\..\Rapport "final" <v2>.PDF`, content,
		map[string]string{"description": "  Rapport de visite  ", "categorie": "rapport"})

	if d.Filename != "Rapport _final_ _v2_.PDF" || d.Taille != int64(len(content)) || d.MimeType != "application/pdf" ||
		d.Sha256 != sha(content) || d.InterventionId != iv || d.Path != d.Url {
		t.Errorf("document %+v", d)
	}
	if v := deref(d.Description); v != "Rapport de visite" {
		t.Errorf("description %q", v)
	}
	if v := deref(d.Categorie); v != "rapport" {
		t.Errorf("categorie %q", v)
	}
	if v := deref(d.UploadedBy); v != f.techUserID {
		t.Errorf("uploaded_by %d, want %d", v, f.techUserID)
	}
	if !strings.HasPrefix(d.Url, docPath(d.Id, "/download")+"?expires=") || !strings.Contains(d.Url, "&signature=") ||
		!near(d.UrlExpiresAt, d.DateUpload.Add(f.env.Config.DownloadURLTTL), 5e9) {
		t.Errorf("url %q expires %s", d.Url, d.UrlExpiresAt)
	}

	// On disk: one blob, bigger (package overhead), sharing nothing with the plaintext.
	files := f.blobFiles()
	if len(files) != 1 {
		t.Fatalf("blob files %v, want one", files)
	}
	stored, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) <= len(content) || bytes.Equal(stored, content) {
		t.Errorf("stored %d bytes for %d of plaintext", len(stored), len(content))
	}
	for _, probe := range [][]byte{content[:64], content[100_000:100_064], []byte("confidentiel"), []byte("%PDF")} {
		if bytes.Contains(stored, probe) {
			t.Errorf("the stored blob contains plaintext %q", probe)
		}
	}

	// Download: the same bytes, with their headers.
	resp, b := f.fetch(d.Path, f.client, nil)
	if resp.StatusCode != http.StatusOK || sha(b) != d.Sha256 || !bytes.Equal(b, content) {
		t.Fatalf("download: %d, %d bytes, sha %s", resp.StatusCode, len(b), sha(b))
	}
	h := resp.Header
	if h.Get("Content-Length") != strconv.Itoa(len(content)) || h.Get("ETag") != `"`+d.Sha256+`"` ||
		h.Get("Accept-Ranges") != "bytes" || h.Get("Content-Type") != "application/pdf" ||
		h.Get("Content-Disposition") != `inline; filename="Rapport _final_ _v2_.PDF"` {
		t.Errorf("download headers %v", h)
	}
	// path opens in a browser tab or an <img src>: no Authorization header.
	if resp, b := f.fetch(d.Path, "", nil); resp.StatusCode != http.StatusOK || !bytes.Equal(b, content) ||
		resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline;") {
		t.Errorf("path without a token: %d %d bytes %v", resp.StatusCode, len(b), resp.Header)
	}
	// If-None-Match: 304 without a body.
	resp, b = f.fetch(d.Path, f.resp, map[string]string{"If-None-Match": `"other", "` + d.Sha256 + `"`})
	if resp.StatusCode != http.StatusNotModified || len(b) != 0 || resp.Header.Get("ETag") != `"`+d.Sha256+`"` {
		t.Errorf("If-None-Match: %d %q", resp.StatusCode, b)
	}
	// A text file is an attachment; non-ASCII names are encoded (RFC 2231).
	txt := f.mustUpload(f.admin, iv, "procès-verbal.txt", []byte("Compte rendu: pompe révisée.\n"), nil)
	resp, _ = f.fetch(txt.Path, f.admin, nil)
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename*=utf-8''proc%C3%A8s-verbal.txt` {
		t.Errorf("Content-Disposition %q", cd)
	}
	// No public static mount: the stored key is not served.
	key := strings.TrimPrefix(strings.TrimPrefix(files[0], f.dir), "/")
	for _, p := range []string{"/static/uploads/" + key, "/" + key, "/api/v1/" + key, "/documents/" + strings.TrimPrefix(key, "documents/")} {
		if resp, _ := f.env.Do(http.MethodGet, p, "", "", nil, true); resp.StatusCode == http.StatusOK {
			t.Errorf("GET %s served a file", p)
		}
	}
}

func TestDocumentUploadRoutesListAndMetadata(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv, other := f.sharedIv(), f.sharedIv()
	a := f.mustUpload(f.admin, iv, "a.txt", []byte("premier\n"), map[string]string{"categorie": "photo"})
	// The original's calls: POST /documents?intervention_id= and /documents/upload.
	for _, p := range []string{"/api/v1/documents?intervention_id=", "/api/v1/documents/upload?intervention_id=", "/documents/?intervention_id="} {
		ct, body := multipartFile("file", "b.csv", []byte("col1;col2\n1;2\n"), map[string]string{"description": "relevé " + p})
		resp, b := f.env.Do(http.MethodPost, p+strconv.FormatInt(iv, 10), f.client, ct, body, false)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", p, resp.StatusCode, b)
		}
		d := decodeInto[api.Document](t, b)
		if resp.Header.Get("Location") != docPath(d.Id, "") || d.MimeType != "text/csv" {
			t.Errorf("POST %s: Location %q, %+v", p, resp.Header.Get("Location"), d)
		}
	}
	// The 1 MiB limit of other bodies does not apply to any upload route (MAX_UPLOAD_MB does).
	for _, p := range []string{"/api/v1/documents?intervention_id=", "/documents/upload?intervention_id="} {
		ct, body := multipartFile("file", "gros.pdf", pdfContent(3<<19), nil)
		if resp, b := f.env.Do(http.MethodPost, p+strconv.FormatInt(other, 10), f.admin, ct, body, false); resp.StatusCode != http.StatusCreated {
			t.Errorf("POST %s with 1.5 MiB: %d %s", p, resp.StatusCode, b)
		}
	}
	f.exec("DELETE FROM documents WHERE intervention_id = $1", other)
	c := f.mustUpload(f.admin, other, "c.txt", []byte("autre\n"), map[string]string{"categorie": "photo"})

	ids := func(path, token string) ([]int64, string) {
		t.Helper()
		resp, b := f.fetch(path, token, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		var out []int64
		for _, d := range decodeInto[[]api.Document](t, b) {
			out = append(out, d.Id)
		}
		return out, resp.Header.Get("X-Total-Count")
	}
	got, total := ids(ivPath(iv, "/documents"), f.tech)
	if len(got) != 4 || total != "4" || got[3] != a.Id {
		t.Errorf("intervention documents %v (total %s), want 4 newest first ending with %d", got, total, a.Id)
	}
	got, total = ids(ivPath(iv, "/documents?limit=2&offset=1"), f.tech)
	if len(got) != 2 || total != "4" {
		t.Errorf("page %v total %s", got, total)
	}
	got, _ = ids(fmt.Sprintf("/api/v1/documents/intervention/%d", other), f.client)
	if !slices.Equal(got, []int64{c.Id}) {
		t.Errorf("deprecated alias: %v", got)
	}
	got, total = ids("/api/v1/documents", f.resp)
	if len(got) != 5 || total != "5" || got[0] != c.Id {
		t.Errorf("all documents %v %s", got, total)
	}
	got, _ = ids("/api/v1/documents?categorie=photo", f.resp)
	if !slices.Equal(got, []int64{c.Id, a.Id}) {
		t.Errorf("categorie=photo: %v", got)
	}
	got, _ = ids(fmt.Sprintf("/api/v1/documents?intervention_id=%d&categorie=photo", iv), f.resp)
	if !slices.Equal(got, []int64{a.Id}) {
		t.Errorf("intervention_id + categorie: %v", got)
	}
	got, _ = ids("/api/v1/documents?q=/documents/upload", f.resp)
	if len(got) != 1 {
		t.Errorf("q: %v", got)
	}
	got, total = ids("/api/v1/documents?q=RELEV", f.resp)
	if len(got) != 3 || total != "3" {
		t.Errorf("q is case-insensitive: %v", got)
	}
	got, _ = ids("/api/v1/documents?q=100%25_", f.resp)
	if len(got) != 0 {
		t.Errorf("q with LIKE wildcards matched %v", got)
	}

	r, err := f.env.Client.GetDocumentWithResponse(t.Context(), a.Id, testenv.As(f.client))
	if err != nil || r.JSON200 == nil {
		t.Fatalf("get: %v %d %s", err, r.StatusCode(), r.Body)
	}
	if g := *r.JSON200; g.Id != a.Id || g.Sha256 != a.Sha256 || g.Filename != "a.txt" {
		t.Errorf("metadata %+v", g)
	}
}

// zipOf builds a zip archive of name -> content entries, in order.
func zipOf(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for i := 0; i+1 < len(entries); i += 2 {
		w, err := z.Create(entries[i])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(entries[i+1]))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func imageBytes(t *testing.T, enc func(io.Writer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDocumentAllowListChecksExtensionAndContent(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv := f.sharedIv()
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 600)...)
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"), bytes.Repeat([]byte{1}, 40)...)
	pngB := imageBytes(t, png.Encode)
	jpg := imageBytes(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) })
	gifB := imageBytes(t, func(w io.Writer, m image.Image) error { return gif.Encode(w, m, nil) })
	docx := zipOf(t, "[Content_Types].xml", "<Types/>", "_rels/.rels", "<Relationships/>", "word/document.xml", "<w:document/>")
	xlsx := zipOf(t, "docProps/app.xml", "<x/>", "xl/workbook.xml", "<workbook/>", "[Content_Types].xml", "<Types/>")
	odt := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<office:document-content/>")
	ods := zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<x/>")
	accepted := []struct {
		name    string
		content []byte
		mime    string
	}{
		{"scan.pdf", pdfContent(1000), "application/pdf"},
		{"photo.png", pngB, "image/png"},
		{"photo.JPG", jpg, "image/jpeg"},
		{"photo.jpeg", jpg, "image/jpeg"},
		{"anim.gif", gifB, "image/gif"},
		{"img.webp", webp, "image/webp"},
		{"notes.txt", []byte("Pièce changée le 12/03.\r\n"), "text/plain"},
		{"latin1.csv", []byte("r\xe9f;qt\xe9\n1;2\n"), "text/csv"},
		{"ancien.doc", ole, "application/msword"},
		{"ancien.xls", ole, "application/vnd.ms-excel"},
		{"devis.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"stock.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"cr.odt", odt, "application/vnd.oasis.opendocument.text"},
		{"inventaire.ods", ods, "application/vnd.oasis.opendocument.spreadsheet"},
	}
	for _, a := range accepted {
		d := f.mustUpload(f.admin, iv, a.name, a.content, nil)
		if d.MimeType != a.mime || d.Sha256 != sha(a.content) {
			t.Errorf("%s: %+v", a.name, d)
		}
		if _, b := f.fetch(d.Path, f.admin, nil); !bytes.Equal(b, a.content) {
			t.Errorf("%s: downloaded content differs", a.name)
		}
	}
	blobsBefore := len(f.blobFiles())
	rowsBefore := f.count("SELECT count(*) FROM documents")

	refused := []struct {
		name    string
		content []byte
	}{
		{"virus.exe", []byte("MZ\x90\x00binary")},
		{"page.html", []byte("<html><body>x</body></html>")},
		{"script.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"faux.pdf", []byte("ceci n'est pas un PDF")},
		{"page.txt", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")},
		{"binaire.txt", []byte("\x00\x01\x02\x03 données binaires")},
		{"photo.png", jpg},
		{"photo.jpg", pngB},
		{"archive.docx", zipOf(t, "readme.txt", "just a zip")},
		{"tableur.xlsx", docx},
		{"texte.odt", ods},
		{"exe.doc", []byte("MZ\x90\x00")},
		{"archive.zip", docx},
	}
	for _, r := range refused {
		resp, b := f.upload(f.admin, iv, r.name, r.content, nil)
		wantIvProblem(t, r.name, resp, b, http.StatusUnsupportedMediaType, "")
	}
	resp, b := f.upload(f.admin, iv, "sans-extension", []byte("texte"), nil)
	wantIvProblem(t, "no extension", resp, b, http.StatusBadRequest, "Le fichier doit avoir une extension valide")
	resp, b = f.upload(f.admin, iv, "...", []byte("texte"), nil)
	wantIvProblem(t, "empty name", resp, b, http.StatusBadRequest, "Le fichier doit avoir une extension valide")
	resp, b = f.upload(f.admin, iv, "vide.txt", nil, nil)
	wantIvProblem(t, "empty file", resp, b, http.StatusUnprocessableEntity, "", "file")

	if n := len(f.blobFiles()); n != blobsBefore {
		t.Errorf("%d blobs left by refused uploads", n-blobsBefore)
	}
	if n := f.count("SELECT count(*) FROM documents"); n != rowsBefore {
		t.Errorf("%d rows written by refused uploads", n-rowsBefore)
	}
}

func TestDocumentSizeLimitIsCheckedWhileStreaming(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, testenv.Options{"MAX_UPLOAD_MB": "1"})
	iv := f.sharedIv()
	// Exactly the limit is accepted.
	d := f.mustUpload(f.admin, iv, "limite.pdf", pdfContent(1<<20), nil)
	if d.Taille != 1<<20 {
		t.Errorf("taille %d", d.Taille)
	}
	// One byte more is refused, whether the body announces its length or is chunked.
	resp, b := f.upload(f.admin, iv, "trop.pdf", pdfContent(1<<20+1), nil)
	wantIvProblem(t, "limit + 1", resp, b, http.StatusRequestEntityTooLarge, "Fichier trop volumineux : 1 Mo au maximum")

	client := newStreamClient(t)
	pr, pw := io.Pipe()
	ct, body := multipartFile("file", "flux.pdf", pdfContent(3<<20), nil)
	go func() {
		_, err := io.Copy(pw, body) // stops when the server refuses and closes the connection
		_ = pw.CloseWithError(err)
	}()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.env.URL+fmt.Sprintf("/interventions/%d/documents", iv), pr)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+f.admin)
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("chunked upload: %v", err)
	}
	b, _ = io.ReadAll(res.Body)
	_ = res.Body.Close()
	if req.ContentLength != -1 && req.ContentLength != 0 {
		t.Errorf("the request was not chunked (%d)", req.ContentLength)
	}
	wantIvProblem(t, "chunked 3 MiB", res, b, http.StatusRequestEntityTooLarge, "")

	// A body announcing far more than the limit is refused before it is read.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodPost, f.env.URL+fmt.Sprintf("/interventions/%d/documents", iv),
		io.LimitReader(zeroReader{}, 50<<20))
	req.ContentLength = 50 << 20
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+f.admin)
	if res, err = client.Do(req); err == nil {
		b, _ = io.ReadAll(res.Body)
		_ = res.Body.Close()
		wantIvProblem(t, "declared 50 MiB", res, b, http.StatusRequestEntityTooLarge, "")
	}

	if n := f.count("SELECT count(*) FROM documents"); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	waitFor(t, "refused uploads to leave no blob", func() bool { return len(f.blobFiles()) == 1 })
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDocumentUploadFormErrorsNeverAnswer500(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv := f.sharedIv()
	post := func(ct, body string) (*http.Response, []byte) {
		t.Helper()
		return f.env.Do(http.MethodPost, ivPath(iv, "/documents"), f.admin, ct, strings.NewReader(body), true)
	}
	ct, good := multipartFile("file", "ok.txt", []byte("bonjour\n"), nil)
	boundary := strings.TrimPrefix(ct, "multipart/form-data; boundary=")
	cases := []struct {
		name, ct, body string
		status         int
		field          string
	}{
		{"json body", "application/json", `{"file":"x"}`, 415, ""},
		{"no content type", "", "x", 415, ""},
		{"urlencoded", "application/x-www-form-urlencoded", "file=x", 415, ""},
		{"no boundary", "multipart/form-data", good.String(), 400, ""},
		{"wrong boundary (no part found)", "multipart/form-data; boundary=nope", good.String(), 422, "file"},
		{"garbage (no part found)", ct, "garbage", 422, "file"},
		{"truncated", ct, good.String()[:good.Len()-20], 400, ""},
		{"empty form", ct, "--" + boundary + "--\r\n", 422, "file"},
		{"file without filename", ct, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--" + boundary + "--\r\n", 422, "file"},
	}
	for name, fields := range map[string]map[string]string{
		"description":  {"description": strings.Repeat("é", 1001)},
		"categorie":    {"categorie": strings.Repeat("c", 51)},
		"description ": {"description": "\xff\xfe"},
	} {
		fct, body := multipartFile("file", "ok.txt", []byte("contenu\n"), fields)
		cases = append(cases, struct {
			name, ct, body string
			status         int
			field          string
		}{"bad " + name, fct, body.String(), 422, strings.TrimSpace(name)})
	}
	for _, tc := range cases {
		resp, b := post(tc.ct, tc.body)
		if tc.field != "" {
			wantIvProblem(t, tc.name, resp, b, tc.status, "", tc.field)
		} else {
			wantIvProblem(t, tc.name, resp, b, tc.status, "")
		}
	}
	// Two files: the second is refused and nothing is stored.
	var buf bytes.Buffer
	mw := newMultipart(&buf, boundary)
	mw.file("file", "un.txt", "un")
	mw.file("file", "deux.txt", "deux")
	mw.close()
	resp, b := post(ct, buf.String())
	wantIvProblem(t, "two files", resp, b, 422, "", "file")

	// Bad parameters and ids.
	for _, p := range []string{"/api/v1/interventions/abc/documents", "/api/v1/interventions/0/documents",
		"/api/v1/documents?intervention_id=x", "/api/v1/documents"} {
		resp, b := f.env.Do(http.MethodPost, p, f.admin, ct, strings.NewReader(good.String()), true)
		if resp.StatusCode != 422 && resp.StatusCode != 400 {
			t.Errorf("POST %s: %d %s", p, resp.StatusCode, b)
		}
	}
	resp, b = f.env.Do(http.MethodPost, ivPath(999999, "/documents"), f.admin, ct, strings.NewReader(good.String()), false)
	wantIvProblem(t, "unknown intervention", resp, b, 404, "Intervention cible introuvable")
	for _, p := range []string{"/api/v1/documents/abc", "/api/v1/documents/0/download", "/api/v1/documents/1/download?expires=soon&signature=x",
		"/api/v1/documents?limit=1000", "/api/v1/documents?intervention_id=-1"} {
		resp, b := f.env.Do(http.MethodGet, p, f.admin, "", nil, true)
		if resp.StatusCode != 422 && resp.StatusCode != 400 {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, b)
		}
	}
	if n := f.count("SELECT count(*) FROM documents"); n != 0 {
		t.Errorf("%d rows written", n)
	}
	if n := len(f.blobFiles()); n != 0 {
		t.Errorf("%d blobs left", n)
	}
}

// rawMultipart writes parts with a given boundary.
type rawMultipart struct {
	w        io.Writer
	boundary string
}

func newMultipart(w io.Writer, boundary string) *rawMultipart {
	return &rawMultipart{w: w, boundary: boundary}
}

func (m *rawMultipart) file(field, name, content string) {
	fmt.Fprintf(m.w, "--%s\r\nContent-Disposition: form-data; name=%q; filename=%q\r\nContent-Type: text/plain\r\n\r\n%s\r\n",
		m.boundary, field, name, content)
}

func (m *rawMultipart) close() { fmt.Fprintf(m.w, "--%s--\r\n", m.boundary) }

func TestDocumentRangeRequests(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	content := pdfContent(3*64*1024 + 123) // four DARE packages, the last one partial
	d := f.mustUpload(f.admin, f.sharedIv(), "plan.pdf", content, nil)
	size := len(content)
	cases := []struct {
		rng        string
		from, to   int // inclusive
		whole      bool
		status     int
		extraHeads map[string]string
	}{
		{rng: "bytes=0-9", from: 0, to: 9, status: 206},
		{rng: "bytes=65530-65545", from: 65530, to: 65545, status: 206}, // across a package boundary
		{rng: "bytes=65536-131071", from: 65536, to: 131071, status: 206},
		{rng: "bytes=131070-", from: 131070, to: size - 1, status: 206},
		{rng: "bytes=-10", from: size - 10, to: size - 1, status: 206},
		{rng: "bytes=-999999999", from: 0, to: size - 1, status: 206},
		{rng: "bytes=100-99999999", from: 100, to: size - 1, status: 206},
		{rng: fmt.Sprintf("bytes=%d-%d", size-1, size-1), from: size - 1, to: size - 1, status: 206},
		{rng: "bytes=0-1,5-6", whole: true, status: 200},
		{rng: "items=0-5", whole: true, status: 200},
		{rng: "bytes=abc", whole: true, status: 200},
		{rng: "bytes=9-3", whole: true, status: 200},
		{rng: "bytes=0-9", whole: true, status: 200, extraHeads: map[string]string{"If-Range": `"stale"`}},
		{rng: "bytes=0-9", from: 0, to: 9, status: 206, extraHeads: map[string]string{"If-Range": `"` + d.Sha256 + `"`}},
	}
	for _, tc := range cases {
		h := map[string]string{"Range": tc.rng}
		for k, v := range tc.extraHeads {
			h[k] = v
		}
		resp, b := f.fetch(d.Path, f.tech, h)
		if resp.StatusCode != tc.status {
			t.Errorf("Range %s: %d %s", tc.rng, resp.StatusCode, b)
			continue
		}
		want := content
		if !tc.whole {
			want = content[tc.from : tc.to+1]
			if cr := resp.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to, size) {
				t.Errorf("Range %s: Content-Range %q", tc.rng, cr)
			}
		}
		if !bytes.Equal(b, want) || resp.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("Range %s: got %d bytes (Content-Length %s), want %d", tc.rng, len(b), resp.Header.Get("Content-Length"), len(want))
		}
	}
	for _, rng := range []string{fmt.Sprintf("bytes=%d-", size), "bytes=999999999-", "bytes=-0"} {
		resp, b := f.fetch(d.Path, f.tech, map[string]string{"Range": rng})
		wantIvProblem(t, "Range "+rng, resp, b, http.StatusRequestedRangeNotSatisfiable, "")
		if cr := resp.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes */%d", size) {
			t.Errorf("Range %s: Content-Range %q", rng, cr)
		}
	}
}

func TestDocumentAccessFollowsTheIntervention(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	otherTech, otherTechTok := f.techAccount()
	otherCompany, otherClientTok := f.clientAccount()
	mine := f.sharedIv()                                                        // demo client's, assigned to the demo technicien
	notAssigned := f.insert("affectee", f.machine(&f.company, nil), &otherTech) // demo client's, another technicien
	otherClients := f.insert("affectee", f.machine(&otherCompany, nil), &f.techID)
	internal := f.insert("ouverte", f.machine(nil, nil), nil)

	docs := map[int64]api.Document{}
	for _, iv := range []int64{mine, notAssigned, otherClients, internal} {
		docs[iv] = f.mustUpload(f.admin, iv, "doc.txt", []byte(fmt.Sprintf("intervention %d\n", iv)), nil)
	}
	readable := map[string][]int64{
		"admin":       {mine, notAssigned, otherClients, internal},
		"responsable": {mine, notAssigned, otherClients, internal},
		"technicien":  {mine, otherClients},
		"client":      {mine, notAssigned},
		"otherTech":   {notAssigned},
		"otherClient": {otherClients},
	}
	tokens := map[string]string{"admin": f.admin, "responsable": f.resp, "technicien": f.tech, "client": f.client,
		"otherTech": otherTechTok, "otherClient": otherClientTok}
	for who, ivs := range readable {
		tok := tokens[who]
		for iv, d := range docs {
			may := slices.Contains(ivs, iv)
			want := map[bool]int{true: 200, false: 404}[may]
			for _, p := range []string{ivPath(iv, "/documents"), fmt.Sprintf("/api/v1/documents/intervention/%d", iv),
				docPath(d.Id, ""), docPath(d.Id, "/download")} {
				if resp, b := f.fetch(p, tok, nil); resp.StatusCode != want {
					t.Errorf("%s GET %s: %d %s, want %d", who, p, resp.StatusCode, b, want)
				}
			}
			resp, b := f.upload(tok, iv, "ajout.txt", []byte("ajout\n"), nil)
			if want := map[bool]int{true: 201, false: 404}[may]; resp.StatusCode != want {
				t.Errorf("%s upload to %d: %d %s, want %d", who, iv, resp.StatusCode, b, want)
			}
		}
		// GET /documents lists only readable ones (the originals and this caller's uploads).
		resp, b := f.fetch("/api/v1/documents?limit=500", tok, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s list: %d", who, resp.StatusCode)
		}
		for _, d := range decodeInto[[]api.Document](t, b) {
			if !slices.Contains(ivs, d.InterventionId) {
				t.Errorf("%s lists document %d of intervention %d", who, d.Id, d.InterventionId)
			}
		}
	}
	// Delete: managers only (403 for the others), then 404.
	d := docs[mine]
	for _, tok := range []string{f.tech, f.client} {
		resp, b := f.do(http.MethodDelete, docPath(d.Id, ""), tok, "", nil, false)
		wantIvProblem(t, "delete by non-manager", resp, b, http.StatusForbidden, "")
	}
	resp, b := f.do(http.MethodDelete, docPath(d.Id, ""), f.resp, "", nil, false)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, b)
	}
	resp, b = f.do(http.MethodDelete, docPath(d.Id, ""), f.admin, "", nil, false)
	wantIvProblem(t, "delete again", resp, b, http.StatusNotFound, "Document non trouvé")
	if resp, _ := f.fetch(d.Path, f.admin, nil); resp.StatusCode != 404 {
		t.Errorf("download after delete: %d", resp.StatusCode)
	}
	if resp, _ := f.fetch(d.Url, "", nil); resp.StatusCode != 404 {
		t.Errorf("signed download after delete: %d", resp.StatusCode)
	}
	if n := f.count("SELECT count(*) FROM document_blob_sweep"); n != 0 {
		t.Errorf("%d blobs still queued after a successful delete", n)
	}
	if n := f.count("SELECT count(*) FROM audit_log WHERE action = 'document.deleted'"); n != 1 {
		t.Errorf("%d document.deleted audit rows", n)
	}
}

func TestDocumentSignedURL(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, nil)
	iv := f.sharedIv()
	a := f.mustUpload(f.admin, iv, "a.pdf", pdfContent(5000), nil)
	b := f.mustUpload(f.admin, iv, "b.pdf", pdfContent(6000), nil)
	aPath, bPath := docPath(a.Id, "/download"), docPath(b.Id, "/download")

	// Works without a token.
	resp, body := f.fetch(a.Url, "", nil)
	if resp.StatusCode != 200 || sha(body) != a.Sha256 {
		t.Fatalf("signed URL: %d", resp.StatusCode)
	}
	// Bound to its document: a's signature does not open b, nor a with another expiry.
	q := a.Url[strings.Index(a.Url, "?"):]
	resp, body = f.fetch(bPath+q, "", nil)
	wantIvProblem(t, "a's signature on b", resp, body, 401, "Lien de téléchargement invalide")
	exp := a.UrlExpiresAt.Unix()
	resp, body = f.fetch(strings.Replace(a.Url, strconv.FormatInt(exp, 10), strconv.FormatInt(exp+3600, 10), 1), "", nil)
	wantIvProblem(t, "extended expiry", resp, body, 401, "Lien de téléchargement invalide")
	for _, p := range []string{aPath + "?expires=" + strconv.FormatInt(exp, 10), aPath + "?signature=x", aPath,
		aPath + "?expires=1&signature=zzz"} {
		resp, body = f.env.Do(http.MethodGet, p, "", "", nil, true)
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("GET %s: %d %s", p, resp.StatusCode, body)
		}
	}
	// Expired: a signature made (with the server's key) for a time in the past.
	past := documents.NewSigner(f.env.Config.SecretKey, f.env.Config.DownloadURLTTL).WithClock(func() time.Time {
		return time.Now().Add(-time.Hour)
	})
	e, sig := past.Sign(a.Id)
	resp, body = f.fetch(fmt.Sprintf("%s?expires=%d&signature=%s", aPath, e.Unix(), sig), "", nil)
	wantIvProblem(t, "expired", resp, body, 401, "Lien de téléchargement expiré")
	// A signature from another secret is refused.
	other := documents.NewSigner([]byte("another-secret-key-0123456789abcdefgh"), time.Hour)
	e, sig = other.Sign(a.Id)
	resp, body = f.fetch(fmt.Sprintf("%s?expires=%d&signature=%s", aPath, e.Unix(), sig), "", nil)
	wantIvProblem(t, "foreign signature", resp, body, 401, "")
	// A bad token is not hidden by the optional security: 401; a role never allowed: 403.
	resp, _ = f.fetch(a.Url, "not-a-jwt", nil)
	if resp.StatusCode != 401 {
		t.Errorf("signed URL with a bad token: %d", resp.StatusCode)
	}
	// Range works on signed URLs too.
	resp, body = f.fetch(a.Url, "", map[string]string{"Range": "bytes=0-3"})
	if resp.StatusCode != 206 || string(body) != "%PDF" {
		t.Errorf("signed range: %d %q", resp.StatusCode, body)
	}
}

func TestDocumentSignedURLExpires(t *testing.T) {
	t.Parallel()
	f := newDocFixture(t, testenv.Options{"DOWNLOAD_URL_TTL": "1s"})
	d := f.mustUpload(f.admin, f.sharedIv(), "court.txt", []byte("lien court\n"), nil)
	if resp, _ := f.fetch(d.Url, "", nil); resp.StatusCode != 200 {
		t.Fatalf("fresh URL: %d", resp.StatusCode)
	}
	time.Sleep(time.Until(d.UrlExpiresAt) + 1100*time.Millisecond)
	resp, b := f.fetch(d.Url, "", nil)
	wantIvProblem(t, "after expiry", resp, b, 401, "Lien de téléchargement expiré")
	// A fresh URL comes with the metadata.
	r, err := f.env.Client.GetDocumentWithResponse(t.Context(), d.Id, testenv.As(f.client))
	if err != nil || r.JSON200 == nil {
		t.Fatal(err)
	}
	if resp, _ := f.fetch(r.JSON200.Url, "", nil); resp.StatusCode != 200 {
		t.Errorf("renewed URL: %d", resp.StatusCode)
	}
}
