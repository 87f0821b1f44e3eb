package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	contract "github.com/mif-erp/erp/api"
	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// The sweeps below are generated from the contract: for every operation they build a minimal
// request from its schemas (path ids 1, required fields filled with valid values), then break one
// input at a time and check the answer is the 4xx naming that input, never a 5xx or a 2xx.

// sweepOp is one operation of the contract.
type sweepOp struct {
	Method, Path string // Path as the contract writes it, without /api/v1
	Op           *openapi3.Operation
	Params       openapi3.Parameters // the path item's, overridden by the operation's
	Public       bool                // an anonymous caller may call it
}

func (o sweepOp) String() string { return o.Method + " " + o.Path }

// sweepOps lists the operations of the contract, sorted by path then method.
func sweepOps(t *testing.T) []sweepOp {
	t.Helper()
	doc, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	var out []sweepOp
	for _, path := range paths {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			var params openapi3.Parameters
			for _, p := range item.Parameters {
				if op.Parameters.GetByInAndName(p.Value.In, p.Value.Name) == nil {
					params = append(params, p)
				}
			}
			params = append(params, op.Parameters...)
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			public := len(security) == 0 || slices.ContainsFunc(security, func(r openapi3.SecurityRequirement) bool { return len(r) == 0 })
			out = append(out, sweepOp{Method: method, Path: path, Op: op, Params: params, Public: public})
		}
	}
	return out
}

// sweepRequest is a request under construction.
type sweepRequest struct {
	op          sweepOp
	path        map[string]string // raw values of the path parameters
	query       url.Values
	header      http.Header
	contentType string
	body        []byte
}

// sweepPlaceholder stands for a value written into an encoded body afterwards, as raw bytes.
const sweepPlaceholder = "__SWEEP_VALUE__"

// baseRequest is a minimal valid request of o: path parameters and required query and header
// parameters filled (ids, by parameter name, gives the ids of records that exist; others are
// 1); no body (see withBody).
func baseRequest(o sweepOp, ids map[string]string) *sweepRequest {
	r := &sweepRequest{op: o, path: map[string]string{}, query: url.Values{}, header: http.Header{}}
	for _, ref := range o.Params {
		p := ref.Value
		id, known := ids[p.Name]
		switch {
		case known && (p.In == openapi3.ParameterInPath || p.Required && p.In == openapi3.ParameterInQuery):
			if p.In == openapi3.ParameterInPath {
				r.path[p.Name] = id
			} else {
				r.query.Set(p.Name, id)
			}
		case p.In == openapi3.ParameterInPath:
			r.path[p.Name] = sampleText(p.Schema)
		case p.Required && p.In == openapi3.ParameterInQuery:
			r.query.Set(p.Name, sampleText(p.Schema))
		case p.Required && p.In == openapi3.ParameterInHeader:
			r.header.Set(p.Name, sampleText(p.Schema))
		}
	}
	return r
}

// mediaTypes are the media types of o's request body, sorted ("" alone when it takes none).
func (o sweepOp) mediaTypes() []string {
	if o.Op.RequestBody == nil || o.Op.RequestBody.Value == nil {
		return []string{""}
	}
	return slices.Sorted(maps.Keys(o.Op.RequestBody.Value.Content))
}

// bodySchema is the schema of o's body in media type mt (nil without one).
func (o sweepOp) bodySchema(mt string) *openapi3.SchemaRef {
	if mt == "" {
		return nil
	}
	return o.Op.RequestBody.Value.Content.Get(mt).Schema
}

// withBody gives r a minimal valid body of media type mt, with fields overriding (or adding)
// top-level properties: a string value containing sweepPlaceholder has it replaced by raw.
func (r *sweepRequest) withBody(mt string, fields map[string]any, raw string) *sweepRequest {
	if mt == "" {
		return r
	}
	schema := r.op.bodySchema(mt)
	r.contentType = mt
	switch mt {
	case "application/json":
		v := sampleValue(schema)
		if obj, ok := v.(map[string]any); ok {
			maps.Copy(obj, fields)
		}
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		r.body = bytes.ReplaceAll(b, []byte(sweepPlaceholder), []byte(raw))
	case "application/x-www-form-urlencoded":
		form := url.Values{}
		for k, v := range formValues(schema, fields) {
			form.Set(k, strings.ReplaceAll(v, sweepPlaceholder, raw))
		}
		r.body = []byte(form.Encode())
	case "multipart/form-data":
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		values := formValues(schema, fields)
		for _, k := range slices.Sorted(maps.Keys(values)) {
			prop := objectProperties(schema.Value)[k]
			if prop != nil && prop.Value.Format == "binary" {
				h := textproto.MIMEHeader{}
				h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="sweep.txt"`, k))
				h.Set("Content-Type", "text/plain")
				part, _ := w.CreatePart(h)
				_, _ = part.Write([]byte("bonjour\n"))
				continue
			}
			_ = w.WriteField(k, strings.ReplaceAll(values[k], sweepPlaceholder, raw))
		}
		_ = w.Close()
		r.contentType = w.FormDataContentType()
		r.body = buf.Bytes()
	default: // a text body (CSV)
		r.body = []byte("reference,nom\nREF-1,Pièce\n")
		if v, ok := fields["body"].(string); ok {
			r.body = []byte(strings.ReplaceAll(v, sweepPlaceholder, raw))
		}
	}
	return r
}

// formValues are the fields of a minimal valid form, with fields overriding.
func formValues(schema *openapi3.SchemaRef, fields map[string]any) map[string]string {
	out := map[string]string{}
	if obj, ok := sampleValue(schema).(map[string]any); ok {
		for k, v := range obj {
			out[k] = fmt.Sprint(v)
		}
	}
	for k, v := range fields {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// url is the request's URL on env, with the query encoded as given.
func (r *sweepRequest) url(env *testenv.Env) string {
	path := r.op.Path
	for name, v := range r.path {
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(v))
	}
	u := env.URL + path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	return u
}

// send sends r (as breaking the contract on purpose) with the bearer token (none when "") and
// returns the status and the problem of the answer (zero when it is not one).
func (r *sweepRequest) send(t *testing.T, env *testenv.Env, token string) (int, api.Problem, []byte) {
	t.Helper()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(r.op.Method, r.url(env), body)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, r.header)
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set(testenv.HeaderInvalidOnPurpose, "1")
	resp, err := env.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", r.op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var p api.Problem
	_ = json.Unmarshal(b, &p)
	return resp.StatusCode, p, b
}

// sendRaw sends r over a bare TCP connection, for what Go's client refuses to send (a NUL in a
// header), and returns the status.
func (r *sweepRequest) sendRaw(t *testing.T, env *testenv.Env, token string) int {
	t.Helper()
	u, err := url.Parse(r.url(env))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", r.op.Method, u.RequestURI(), u.Host)
	for k, vs := range r.header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if token != "" {
		fmt.Fprintf(&b, "Authorization: Bearer %s\r\n", token)
	}
	if r.contentType != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", r.contentType)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(r.body))
	b.Write(r.body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", r.op, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// names reports whether problem p names field (itself, or a path inside it).
func names(p api.Problem, field string) bool {
	if p.Errors == nil {
		return false
	}
	for _, e := range *p.Errors {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") {
			return true
		}
	}
	return false
}

// identities are the callers a sweep tries o as: the admin, and nobody for a public operation.
func identities(o sweepOp, admin string) map[string]string {
	ids := map[string]string{"admin": admin}
	if o.Public {
		ids["anonymous"] = ""
	}
	return ids
}

// objectProperties are the properties of an object schema, with those of its allOf.
func objectProperties(s *openapi3.Schema) openapi3.Schemas {
	out := openapi3.Schemas{}
	for _, sub := range s.AllOf {
		maps.Copy(out, objectProperties(sub.Value))
	}
	maps.Copy(out, s.Properties)
	return out
}

// requiredProperties are the properties a minimal valid object of s has: its required ones (and
// its allOf's), the first alternative of an anyOf of required fields, and one property when it
// must have some.
func requiredProperties(s *openapi3.Schema) []string {
	req := slices.Clone(s.Required)
	for _, sub := range s.AllOf {
		req = append(req, requiredProperties(sub.Value)...)
	}
	if len(s.AnyOf) > 0 && len(s.AnyOf[0].Value.Properties) == 0 {
		req = append(req, s.AnyOf[0].Value.Required...)
	}
	if len(req) == 0 && s.MinProps > 0 {
		props := objectProperties(s)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			if !props[name].Value.ReadOnly {
				req = append(req, name)
				break
			}
		}
	}
	return req
}

// single is the schema a one-element allOf or oneOf wraps, or s.
func single(ref *openapi3.SchemaRef) *openapi3.Schema {
	s := ref.Value
	for len(s.Properties) == 0 && s.Type == nil {
		switch {
		case len(s.AllOf) == 1:
			s = s.AllOf[0].Value
		case len(s.OneOf) > 0:
			s = s.OneOf[0].Value
		default:
			return s
		}
	}
	return s
}

// sampleValue is a valid JSON value of the schema.
func sampleValue(ref *openapi3.SchemaRef) any {
	s := single(ref)
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is(openapi3.TypeString):
		return sampleText(ref)
	case s.Type.Is(openapi3.TypeInteger):
		v := int64(1)
		if s.Min != nil {
			v = int64(*s.Min)
			if s.ExclusiveMin.IsTrue() {
				v++
			}
		}
		return v
	case s.Type.Is(openapi3.TypeNumber):
		v := 1.0
		if s.Min != nil && *s.Min >= v {
			v = *s.Min + 1
		}
		return v
	case s.Type.Is(openapi3.TypeBoolean):
		return true
	case s.Type.Is(openapi3.TypeArray):
		out := []any{}
		for range s.MinItems {
			out = append(out, sampleValue(s.Items))
		}
		return out
	default:
		obj := map[string]any{}
		props := objectProperties(s)
		for _, name := range requiredProperties(s) {
			if prop := props[name]; prop != nil {
				obj[name] = sampleValue(prop)
			}
		}
		return obj
	}
}

// sampleText is a valid value of a primitive schema, as text.
func sampleText(ref *openapi3.SchemaRef) string {
	s := single(ref)
	switch {
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Type.Is(openapi3.TypeArray):
		return sampleText(s.Items)
	case !s.Type.Is(openapi3.TypeString):
		return fmt.Sprint(sampleValue(ref))
	}
	if ex, ok := s.Example.(string); ok {
		return ex
	}
	switch s.Format {
	case "date":
		return "2026-06-01"
	case "date-time":
		return "2026-06-01T08:00:00Z"
	case "email":
		return "sweep@example.com"
	}
	return strings.Repeat("x", max(1, int(s.MinLength)))
}

// integerBound is the largest value an integer schema takes: its maximum, or the largest int64
// for format int64, or else the largest int32 (a plain integer is an int4 of the database).
func integerBound(s *openapi3.Schema) string {
	switch {
	case s.Max != nil:
		return strconv.FormatFloat(*s.Max, 'f', 0, 64)
	case s.Format == "int64":
		return strconv.FormatInt(math.MaxInt64, 10)
	default:
		return strconv.FormatInt(math.MaxInt32, 10)
	}
}

// plusOne adds one to a decimal integer written as text.
func plusOne(n string) string {
	d := []byte(n)
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] < '9' {
			d[i]++
			return string(d)
		}
		d[i] = '0'
	}
	return "1" + string(d)
}
