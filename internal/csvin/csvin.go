// Package csvin reads the CSV files users upload (catalogue and reading imports): an optional
// byte-order mark, comma or semicolon separated (whichever the header line uses more), a header
// line, then records numbered by their line in the file (the header is line 1). SafeCell and
// UnsafeCell are the cell rule of the CSV exports, which an import reads back.
package csvin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/mif-erp/erp/internal/apperr"
)

// File is an uploaded CSV whose header was read.
type File struct {
	Header []string // trimmed, lower-cased
	r      *csv.Reader
	err    *SyntaxError
}

// SyntaxError is a line the CSV syntax breaks (an unclosed quote, ...): reading stops there.
type SyntaxError struct {
	Line   int
	Reason string
}

// Read reads body and its header line. An empty file or an unreadable header answers 422 naming
// the body.
func Read(body io.Reader) (*File, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, apperr.InvalidField("body", "fichier CSV vide : une ligne d'en-tête est attendue")
	}
	r := csv.NewReader(bytes.NewReader(raw))
	first, _, _ := bytes.Cut(raw, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, apperr.InvalidField("body", "en-tête illisible : "+reason(err))
	}
	for i, h := range header {
		header[i] = strings.ToLower(strings.TrimSpace(h))
	}
	return &File{Header: header, r: r}, nil
}

// Rows yields the records that are not blank, with their line numbers, until the end of the file
// or a syntax error (then Err says where).
func (f *File) Rows() iter.Seq2[int, []string] {
	return func(yield func(int, []string) bool) {
		if f.err != nil {
			return // reading stopped at the syntax error, for good
		}
		for {
			rec, err := f.r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				// Not FieldPos: it panics when the error came before the record's first field.
				line := 0
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					line = pe.StartLine
				}
				f.err = &SyntaxError{Line: line, Reason: "CSV illisible : " + reason(err)}
				return
			}
			line, _ := f.r.FieldPos(0)
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			if !yield(line, rec) {
				return
			}
		}
	}
}

// Err is the syntax error that stopped Rows, if any.
func (f *File) Err() *SyntaxError { return f.err }

func reason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
