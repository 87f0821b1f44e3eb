package httpapi

import (
	"net/http"
	"slices"
	"testing"

	"github.com/mif-erp/erp/internal/apperr"
)

// TestCheckJSONNamesTheFieldsAndRefusesTrailingDataAndDuplicateKeys: the JSON reader of the gate
// names every key or string PostgreSQL could not store by its path at any depth, answers 400 for
// a key given twice in one object or data after the value, and leaves a body that is not JSON to
// the validator.
func TestCheckJSONNamesTheFieldsAndRefusesTrailingDataAndDuplicateKeys(t *testing.T) {
	for _, c := range []struct {
		body   string
		fields []string // refused fields, in order
		status int      // of the error returned (0: none)
	}{
		{`{"a":"x","b":[1,"y",{"c":null}]}` + " \r\n\t", nil, 0},
		{`{"a":"x\u0000"}`, []string{"a"}, 0},
		{"{\"a\":[\"ok\",{\"b\":{\"c\":\"\xff\"}}]}", []string{"a.1.b.c"}, 0},
		{`[{"a":1},{"a":"\u0000","b":"\u0000"}]`, []string{"1.a", "1.b"}, 0},
		{"{\"k\xfe\":1,\"k\\u0000\":2}", []string{"k\uFFFD", "k\uFFFD"}, 0},
		{`"\u0000"`, []string{""}, 0},
		{`{"a":{"b":1},"c":{"b":2}}`, nil, 0}, // the same key in two objects
		{`{"a":1,"a":1}`, nil, http.StatusBadRequest},
		{`{"a":{"b":1,"b":2}}`, nil, http.StatusBadRequest},
		{`{"a":1} x`, nil, http.StatusBadRequest},
		{`{}{}`, nil, http.StatusBadRequest},
		{`[] []`, nil, http.StatusBadRequest},
		{`1 2`, nil, http.StatusBadRequest},
		{`{"a":`, nil, 0}, // not JSON: the validator's 400
		{``, nil, 0},
	} {
		var fields apperr.Fields
		err := checkJSON(&fields, []byte(c.body))
		var got []string
		for _, f := range fields {
			got = append(got, f.Field)
		}
		if !slices.Equal(got, c.fields) {
			t.Errorf("%q: fields %q, want %q", c.body, got, c.fields)
		}
		status := 0
		if p, ok := err.(*problem); ok {
			status = p.Status
		} else if err != nil {
			t.Errorf("%q: %v, want a problem", c.body, err)
		}
		if status != c.status {
			t.Errorf("%q: status %d, want %d", c.body, status, c.status)
		}
	}
}

// TestFirstUnstorableGivesTheLine: a text body (a CSV import) is refused naming the line of its
// first NUL or invalid byte.
func TestFirstUnstorableGivesTheLine(t *testing.T) {
	for body, want := range map[string]int{"a,b\nc,d\n": 0, "a,b\nc,\x00\n": 2, "é\n\n\xff": 3, "\x00": 1} {
		if line, _ := firstUnstorable([]byte(body)); line != want {
			t.Errorf("%q: line %d, want %d", body, line, want)
		}
	}
}
