package config_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/mif-erp/erp/internal/config"
)

// secretsEnsure runs scripts/secrets-ensure.sh (what `make run` loads its secrets with) on the
// secrets file, with only the given variables set, and returns what it exports.
func secretsEnsure(t *testing.T, file string, vars ...string) map[string]string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", filepath.Join("..", "..", "scripts", "secrets-ensure.sh"))
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "SECRETS_FILE=" + file}, vars...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("secrets-ensure.sh: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	line := regexp.MustCompile(`^export ([A-Z_]+)='([^']*)'$`)
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		m := line.FindSubmatch(l)
		if m == nil {
			t.Fatalf("secrets-ensure.sh printed %q, want only export lines", l)
		}
		exports[string(m[1])] = string(m[2])
	}
	return exports
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMakeRunSecretsAreGeneratedOnceAndKept: the first `make run` generates SECRET_KEY and
// DOCUMENT_KEYS into a 0600 file, valid even for production; later runs reuse them unchanged;
// a variable set in the environment wins and is never written; a variable missing from the file
// is added without touching the other.
func TestMakeRunSecretsAreGeneratedOnceAndKept(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), ".data", "secrets.env")
	first := secretsEnsure(t, file)
	if len(first) != 2 || first["SECRET_KEY"] == "" || first["DOCUMENT_KEYS"] == "" {
		t.Fatalf("first run exports %v, want SECRET_KEY and DOCUMENT_KEYS", first)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v %v, want mode 0600", st, err)
	}
	env := map[string]string{"ENVIRONMENT": config.Production, "SECRET_KEY": first["SECRET_KEY"], "DOCUMENT_KEYS": first["DOCUMENT_KEYS"]}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil || cfg.SecretKeyGenerated || cfg.DocumentKeysGenerated || len(cfg.DocumentKeys) != 1 {
		t.Fatalf("the generated secrets as production configuration: %+v %v", cfg.DocumentKeys, err)
	}
	saved := readFile(t, file)

	if again := secretsEnsure(t, file); again["SECRET_KEY"] != first["SECRET_KEY"] || again["DOCUMENT_KEYS"] != first["DOCUMENT_KEYS"] {
		t.Errorf("second run exports %v, want the first run's %v", again, first)
	}
	fromEnv := secretsEnsure(t, file, "SECRET_KEY=set-by-the-operator-0123456789abcdef")
	if _, ok := fromEnv["SECRET_KEY"]; ok || fromEnv["DOCUMENT_KEYS"] != first["DOCUMENT_KEYS"] {
		t.Errorf("with SECRET_KEY in the environment: exports %v", fromEnv)
	}
	if got := readFile(t, file); got != saved {
		t.Errorf("the secrets file changed:\n%s\nwas\n%s", got, saved)
	}

	// Both in the environment: no file is made.
	none := filepath.Join(t.TempDir(), "secrets.env")
	if got := secretsEnsure(t, none, "SECRET_KEY=x", "DOCUMENT_KEYS=y"); len(got) != 0 {
		t.Errorf("both in the environment: exports %v", got)
	}
	if _, err := os.Stat(none); !os.IsNotExist(err) {
		t.Errorf("a secrets file was made although both variables were set: %v", err)
	}

	// A file without DOCUMENT_KEYS (older or edited): the key is added, SECRET_KEY kept.
	partial := filepath.Join(t.TempDir(), "secrets.env")
	if err := os.WriteFile(partial, []byte("SECRET_KEY="+first["SECRET_KEY"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	added := secretsEnsure(t, partial)
	if added["SECRET_KEY"] != first["SECRET_KEY"] || added["DOCUMENT_KEYS"] == "" || added["DOCUMENT_KEYS"] == first["DOCUMENT_KEYS"] {
		t.Errorf("partial file: exports %v", added)
	}
	if again := secretsEnsure(t, partial); again["DOCUMENT_KEYS"] != added["DOCUMENT_KEYS"] {
		t.Errorf("the added key changed on the next run: %v, want %v", again, added)
	}
}
