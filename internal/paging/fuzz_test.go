package paging

import (
	"math"
	"slices"
	"testing"

	"github.com/mif-erp/erp/internal/apperr"
)

// FuzzCheck: a page is accepted exactly when its limit is 0 (the default) or 1 to Max and its
// offset 0 to the largest int32; then the SQL parameters are those numbers, unchanged (no
// truncation to int32); otherwise a 422 names each parameter out of range, once.
func FuzzCheck(f *testing.F) {
	for _, c := range [][2]int{{0, 0}, {1, 0}, {Max, math.MaxInt32}, {Max + 1, 0}, {-1, -1}, {50, math.MaxInt32 + 1},
		{math.MinInt, math.MaxInt}, {1 << 32, 1 << 32}, {1<<32 + 50, 0}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, limit, offset int) {
		lim, off, err := Check(limit, offset)
		badLimit := limit != 0 && (limit < 1 || limit > Max)
		badOffset := offset < 0 || offset > math.MaxInt32
		if err == nil {
			want := limit
			if want == 0 {
				want = Default
			}
			if badLimit || badOffset || int(lim) != want || int(off) != offset {
				t.Fatalf("Check(%d, %d) = %d, %d", limit, offset, lim, off)
			}
			return
		}
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.KindInvalid || lim != 0 || off != 0 {
			t.Fatalf("Check(%d, %d) = %d, %d, %v: want a 422", limit, offset, lim, off, err)
		}
		var fields, want []string
		for _, fe := range ae.Fields {
			fields = append(fields, fe.Field)
		}
		if badLimit {
			want = append(want, "limit")
		}
		if badOffset {
			want = append(want, "offset")
		}
		if !slices.Equal(fields, want) {
			t.Fatalf("Check(%d, %d) names %q, want %q", limit, offset, fields, want)
		}
	})
}
