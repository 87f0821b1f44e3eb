package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"

	"github.com/mif-erp/erp/internal/apperr"
	"github.com/mif-erp/erp/internal/text"
)

// Every text that enters a request must be one PostgreSQL can store (text.Unstorable: valid
// UTF-8, without NUL), or the request answers 422 naming the field before any SQL runs (it used
// to be a 500, SQLSTATE 22021, or invalid bytes silently replaced). checkInput checks, once for
// every operation, the path parameters, the query string (every key and value), the header
// parameters the operation declares (Idempotency-Key, If-Match, Range...) and the body the
// validator reads: every key and string of a JSON body at any depth (a \u0000 escape too), the
// fields of a urlencoded or multipart form, a text body (CSV imports). The text fields of a
// streamed upload are checked by the handler that reads them (documents.textField).
//
// A JSON body is also read strictly: one value, of which no object names a key twice; anything
// after the value but white space, or a key given twice (which the decoders resolved silently,
// each its own way), answers 400.

// checkInput runs the checks above on req, whose body is read only when it is not streamed: it
// returns the fields refused, or the error that answers at once (400, 413).
func checkInput(route *routers.Route, pathParams map[string]string, req *http.Request, streamed bool) ([]apperr.FieldError, error) {
	var fields apperr.Fields
	for _, name := range slices.Sorted(maps.Keys(pathParams)) {
		checkText(&fields, name, pathParams[name])
	}
	if req.URL.RawQuery != "" {
		query, _ := url.ParseQuery(req.URL.RawQuery) // what does not parse is the validator's
		checkValues(&fields, "", query)
	}
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, ref := range params {
			if p := ref.Value; p != nil && p.In == openapi3.ParameterInHeader {
				for _, v := range req.Header.Values(p.Name) {
					checkText(&fields, p.Name, v)
				}
			}
		}
	}
	if !streamed {
		if err := checkBody(&fields, route, req); err != nil {
			return nil, err
		}
	}
	return fields, nil
}

// withFields adds the fields refused by checkInput to the validator's 422 (where a field is in
// both, checkInput's reason is kept); any other answer of the validator (400, 413, 415) stands.
func withFields(fields []apperr.FieldError, err error) error {
	if len(fields) == 0 {
		return err
	}
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindInvalid {
		return err
	}
	out := slices.Clone(fields)
	for _, f := range ae.Fields {
		if !slices.ContainsFunc(fields, func(g apperr.FieldError) bool { return g.Field == f.Field }) {
			out = append(out, f)
		}
	}
	return apperr.Validation(out...)
}

// checkText records the field when v is not storable text.
func checkText(fields *apperr.Fields, field, v string) {
	if msg := text.Unstorable(v); msg != "" {
		fields.Add(fieldLabel(field), msg)
	}
}

// checkValues checks the keys and values of a query string or a urlencoded form.
func checkValues(fields *apperr.Fields, prefix string, values url.Values) {
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if msg := text.Unstorable(k); msg != "" {
			fields.Add(prefix+fieldLabel(k), "nom de champ : "+msg)
			continue
		}
		for _, v := range values[k] {
			checkText(fields, prefix+k, v)
		}
	}
}

// fieldLabel is a field name fit for a problem document: a key that is itself not storable
// text gets its NUL and invalid bytes replaced.
func fieldLabel(name string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", "\uFFFD"), "\uFFFD")
}

// checkBody reads the body of a request the validator will read too, when its operation declares
// its media type (another one is the validator's 415), and checks its texts by media type.
func checkBody(fields *apperr.Fields, route *routers.Route, req *http.Request) error {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil || req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	ct := req.Header.Get(echo.HeaderContentType)
	declared := rb.Value.Content.Get(ct)
	mt, params, err := mime.ParseMediaType(ct)
	if declared == nil || err != nil {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return newProblem(http.StatusRequestEntityTooLarge, echoDetails[http.StatusRequestEntityTooLarge])
		}
		return newProblem(http.StatusBadRequest, "Corps de requête illisible : "+err.Error())
	}
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return checkJSON(fields, body)
	case mt == "application/x-www-form-urlencoded":
		form, _ := url.ParseQuery(string(body))
		checkValues(fields, "", form)
	case mt == "multipart/form-data":
		checkMultipart(fields, body, params["boundary"])
	case declared.Schema != nil && declared.Schema.Value != nil && declared.Schema.Value.Type.Is(openapi3.TypeString) &&
		declared.Schema.Value.Format != "binary": // a text body, as a CSV import
		if line, msg := firstUnstorable(body); msg != "" {
			fields.Add("body", fmt.Sprintf("ligne %d : %s", line, msg))
		}
	}
	return nil
}

// firstUnstorable is the line (from 1) of the first NUL or invalid UTF-8 of b and why, or 0 and
// "" when b is storable text.
func firstUnstorable(b []byte) (int, string) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		var msg string
		switch {
		case r == 0:
			msg = text.Unstorable("\x00")
		case r == utf8.RuneError && size == 1:
			msg = text.Unstorable("\xff")
		}
		if msg != "" {
			return bytes.Count(b[:i], []byte("\n")) + 1, msg
		}
		i += size
	}
	return 0, ""
}

// checkMultipart checks the names and text fields of a multipart form read by the validator (the
// files are not text); a form that does not parse is the validator's 400.
func checkMultipart(fields *apperr.Fields, body []byte, boundary string) {
	if boundary == "" {
		return
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return
		}
		name := part.FormName()
		if msg := text.Unstorable(name); msg != "" {
			fields.Add(fieldLabel(name), "nom de champ : "+msg)
			continue
		}
		if part.FileName() != "" {
			continue
		}
		v, err := io.ReadAll(part)
		if err != nil {
			return
		}
		checkText(fields, name, string(v))
	}
}

// jsonLevel is an object or array being read, in checkJSON.
type jsonLevel struct {
	object  bool
	keys    map[string]bool // the keys read so far, of an object
	key     string          // the key of the value being read, in an object
	index   int             // the index of the value being read, in an array
	wantKey bool            // an object expects a key next
}

// checkJSON reads a JSON body token by token: it records the keys and strings that are not
// storable text (a NUL only comes escaped, as \u0000, and invalid UTF-8 only raw: the decoders
// would silently turn it into U+FFFD) naming their path, and refuses with 400 a key given twice
// in an object or anything but white space after the value. A body that is not JSON is left to
// the validator, which answers 400.
func checkJSON(fields *apperr.Fields, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []*jsonLevel
	path := func() string {
		parts := make([]string, len(stack))
		for i, l := range stack {
			if l.object {
				parts[i] = l.key
			} else {
				parts[i] = strconv.Itoa(l.index)
			}
		}
		return fieldLabel(fieldName(parts))
	}
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF (an empty body) or a syntax error: the validator's
		}
		raw := body[prev:dec.InputOffset()] // the token, after the separators before it
		prev = dec.InputOffset()
		var top *jsonLevel
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		done := false // a value is complete
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, &jsonLevel{object: v == '{', wantKey: v == '{', keys: map[string]bool{}})
			default:
				stack = stack[:len(stack)-1]
				done = true
			}
		case string:
			if top != nil && top.object && top.wantKey {
				if top.keys[v] {
					top.key = v
					return newProblem(http.StatusBadRequest, "Corps de requête illisible : la clé "+path()+" apparaît deux fois")
				}
				top.keys[v], top.key, top.wantKey = true, v, false
				if msg := unstorableJSON(v, raw); msg != "" {
					fields.Add(path(), "nom de champ : "+msg)
				}
				continue
			}
			if msg := unstorableJSON(v, raw); msg != "" {
				fields.Add(path(), msg)
			}
			done = true
		default:
			done = true
		}
		if !done {
			continue
		}
		if len(stack) == 0 { // the body's value is complete
			if len(bytes.Trim(body[dec.InputOffset():], " \t\r\n")) > 0 {
				return newProblem(http.StatusBadRequest, "Corps de requête illisible : des données suivent la valeur JSON")
			}
			return nil
		}
		if l := stack[len(stack)-1]; l.object {
			l.wantKey = true
		} else {
			l.index++
		}
	}
}

// unstorableJSON says why a JSON string is not storable text: a NUL in its decoded value, or
// invalid UTF-8 in its raw bytes.
func unstorableJSON(decoded string, raw []byte) string {
	if msg := text.Unstorable(decoded); msg != "" {
		return msg
	}
	if !utf8.Valid(raw) {
		return text.Unstorable("\xff")
	}
	return ""
}
