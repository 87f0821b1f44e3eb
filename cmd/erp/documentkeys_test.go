package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/documents"
	"github.com/mif-erp/erp/internal/platform"
	"github.com/mif-erp/erp/internal/seed"
	"github.com/mif-erp/erp/internal/testenv"
)

// missingKeyWarnings returns the start-up warnings about missing document keys, as logged.
func missingKeyWarnings(t *testing.T, logs *testenv.LogBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if line["msg"] == app.MsgMissingDocumentKey {
			if line["level"] != "WARN" {
				t.Errorf("logged at %v, want WARN: %v", line["level"], line)
			}
			delete(line, "time")
			delete(line, "level")
			delete(line, "msg")
			out = append(out, line)
		}
	}
	return out
}

// TestServeWarnsOfStoredFilesWhoseKeyIsMissing: rows of documents and completed reports stored
// under keys that DOCUMENT_KEYS does not list make `erp serve` log one warning per missing key,
// with the number of files of each, at start-up; none once every key is configured.
func TestServeWarnsOfStoredFilesWhoseKeyIsMissing(t *testing.T) {
	ctx := t.Context()
	key := bytes.Repeat([]byte{0x41}, 32)
	known, lostDocs, lostReport := documents.KeyID(key), "k0123456789ab", "kba9876543210"
	dbURL := emptyDatabase(t)
	if err := platform.MigrateUp(dbURL); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	hasher, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, pool, hasher); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`WITH e AS (INSERT INTO equipements (nom, type_equipement, localisation)
			VALUES ('Compresseur', 'compresseur', 'Atelier') RETURNING id)
		INSERT INTO interventions (titre, type_intervention, equipement_id) SELECT 'Fuite', 'corrective', id FROM e`)
	for i, k := range []string{lostDocs, known, lostDocs} {
		exec(`INSERT INTO documents (intervention_id, filename, storage_key, key_id, taille, mime_type, sha256)
			SELECT min(id), $1, $2, $3, 10, 'text/plain', repeat('0', 64) FROM interventions`,
			"note.txt", "documents/doc-"+string(rune('a'+i)), k)
	}
	for i, k := range []string{lostReport, known} {
		exec(`INSERT INTO rapports (titre, type_rapport, format, statut, date_debut, date_fin, demandeur_id,
				storage_key, key_id, taille, expire_le)
			SELECT 'Bilan', 'dashboard', 'json', 'completed', current_date, current_date, min(id), $1, $2, 10, now() + interval '1 day'
			FROM users`, "rapports/rep-"+string(rune('a'+i)), k)
	}
	vars := map[string]string{"DOCUMENT_KEYS": base64.StdEncoding.EncodeToString(key),
		"STORAGE_URL": "file://" + filepath.ToSlash(t.TempDir()), "ENABLE_SCHEDULER": "false"}
	serveOnce := func() []map[string]any {
		t.Helper()
		_, cancel, res, logs := startServeOn(t, dbURL, vars)
		cancel()
		select {
		case <-res.done:
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
		if res.err != nil {
			t.Fatalf("serve: %v", res.err)
		}
		return missingKeyWarnings(t, logs)
	}

	configured := []any{known}
	want := []map[string]any{
		{"key_id": lostDocs, "documents": float64(2), "rapports": float64(0), "configured_key_ids": configured, "generated_keys": false},
		{"key_id": lostReport, "documents": float64(0), "rapports": float64(1), "configured_key_ids": configured, "generated_keys": false},
	}
	if got := serveOnce(); !reflect.DeepEqual(got, want) {
		t.Errorf("start-up warnings\n%v\nwant\n%v", got, want)
	}

	// The lost keys are found again (here: the files are re-encrypted with the known one).
	exec(`UPDATE documents SET key_id = $1`, known)
	exec(`UPDATE rapports SET key_id = $1`, known)
	if got := serveOnce(); len(got) != 0 {
		t.Errorf("warnings with every key configured: %v", got)
	}
}
