package factures

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		in         string
		debut, fin string
		mois       int
	}{
		{"2026", "2026-01-01", "2026-12-31", 12},
		{"2026-S2", "2026-07-01", "2026-12-31", 6},
		{"2026-T1", "2026-01-01", "2026-03-31", 3},
		{"2028-02", "2028-02-01", "2028-02-29", 1},
	} {
		p, ok := ParsePeriod(c.in)
		if !ok || !p.Debut.Equal(day(c.debut)) || !p.Fin.Equal(day(c.fin)) || p.Mois != c.mois {
			t.Errorf("%s: %+v %v", c.in, p, ok)
		}
	}
	for _, bad := range []string{"", "26", "2026-13", "2026-00", "2026-T5", "2026-S3", "2026-1", "1999", "2026-11-01"} {
		if _, ok := ParsePeriod(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRoundDivRoundsHalfUp(t *testing.T) {
	for _, c := range []struct{ a, b, want int64 }{{12000000, 12, 1000000}, {1013000 * 2000, 10000, 202600}, {5, 10, 1}, {4, 10, 0}, {3015000 * 550, 10000, 165825}} {
		if got := roundDiv(c.a, c.b); got != c.want {
			t.Errorf("roundDiv(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
