package temps

import (
	"testing"
	"time"
)

func TestAmountAndMinutes(t *testing.T) {
	for _, c := range []struct {
		minutes int
		rate    int64
		want    int64
	}{{150, 18000, 45000}, {1, 15000, 250}, {1, 1, 0}, {1, 30, 1}, {45, 20000, 15000}} {
		if got := amount(c.minutes, c.rate); got != c.want {
			t.Errorf("amount(%d, %d) = %d, want %d", c.minutes, c.rate, got, c.want)
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{time.Second, 1}, {time.Minute, 1}, {time.Minute + time.Second, 2}, {150 * time.Minute, 150}} {
		if got := ceilMinutes(c.d); got != c.want {
			t.Errorf("ceilMinutes(%s) = %d, want %d", c.d, got, c.want)
		}
	}
}

func TestCheckInputNamesTheField(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { v := now.Add(time.Duration(h) * time.Hour); return &v }
	ten := 10
	for name, c := range map[string]struct {
		in   Input
		ok   bool
		mins int
	}{
		"times":       {Input{Debut: at(-3), Fin: at(-1)}, true, 120},
		"minutes":     {Input{Minutes: &ten}, true, 10},
		"end before":  {Input{Debut: at(-1), Fin: at(-3)}, false, 0},
		"future":      {Input{Debut: at(-1), Fin: at(2)}, false, 0},
		"nothing":     {Input{}, false, 0},
		"minutes+fin": {Input{Minutes: &ten, Debut: at(-3), Fin: at(-1)}, false, 0},
		"debut only":  {Input{Debut: at(-3)}, false, 0},
	} {
		in := c.in
		m, err := checkInput(&in, now)
		if (err == nil) != c.ok || (c.ok && m != c.mins) {
			t.Errorf("%s: %d minutes, %v", name, m, err)
		}
	}
}
