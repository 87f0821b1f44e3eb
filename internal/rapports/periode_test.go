package rapports

import (
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

func TestPeriodOfEachRelativePeriod(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	day := d(2026, 3, 1) // a Sunday, first of a month, in the first quarter
	for p, want := range map[db.RapportPeriode][2]time.Time{
		db.RapportPeriodeToday:       {day, day},
		db.RapportPeriodeYesterday:   {d(2026, 2, 28), d(2026, 2, 28)},
		db.RapportPeriodeLast7Days:   {d(2026, 2, 22), d(2026, 2, 28)},
		db.RapportPeriodeLast30Days:  {d(2026, 1, 30), d(2026, 2, 28)},
		db.RapportPeriodeThisMonth:   {day, day},
		db.RapportPeriodeLastMonth:   {d(2026, 2, 1), d(2026, 2, 28)},
		db.RapportPeriodeThisQuarter: {d(2026, 1, 1), day},
		db.RapportPeriodeThisYear:    {d(2026, 1, 1), day},
	} {
		from, to := periodOf(p, day)
		if !from.Equal(want[0]) || !to.Equal(want[1]) {
			t.Errorf("%s: %s..%s, want %s..%s", p, from.Format(time.DateOnly), to.Format(time.DateOnly),
				want[0].Format(time.DateOnly), want[1].Format(time.DateOnly))
		}
	}
	// The last month of January is December of the year before; a quarter starts in Jan, Apr, Jul, Oct.
	if from, to := periodOf(db.RapportPeriodeLastMonth, d(2026, 1, 15)); !from.Equal(d(2025, 12, 1)) || !to.Equal(d(2025, 12, 31)) {
		t.Errorf("last month of January: %v..%v", from, to)
	}
	if from, _ := periodOf(db.RapportPeriodeThisQuarter, d(2026, 12, 6)); !from.Equal(d(2026, 10, 1)) {
		t.Errorf("quarter of December: %v", from)
	}
}

func TestTitleOfFillsThePattern(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	if got := titleOf("Revue du {debut} au {fin} (éditée le {date})", d(2, 22), d(2, 28), d(3, 1)); got !=
		"Revue du 22/02/2026 au 28/02/2026 (éditée le 01/03/2026)" {
		t.Errorf("title %q", got)
	}
}
