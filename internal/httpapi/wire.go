package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// Hand-written 200 answers for the hot read paths (interventions_json.go, equipements_json.go),
// written exactly as the generated Visit methods write theirs.

// wirePage is one page of a list in its wire form with the total for X-Total-Count.
type wirePage[T any] struct {
	body  []T
	total int64
}

func newWirePage[R, T any](rows []R, total int64, wire func(R) T) wirePage[T] {
	return wirePage[T]{body: mapAll(rows, wire), total: total}
}

func (p wirePage[T]) write(w http.ResponseWriter) error {
	return writeJSON(w, p.body, "X-Total-Count", strconv.FormatInt(p.total, 10))
}

// writeTagged answers one resource with the ETag of its version.
func writeTagged(w http.ResponseWriter, body any, version int32) error {
	return writeJSON(w, body, "ETag", *etagOf(version))
}

// writeJSON answers 200 with body encoded as the generated handlers do (json.Encoder, HTML
// characters escaped, a final newline) and one more header.
func writeJSON(w http.ResponseWriter, body any, header, value string) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(header, value)
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}
