package calendar_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mif-erp/erp/internal/calendar"
)

// text is what a TEXT value may carry (what Escape keeps of s): line breaks as "\n", other
// control characters as spaces, invalid UTF-8 as U+FFFD (one per byte).
func text(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n':
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r) // utf8.RuneError for an invalid byte
		}
	}
	return b.String()
}

// unescape reads a TEXT value (RFC 5545 3.3.11), refusing what an escaped value may not hold: a
// bare ; or , (with list, a bare , separates the values), a backslash before anything but
// \ ; , n N, a control character.
func unescape(v string, list bool) ([]string, error) {
	out := []string{}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\':
			if i+1 == len(v) {
				return nil, errors.New("a backslash ends the value")
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return nil, errors.New("unknown escape \\" + string(v[i]))
			}
		case c == ',' && list:
			out = append(out, b.String())
			b.Reset()
		case c == ';' || c == ',':
			return nil, errors.New("unescaped " + string(c))
		case c < 0x20 && c != '\t' || c == 0x7f:
			return nil, errors.New("control character")
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String()), nil
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", `a\b`, "a;b,c", "l1\nl2\r\nl3\rl4", "tab\there", "«éà»", "a:b", "\\n", "\x00\x7f\x1b",
		"\xff\xfe", "\xe2\x82", "\r\r\n", "\uFFFD", "\\\\;;,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := calendar.Escape(s)
		if !utf8.ValidString(e) {
			t.Fatalf("Escape(%q) = %q is not UTF-8", s, e)
		}
		got, err := unescape(e, false)
		if err != nil {
			t.Fatalf("Escape(%q) = %q: %v", s, e, err)
		}
		if got[0] != text(s) {
			t.Fatalf("Escape(%q) = %q reads back as %q, want %q", s, e, got[0], text(s))
		}
	})
}

var (
	nameRe     = regexp.MustCompile(`^[A-Z][A-Z-]*(;[A-Z-]+=[A-Z]+)?:`)
	utcRe      = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z$`)
	dateRe     = regexp.MustCompile(`^[0-9]{8}$`)
	textFields = map[string]bool{"X-WR-CALNAME": true, "UID": true, "SUMMARY": true, "DESCRIPTION": true, "LOCATION": true}
)

// FuzzFeed: whatever the texts and times of an event, the feed is valid RFC 5545: CRLF line
// ends, no bare CR or LF, physical lines of at most 75 octets, valid UTF-8 never cut inside a
// character, folded lines continued with a space; every content line "NAME[;PARAM=VALUE]:value";
// TEXT values escaped and reading back as the text given (see text); categories split on their
// unescaped commas; STATUS and URL without control characters; DTSTART and DTEND written with
// four-digit years, DTEND not before DTSTART (an all-day event lasts one day).
func FuzzFeed(f *testing.F) {
	f.Add("MIF ERP — maintenance", "planning-1-20300115", strings.Repeat("Réparation de la pompe à huile, côté nord; ", 6),
		"Intervention #2\nFuite", "Atelier B", "Maintenance préventive", "a,b", "CONFIRMED", "", int64(1894665600), int64(1800), true)
	f.Add("", "intervention-2-echeance", "Échéance : x", "", "", "Intervention", "haute", "CONFIRMED", "https://x/y?a=1;b=2",
		int64(1894700000), int64(-60), false)
	f.Add("\xff", "\x00", strings.Repeat("é", 80), strings.Repeat("\\", 100), strings.Repeat("€", 40), "", "",
		"A\r\nB", strings.Repeat("\x80", 100), int64(-62167222800), int64(0), false) // year 0 at +01:00 is year -1 in UTC
	f.Add("x", "y", "z", "", "", "", "", "", "", int64(253402300799), int64(1<<40), true)
	f.Fuzz(func(t *testing.T, name, uid, summary, desc, loc, cat1, cat2, status, url string, start, dur int64, allDay bool) {
		st := time.Unix(start, 0).In(time.FixedZone("X", 3600))
		ev := calendar.Event{UID: uid, Summary: summary, Description: desc, Location: loc, Categories: []string{cat1, cat2},
			Start: st, End: st.Add(time.Duration(dur) * time.Second), AllDay: allDay, Status: status, URL: url}
		cal := calendar.Calendar{Name: name, Stamp: st, Events: []calendar.Event{ev, {UID: "2", Start: st}}}
		b := cal.Bytes()
		s := string(b)
		if !strings.HasSuffix(s, "\r\n") {
			t.Fatal("the feed does not end with CRLF")
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
			switch {
			case strings.ContainsAny(l, "\r\n"):
				t.Fatalf("bare CR or LF in %q", l)
			case len(l) > 75:
				t.Fatalf("line of %d octets: %q", len(l), l)
			case !utf8.ValidString(l):
				t.Fatalf("line not UTF-8 or cut inside a character: %q", l)
			case strings.HasPrefix(l, " "):
				if len(lines) == 0 || len(l) == 1 {
					t.Fatalf("bad continuation line %q", l)
				}
				lines[len(lines)-1] += l[1:]
			default:
				lines = append(lines, l)
			}
		}
		props := map[string][]string{}
		for _, l := range lines {
			m := nameRe.FindString(l)
			if m == "" {
				t.Fatalf("not a content line: %q", l)
			}
			n := strings.TrimSuffix(m, ":")
			props[n] = append(props[n], l[len(m):])
		}
		if len(props["BEGIN"]) != 3 || len(props["END"]) != 3 || len(props["SUMMARY"]) != 2 {
			t.Fatalf("not a calendar of two events:\n%s", s)
		}
		for n, vs := range props {
			for _, v := range vs {
				if textFields[n] {
					if _, err := unescape(v, false); err != nil {
						t.Fatalf("%s:%s: %v", n, v, err)
					}
				}
				if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
					t.Fatalf("%s:%q holds a control character", n, v)
				}
			}
		}
		read := func(n string, i int) string {
			got, _ := unescape(props[n][i], false)
			return got[0]
		}
		if name != "" && read("X-WR-CALNAME", 0) != text(name) {
			t.Errorf("X-WR-CALNAME %q, want %q", read("X-WR-CALNAME", 0), text(name))
		}
		if read("UID", 0) != text(uid+"@mif-erp") || read("SUMMARY", 0) != text(summary) {
			t.Errorf("UID %q SUMMARY %q, want %q %q", read("UID", 0), read("SUMMARY", 0), text(uid+"@mif-erp"), text(summary))
		}
		if desc != "" && read("DESCRIPTION", 0) != text(desc) || loc != "" && read("LOCATION", 0) != text(loc) {
			t.Errorf("DESCRIPTION %q LOCATION %q, want %q %q", props["DESCRIPTION"], props["LOCATION"], text(desc), text(loc))
		}
		cats, err := unescape(props["CATEGORIES"][0], true)
		if err != nil || len(cats) != 2 || cats[0] != text(cat1) || cats[1] != text(cat2) {
			t.Errorf("CATEGORIES %q read as %q (%v), want %q", props["CATEGORIES"][0], cats, err, []string{text(cat1), text(cat2)})
		}
		for _, n := range []string{"STATUS", "URL"} {
			for _, v := range props[n] {
				if v == "" {
					t.Errorf("empty %s", n)
				}
			}
		}
		if len(props["DTSTAMP"]) != 2 || !utcRe.MatchString(props["DTSTAMP"][0]) {
			t.Fatalf("DTSTAMP %q", props["DTSTAMP"])
		}
		if allDay {
			s, e := props["DTSTART;VALUE=DATE"], props["DTEND;VALUE=DATE"]
			if len(s) != 1 || len(e) != 1 || !dateRe.MatchString(s[0]) || !dateRe.MatchString(e[0]) {
				t.Fatalf("all-day DTSTART %q DTEND %q", s, e)
			}
			ds, err1 := time.Parse("20060102", s[0])
			de, err2 := time.Parse("20060102", e[0])
			if err1 != nil || err2 != nil || !de.Equal(ds.AddDate(0, 0, 1)) {
				t.Fatalf("all-day DTSTART %q DTEND %q", s, e)
			}
		}
		for i, v := range props["DTSTART"] {
			e := props["DTEND"][i]
			ts, err1 := time.Parse("20060102T150405Z", v)
			te, err2 := time.Parse("20060102T150405Z", e)
			if !utcRe.MatchString(v) || !utcRe.MatchString(e) || err1 != nil || err2 != nil || te.Before(ts) {
				t.Fatalf("DTSTART %q DTEND %q", v, e)
			}
		}
	})
}
