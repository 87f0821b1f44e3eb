// Package text holds the rules every service applies to user text before it reaches SQL.
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mif-erp/erp/internal/apperr"
)

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike makes s match literally inside an ILIKE pattern ('%' and '_' lose their meaning).
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// Optional trims an optional text; nil or blank becomes nil (stored as NULL).
func Optional(p *string) *string {
	if p == nil {
		return nil
	}
	s := strings.TrimSpace(*p)
	if s == "" {
		return nil
	}
	return &s
}

// Unstorable says why PostgreSQL would refuse s as text ("" when it would not): a NUL
// character, or invalid UTF-8 (both reachable through JSON escapes and query strings).
func Unstorable(s string) string {
	if strings.ContainsRune(s, 0) {
		return "ne doit pas contenir le caractère NUL"
	}
	if !utf8.ValidString(s) {
		return "doit être du texte UTF-8 valide"
	}
	return ""
}

// CheckOptional appends to fields why the optional text p of field name is refused: not
// storable, or longer than maxLen characters. Nil is fine.
func CheckOptional(fields []apperr.FieldError, name string, p *string, maxLen int) []apperr.FieldError {
	if p == nil {
		return fields
	}
	if msg := Unstorable(*p); msg != "" {
		return append(fields, apperr.FieldError{Field: name, Message: msg})
	}
	if utf8.RuneCountInString(*p) > maxLen {
		return append(fields, apperr.FieldError{Field: name, Message: fmt.Sprintf("%d caractères au plus", maxLen)})
	}
	return fields
}

// CheckRequired appends to fields why the required text s of field name is refused: not
// storable, blank, or longer than maxLen characters.
func CheckRequired(fields []apperr.FieldError, name, s string, maxLen int) []apperr.FieldError {
	if Unstorable(s) == "" && strings.TrimSpace(s) == "" {
		return append(fields, apperr.FieldError{Field: name, Message: "ne doit pas être vide"})
	}
	return CheckOptional(fields, name, &s, maxLen)
}
