// Package paging holds the page rules of every list (DESIGN section 3): limit 1 to Max (0 means
// Default), offset 0 to the largest int32.
package paging

import (
	"fmt"
	"math"

	"github.com/mif-erp/erp/internal/apperr"
)

// Page sizes.
const (
	Default = 50
	Max     = 500
)

// Check validates limit and offset (a zero limit is the default page) and returns them as the
// int32 parameters of the SQL; both problems are reported at once.
func Check(limit, offset int) (lim, off int32, err error) {
	if limit == 0 {
		limit = Default
	}
	var fields apperr.Fields
	if limit < 1 || limit > Max {
		fields.Addf("limit", "entre 1 et %d", Max)
	}
	if offset < 0 || offset > math.MaxInt32 {
		fields.Add("offset", fmt.Sprintf("entre 0 et %d", math.MaxInt32))
	}
	if err := fields.Err(); err != nil {
		return 0, 0, err
	}
	return int32(limit), int32(offset), nil
}
