package csvin

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/mif-erp/erp/internal/apperr"
)

// FuzzRead: whatever the upload, Read and Rows never panic; an unreadable file is a 422 on
// "body"; the records come with the line of the file they start on (after the header, in
// increasing order, within the file), never a blank one; a syntax error stops the reading with
// a line number and a reason.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"reference,nom\nA,Un\n",
		"\xEF\xBB\xBF Reference ;Nom\r\nA;Un\r\n\r\nB;\"Deux; trois\"\r\n",
		"a,b\n1,2\n3,\"4\n",
		"a,b\n\"x\ny\",2\n\n \n3,4",
		"",
		"\xEF\xBB\xBF",
		"\"",
		"a\n\"b\"c\n",
		"a;b,c\n1;2\n",
		"\n\na,b\n1,2\n",
		"a,\"b\n",
		"a\r\rb\n",
		"\xff\xfe,x\n\x00,y",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		lines := bytes.Count(body, []byte("\n")) + 1
		file, err := Read(bytes.NewReader(body))
		if err != nil {
			ae, ok := apperr.As(err)
			if !ok || !apperr.IsKind(err, apperr.KindInvalid) || len(ae.Fields) != 1 || ae.Fields[0].Field != "body" {
				t.Fatalf("Read: %v, want a 422 on body", err)
			}
			return
		}
		for _, h := range file.Header {
			if h != strings.ToLower(strings.TrimSpace(h)) {
				t.Errorf("header cell %q is not trimmed and lower-cased", h)
			}
		}
		last := 1
		for line, rec := range file.Rows() {
			if line <= last || line > lines {
				t.Fatalf("record %q on line %d after line %d (the file has %d lines)", rec, line, last, lines)
			}
			last = line
			if len(rec) == 0 || len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				t.Fatalf("blank record %q yielded (line %d)", rec, line)
			}
		}
		if e := file.Err(); e != nil {
			if e.Line < 1 || e.Line > lines || e.Line < last || e.Reason == "" {
				t.Fatalf("syntax error %+v (last record on line %d, %d lines)", e, last, lines)
			}
			for range file.Rows() {
				t.Fatal("a record after the syntax error")
			}
		}
	})
}

// FuzzReadRoundTrip: what encoding/csv writes (comma or semicolon, CRLF or LF line ends),
// Read gives back: the header trimmed and lower-cased, then every record that is not blank,
// identical, each with the line of the file it starts on, and no error.
func FuzzReadRoundTrip(f *testing.F) {
	f.Add("Reference", "Nom", "A", "Un", "B", "\"Deux\"; trois", false, false)
	f.Add("reference", "nom", "x\ny", "=1+2", "", "", true, true)
	f.Add("a;b", "c", "1", "2", " ", "\r\n", true, false)
	f.Add(" ", "", "'=x", "\\.", "\"", "a\r\r\nb", false, true)
	f.Fuzz(func(t *testing.T, h1, h2, a1, a2, b1, b2 string, semicolon, crlf bool) {
		header := []string{h1, h2}
		records := [][]string{{a1, a2}, {b1}, {b2, b1, a1}, {}, {a2}}
		var buf bytes.Buffer
		buf.WriteString("\xEF\xBB\xBF")
		w := csv.NewWriter(&buf)
		if semicolon {
			w.Comma = ';'
		}
		w.UseCRLF = crlf
		starts := []int{} // the line each record starts on
		line := func() int { return bytes.Count(buf.Bytes(), []byte("\n")) + 1 }
		if err := w.Write(header); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		for _, r := range records {
			starts = append(starts, line())
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
			w.Flush()
		}
		first, _, _ := bytes.Cut(buf.Bytes(), []byte("\n"))
		if semicolon != (bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(","))) {
			t.Skip("the header line does not show its separator (the documented guess)")
		}
		file, err := Read(bytes.NewReader(buf.Bytes())) // the header line is never blank: "," at least
		if err != nil {
			t.Fatalf("Read: %v\n%q", err, buf.String())
		}
		var want []string
		for _, h := range header {
			want = append(want, strings.ToLower(strings.TrimSpace(readBack(h, crlf))))
		}
		if !slices.Equal(file.Header, want) {
			t.Fatalf("header %q, want %q\n%q", file.Header, want, buf.String())
		}
		i := 0
		for n, rec := range file.Rows() {
			for i < len(records) && blank(records[i]) {
				i++
			}
			if i == len(records) {
				t.Fatalf("extra record %q on line %d", rec, n)
			}
			exp := make([]string, len(records[i]))
			for j, c := range records[i] {
				exp[j] = readBack(c, crlf)
			}
			if !slices.Equal(rec, exp) || n != starts[i] {
				t.Fatalf("record %q on line %d, want %q on line %d\n%q", rec, n, exp, starts[i], buf.String())
			}
			i++
		}
		for i < len(records) && blank(records[i]) {
			i++
		}
		if i != len(records) || file.Err() != nil {
			t.Fatalf("%d of %d records read, error %+v\n%q", i, len(records), file.Err(), buf.String())
		}
	})
}

// blank is a record that Rows skips: no cell but a blank one.
func blank(rec []string) bool {
	return len(rec) == 0 || len(rec) == 1 && strings.TrimSpace(rec[0]) == ""
}

// readBack is a cell as encoding/csv reads it back: a "\r\n" inside a quoted field is a "\n"
// (and, written with UseCRLF, so is every "\n" and a "\r" is dropped).
func readBack(s string, crlf bool) string {
	if crlf {
		return strings.ReplaceAll(s, "\r", "")
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// FuzzSafeCell: an export's cell never starts like a formula, its line breaks are "\n", it reads
// back from encoding/csv as written, and UnsafeCell gives back the text (its line breaks as "\n").
func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"", "=1+2", "+33 6", "-5", "@SUM(A1)", "\tx", "\rx", "\nx", "'=x", "''+x", "'", "''",
		"'abc", "a\r\nb", "a\rb", "\r\r\n", "=HYPERLINK(\"http://x\";\"y\")", "Pompe, \"P2\"", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := SafeCell(s)
		if cell != "" && strings.ContainsRune("=+-@\t\r\n", rune(cell[0])) {
			t.Fatalf("SafeCell(%q) = %q starts like a formula", s, cell)
		}
		if strings.ContainsRune(cell, '\r') {
			t.Fatalf("SafeCell(%q) = %q holds a carriage return", s, cell)
		}
		text := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if got := UnsafeCell(cell); got != text {
			t.Fatalf("UnsafeCell(SafeCell(%q)) = %q, want %q", s, got, text)
		}
		if cell != text && cell != "'"+text {
			t.Fatalf("SafeCell(%q) = %q: more than a quote before the text", s, cell)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{cell, "x"})
		w.Flush()
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 1 || len(recs[0]) != 2 || recs[0][0] != cell {
			t.Fatalf("%q reads back as %q (%v)", cell, recs, err)
		}
	})
}
