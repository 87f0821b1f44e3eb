// Package api embeds the OpenAPI contract, served at /openapi.yaml and /openapi.json.
package api

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is api/openapi.yaml as written.
//
//go:embed openapi.yaml
var Spec []byte

var defineFormats sync.Once

// Shared returns the contract parsed and validated once per process: parsing the 4,300 lines
// costs a third of a second, paid by every server and test client otherwise. Every caller gets
// the same document, so it must only be read; kin-openapi's routers and request and response
// validation only read it. A caller that needs to change the document parses its own with Load.
var Shared = sync.OnceValues(Load)

// Load parses and validates the contract. It also teaches kin-openapi the `email` string
// format (its registry of formats is package-wide), so request validation checks e-mails, the
// contract's `date` (a day, or a full RFC 3339 timestamp whose day as written is kept) and its
// `date-time`, both in the years MinYear to MaxYear.
func Load() (*openapi3.T, error) {
	defineFormats.Do(func() {
		openapi3.DefineStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail))
		openapi3.DefineStringFormatValidator("date", openapi3.NewCallbackValidator(validDate))
		openapi3.DefineStringFormatValidator("date-time", openapi3.NewCallbackValidator(validDateTime))
	})
	doc, err := openapi3.NewLoader().LoadFromData(Spec)
	if err != nil {
		return nil, fmt.Errorf("parse api/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate api/openapi.yaml: %w", err)
	}
	return doc, nil
}

// The years a `date` or `date-time` of the contract may have: a year 0000 or 9999 is a typo or
// a sentinel, not a date of maintenance work (and PostgreSQL has no year 0).
const (
	MinYear = 1900
	MaxYear = 2999
)

// ErrYearOutOfRange is wrapped by the format errors of a well-formed date whose year is not
// within MinYear and MaxYear.
var ErrYearOutOfRange = errors.New("year out of range")

// validDate is the contract's `date` format: a day "2006-01-02" that exists, or a full RFC 3339
// timestamp (a date picker's ISO string), whose day as written is the date; of the years MinYear
// to MaxYear.
func validDate(v string) error {
	if len(v) == len(time.DateOnly) {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return fmt.Errorf("not a date: %w", err)
		}
		return yearInRange(v)
	}
	if _, ok := DayOfTimestamp(v); !ok {
		return fmt.Errorf("neither a date nor an RFC 3339 timestamp: %q", v)
	}
	return yearInRange(v)
}

// dateTime is RFC 3339's date-time (kin-openapi's own pattern for the format).
var dateTime = regexp.MustCompile(openapi3.FormatOfStringDateTime)

// validDateTime is the contract's `date-time` format: an RFC 3339 timestamp (as kin-openapi
// reads the format) that the handlers decode too (a day that exists, no leap second), of the
// years MinYear to MaxYear.
func validDateTime(v string) error {
	if !dateTime.MatchString(v) {
		return fmt.Errorf("not an RFC 3339 timestamp: %q", v)
	}
	if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
		return fmt.Errorf("not a timestamp: %w", err)
	}
	return yearInRange(v)
}

// yearInRange checks the year of a date or timestamp as written (its first four digits).
func yearInRange(v string) error {
	year, err := strconv.Atoi(v[:4])
	if err != nil {
		return fmt.Errorf("not a year: %q", v[:4])
	}
	if year < MinYear || year > MaxYear {
		return fmt.Errorf("%w: %d is not within %d and %d", ErrYearOutOfRange, year, MinYear, MaxYear)
	}
	return nil
}

// DayOfTimestamp returns the day "2006-01-02" of an RFC 3339 timestamp as written (in its own
// offset: 2026-03-04T23:30:00-05:00 is the 4th), and false when v is not one.
func DayOfTimestamp(v string) (string, bool) {
	if len(v) <= len(time.DateOnly) || v[len(time.DateOnly)] != 'T' {
		return "", false
	}
	if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
		return "", false
	}
	return v[:len(time.DateOnly)], true
}
