package httpapi_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImports are the packages that would let the HTTP layer reach the database itself.
// Queries belong to the domain services, probes to platform, the idempotency store to its own
// package, all wired by internal/app; httpapi converts and renders.
var forbiddenImports = []string{
	"github.com/mif-erp/erp/gen/db",
	"github.com/jackc/pgx/", // pgx and all its packages: pgxpool, pgconn, pgtype...
}

// TestHTTPLayerIsAPureAdapter fails when a non-test file of httpapi imports the database.
func TestHTTPLayerIsAPureAdapter(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range forbiddenImports {
				if path == strings.TrimSuffix(bad, "/") || strings.HasPrefix(path, bad) {
					t.Errorf("%s imports %s: the HTTP layer runs no SQL and holds no pool; "+
						"put the query behind a service and wire it in internal/app", fset.Position(imp.Pos()), path)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source file found: the test must run in the package directory")
	}
}
