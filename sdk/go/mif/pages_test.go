package mif_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	api "github.com/mif-erp/erp/gen/api"
	"github.com/mif-erp/erp/sdk/go/mif"
)

// equipementPages lists the machines matching q, recording the offsets asked.
func equipementPages(c *mif.Client, q string, offsets *[]int) mif.PageFunc[api.Equipement] {
	return func(ctx context.Context, limit, offset int) ([]api.Equipement, *http.Response, error) {
		*offsets = append(*offsets, offset)
		return mif.Page[api.Equipement](c.ListEquipementsWithResponse(ctx,
			&api.ListEquipementsParams{Q: &q, Limit: &limit, Offset: &offset}))
	}
}

func TestPagesAcrossPages(t *testing.T) {
	ctx := t.Context()
	c := loggedIn(t, adminLogin, adminPassword)
	tag := "Pages " + mif.NewIdempotencyKey()[:8]
	var want []int64
	for range 8 {
		r, err := mif.Call(c.CreateEquipementWithResponse(ctx, nil, machine(tag)))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, r.JSON201.Id)
	}

	var offsets []int
	var got []int64
	for eq, err := range mif.Pages(ctx, equipementPages(c, tag, &offsets), mif.PageSize(3)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, eq.Id)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	if !slices.Equal(offsets, []int{0, 3, 6}) {
		t.Errorf("offsets asked %v, want [0 3 6]", offsets)
	}

	// Breaking out of the loop stops the requests.
	offsets = nil
	n := 0
	for _, err := range mif.Pages(ctx, equipementPages(c, tag, &offsets), mif.PageSize(3)) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 4 {
			break
		}
	}
	if !slices.Equal(offsets, []int{0, 3}) {
		t.Errorf("offsets asked before the break %v, want [0 3]", offsets)
	}

	// Nothing matches: one request, no item.
	offsets = nil
	for range mif.Pages(ctx, equipementPages(c, tag+" absent", &offsets)) {
		t.Error("an item of an empty list")
	}
	if !slices.Equal(offsets, []int{0}) {
		t.Errorf("offsets asked of an empty list %v", offsets)
	}
}

// A refused page ends the iteration with its *Problem.
func TestPagesStopsAtProblem(t *testing.T) {
	ctx := t.Context()
	c := loggedIn(t, "client@mif.ma", "Client1234!")
	var items, fails int
	for _, err := range mif.Pages(ctx, func(ctx context.Context, limit, offset int) ([]api.User, *http.Response, error) {
		return mif.Page[api.User](c.ListUsersWithResponse(ctx, &api.ListUsersParams{Limit: &limit, Offset: &offset}))
	}) {
		if err != nil {
			fails++
			if !mif.HasStatus(err, http.StatusForbidden) {
				t.Errorf("error %v, want a 403 problem", err)
			}
			continue
		}
		items++
	}
	if items != 0 || fails != 1 {
		t.Errorf("%d items and %d errors, want 0 and 1", items, fails)
	}
}

// Without X-Total-Count, a short page is the last; PageSize stays within 1..MaxPageSize.
func TestPagesWithoutTotal(t *testing.T) {
	data := make([]int, 10)
	for i := range data {
		data[i] = i
	}
	var limits []int
	fetch := func(_ context.Context, limit, offset int) ([]int, *http.Response, error) {
		limits = append(limits, limit)
		end := min(offset+limit, len(data))
		return data[offset:end], &http.Response{Header: http.Header{}}, nil
	}
	var got []int
	for v, err := range mif.Pages(t.Context(), fetch, mif.PageSize(4)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !slices.Equal(got, data) || !slices.Equal(limits, []int{4, 4, 4}) {
		t.Errorf("read %v with limits %v", got, limits)
	}
	for _, tc := range []struct{ size, want int }{{0, 1}, {-3, 1}, {10000, mif.MaxPageSize}} {
		limits = nil
		for range mif.Pages(t.Context(), fetch, mif.PageSize(tc.size)) {
			break
		}
		if limits[0] != tc.want {
			t.Errorf("PageSize(%d) asked %d, want %d", tc.size, limits[0], tc.want)
		}
	}
	limits = nil
	for range mif.Pages(t.Context(), fetch) {
		break
	}
	if limits[0] != mif.DefaultPageSize {
		t.Errorf("default page size %d", limits[0])
	}
}

func TestPagesTransportErrorAndCancel(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	fetch := func(_ context.Context, limit, offset int) ([]int, *http.Response, error) {
		calls++
		if offset > 0 {
			return nil, nil, boom
		}
		h := http.Header{"X-Total-Count": {"5"}}
		return []int{1, 2}, &http.Response{Header: h}, nil
	}
	var got []string
	for v, err := range mif.Pages(t.Context(), fetch, mif.PageSize(2)) {
		got = append(got, fmt.Sprint(v, errors.Is(err, boom)))
	}
	if fmt.Sprint(got) != "[1 false 2 false 0 true]" {
		t.Errorf("yielded %v", got)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls = 0
	for _, err := range mif.Pages(ctx, fetch) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	}
	if calls != 0 {
		t.Errorf("%d requests after the context ended", calls)
	}
}

func TestTotal(t *testing.T) {
	for _, tc := range []struct {
		header string
		n      int
		ok     bool
	}{{"42", 42, true}, {"0", 0, true}, {"", 0, false}, {"x", 0, false}, {"-1", 0, false}} {
		resp := &http.Response{Header: http.Header{}}
		if tc.header != "" {
			resp.Header.Set("X-Total-Count", tc.header)
		}
		if n, ok := mif.Total(resp); n != tc.n || ok != tc.ok {
			t.Errorf("Total(%q) = %d, %v", tc.header, n, ok)
		}
	}
	if _, ok := mif.Total(nil); ok {
		t.Error("Total(nil)")
	}
}
