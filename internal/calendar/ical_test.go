package calendar_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mif-erp/erp/internal/calendar"
)

// unfold checks the physical lines (CRLF, at most 75 octets, valid UTF-8, no split sequence) and
// returns the content lines.
func unfold(t *testing.T, b []byte) []string {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the feed does not end with CRLF")
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in %q", l)
		}
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line splits a UTF-8 sequence: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			if len(out) == 0 {
				t.Fatal("continuation line first")
			}
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestFeedFormat(t *testing.T) {
	stamp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	long := strings.Repeat("Réparation de la pompe à huile, côté nord; ", 6) + "\\fin\nligne 2"
	cal := calendar.Calendar{Name: "Test", Stamp: stamp, Events: []calendar.Event{
		{UID: "planning-1-20300115", Summary: long, Start: time.Date(2030, 1, 15, 0, 0, 0, 0, time.UTC), AllDay: true,
			Categories: []string{"a,b", "c"}},
		{UID: "intervention-2-echeance", Summary: "Échéance", Description: "x",
			Start: time.Date(2030, 1, 16, 10, 30, 0, 0, time.FixedZone("Y", 2*3600)), End: time.Date(2030, 1, 16, 9, 0, 0, 0, time.UTC)},
	}}
	lines := unfold(t, cal.Bytes())
	want := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + calendar.ProdID, "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Test",
		"BEGIN:VEVENT", "UID:planning-1-20300115@mif-erp", "DTSTAMP:20300102T020405Z",
		"DTSTART;VALUE=DATE:20300115", "DTEND;VALUE=DATE:20300116", "SUMMARY:" + calendar.Escape(long),
		`CATEGORIES:a\,b,c`, "TRANSP:TRANSPARENT", "END:VEVENT",
		"BEGIN:VEVENT", "UID:intervention-2-echeance@mif-erp", "DTSTAMP:20300102T020405Z",
		"DTSTART:20300116T083000Z", "DTEND:20300116T090000Z", "SUMMARY:Échéance", "DESCRIPTION:x",
		"TRANSP:TRANSPARENT", "END:VEVENT", "END:VCALENDAR",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("feed:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a\b`:          `a\\b`,
		"a;b,c":        `a\;b\,c`,
		"l1\nl2\r\nl3": `l1\nl2\nl3`,
		"tab\there":    "tab here",
		"«éà»":         "«éà»",
		"a:b":          "a:b",
	} {
		if got := calendar.Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFoldingNeverSplitsACharacter(t *testing.T) {
	for n := 60; n < 160; n++ {
		cal := calendar.Calendar{Stamp: time.Now(), Events: []calendar.Event{{UID: "x", Summary: strings.Repeat("é", n) + strings.Repeat("€", n%7),
			Start: time.Now(), AllDay: true}}}
		lines := unfold(t, cal.Bytes())
		found := false
		for _, l := range lines {
			if l == "SUMMARY:"+strings.Repeat("é", n)+strings.Repeat("€", n%7) {
				found = true
			}
		}
		if !found {
			t.Fatalf("n=%d: the summary does not unfold to itself", n)
		}
	}
}
