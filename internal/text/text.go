// Package text holds the rules every service applies to user text before it reaches SQL.
package text

import (
	"strings"
	"unicode/utf8"
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
