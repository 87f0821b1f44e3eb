package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mif-erp/erp/internal/testenv"
)

// badTexts are the two kinds of text PostgreSQL refuses (SQLSTATE 22021), as raw bytes.
var badTexts = map[string]string{"NUL": "a\x00b", "invalid UTF-8": "a\xff\xfeb"}

// jsonBadTexts are the same, as they are written inside a JSON string: a NUL can only come as
// an escape, invalid UTF-8 only as raw bytes.
var jsonBadTexts = map[string]string{"NUL": `a\u0000b`, "invalid UTF-8": "a\xff\xfeb"}

// TestTextWithNULOrInvalidUTF8IsRefusedNamingTheField: the inputs the issue found answering
// 500 (PostgreSQL refusing the text) answer a 4xx problem naming the field instead, before any
// SQL runs, two of them before login.
func TestTextWithNULOrInvalidUTF8IsRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"STORAGE_URL": "file://" + filepath.ToSlash(t.TempDir()), "DOCUMENT_KEYS": b64(docKey1)})
	f := newIvFixtureOn(t, env)
	iv := strconv.FormatInt(f.insert("affectee", f.machine(&f.company, nil), &f.techID), 10)
	admin := f.admin
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	upload := func(fields map[string]string) (string, string) {
		ct, body := multipartFile("file", "ok.txt", []byte("bonjour\n"), fields)
		return ct, body.String()
	}
	type tc struct {
		name, method, path, token, ct, body string
		header                              map[string]string
		field                               string
	}
	var cases []tc
	for kind, bad := range badTexts {
		jbad := jsonBadTexts[kind]
		q := url.QueryEscape(bad)
		upCT, upDescription := upload(map[string]string{"description": bad})
		upCT2, upCategorie := upload(map[string]string{"categorie": bad})
		cases = append(cases,
			tc{"token username", "POST", "/auth/token", "", "application/x-www-form-urlencoded", form("username", "admin"+bad, "password", "x"), nil, "username"},
			tc{"token password", "POST", "/auth/token", "", "application/x-www-form-urlencoded", form("username", "admin", "password", bad), nil, "password"},
			tc{"login email", "POST", "/auth/login", "", "application/x-www-form-urlencoded", form("email", bad+"@mif.ma", "password", "x"), nil, "email"},
			tc{"users q", "GET", "/users?q=" + q, admin, "", "", nil, "q"},
			tc{"equipements q", "GET", "/equipements?q=" + q, admin, "", "", nil, "q"},
			tc{"equipements type", "GET", "/equipements?type=" + q, admin, "", "", nil, "type"},
			tc{"documents q", "GET", "/documents?intervention_id=1&q=" + q, admin, "", "", nil, "q"},
			tc{"documents categorie", "GET", "/documents?intervention_id=1&categorie=" + q, admin, "", "", nil, "categorie"},
			tc{"self full_name", "PUT", "/users/update", admin, "application/json", `{"full_name":"` + jbad + `"}`, nil, "full_name"},
			tc{"admin full_name", "PATCH", "/users/2", admin, "application/json", `{"full_name":"` + jbad + `"}`, nil, "full_name"},
			tc{"notification titre", "POST", "/notifications", admin, "application/json", `{"user_id":1,"titre":"` + jbad + `","contenu":"c"}`, nil, "titre"},
			tc{"notification contenu", "POST", "/notifications", admin, "application/json", `{"user_id":1,"contenu":"` + jbad + `"}`, nil, "contenu"},
			tc{"nested text", "POST", "/checklists", admin, "application/json", `{"nom":"n","items":[{"libelle":"` + jbad + `","type_item":"case"}]}`, nil, "items.0.libelle"},
			tc{"upload description", "POST", "/interventions/" + iv + "/documents", admin, upCT, upDescription, nil, "description"},
			tc{"upload categorie", "POST", "/documents/upload?intervention_id=" + iv, admin, upCT2, upCategorie, nil, "categorie"},
		)
	}
	cases = append(cases, tc{"idempotency key", "POST", "/equipements", admin, "application/json", `{"nom":"n","type":"t","localisation":"l"}`,
		map[string]string{"Idempotency-Key": "k\xff\xfe"}, "Idempotency-Key"})
	for _, c := range cases {
		req, err := http.NewRequest(c.method, env.URL+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if c.ct != "" {
			req.Header.Set("Content-Type", c.ct)
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		req.Header.Set(testenv.HeaderInvalidOnPurpose, "1")
		resp, err := env.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := readAll(t, resp)
		p := decodeProblem(t, b)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || !names(p, c.field) {
			t.Errorf("%s %q: got %d %s, want a 4xx naming %s", c.name, c.path, resp.StatusCode, b, c.field)
		}
	}
}

// TestEveryStringInputOfTheContractRefusesNULAndInvalidUTF8 is generated from the contract: for
// every operation, every string input (path, query and header parameters, the top-level string
// properties of a JSON body, the fields of a form, a text body) is sent once with a NUL and once
// with invalid UTF-8, the rest of the request valid, as the admin and, for a public operation,
// anonymously. The answer is a 4xx, and a 422 names the input.
func TestEveryStringInputOfTheContractRefusesNULAndInvalidUTF8(t *testing.T) {
	t.Parallel()
	env := testenv.NewEnv(t, pg, testenv.Options{"STORAGE_URL": "file://" + filepath.ToSlash(t.TempDir()), "DOCUMENT_KEYS": b64(docKey1)})
	f := newIvFixtureOn(t, env)
	admin := f.admin
	// The uploads read their text fields after finding the intervention: it must exist.
	ids := map[string]string{"intervention_id": strconv.FormatInt(f.insert("affectee", f.machine(&f.company, nil), &f.techID), 10)}
	checked := 0
	for _, o := range sweepOps(t) {
		type attempt struct {
			input string // the field the answer must name
			req   func(raw, jsonRaw string) *sweepRequest
			raw   bool // a NUL can only be sent over a bare connection
		}
		var attempts []attempt
		for _, ref := range o.Params {
			p := ref.Value
			s := single(p.Schema)
			if s.Items != nil {
				s = single(s.Items)
			}
			if !s.Type.Is(openapi3.TypeString) {
				continue
			}
			attempts = append(attempts, attempt{input: p.Name, raw: p.In == openapi3.ParameterInHeader, req: func(raw, _ string) *sweepRequest {
				r := baseRequest(o, ids)
				switch p.In {
				case openapi3.ParameterInPath:
					r.path[p.Name] = raw
				case openapi3.ParameterInQuery:
					r.query.Set(p.Name, raw)
				case openapi3.ParameterInHeader:
					r.header.Set(p.Name, raw)
				}
				return r.withBody(o.mediaTypes()[0], nil, "")
			}})
		}
		for _, mt := range o.mediaTypes() {
			if mt == "" {
				continue
			}
			schema := single(o.bodySchema(mt))
			if schema.Type.Is(openapi3.TypeString) && schema.Format != "binary" { // a text body
				attempts = append(attempts, attempt{input: "body", req: func(raw, _ string) *sweepRequest {
					return baseRequest(o, ids).withBody(mt, map[string]any{"body": "reference,nom\nREF-1," + sweepPlaceholder + "\n"}, raw)
				}})
				continue
			}
			props := objectProperties(schema)
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range props {
					if !yield(k) {
						return
					}
				}
			}) {
				ps := single(props[name])
				if !ps.Type.Is(openapi3.TypeString) || ps.Format == "binary" || ps.ReadOnly {
					continue
				}
				attempts = append(attempts, attempt{input: name, req: func(raw, jsonRaw string) *sweepRequest {
					if mt == "application/json" {
						raw = jsonRaw
					}
					return baseRequest(o, ids).withBody(mt, map[string]any{name: sweepPlaceholder}, raw)
				}})
			}
		}
		if len(attempts) == 0 {
			continue
		}
		t.Run(o.String(), func(t *testing.T) {
			t.Parallel()
			env := env.For(t)
			for who, token := range identities(o, admin) {
				for _, a := range attempts {
					for kind, bad := range badTexts {
						r := a.req(bad, jsonBadTexts[kind])
						what := fmt.Sprintf("%s with %s as %s (%s)", a.input, kind, who, r.contentType)
						if a.raw && kind == "NUL" {
							// Go's client refuses to send it; the server's HTTP layer refuses it
							// before the router (400 "invalid header value").
							if status := r.sendRaw(t, env, token); status < 400 || status >= 500 {
								t.Errorf("%s: got %d, want a 4xx", what, status)
							}
							continue
						}
						status, p, b := r.send(t, env, token)
						switch {
						case status < 400 || status >= 500:
							t.Errorf("%s: got %d %s, want a 4xx", what, status, truncated(b))
						case status == http.StatusUnprocessableEntity && !names(p, a.input):
							t.Errorf("%s: got 422 %s, want it to name %s", what, truncated(b), a.input)
						}
					}
				}
			}
		})
		checked += len(attempts)
	}
	if checked < 100 {
		t.Errorf("only %d string inputs found in the contract", checked)
	}
}

func truncated(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
