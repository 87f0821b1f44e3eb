package text

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mif-erp/erp/internal/apperr"
)

// likeMatch is PostgreSQL's (I)LIKE with the default escape character, case-sensitively: %
// matches any run of characters, _ one character, \ makes the next one literal (and may not end
// the pattern).
func likeMatch(pattern, s string) bool {
	p, r := []rune(pattern), []rune(s)
	var match func(i, j int) bool
	memo := map[[2]int]bool{}
	match = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var ok bool
		switch {
		case i == len(p):
			ok = j == len(r)
		case p[i] == '%':
			ok = match(i+1, j) || j < len(r) && match(i, j+1)
		case p[i] == '_':
			ok = j < len(r) && match(i+1, j+1)
		case p[i] == '\\': // at the end, an error in PostgreSQL: no match
			ok = i+1 < len(p) && j < len(r) && p[i+1] == r[j] && match(i+2, j+1)
		default:
			ok = j < len(r) && p[i] == r[j] && match(i+1, j+1)
		}
		memo[key] = ok
		return ok
	}
	return match(0, 0)
}

// FuzzEscapeLike: an escaped text, as a LIKE pattern, matches that text and only it, and
// '%'+escaped+'%' (the searches' pattern) finds it inside any text.
func FuzzEscapeLike(f *testing.F) {
	for _, s := range []string{"", "50%", "a_b", `c:\x`, `\`, `\%`, "%_%", "plain", "é%", `\\_`} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, s, other string) {
		if !utf8.ValidString(s) || !utf8.ValidString(other) || len(s) > 64 || len(other) > 64 {
			return // the texts reaching SQL are UTF-8 (Unstorable), and the matcher is quadratic
		}
		e := EscapeLike(s)
		if !likeMatch(e, s) {
			t.Fatalf("EscapeLike(%q) = %q does not match the text", s, e)
		}
		if other != s && likeMatch(e, other) {
			t.Fatalf("EscapeLike(%q) = %q matches %q too", s, e, other)
		}
		if !likeMatch("%"+e+"%", other+s+other) {
			t.Fatalf("%%%s%% does not find %q in %q", e, s, other+s+other)
		}
	})
}

// FuzzCheck: Unstorable refuses exactly NUL and invalid UTF-8; Optional trims and turns blank
// into nil; CheckRequired and CheckOptional refuse, with one error naming the field, exactly the
// texts that are unstorable, blank (required) or longer than the limit in characters.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", " ", "Atelier B", "a\x00b", "a\xffb", "  é  ", "\u00a0", strings.Repeat("é", 11)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, maxLen int) {
		bad := strings.ContainsRune(s, 0) || !utf8.ValidString(s)
		if (Unstorable(s) != "") != bad {
			t.Fatalf("Unstorable(%q) = %q", s, Unstorable(s))
		}
		o := Optional(&s)
		switch {
		case strings.TrimSpace(s) == "" && o != nil, strings.TrimSpace(s) != "" && (o == nil || *o != strings.TrimSpace(s)):
			t.Fatalf("Optional(%q) = %v", s, o)
		}
		long := utf8.RuneCountInString(s) > maxLen
		for _, c := range []struct {
			fields []apperr.FieldError
			want   bool
		}{
			{CheckRequired(nil, "nom", s, maxLen), bad || strings.TrimSpace(s) == "" || long},
			{CheckOptional(nil, "nom", &s, maxLen), bad || long},
			{CheckOptional(nil, "nom", nil, maxLen), false},
		} {
			if (len(c.fields) > 0) != c.want || len(c.fields) > 1 || len(c.fields) == 1 && c.fields[0].Field != "nom" {
				t.Fatalf("%q (at most %d): %v, refused: %v", s, maxLen, c.fields, c.want)
			}
		}
	})
}
