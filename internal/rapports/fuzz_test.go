package rapports

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/csvin"
)

// fuzzTable is a table of the kinds given (two to six columns, every Kind) and two rows of
// values of those kinds, some nil or behind pointers, from the fuzzer's inputs.
func fuzzTable(kinds []byte, s1, s2 string, n int64, x float64, sec int64) ([]Colonne, [][]any) {
	if len(kinds) < 2 {
		kinds = append(kinds, 0, 1)
	}
	kinds = kinds[:min(len(kinds), 6)]
	day := time.Unix(sec%(1<<35), 0).In(time.FixedZone("X", -5*3600)) // years 881 to 3058
	var cols []Colonne
	rows := [][]any{{}, {}}
	for i, b := range kinds {
		k := Kind(b % 8)
		cols = append(cols, Colonne{Cle: "c" + strconv.Itoa(i), Titre: "Colonne " + strconv.Itoa(i), Kind: k})
		for r := range rows {
			var v any
			switch k {
			case Texte:
				v = []string{s1, s2}[r]
				if b&0x80 != 0 {
					s := v.(string)
					v = &s
				}
			case Entier, Monnaie:
				v = []int64{n, -n}[r]
				if b&0x80 != 0 {
					v = &n
				}
			case Nombre, Pourcent, Heures:
				v = []float64{x, x / 3}[r]
			case Date, DateHeure:
				v = []time.Time{day, day.Add(time.Duration(n%86400) * time.Second)}[r]
			}
			if b&0x40 != 0 && r == 1 {
				v = nil
			}
			rows[r] = append(rows[r], v)
		}
	}
	return cols, rows
}

// checkCell asserts what a value's cell says: a text defused (UnsafeCell gives it back, line
// breaks as "\n", and it does not start like a formula), an integer or an amount exactly (cents
// as units with two decimals), a finite number within a cent, a day or an instant in UTC that
// parses back, nil as an empty cell.
func checkCell(t *testing.T, v any, k Kind, sep rune, cell string) {
	t.Helper()
	point := "."
	if sep == ';' {
		point = ","
	}
	switch x := deref(v).(type) {
	case nil:
		if cell != "" {
			t.Fatalf("nil as %q", cell)
		}
	case string:
		text := strings.ReplaceAll(strings.ReplaceAll(x, "\r\n", "\n"), "\r", "\n")
		if csvin.UnsafeCell(cell) != text || cell != "" && strings.ContainsRune("=+-@\t\r\n", rune(cell[0])) {
			t.Fatalf("text %q as %q", x, cell)
		}
	case int64:
		want := strconv.FormatInt(x, 10)
		if k == Monnaie {
			sign, u := "", uint64(x)
			if x < 0 {
				sign, u = "-", -u
			}
			units := strconv.FormatUint(u/100, 10)
			want = sign + units + point + strconv.FormatUint(u%100+100, 10)[1:]
		}
		if cell != want {
			t.Fatalf("%d (kind %d) as %q, want %q", x, k, cell, want)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		if strings.Count(cell, point) != 1 || len(cell)-strings.Index(cell, point) != 3 {
			t.Fatalf("%v as %q: not two decimals after %q", x, cell, point)
		}
		got, err := strconv.ParseFloat(strings.Replace(cell, ",", ".", 1), 64)
		if err != nil || math.Abs(got-x) > 0.005+math.Abs(x)*1e-15 {
			t.Fatalf("%v as %q (%v)", x, cell, err)
		}
	case time.Time:
		layout, want := time.DateTime, x.UTC()
		if k == Date {
			layout, want = time.DateOnly, time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		}
		got, err := time.Parse(layout, cell)
		if err != nil || !got.Equal(want.Truncate(time.Second)) {
			t.Fatalf("%v (kind %d) as %q (%v)", x, k, cell, err)
		}
	}
}

// FuzzWriteCSV: a list's CSV export (GET /.../export) reads back with encoding/csv as written:
// a byte-order mark, the header with the units, then one record per row with its cells as
// checkCell says, nothing lost (CRLF in a text included) and nothing added.
func FuzzWriteCSV(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5}, "Fuite d'huile, presse nº 2", "=HYPERLINK(\"http://x\")", int64(150050), 2.5, int64(1793750400))
	f.Add([]byte{0x80, 0xc3}, "a\r\nb", "'=x", int64(-1), -0.005, int64(0))
	f.Add([]byte{6, 7, 0x40}, "\r", "", int64(math.MinInt64), math.MaxFloat64, int64(-1<<40))
	f.Add([]byte{3, 0}, "\"", "\\.", int64(math.MaxInt64), 1e300, int64(1<<40))
	f.Fuzz(func(t *testing.T, kinds []byte, s1, s2 string, n int64, x float64, sec int64) {
		cols, rows := fuzzTable(kinds, s1, s2, n, x, sec)
		var buf bytes.Buffer
		err := WriteCSV(&buf, Table{Titre: "Export", Colonnes: cols, Rows: func(yield func([]any) error) error {
			for _, r := range rows {
				if err := yield(r); err != nil {
					return err
				}
			}
			return nil
		}}, "MAD")
		if err != nil {
			t.Fatal(err)
		}
		b, ok := bytes.CutPrefix(buf.Bytes(), []byte("\ufeff"))
		if !ok {
			t.Fatal("no byte-order mark")
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(recs) != 1+len(rows) {
			t.Fatalf("%d records (%v), want %d:\n%q", len(recs), err, 1+len(rows), b)
		}
		for i, c := range cols {
			if recs[0][i] != c.header("MAD") {
				t.Fatalf("header %q", recs[0])
			}
		}
		for r, row := range rows {
			if len(recs[r+1]) != len(cols) {
				t.Fatalf("record %q", recs[r+1])
			}
			for i, v := range row {
				checkCell(t, v, cols[i].Kind, ',', recs[r+1][i])
			}
		}
	})
}

// FuzzRenderCSV: a report's CSV (either separator) reads back with encoding/csv as written: the
// title (defused: the user names it), the period, then each section's title, header and rows
// with their cells as checkCell says; only the blank separator lines vanish.
func FuzzRenderCSV(f *testing.F) {
	f.Add("Interventions de novembre", []byte{0, 3, 6}, "Révision", "a;b,c", int64(150050), 97.5, int64(1793750400), true)
	f.Add("=cmd|' /C calc'!A0", []byte{2, 4, 5}, "-1", "+1", int64(-7), 0.125, int64(0), false)
	f.Add("", []byte{0, 0}, "", " ", int64(0), -0.0, int64(-1), true)
	f.Fuzz(func(t *testing.T, titre string, kinds []byte, s1, s2 string, n int64, x float64, sec int64, semicolon bool) {
		sep := ','
		if semicolon {
			sep = ';'
		}
		cols, rows := fuzzTable(kinds, s1, s2, n, x, sec)
		from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		d := Document{Titre: titre, From: from, To: from.AddDate(0, 1, -1), Devise: "MAD",
			Sections: []Section{{Titre: "Section", Colonnes: cols, Lignes: rows}}}
		b, err := renderCSV(d, sep)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := bytes.CutPrefix(b, []byte("\ufeff"))
		if !ok {
			t.Fatal("no byte-order mark")
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma, r.FieldsPerRecord = sep, -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%v:\n%q", err, b)
		}
		if titre == "" {
			recs = slices.Insert(recs, 0, []string{""}) // a blank line: what encoding/csv skips
		}
		if len(recs) != 4+len(rows) || len(recs[0]) != 1 {
			t.Fatalf("%d records:\n%q", len(recs), b)
		}
		checkCell(t, titre, Texte, sep, recs[0][0])
		if !slices.Equal(recs[1], []string{"Période", "2026-11-01", "2026-11-30"}) || !slices.Equal(recs[2], []string{"Section"}) {
			t.Fatalf("records %q", recs[:3])
		}
		for i, c := range cols {
			if recs[3][i] != c.header("MAD") {
				t.Fatalf("header %q", recs[3])
			}
		}
		for j, row := range rows {
			for i, v := range row {
				checkCell(t, v, cols[i].Kind, sep, recs[4+j][i])
			}
		}
	})
}

var cronZones = []string{"UTC", "Africa/Casablanca", "Europe/Paris", "America/Sao_Paulo", "Australia/Lord_Howe",
	"Asia/Kathmandu", "America/St_Johns", "Pacific/Apia"}

// FuzzCron: a schedule's expression never panics the parser; an accepted one is five fields or
// a descriptor (never a TZ= prefix, which would override the schedule's zone, nor @every); its
// next time is strictly after now, on a whole minute, the next time of a second before it is
// itself (it matches), and the one after it is later still.
func FuzzCron(f *testing.F) {
	for _, s := range []string{"0 7 * * 1", "@daily", "@weekly", "@monthly", "@yearly", "TZ=UTC", "TZ=", "CRON_TZ=Europe/Paris 0 8 * * *",
		"@every 1s", "@every", "*/0 * * * *", "0 0 31 2 *", "0 0 29 2 *", "30 2 * * *", "0-59/100 * * * *", "60 * * * *",
		"* * * * * *", "", " ", "0 0 1 1 MON-FRI", "0 0 ? * *", "5-1 * * * *", "1,2,,3 * * * *", "*/5 0-23/2 1-31 JAN-DEC SUN"} {
		f.Add(s, uint8(1), int64(1767225600))
	}
	f.Fuzz(func(t *testing.T, expr string, zone uint8, sec int64) {
		z := cronZones[int(zone)%len(cronZones)]
		// now: 2000 to 2100
		now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(uint64(sec)%(100*365*86400)) * time.Second)
		_, err := parseCron(expr)
		if err != nil {
			if _, nerr := nextTime(expr, z, now); nerr == nil {
				t.Fatalf("nextTime accepts %q that parseCron refuses", expr)
			}
			return
		}
		if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "@every") ||
			!strings.HasPrefix(expr, "@") && len(strings.Fields(expr)) != 5 {
			t.Fatalf("%q accepted", expr)
		}
		next, err := nextTime(expr, z, now)
		if err != nil {
			return // no such time within five years (31 February)
		}
		if !next.After(now) || next.Location() != time.UTC || next.Second() != 0 || next.Nanosecond() != 0 {
			t.Fatalf("nextTime(%q, %s, %v) = %v", expr, z, now, next)
		}
		if again, err := nextTime(expr, z, next.Add(-time.Second)); err != nil || !again.Equal(next) {
			t.Fatalf("nextTime(%q, %s, %v) = %v, but from a second before it: %v (%v)", expr, z, now, next, again, err)
		}
		if after, err := nextTime(expr, z, next); err == nil && !after.After(next) {
			t.Fatalf("nextTime(%q, %s, %v) = %v, then %v", expr, z, now, next, after)
		}
	})
}
