package documents

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/mif-erp/erp/internal/apperr"
)

func testService(t *testing.T, keys ...[]byte) (*Service, *blob.Bucket) {
	t.Helper()
	if len(keys) == 0 {
		keys = [][]byte{bytes.Repeat([]byte{1}, 32)}
	}
	ring, err := NewKeyRing(keys)
	if err != nil {
		t.Fatal(err)
	}
	b := memblob.OpenBucket(nil)
	t.Cleanup(func() { _ = b.Close() })
	return NewService(Config{Bucket: b, Keys: ring, MaxUpload: 1 << 20, Signer: NewSigner([]byte("secret"), time.Minute)}), b
}

func TestStoreEncryptsAndOpenDecryptsAnyRange(t *testing.T) {
	t.Parallel()
	s, bucket := testService(t)
	content := []byte("%PDF-1.7\n" + strings.Repeat("données confidentielles ", 12000)) // > 4 packages
	b, err := s.store(t.Context(), bytes.NewReader(content), "plan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if b.size != int64(len(content)) || b.sha256 != hex.EncodeToString(sum[:]) || b.mime != "application/pdf" || b.filename != "plan.pdf" {
		t.Errorf("stored %+v", b)
	}
	raw, err := bucket.ReadAll(t.Context(), b.key)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(raw)) != encryptedSize(b.size) || bytes.Contains(raw, []byte("confidentielles")) {
		t.Errorf("blob of %d bytes (want %d) or plaintext inside", len(raw), encryptedSize(b.size))
	}
	d := Document{ID: 1, StorageKey: b.key, KeyID: b.keyID, Taille: b.size}
	for _, r := range [][2]int64{{0, d.Taille}, {0, 1}, {65535, 2}, {65536, 65536}, {100, 200000}, {d.Taille - 1, 1}, {d.Taille, 0}, {131072, d.Taille - 131072}} {
		rc, err := s.Open(t.Context(), d, r[0], r[1])
		if err != nil {
			t.Fatalf("open %v: %v", r, err)
		}
		got, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil || !bytes.Equal(got, content[r[0]:r[0]+r[1]]) {
			t.Errorf("range %v: %d bytes, %v", r, len(got), err)
		}
	}
	if _, err := s.Open(t.Context(), d, 10, d.Taille); err == nil {
		t.Error("a range past the end opened")
	}
	// Tampering with the ciphertext is detected.
	raw[100] ^= 1
	if err := bucket.WriteAll(t.Context(), b.key, raw, nil); err != nil {
		t.Fatal(err)
	}
	rc, _ := s.Open(t.Context(), d, 0, d.Taille)
	if _, err := io.ReadAll(rc); err == nil {
		t.Error("a tampered blob decrypted")
	}
	// Another key (or another blob's data key) does not decrypt it.
	other, _ := testService(t, bytes.Repeat([]byte{2}, 32))
	other.bucket = bucket
	if _, err := other.Open(t.Context(), d, 0, 10); err == nil {
		t.Error("a document opened without its key")
	}
}

func TestStoreRefusesBeforeKeepingAnything(t *testing.T) {
	t.Parallel()
	s, bucket := testService(t)
	cases := []struct {
		name    string
		content []byte
		check   func(error) bool
	}{
		{"big.txt", bytes.Repeat([]byte("a"), 1<<20+1), func(err error) bool { var e *TooLargeError; return errors.As(err, &e) }},
		{"x.exe", []byte("MZ"), func(err error) bool { var e *UnsupportedTypeError; return errors.As(err, &e) }},
		{"x.docx", []byte("PK\x03\x04not really a zip, but it starts like one"), func(err error) bool { var e *UnsupportedTypeError; return errors.As(err, &e) }},
		{"noext", []byte("a"), func(err error) bool { return apperr.IsKind(err, apperr.KindBadRequest) }},
		{"empty.txt", nil, func(err error) bool { return apperr.IsKind(err, apperr.KindInvalid) }},
	}
	for _, tc := range cases {
		_, err := s.store(t.Context(), bytes.NewReader(tc.content), tc.name)
		if !tc.check(err) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A source failing mid-way (a client gone) leaves nothing.
	_, err := s.store(t.Context(), io.MultiReader(strings.NewReader("%PDF-"+strings.Repeat("x", 200000)), errReader{}), "coupe.pdf")
	var re *ReadError
	if !errors.As(err, &re) {
		t.Errorf("interrupted: %v", err)
	}
	it := bucket.List(nil)
	if obj, err := it.Next(context.Background()); err != io.EOF {
		t.Errorf("the bucket holds %v after refusals", obj.Key)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestKeyRing(t *testing.T) {
	t.Parallel()
	k1, k2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	if _, err := NewKeyRing(nil); err == nil {
		t.Error("empty ring accepted")
	}
	if _, err := NewKeyRing([][]byte{k1[:16]}); err == nil {
		t.Error("short key accepted")
	}
	if _, err := NewKeyRing([][]byte{k1, k1}); err == nil {
		t.Error("duplicate key accepted")
	}
	r, err := NewKeyRing([][]byte{k2, k1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Primary() != KeyID(k2) || !r.Has(KeyID(k1)) || r.Has(KeyID(bytes.Repeat([]byte{3}, 32))) || KeyID(k1) == KeyID(k2) {
		t.Error("ring lookups")
	}
	if !regexp.MustCompile(`^k[0-9a-f]{12}$`).MatchString(KeyID(k1)) || KeyID(k1) != KeyID(append([]byte(nil), k1...)) {
		t.Errorf("key id %q", KeyID(k1))
	}
	// One data key per blob.
	a, _ := r.config(r.Primary(), "documents/a", 0)
	b, _ := r.config(r.Primary(), "documents/b", 0)
	if bytes.Equal(a.Key, b.Key) || bytes.Equal(a.Key, k2) {
		t.Error("data keys are not per blob")
	}
}

func TestSanitizeFilename(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"rapport.pdf":                     "rapport.pdf",
		`C:\Users\x\Desktop\photo 1.JPG`:  "photo 1.JPG",
		"../../etc/passwd":                "passwd",
		"..\\..\\boot.ini":                "boot.ini",
		".htaccess":                       "htaccess",
		"  devis   final .xlsx  ":         "devis final .xlsx",
		"a\x00b\nc\r\"d'<e>;f.txt":        "a_b_c_d_e_f.txt",
		"e\u0301té.csv":                   "été.csv", // NFC
		"rapport\u202egnp.exe":            "rapport_gnp.exe",
		"....":                            "",
		"":                                "",
		"/":                               "",
		"\xff\xfe.txt":                    "txt",
		"%2e%2e%2fsecret.pdf":             "_2e_2e_2fsecret.pdf",
		strings.Repeat("n", 300) + ".pdf": strings.Repeat("n", 196) + ".pdf",
	}
	for in, want := range cases {
		if got := SanitizeFilename(in); got != want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", in, got, want)
		}
	}
	long := SanitizeFilename(strings.Repeat("é", 150) + ".txt")
	if len(long) > maxFilenameBytes || !strings.HasSuffix(long, ".txt") || !strings.HasPrefix(long, "é") {
		t.Errorf("long accented name %q (%d bytes)", long, len(long))
	}
}

func TestSigner(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	s := NewSigner([]byte("secret-key"), 15*time.Minute).WithClock(func() time.Time { return now })
	exp, sig := s.Sign(42)
	if exp.Unix() != now.Add(15*time.Minute).Unix() {
		t.Errorf("expires %s", exp)
	}
	if err := s.Verify(42, exp.Unix(), sig); err != nil {
		t.Errorf("valid: %v", err)
	}
	for name, err := range map[string]error{
		"other document": s.Verify(43, exp.Unix(), sig),
		"other expiry":   s.Verify(42, exp.Unix()+1, sig),
		"other secret":   NewSigner([]byte("other"), time.Minute).Verify(42, exp.Unix(), sig),
		"garbage":        s.Verify(42, exp.Unix(), "garbage"),
		"empty":          s.Verify(42, exp.Unix(), ""),
		"expired":        s.WithClock(func() time.Time { return exp.Add(time.Second) }).Verify(42, exp.Unix(), sig),
	} {
		if !apperr.IsKind(err, apperr.KindUnauthorized) {
			t.Errorf("%s: %v, want 401", name, err)
		}
	}
	if err := s.WithClock(func() time.Time { return exp }).Verify(42, exp.Unix(), sig); err != nil {
		t.Errorf("valid until its expiry second: %v", err)
	}
}
