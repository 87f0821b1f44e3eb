// Package calendar writes iCalendar (RFC 5545) feeds: CRLF line endings, content lines folded
// at 75 octets (never inside a UTF-8 sequence), TEXT values escaped (\\ ; , and newlines), other
// values without control characters, times within the years 0000 to 9999 that the format writes.
package calendar

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// ProdID identifies the producer of the feeds.
const ProdID = "-//MIF ERP//Maintenance//FR"

// UIDDomain ends every event UID.
const UIDDomain = "mif-erp"

// Event is one VEVENT. An all-day event (AllDay) lasts from Start's date to the next day;
// otherwise it is timed in UTC from Start to End (End zero: Start).
type Event struct {
	UID         string // unique within the feed; "@mif-erp" is appended
	Summary     string
	Description string
	Location    string
	Categories  []string
	Start, End  time.Time
	AllDay      bool
	Status      string // CONFIRMED, TENTATIVE... (empty: none); like URL, not TEXT: no escapes, control characters dropped
	URL         string
}

// Calendar is a feed.
type Calendar struct {
	Name   string    // X-WR-CALNAME
	Stamp  time.Time // DTSTAMP of every event (the time of the export)
	Events []Event
}

// Bytes renders the feed.
func (c Calendar) Bytes() []byte {
	var w writer
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", ProdID)
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", "PUBLISH")
	if c.Name != "" {
		w.line("X-WR-CALNAME", Escape(c.Name))
	}
	stamp := clamp(c.Stamp).Format(utcLayout)
	for _, e := range c.Events {
		w.line("BEGIN", "VEVENT")
		w.line("UID", Escape(e.UID+"@"+UIDDomain))
		w.line("DTSTAMP", stamp)
		if e.AllDay {
			d := time.Date(e.Start.Year(), e.Start.Month(), e.Start.Day(), 0, 0, 0, 0, time.UTC)
			d = between(d, minTime, maxDay)
			w.line("DTSTART;VALUE=DATE", d.Format(dateLayout))
			w.line("DTEND;VALUE=DATE", d.AddDate(0, 0, 1).Format(dateLayout))
		} else {
			start, end := clamp(e.Start), clamp(e.End)
			if e.End.IsZero() || end.Before(start) {
				end = start
			}
			w.line("DTSTART", start.Format(utcLayout))
			w.line("DTEND", end.Format(utcLayout))
		}
		w.line("SUMMARY", Escape(e.Summary))
		if e.Description != "" {
			w.line("DESCRIPTION", Escape(e.Description))
		}
		if e.Location != "" {
			w.line("LOCATION", Escape(e.Location))
		}
		if len(e.Categories) > 0 {
			cats := make([]string, len(e.Categories))
			for i, c := range e.Categories {
				cats[i] = Escape(c)
			}
			w.line("CATEGORIES", strings.Join(cats, ","))
		}
		if st := plain(e.Status); st != "" {
			w.line("STATUS", st)
		}
		if u := plain(e.URL); u != "" {
			w.line("URL", u)
		}
		w.line("TRANSP", "TRANSPARENT")
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	return w.buf.Bytes()
}

const (
	utcLayout  = "20060102T150405Z"
	dateLayout = "20060102"
	maxOctets  = 75
)

// The times the layouts write with four-digit years: earlier or later ones are clamped (a time
// of year 0000 at a positive offset is in year -1 in UTC). An all-day event ends the day after
// its start, so it starts on maxDay at the latest.
var (
	minTime = time.Date(0, time.January, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, time.December, 31, 23, 59, 59, 0, time.UTC)
	maxDay  = time.Date(9999, time.December, 30, 0, 0, 0, 0, time.UTC)
)

// clamp is t in UTC within [minTime, maxTime].
func clamp(t time.Time) time.Time { return between(t.UTC(), minTime, maxTime) }

func between(t, lo, hi time.Time) time.Time {
	switch {
	case t.Before(lo):
		return lo
	case t.After(hi):
		return hi
	}
	return t
}

// Escape escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines; other
// control characters, which a TEXT value may not hold, become spaces.
func Escape(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		case r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plain is a value that is not TEXT (a status, a URI) without the characters no value may hold:
// control characters are dropped, invalid UTF-8 becomes U+FFFD.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

type writer struct{ buf bytes.Buffer }

// line writes "name:value" folded at 75 octets: each continuation line starts with a space,
// which counts in its 75 octets; a UTF-8 sequence is never split.
func (w *writer) line(name, value string) {
	s := name + ":" + value
	limit := maxOctets
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8 (every value is made valid first): cut anyway, never loop
			cut = limit
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n ")
		s = s[cut:]
		limit = maxOctets - 1
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}
