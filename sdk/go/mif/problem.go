package mif

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	api "github.com/mif-erp/erp/gen/api"
)

// Problem is an error answer of the API (RFC 9457 application/problem+json): every refused
// request gets one. Detail is the human-readable message, in French. Find it with errors.As:
//
//	var p *mif.Problem
//	if errors.As(err, &p) && p.Status == http.StatusConflict { ... }
type Problem struct {
	Status    int    // HTTP status code
	Title     string // the reason phrase ("Unprocessable Entity")
	Detail    string // what went wrong, in French ("Équipement introuvable")
	Type      string // a URI naming the kind of problem, "about:blank" when the status says it all
	Instance  string // the request path
	RequestID string // the request id, to find the request in the server's logs
	// Errors lists the fields or parameters at fault (422), or the possible actions (409 on an
	// intervention's state).
	Errors []FieldError
}

// FieldError is one field or parameter at fault.
type FieldError struct {
	Field   string
	Message string
}

// Error returns "422 Unprocessable Entity: Erreur de validation des données (nom: ...)".
func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", p.Status, p.Title)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	if len(p.Errors) > 0 {
		b.WriteString(" (")
		for i, fe := range p.Errors {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(fe.Field + ": " + fe.Message)
		}
		b.WriteString(")")
	}
	if p.RequestID != "" {
		b.WriteString(" [request " + p.RequestID + "]")
	}
	return b.String()
}

// FieldMessage returns the message about field, if the problem names it.
func (p *Problem) FieldMessage(field string) (string, bool) {
	for _, fe := range p.Errors {
		if fe.Field == field {
			return fe.Message, true
		}
	}
	return "", false
}

// HasStatus reports whether err is, or wraps, a *Problem with the given HTTP status.
func HasStatus(err error, status int) bool {
	var p *Problem
	return errors.As(err, &p) && p.Status == status
}

// maxProblemBody bounds what is read of an error answer.
const maxProblemBody = 1 << 20

// CheckResponse returns nil for a successful answer (status below 400) and a *Problem
// otherwise, read from body: an application/problem+json document, or for any other error
// answer (a proxy's HTML page) its status with the start of its text as Detail.
func CheckResponse(resp *http.Response, body []byte) error {
	if resp == nil {
		return errors.New("mif: no HTTP response")
	}
	if resp.StatusCode < 400 {
		return nil
	}
	p := &Problem{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
	var doc api.Problem
	if isJSON(resp.Header.Get("Content-Type")) && json.Unmarshal(body, &doc) == nil {
		if doc.Status != 0 {
			p.Status = doc.Status
		}
		if doc.Title != "" {
			p.Title = doc.Title
		}
		p.Type = doc.Type
		p.Detail = deref(doc.Detail)
		p.Instance = deref(doc.Instance)
		p.RequestID = deref(doc.RequestId)
		if doc.Errors != nil {
			for _, fe := range *doc.Errors {
				p.Errors = append(p.Errors, FieldError{Field: fe.Field, Message: fe.Message})
			}
		}
	} else {
		p.Detail = snippet(body)
	}
	if p.RequestID == "" {
		p.RequestID = resp.Header.Get("X-Request-ID")
	}
	if p.Instance == "" && resp.Request != nil && resp.Request.URL != nil {
		p.Instance = resp.Request.URL.Path
	}
	return p
}

// Check returns nil when a call succeeded and a *Problem when the server refused it. resp is
// the answer of a generated ...WithResponse method (any *api.XxxResponse: its HTTPResponse and
// Body are read) or an *http.Response of a raw call (its body is read and closed only when it
// is an error answer).
func Check(resp any) error {
	if hr, ok := resp.(*http.Response); ok {
		if hr == nil || hr.StatusCode < 400 {
			return CheckResponse(hr, nil)
		}
		defer hr.Body.Close()
		body, err := io.ReadAll(io.LimitReader(hr.Body, maxProblemBody))
		if err != nil {
			return fmt.Errorf("mif: read error answer %s: %w", hr.Status, err)
		}
		return CheckResponse(hr, body)
	}
	hr, body, err := responseParts(resp)
	if err != nil {
		return err
	}
	return CheckResponse(hr, body)
}

// Call checks the result of a generated ...WithResponse method in one step:
//
//	r, err := mif.Call(c.GetEquipementWithResponse(ctx, id))
//
// err is the transport error, or the *Problem of a refused request.
func Call[R any](resp R, err error) (R, error) {
	if err != nil {
		return resp, err
	}
	return resp, Check(resp)
}

// responseParts reads the HTTPResponse and Body fields of a generated response.
func responseParts(resp any) (*http.Response, []byte, error) {
	v := reflect.ValueOf(resp)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil, fmt.Errorf("mif: nil %T", resp)
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, nil, fmt.Errorf("mif: %T is not a generated response", resp)
	}
	hr, okResp := fieldOf[*http.Response](v, "HTTPResponse")
	body, okBody := fieldOf[[]byte](v, "Body")
	if !okResp || !okBody {
		return nil, nil, fmt.Errorf("mif: %T has no HTTPResponse and Body fields", resp)
	}
	return hr, body, nil
}

// fieldOf returns the exported field name of struct value v when it has type F.
func fieldOf[F any](v reflect.Value, name string) (F, bool) {
	var zero F
	f := v.FieldByName(name)
	if !f.IsValid() || !f.CanInterface() {
		return zero, false
	}
	x, ok := f.Interface().(F)
	return x, ok
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// snippet is the start of a non-JSON error body, as text.
func snippet(body []byte) string {
	const max = 200
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), ""))
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
