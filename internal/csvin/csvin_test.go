package csvin

import (
	"slices"
	"strings"
	"testing"

	"github.com/mif-erp/erp/internal/apperr"
)

func TestReadsHeaderSeparatorBlankLinesAndLineNumbers(t *testing.T) {
	f, err := Read(strings.NewReader("\xEF\xBB\xBF Reference ;Nom\nA;Un\n\nB;\"Deux; trois\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Header, []string{"reference", "nom"}) {
		t.Errorf("header %q", f.Header)
	}
	var lines []int
	var last []string
	for line, rec := range f.Rows() {
		lines = append(lines, line)
		last = rec
	}
	if !slices.Equal(lines, []int{2, 4}) || last[1] != "Deux; trois" || f.Err() != nil {
		t.Errorf("lines %v, last %q, err %v", lines, last, f.Err())
	}
}

func TestStopsAtASyntaxErrorAndRefusesAnEmptyFile(t *testing.T) {
	f, err := Read(strings.NewReader("a,b\n1,2\n3,\"4\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range f.Rows() {
		n++
	}
	if n != 1 || f.Err() == nil || f.Err().Line != 3 {
		t.Errorf("%d rows, err %+v", n, f.Err())
	}
	for _, body := range []string{"", "\xEF\xBB\xBF \n"} {
		if _, err := Read(strings.NewReader(body)); !apperr.IsKind(err, apperr.KindInvalid) {
			t.Errorf("%q: %v", body, err)
		}
	}
}
