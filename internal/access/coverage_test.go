package access

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mif-erp/erp/gen/db"
)

// scopedMethods are the querier's methods whose parameters carry the scope (a ScopeAll field).
func scopedMethods(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	qt := reflect.TypeFor[*db.Queries]()
	for i := range qt.NumMethod() {
		m := qt.Method(i)
		if m.Type.NumIn() < 3 { // receiver, ctx, params
			continue
		}
		arg := m.Type.In(2)
		if arg.Kind() == reflect.Struct {
			if _, ok := arg.FieldByName("ScopeAll"); ok {
				out[m.Name] = true
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d scoped queries found: did the scope parameters get renamed?", len(out))
	}
	return out
}

// query is one query of sql/queries: its SQL without comments, on one line, and its tables.
type query struct {
	text   string
	tables []string
}

// queries reads every query of sql/queries by name.
func queries(t *testing.T) map[string]query {
	t.Helper()
	files, err := filepath.Glob("../../sql/queries/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no query files: %v", err)
	}
	table := regexp.MustCompile(`(?i)\b(?:from|join|update|into|using)\s+([a-z_]+)`)
	space := regexp.MustCompile(`\s+`)
	out := map[string]query{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range strings.Split(string(b), "-- name: ")[1:] {
			name := strings.Fields(q)[0]
			var lines []string
			for _, line := range strings.Split(q, "\n")[1:] {
				if !strings.HasPrefix(strings.TrimSpace(line), "--") {
					lines = append(lines, line)
				}
			}
			text := space.ReplaceAllString(strings.Join(lines, " "), " ")
			text = strings.ReplaceAll(strings.ReplaceAll(text, "( ", "("), " )", ")")
			qu := query{text: text, tables: []string{}}
			for _, m := range table.FindAllStringSubmatch(text, -1) {
				if tb := strings.ToLower(m[1]); !slices.Contains(qu.tables, tb) {
					qu.tables = append(qu.tables, tb)
				}
			}
			out[name] = qu
		}
	}
	return out
}

// predicates are the only forms in which the SQL may use the scope parameters: an intervention
// (alias i), a machine (e), a plan through its machine (p), a company (c), a contract (k).
var predicates = []string{
	`(@scope_all::boolean OR i.technicien_id = sqlc.narg('scope_technicien_id')::bigint OR i.client_id = sqlc.narg('scope_client_id')::bigint)`,
	`(@scope_all::boolean OR e.client_id = sqlc.narg('scope_client_id')::bigint)`,
	`(@scope_all::boolean OR EXISTS (SELECT 1 FROM equipements e WHERE e.id = p.equipement_id AND e.client_id = sqlc.narg('scope_client_id')::bigint))`,
	`(@scope_all::boolean OR c.id = sqlc.narg('scope_client_id')::bigint)`,
	`(@scope_all::boolean OR k.client_id = sqlc.narg('scope_client_id')::bigint)`,
}

// TestScopedQueriesUseTheScopeOnlyInItsPredicates: every scoped query carries one of the
// predicates word for word, and uses the scope parameters nowhere else (no "@scope_all OR
// true", no scope compared with another column).
func TestScopedQueriesUseTheScopeOnlyInItsPredicates(t *testing.T) {
	t.Parallel()
	all := queries(t)
	for name := range scopedMethods(t) {
		rest := all[name].text
		found := false
		for _, p := range predicates {
			if strings.Contains(rest, p) {
				found = true
				rest = strings.ReplaceAll(rest, p, "")
			}
		}
		if !found {
			t.Errorf("%s takes the scope without any of the scoping predicates: %s", name, all[name].text)
		}
		if strings.Contains(rest, "scope_") {
			t.Errorf("%s uses the scope parameters outside the scoping predicates: %s", name, rest)
		}
	}
}

// TestEveryQueryOfAScopedTableIsDecided: a query that touches a scoped table either takes the
// scope (and then has its wrapper on Queries) or says in unscoped.go why it does not.
func TestEveryQueryOfAScopedTableIsDecided(t *testing.T) {
	t.Parallel()
	scoped := scopedMethods(t)
	all := queries(t)
	qt := reflect.TypeFor[*db.Queries]()
	wrapper := reflect.TypeFor[*Queries]()
	for i := range qt.NumMethod() {
		name := qt.Method(i).Name
		if name == "WithTx" {
			continue
		}
		if _, ok := all[name]; !ok {
			t.Errorf("%s: no query of that name in sql/queries (the test's parser is out of date)", name)
		}
		w, wrapped := wrapper.MethodByName(name)
		switch {
		case scoped[name] && !wrapped:
			t.Errorf("%s takes the scope but access.Queries has no %s: add the wrapper", name, name)
		case scoped[name] && unscoped[name] != "":
			t.Errorf("%s takes the scope but unscoped.go declares it unscoped", name)
		case scoped[name]:
			if got, want := w.Type.NumIn(), qt.Method(i).Type.NumIn(); got != want {
				t.Errorf("access.Queries.%s takes %d arguments, db.Queries.%s %d", name, got, name, want)
			}
		case !scoped[name] && wrapped:
			t.Errorf("access.Queries.%s wraps a query that takes no scope", name)
		case unscoped[name] == "":
			for _, tb := range all[name].tables {
				if slices.Contains(scopedTables, tb) {
					t.Errorf("%s touches the scoped table %s without scope parameters: add them to the SQL "+
						"(@scope_all, scope_technicien_id, scope_client_id) and a wrapper on access.Queries, "+
						"or say in unscoped.go why it needs none", name, tb)
					break
				}
			}
		}
	}
	for name := range unscoped {
		if _, ok := qt.MethodByName(name); !ok {
			t.Errorf("unscoped.go names %s, which the querier no longer has", name)
		}
	}
}

// goPackage is what `go list -export -json` says of one package.
type goPackage struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
	Standard   bool
}

// TestScopedQueriesAreCalledOnlyThroughAccess type-checks every package of the module and fails
// on a call of a scoped method of *db.Queries anywhere but in this package: every scoped read
// and write goes through Queries, which fills the scope itself.
func TestScopedQueriesAreCalledOnlyThroughAccess(t *testing.T) {
	t.Parallel()
	scoped := scopedMethods(t)
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles,Standard", "../../...")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	const module = "github.com/mif-erp/erp/"
	exports := map[string]string{}
	var own []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if strings.HasPrefix(p.ImportPath, module) && !strings.HasPrefix(p.ImportPath, module+"gen/") &&
			p.ImportPath != module+"internal/access" {
			own = append(own, p)
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, os.ErrNotExist
		}
		return os.Open(f)
	})
	var calls []string
	checked := 0
	for _, p := range own {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: imp.(types.ImporterFrom), Error: func(error) {}}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", p.ImportPath, err)
		}
		checked++
		for sel, s := range info.Selections {
			if s.Kind() != types.MethodVal || !scoped[sel.Sel.Name] {
				continue
			}
			if named := namedOf(s.Recv()); named != nil && named.Obj().Pkg() != nil &&
				named.Obj().Pkg().Path() == module+"gen/db" && named.Obj().Name() == "Queries" {
				calls = append(calls, fset.Position(sel.Pos()).String()+": db.Queries."+sel.Sel.Name)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d packages checked", checked)
	}
	sort.Strings(calls)
	for _, c := range calls {
		t.Errorf("%s is a scoped query called without internal/access: use access.For(principal).Queries(dbtx).%s",
			relative(c), c[strings.LastIndex(c, ".")+1:])
	}
}

func namedOf(t types.Type) *types.Named {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

// relative shortens an absolute position to the module's path.
func relative(pos string) string {
	if wd, err := filepath.Abs("../.."); err == nil {
		return strings.TrimPrefix(pos, wd+string(filepath.Separator))
	}
	return pos
}
