package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/auth"
	"github.com/mif-erp/erp/internal/config"
	"github.com/mif-erp/erp/internal/documents"
)

func TestDocumentsCommands(t *testing.T) {
	k1, k2 := bytes.Repeat([]byte{0x41}, 32), bytes.Repeat([]byte{0x42}, 32)
	b64 := base64.StdEncoding.EncodeToString
	dbURL := emptyDatabase(t)
	t.Setenv("ENVIRONMENT", "test")
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("BCRYPT_COST", "4")
	t.Setenv("SECRET_KEY", "test-secret-key-0123456789abcdefghijklmnop")
	t.Setenv("STORAGE_URL", "file://"+filepath.ToSlash(t.TempDir()))
	t.Setenv("DOCUMENT_KEYS", b64(k1))
	for _, args := range [][]string{{"migrate", "up"}, {"seed"}} {
		if err := run(args, io.Discard, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	ctx := t.Context()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	service := func(keys ...[]byte) *documents.Service {
		t.Helper()
		cfg, err := config.Load(func(k string) (string, bool) {
			if k == "DOCUMENT_KEYS" {
				var enc []string
				for _, key := range keys {
					enc = append(enc, b64(key))
				}
				return strings.Join(enc, ","), true
			}
			return os.LookupEnv(k)
		})
		if err != nil {
			t.Fatal(err)
		}
		s, err := app.Documents(ctx, cfg, pool, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// One document stored with the first key.
	var adminID, iv int64
	if err := pool.QueryRow(ctx, "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `WITH e AS (INSERT INTO equipements (nom, type_equipement, localisation)
			VALUES ('Compresseur', 'compresseur', 'Atelier') RETURNING id)
		INSERT INTO interventions (titre, type_intervention, equipement_id) SELECT 'Fuite', 'corrective', id FROM e RETURNING id`).Scan(&iv); err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4\n" + strings.Repeat("plan de maintenance ", 10000))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "plan.pdf")
	_, _ = part.Write(content)
	_ = mw.Close()
	d, err := service(k1).Upload(ctx, auth.Principal{UserID: adminID, Role: "admin"}, iv, multipart.NewReader(&body, mw.Boundary()))
	if err != nil {
		t.Fatal(err)
	}

	// A new first key: rotate-keys re-encrypts it, once.
	t.Setenv("DOCUMENT_KEYS", b64(k2)+","+b64(k1))
	for i, want := range []string{"documents rotate-keys: 1 re-encrypted with key " + documents.KeyID(k2),
		"documents rotate-keys: 0 re-encrypted"} {
		var out bytes.Buffer
		if err := run([]string{"documents", "rotate-keys"}, &out, io.Discard); err != nil {
			t.Fatalf("rotate-keys #%d: %v", i+1, err)
		}
		if !strings.HasPrefix(out.String(), want) {
			t.Errorf("rotate-keys #%d: %q, want %q...", i+1, out.String(), want)
		}
	}
	var keyID string
	if err := pool.QueryRow(ctx, "SELECT key_id FROM documents WHERE id = $1", d.ID).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if keyID != documents.KeyID(k2) {
		t.Errorf("key id %s after rotation", keyID)
	}
	// The old key is no longer needed.
	onlyNew := service(k2)
	rotated, err := onlyNew.Get(ctx, auth.Principal{UserID: adminID, Role: "admin"}, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := onlyNew.Open(ctx, rotated, 0, rotated.Taille)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	_, err = io.Copy(h, rc)
	_ = rc.Close()
	if err != nil || hex.EncodeToString(h.Sum(nil)) != d.Sha256 {
		t.Errorf("decrypt with the new key only: %v", err)
	}

	var out bytes.Buffer
	if err := run([]string{"documents", "sweep"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "documents sweep: 0 queued blob(s) and 0 orphan(s) deleted") {
		t.Errorf("sweep: %q %v", out.String(), err)
	}
	if err := run([]string{"documents"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "rotate-keys or sweep") {
		t.Errorf("documents without subcommand: %v", err)
	}
	t.Setenv("DOCUMENT_KEYS", "")
	if err := run([]string{"documents", "rotate-keys"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "DOCUMENT_KEYS") {
		t.Errorf("rotate-keys without keys: %v", err)
	}
}
