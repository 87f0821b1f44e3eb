// Package templates holds the e-mail templates of the notifications, embedded in the binary:
// for each type (affectation, cloture, rappel, retard, information) a subject
// (<type>.subject.txt) and a plain-text body (<type>.txt) rendered with text/template, and an
// HTML body (<type>.html, inside layout.html) rendered with html/template, which escapes the
// text users typed. internal/mail renders them.
package templates

import "embed"

// FS is the template files.
//
//go:embed *.txt *.html
var FS embed.FS
