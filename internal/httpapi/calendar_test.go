package httpapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/internal/testenv"
)

// The contract-validating client reads these text media types as plain strings (kin-openapi
// knows text/plain and text/csv only).
// icsEvent is the unfolded properties of one VEVENT (name with parameters -> raw value).
type icsEvent map[string]string

// parseICS checks an iCalendar feed (RFC 5545): CRLF line endings, physical lines of at most 75
// octets without a split UTF-8 sequence, balanced BEGIN/END, one VCALENDAR with VERSION:2.0 and
// PRODID, events with UID (unique), DTSTAMP, DTSTART and SUMMARY. It returns the events by UID.
func parseICS(t *testing.T, body []byte) map[string]icsEvent {
	t.Helper()
	s := string(body)
	if !strings.HasSuffix(s, "\r\n") || strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") ||
		strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\r") {
		t.Fatal("the feed has lines not ended by CRLF")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("folding split a character: %q", l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				t.Fatal("a continuation line comes first")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []string
	events := map[string]icsEvent{}
	var cur icsEvent
	calProps := map[string]string{}
	for i, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" {
			t.Fatalf("line %d is not name:value: %q", i, l)
		}
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				cur = icsEvent{}
			}
			if len(stack) == 1 && value != "VCALENDAR" || i == 0 && value != "VCALENDAR" {
				t.Fatalf("the feed starts with %s", value)
			}
			continue
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("END:%s does not close %v", value, stack)
			}
			stack = stack[:len(stack)-1]
			if value == "VEVENT" {
				for _, p := range []string{"UID", "DTSTAMP", "SUMMARY"} {
					if cur[p] == "" {
						t.Errorf("event without %s: %v", p, cur)
					}
				}
				if cur["DTSTART"] == "" && cur["DTSTART;VALUE=DATE"] == "" {
					t.Errorf("event without DTSTART: %v", cur)
				}
				if _, dup := events[cur["UID"]]; dup {
					t.Errorf("UID %s twice", cur["UID"])
				}
				events[cur["UID"]] = cur
				cur = nil
			}
			if len(stack) == 0 && i != len(lines)-1 {
				t.Fatal("content after END:VCALENDAR")
			}
			continue
		}
		if len(stack) == 0 {
			t.Fatalf("property outside VCALENDAR: %q", l)
		}
		if cur != nil {
			cur[name] = value
		} else {
			calProps[name] = value
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed components %v", stack)
	}
	if calProps["VERSION"] != "2.0" || calProps["PRODID"] == "" {
		t.Errorf("VCALENDAR properties %v", calProps)
	}
	return events
}

// icsUnescape reverses TEXT escaping.
func icsUnescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n", `\N`, "\n").Replace(s)
}

// getCalendar reads the calendar with a bearer token or a link token (one of them).
func getCalendar(t *testing.T, env *testenv.Env, bearer, token string) (*http.Response, []byte) {
	t.Helper()
	path := "/api/v1/planning/calendar.ics"
	if token != "" {
		path += "?token=" + url.QueryEscape(token)
	}
	return env.Do(http.MethodGet, path, bearer, "", nil, false)
}

func feedOf(t *testing.T, env *testenv.Env, bearer string) map[string]icsEvent {
	t.Helper()
	resp, b := getCalendar(t, env, bearer, "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return parseICS(t, b)
}

// uidsWith lists the UIDs starting with prefix, sorted.
func uidsWith(events map[string]icsEvent, prefix string) []string {
	var out []string
	for uid := range events {
		if strings.HasPrefix(uid, prefix) {
			out = append(out, uid)
		}
	}
	slices.Sort(out)
	return out
}

func TestCalendarHoldsTheCallersEvents(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env := f.env
	otherCompany, _ := f.clientAccount()
	otherTech, _ := f.techAccount()
	mine := f.machine(&f.company, nil)
	theirs := f.machine(&otherCompany, nil)
	internal := f.machine(nil, nil)

	assigned := f.insert("affectee", mine, &f.techID)
	f.exec(`UPDATE interventions SET titre = 'Fuite, huile; vanne \ nord', description = 'Ligne 1
Ligne 2 — très longue description pour vérifier le pliage des lignes à soixante-quinze octets' WHERE id = $1`, assigned)
	overdue := f.insert("en_cours", mine, &f.techID)
	f.exec(`UPDATE interventions SET date_limite = now() - interval '3 days' WHERE id = $1`, overdue)
	otherTechs := f.insert("en_cours", theirs, &otherTech)
	unassigned := f.insert("ouverte", internal, nil)
	closed := f.insert("cloturee", mine, &f.techID)
	noDeadline := f.insert("affectee", mine, &f.techID)
	f.exec(`UPDATE interventions SET date_limite = NULL WHERE id = $1`, noDeadline)
	farAway := f.insert("affectee", mine, &f.techID)
	f.exec(`UPDATE interventions SET date_limite = now() + interval '400 days' WHERE id = $1`, farAway)

	planMine := f.id(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date, modele_titre)
		VALUES ($1, 'mensuel', CURRENT_DATE + 7, CURRENT_DATE + 7, 'Graissage, contrôle; vidange') RETURNING id`, mine)
	planTheirs := f.id(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date)
		VALUES ($1, 'trimestriel', CURRENT_DATE, CURRENT_DATE) RETURNING id`, theirs)
	suspended := f.id(`INSERT INTO plannings (equipement_id, frequence, date_reference, prochaine_date, statut)
		VALUES ($1, 'hebdomadaire', CURRENT_DATE, CURRENT_DATE, 'suspendu') RETURNING id`, mine)

	ivUID := func(id int64) string { return fmt.Sprintf("intervention-%d-echeance@mif-erp", id) }
	plPrefix := func(id int64) string { return fmt.Sprintf("planning-%d-", id) }
	today := time.Now().UTC().Truncate(24 * time.Hour)

	for _, tc := range []struct {
		role       string
		ivs, plans []int64
	}{
		{"admin", []int64{assigned, overdue, otherTechs, unassigned}, []int64{planMine, planTheirs}},
		{"responsable", []int64{assigned, overdue, otherTechs, unassigned}, []int64{planMine, planTheirs}},
		{"technicien", []int64{assigned, overdue}, []int64{planMine, planTheirs}},
		{"client", []int64{assigned, overdue}, []int64{planMine}},
	} {
		t.Run(tc.role, func(t *testing.T) {
			events := feedOf(t, env, env.Token(tc.role))
			var want []string
			for _, id := range tc.ivs {
				want = append(want, ivUID(id))
			}
			slices.Sort(want)
			if got := uidsWith(events, "intervention-"); !slices.Equal(got, want) {
				t.Errorf("interventions %v, want %v", got, want)
			}
			for _, id := range []int64{closed, noDeadline, farAway} {
				if _, ok := events[ivUID(id)]; ok {
					t.Errorf("intervention %d (closed, without or beyond deadline) is in the feed", id)
				}
			}
			if got := uidsWith(events, plPrefix(suspended)); len(got) > 0 {
				t.Errorf("suspended plan in the feed: %v", got)
			}
			for _, id := range []int64{planMine, planTheirs} {
				got := uidsWith(events, plPrefix(id))
				if slices.Contains(tc.plans, id) != (len(got) > 0) {
					t.Errorf("plan %d: %d occurrences, want them: %v", id, len(got), slices.Contains(tc.plans, id))
				}
			}
			if !slices.Contains(tc.plans, planMine) {
				return
			}
			occ := uidsWith(events, plPrefix(planMine))
			if len(occ) != 12 {
				t.Errorf("monthly plan due in a week: %d occurrences in 12 months, want 12", len(occ))
			}
			first := events[occ[0]]
			wantDay := today.AddDate(0, 0, 7)
			if first["DTSTART;VALUE=DATE"] != wantDay.Format("20060102") || first["DTEND;VALUE=DATE"] != wantDay.AddDate(0, 0, 1).Format("20060102") {
				t.Errorf("first occurrence %v, want all day on %s", first, wantDay.Format(time.DateOnly))
			}
			if s := icsUnescape(first["SUMMARY"]); !strings.Contains(s, "Graissage, contrôle; vidange") {
				t.Errorf("summary %q", s)
			}
			if !strings.Contains(first["SUMMARY"], `Graissage\, contrôle\; vidange`) {
				t.Errorf("summary not escaped: %q", first["SUMMARY"])
			}
			for _, uid := range occ {
				d, err := time.Parse("20060102", events[uid]["DTSTART;VALUE=DATE"])
				if err != nil || d.Before(today) || d.After(today.AddDate(1, 0, 0)) {
					t.Errorf("occurrence %s outside the next 12 months", events[uid]["DTSTART;VALUE=DATE"])
				}
			}
			ev := events[ivUID(assigned)]
			var deadline time.Time
			if err := env.Pool.QueryRow(t.Context(), "SELECT date_limite FROM interventions WHERE id = $1", assigned).Scan(&deadline); err != nil {
				t.Fatal(err)
			}
			if ev["DTSTART"] != deadline.UTC().Format("20060102T150405Z") || !strings.HasSuffix(ev["DTSTAMP"], "Z") {
				t.Errorf("deadline event %v, want DTSTART %s (UTC)", ev, deadline.UTC().Format("20060102T150405Z"))
			}
			if s := icsUnescape(ev["SUMMARY"]); !strings.Contains(s, `Fuite, huile; vanne \ nord`) {
				t.Errorf("summary %q", s)
			}
			if d := icsUnescape(ev["DESCRIPTION"]); !strings.Contains(d, "Ligne 1\nLigne 2 — très longue") {
				t.Errorf("description %q", d)
			}
		})
	}

	// A client without a company sees nothing, and no error.
	_, lonely := f.account(api.UserRoleClient)
	if events := feedOf(t, env, lonely); len(events) != 0 {
		t.Errorf("client without company: %d events", len(events))
	}
}

func TestCalendarLinkToken(t *testing.T) {
	t.Parallel()
	f := newIvFixture(t)
	env := f.env
	mine := f.machine(&f.company, nil)
	theirs := f.machine(nil, nil)
	own := f.insert("affectee", mine, &f.techID)
	other := f.insert("ouverte", theirs, nil)

	create := func(token string) api.CalendarToken {
		t.Helper()
		resp, err := env.Client.CreateCalendarTokenWithResponse(t.Context(), testenv.As(token))
		if err != nil {
			t.Fatal(err)
		}
		if resp.JSON201 == nil {
			t.Fatalf("createCalendarToken: %d %s", resp.StatusCode(), resp.Body)
		}
		return *resp.JSON201
	}
	first := create(f.client)
	if first.Url != "/api/v1/planning/calendar.ics?token="+url.QueryEscape(first.Token) || len(first.Token) < 40 {
		t.Errorf("link %+v", first)
	}
	var stored []byte
	if err := env.Pool.QueryRow(t.Context(), `SELECT token_hash FROM calendar_tokens t JOIN users u ON u.id = t.user_id
		WHERE u.username = 'client'`).Scan(&stored); err != nil || len(stored) != 32 || strings.Contains(string(stored), first.Token) {
		t.Errorf("stored %x (%v): want the SHA-256 only", stored, err)
	}

	// The link works without a bearer token, as its owner (a client: its company's only).
	resp, b := env.Do(http.MethodGet, first.Url, "", "", nil, false)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("link: %d %s", resp.StatusCode, b)
	}
	events := parseICS(t, b)
	if _, ok := events[fmt.Sprintf("intervention-%d-echeance@mif-erp", own)]; !ok {
		t.Error("the client's intervention is missing")
	}
	if _, ok := events[fmt.Sprintf("intervention-%d-echeance@mif-erp", other)]; ok {
		t.Error("another company's intervention is in the client's feed")
	}

	// Rotation: the old link stops working, the new one works.
	second := create(f.client)
	if second.Token == first.Token {
		t.Fatal("the same token twice")
	}
	if r, b := getCalendar(t, env, "", first.Token); r.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("replaced link: %d %s, want 401", r.StatusCode, b)
	}
	if r, b := getCalendar(t, env, "", second.Token); r.StatusCode != http.StatusOK {
		t.Errorf("new link: %d %s", r.StatusCode, b)
	}
	if n := countRows(t, env, "SELECT count(*) FROM calendar_tokens"); n != 1 {
		t.Errorf("%d stored tokens, want 1", n)
	}
	// Each user has its own link; the technicien's shows the technicien's scope.
	techLink := create(f.tech)
	if r, b := getCalendar(t, env, "", techLink.Token); r.StatusCode != http.StatusOK {
		t.Errorf("technicien's link: %d %s", r.StatusCode, b)
	} else if ev := parseICS(t, b); len(uidsWith(ev, fmt.Sprintf("intervention-%d-", other))) != 0 {
		t.Error("the technicien's link shows an intervention not assigned to it")
	}

	// Unknown, empty, malformed tokens and no authentication at all: 401, never 500.
	for _, bad := range []string{"unknown", "", "%00", strings.Repeat("x", 200), "é"} {
		if r, b := getCalendar(t, env, "", bad); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: %d %s, want 401", bad, r.StatusCode, b)
		}
	}
	if r, _ := env.Do(http.MethodGet, "/api/v1/planning/calendar.ics?token="+strings.Repeat("x", 201), "", "", nil, true); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a 201-character token: %d, want 422", r.StatusCode)
	}
	// A bearer token takes precedence over the link token.
	if r, _ := getCalendar(t, env, "not-a-jwt", second.Token); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad bearer with a good link: %d, want 401", r.StatusCode)
	}
	// A deactivated owner: 403.
	if _, err := env.Pool.Exec(t.Context(), "UPDATE users SET is_active = false WHERE username = 'technicien'"); err != nil {
		t.Fatal(err)
	}
	if r, b := getCalendar(t, env, "", techLink.Token); r.StatusCode != http.StatusForbidden {
		t.Errorf("deactivated owner's link: %d %s, want 403", r.StatusCode, b)
	}
}
