package paging

import (
	"math"
	"testing"

	"github.com/mif-erp/erp/internal/apperr"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limit, offset int
		lim, off      int32
		bad           []string
	}{
		{0, 0, Default, 0, nil},
		{Max, math.MaxInt32, Max, math.MaxInt32, nil},
		{Max + 1, 0, 0, 0, []string{"limit"}},
		{-1, -1, 0, 0, []string{"limit", "offset"}},
		{1, math.MaxInt32 + 1, 0, 0, []string{"offset"}},
	} {
		lim, off, err := Check(tc.limit, tc.offset)
		e, _ := apperr.As(err)
		var bad []string
		if e != nil {
			for _, f := range e.Fields {
				bad = append(bad, f.Field)
			}
		}
		if lim != tc.lim || off != tc.off || len(bad) != len(tc.bad) || (e != nil && e.Kind != apperr.KindInvalid) {
			t.Errorf("Check(%d, %d) = %d, %d, %v; want %d, %d, fields %v", tc.limit, tc.offset, lim, off, err, tc.lim, tc.off, tc.bad)
		}
		for i := range bad {
			if bad[i] != tc.bad[i] {
				t.Errorf("Check(%d, %d) fields %v, want %v", tc.limit, tc.offset, bad, tc.bad)
			}
		}
	}
}
