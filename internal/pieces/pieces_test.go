package pieces

import (
	"testing"

	"github.com/mif-erp/erp/gen/db"
)

func TestWeightedAverageRoundsHalfUpAndIgnoresNegativeStock(t *testing.T) {
	cases := []struct {
		stock, avg, q, unit, want int64
	}{
		{10, 8500, 10, 9500, 9000},                             // (85000 + 95000) / 20
		{20, 9000, 3, 1000, 7957},                              // 183000 / 23 = 7956.52
		{1, 1, 1, 2, 2},                                        // 1.5 rounds up
		{0, 5000, 4, 6000, 6000},                               // nothing on hand: the purchase price
		{-3, 7957, 5, 6000, 6000},                              // a negative balance counts as nothing on hand
		{1_000_000_000, 100_000_000_000, 1, 0, 99_999_999_900}, // no overflow at the limits
	}
	for _, c := range cases {
		if got := weightedAverage(c.stock, c.avg, c.q, c.unit); got != c.want {
			t.Errorf("weightedAverage(%d, %d, %d, %d) = %d, want %d", c.stock, c.avg, c.q, c.unit, got, c.want)
		}
	}
}

func TestEtatStock(t *testing.T) {
	for _, c := range []struct {
		stock, minimum int32
		want           string
	}{{-2, 0, EtatRupture}, {0, 3, EtatRupture}, {3, 3, EtatBas}, {1, 3, EtatBas}, {4, 3, EtatNormal}, {1, 0, EtatNormal}} {
		if got := (Piece{db.Piece{StockActuel: c.stock, StockMinimum: c.minimum}}).EtatStock(); got != c.want {
			t.Errorf("stock %d minimum %d: %s, want %s", c.stock, c.minimum, got, c.want)
		}
	}
}
