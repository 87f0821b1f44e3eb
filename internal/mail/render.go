// Package mail renders the notification e-mails from the embedded templates (templates/) and
// delivers the e-mail outbox over SMTP with go-mail: retries with exponential backoff, gives up
// after a number of attempts, and never lets two workers send the same e-mail.
package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/mif-erp/erp/gen/db"
	"github.com/mif-erp/erp/templates"
)

// Application names the sender in the bodies.
const Application = "MIF ERP"

// maxSubject is the longest subject kept (in runes).
const maxSubject = 250

// Data is what the templates see. Every field may hold text typed by users: the HTML template
// escapes it, the subject is flattened to one line.
type Data struct {
	Destinataire      string // recipient's full name
	Titre             string // the notification's title
	Contenu           string // the notification's text
	InterventionID    int64  // 0: none
	InterventionTitre string
	Echeance          string // the deadline, already formatted ("" when none)
	Sujet             string // filled by Render
	Application       string // filled by Render
}

// Rendered is an e-mail ready for the outbox.
type Rendered struct {
	Subject, Text, HTML string
}

type typeTemplates struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

var registry = mustParse()

func mustParse() map[db.NotificationType]typeTemplates {
	out := map[db.NotificationType]typeTemplates{}
	for _, t := range db.AllNotificationTypeValues() {
		name := string(t)
		subject := texttemplate.Must(texttemplate.New(name+".subject.txt").Option("missingkey=error").
			ParseFS(templates.FS, name+".subject.txt"))
		text := texttemplate.Must(texttemplate.New(name+".txt").Option("missingkey=error").
			ParseFS(templates.FS, name+".txt"))
		html := htmltemplate.Must(htmltemplate.New("layout.html").Option("missingkey=error").
			ParseFS(templates.FS, "layout.html", name+".html"))
		out[t] = typeTemplates{subject: subject, text: text, html: html}
	}
	return out
}

// Render builds the subject, plain text and HTML of an e-mail of type t.
func Render(t db.NotificationType, d Data) (Rendered, error) {
	tt, ok := registry[t]
	if !ok {
		return Rendered{}, fmt.Errorf("mail: no template for type %q", t)
	}
	d.Application = Application
	var b bytes.Buffer
	if err := tt.subject.Execute(&b, d); err != nil {
		return Rendered{}, fmt.Errorf("mail: subject of %s: %w", t, err)
	}
	d.Sujet = oneLine(b.String(), maxSubject)
	b.Reset()
	if err := tt.text.Execute(&b, d); err != nil {
		return Rendered{}, fmt.Errorf("mail: text of %s: %w", t, err)
	}
	text := b.String()
	b.Reset()
	if err := tt.html.ExecuteTemplate(&b, "layout", d); err != nil {
		return Rendered{}, fmt.Errorf("mail: HTML of %s: %w", t, err)
	}
	return Rendered{Subject: d.Sujet, Text: text, HTML: b.String()}, nil
}

// oneLine flattens s to one line (no header injection through a title) of at most max runes.
func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}
