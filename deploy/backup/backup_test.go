// Package backup_test runs backup.sh and restore.sh against the real server: a database with
// documents uploaded through the API is backed up, restored into a new database and a new store
// directory, and a server started on the restored data must answer the same.
package backup_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

var pg *testenv.Postgres

func TestMain(m *testing.M) { testenv.Main(m, &pg) }

// documentKey encrypts the documents of the backed-up server and of the restored one.
var documentKey = bytes.Repeat([]byte{0x5a}, 32)

func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }

// script runs deploy/backup/<name> with only the given variables (and PATH, HOME, TMPDIR,
// PG_BIN) in its environment, and returns its stdout and stderr and its exit status.
func script(t *testing.T, name string, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", append([]string{name}, args...)...)
	cmd.Env = []string{"LC_ALL=C"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "PG_BIN"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run %s: %v", name, err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// upload sends one file to POST /interventions/{id}/documents and returns the document.
func upload(t *testing.T, env *testenv.Env, token string, iv int64, name string, content []byte) api.Document {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(content)
	_ = mw.WriteField("description", "sauvegarde "+name)
	_ = mw.Close()
	resp, b := env.Do(http.MethodPost, fmt.Sprintf("/api/v1/interventions/%d/documents", iv), token, mw.FormDataContentType(), &body, false)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", name, resp.StatusCode, b)
	}
	var d api.Document
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// get reads path (under the root) with token and fails the test unless it answers 200.
func get(t *testing.T, env *testenv.Env, token, path string) []byte {
	t.Helper()
	resp, b := env.Do(http.MethodGet, path, token, "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

// jsonEqual reports whether two JSON documents hold the same values.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := t.Context()
	keys := base64.StdEncoding.EncodeToString(documentKey)
	store := t.TempDir()
	env := testenv.NewEnv(t, pg, testenv.Options{"STORAGE_URL": fileURL(store), "DOCUMENT_KEYS": keys})
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(ctx, env.Pool, hasher); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	admin := env.Token("admin")
	var iv int64
	if err := env.Pool.QueryRow(ctx, "SELECT min(id) FROM interventions").Scan(&iv); err != nil {
		t.Fatal(err)
	}

	// Two documents through the API (one over several 64 KiB packages) and a generated report.
	files := map[string][]byte{
		"plan.pdf":   append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("plan de maintenance préventive\n"), 8000)...),
		"relevé.txt": []byte("pression 6,2 bar\ntempérature 71 °C\n"),
	}
	uploaded := map[int64][]byte{}
	for name, content := range files {
		uploaded[upload(t, env, admin, iv, name, content).Id] = content
	}
	asked, err := env.Client.CreateRapportWithResponse(ctx, api.RapportCreate{Type: api.RapportTypeDashboard, Format: api.RapportFormatJson}, testenv.As(admin))
	if err != nil || asked.JSON202 == nil {
		t.Fatalf("ask a report: %v %d %s", err, asked.StatusCode(), asked.Body)
	}
	docs, err := app.Documents(ctx, env.Config, env.Pool, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := app.Rapports(env.Config, env.Pool, docs, slog.New(slog.DiscardHandler)).RunPending(ctx); err != nil || n != 1 {
		t.Fatalf("report worker: %d %v", n, err)
	}
	reportPath := fmt.Sprintf("/api/v1/rapports/%d/fichier", asked.JSON202.Id)
	report := get(t, env, admin, reportPath)

	// The backup.
	out := t.TempDir()
	stdout, stderr, code := script(t, "backup.sh", map[string]string{
		"DATABASE_URL": env.Config.DatabaseURL, "STORAGE_URL": fileURL(store)}, out)
	if code != 0 {
		t.Fatalf("backup.sh: status %d\n%s", code, stderr)
	}
	dir := strings.TrimSpace(stdout)
	if filepath.Dir(dir) != out {
		t.Fatalf("backup.sh printed %q, want a directory of %s\n%s", stdout, out, stderr)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"documents: 2\n", "rapports_completed: 1\n", "files_referenced: 3\n", "files_missing: none\n",
		"document_key_ids: " + documents.KeyID(documentKey) + "\n"} {
		if !strings.Contains(string(manifest), want) {
			t.Errorf("MANIFEST lacks %q:\n%s", want, manifest)
		}
	}
	for _, f := range []string{"database.dump", "documents.tar", "SHA256SUMS"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want a file of mode 0600", f, st, err)
		}
	}
	// A store directory without the files is refused: the backup would not hold the documents.
	wrongOut := t.TempDir()
	_, stderr, code = script(t, "backup.sh", map[string]string{
		"DATABASE_URL": env.Config.DatabaseURL, "STORAGE_URL": fileURL(t.TempDir())}, wrongOut)
	if code == 0 || !strings.Contains(stderr, "none of the 3 files the database references") {
		t.Errorf("backup with the wrong store: status %d\n%s", code, stderr)
	}
	if left, _ := os.ReadDir(wrongOut); len(left) != 0 {
		t.Errorf("a failed backup left %v behind", left)
	}
	// Nothing of the original store may serve the restored server.
	if err := os.RemoveAll(store); err != nil {
		t.Fatal(err)
	}

	// The restore, into a new database and a new directory.
	restoredDB := pg.NewEmptyDatabase(t)
	restoredStore := filepath.Join(t.TempDir(), "documents")
	if _, stderr, code := script(t, "restore.sh", map[string]string{
		"DATABASE_URL": restoredDB, "STORAGE_URL": fileURL(restoredStore)}, dir); code != 0 {
		t.Fatalf("restore.sh: status %d\n%s", code, stderr)
	}
	if st, err := os.Stat(restoredStore); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("restored store: %v %v, want a directory of mode 0700", st, err)
	}
	restored := testenv.NewEnvOn(t, restoredDB, testenv.Options{"STORAGE_URL": fileURL(restoredStore), "DOCUMENT_KEYS": keys})
	radmin := restored.Token("admin")
	for id, content := range uploaded {
		if got := get(t, restored, radmin, fmt.Sprintf("/api/v1/documents/%d/download", id)); !bytes.Equal(got, content) {
			t.Errorf("document %d after the restore: %d bytes, want the %d uploaded", id, len(got), len(content))
		}
	}
	if got := get(t, restored, radmin, reportPath); !bytes.Equal(got, report) {
		t.Errorf("report after the restore: %q, want %q", got, report)
	}
	before := get(t, env, admin, "/api/v1/dashboard/stats")
	after := get(t, restored, radmin, "/api/v1/dashboard/stats")
	if !jsonEqual(t, before, after) {
		t.Errorf("dashboard stats after the restore:\n%s\nwant\n%s", after, before)
	}

	// A second restore into the same, now populated, database is refused and changes nothing.
	_, stderr, code = script(t, "restore.sh", map[string]string{
		"DATABASE_URL": restoredDB, "STORAGE_URL": fileURL(t.TempDir())}, dir)
	if code == 0 || !strings.Contains(stderr, "is not empty") {
		t.Errorf("restore into a populated database: status %d\n%s", code, stderr)
	}
	if got := get(t, restored, radmin, "/api/v1/dashboard/stats"); !jsonEqual(t, got, after) {
		t.Errorf("dashboard stats after the refused restore:\n%s", got)
	}
}
