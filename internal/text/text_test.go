package text

import "testing"

func TestEscapeLikeMakesWildcardsLiteral(t *testing.T) {
	for in, want := range map[string]string{`50%`: `50\%`, `a_b`: `a\_b`, `c:\x`: `c:\\x`, `plain`: `plain`} {
		if got := EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOptionalTrimsAndTurnsBlankIntoNil(t *testing.T) {
	s := func(v string) *string { return &v }
	if Optional(nil) != nil || Optional(s("   ")) != nil {
		t.Error("nil or blank must give nil")
	}
	if got := Optional(s("  Atelier B ")); got == nil || *got != "Atelier B" {
		t.Errorf("got %v", got)
	}
}

func TestUnstorableNamesNULAndInvalidUTF8(t *testing.T) {
	if Unstorable("Société ABC") != "" {
		t.Error("valid text refused")
	}
	if Unstorable("a\x00b") == "" || Unstorable("a\xffb") == "" {
		t.Error("NUL or invalid UTF-8 accepted")
	}
}
