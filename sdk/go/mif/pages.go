package mif

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"reflect"
	"strconv"
)

// Page sizes of the API's lists (the `limit` parameter).
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageFunc fetches the page of at most limit items starting at offset, and returns its items
// with the HTTP answer (whose X-Total-Count header tells when to stop). Page adapts a generated
// list method to it.
type PageFunc[T any] func(ctx context.Context, limit, offset int) ([]T, *http.Response, error)

// PageOption tunes Pages.
type PageOption func(*pageConfig)

type pageConfig struct{ size int }

// PageSize sets the number of items asked per request, within 1..MaxPageSize (default
// DefaultPageSize).
func PageSize(n int) PageOption {
	return func(c *pageConfig) { c.size = min(max(n, 1), MaxPageSize) }
}

// Pages iterates over every item of a list, fetching one page after the other as the loop
// goes on:
//
//	for eq, err := range mif.Pages(ctx, func(ctx context.Context, limit, offset int) ([]api.Equipement, *http.Response, error) {
//		return mif.Page[api.Equipement](c.ListEquipementsWithResponse(ctx, &api.ListEquipementsParams{Limit: &limit, Offset: &offset}))
//	}) {
//		if err != nil { return err }
//		...
//	}
//
// It stops after the last page (X-Total-Count reached, or a short or empty page when the header
// is missing), when the loop breaks, or at the first error, which it yields with the zero T
// (a refused request's error wraps its *Problem).
func Pages[T any](ctx context.Context, fetch PageFunc[T], opts ...PageOption) iter.Seq2[T, error] {
	cfg := pageConfig{size: DefaultPageSize}
	for _, o := range opts {
		o(&cfg)
	}
	return func(yield func(T, error) bool) {
		var zero T
		for offset := 0; ; {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, resp, err := fetch(ctx, cfg.size, offset)
			if err != nil {
				yield(zero, fmt.Errorf("mif: page at offset %d: %w", offset, err))
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			offset += len(items)
			total, known := Total(resp)
			if len(items) == 0 || (known && offset >= total) || (!known && len(items) < cfg.size) {
				return
			}
		}
	}
}

// Total returns the X-Total-Count of a list's answer: the number of rows matching the filters,
// whatever limit and offset.
func Total(resp *http.Response) (int, bool) {
	if resp == nil {
		return 0, false
	}
	n, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// Page turns the result of a generated list method (...WithResponse) into a page for Pages:
// the items of its JSON200 field, its *http.Response, and the transport error or the *Problem
// of a refused request.
//
//	items, resp, err := mif.Page[api.Equipement](c.ListEquipementsWithResponse(ctx, params))
func Page[T any](resp any, err error) ([]T, *http.Response, error) {
	if err != nil {
		return nil, nil, err
	}
	hr, body, err := responseParts(resp)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckResponse(hr, body); err != nil {
		return nil, hr, err
	}
	v := reflect.Indirect(reflect.ValueOf(resp))
	if items, ok := fieldOf[*[]T](v, "JSON200"); ok && items != nil {
		return *items, hr, nil
	}
	var items []T // no JSON200 of this type (another media type): decode the body
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, hr, fmt.Errorf("mif: decode %T as a list of %v: %w", resp, reflect.TypeFor[T](), err)
	}
	return items, hr, nil
}
