package storage

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenFileBucketCreatesAPrivateDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "documents")
	b, err := Open(t.Context(), "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v %v", st, err)
	}
	if err := b.WriteAll(t.Context(), "documents/x", []byte("0123456789"), nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "documents"))
	if len(entries) != 1 { // no metadata side-car file
		t.Errorf("files %v", entries)
	}
	ra := NewReaderAt(t.Context(), b, "documents/x")
	p := make([]byte, 4)
	if n, err := ra.ReadAt(p, 3); n != 4 || err != nil || string(p) != "3456" {
		t.Errorf("ReadAt middle: %d %v %q", n, err, p)
	}
	if n, err := ra.ReadAt(p, 8); n != 2 || err != io.EOF {
		t.Errorf("ReadAt end: %d %v", n, err)
	}
	if _, err := b.NewReader(t.Context(), "documents/missing", nil); !IsNotFound(err) {
		t.Errorf("missing blob: %v", err)
	}
	if err := b.Delete(t.Context(), "documents/missing"); !IsNotFound(err) {
		t.Errorf("delete missing: %v", err)
	}
	if _, err := Open(t.Context(), "nope://x"); err == nil {
		t.Error("unknown scheme opened")
	}
	if m, err := Open(t.Context(), "mem://"); err != nil {
		t.Error(err)
	} else {
		_ = m.Close()
	}
}
