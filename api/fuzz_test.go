package api

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// yearOK says whether v starts with a year of MinYear to MaxYear.
func yearOK(v string) bool {
	y, err := strconv.Atoi(v[:4])
	return err == nil && y >= MinYear && y <= MaxYear
}

// FuzzDate: the contract's `date` format. DayOfTimestamp answers a day only for an RFC 3339
// timestamp, and that day is the one written (the timestamp's own offset), a real day;
// validDate accepts exactly the days that exist and those timestamps, of the years MinYear to
// MaxYear (others: ErrYearOutOfRange); and what the gate hands the handlers (the day, or the
// timestamp's day) decodes as the generated code's Date, the same day back.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2026-03-04", "2024-02-29", "2026-02-29", "2026-13-01", "0000-01-01", "9999-12-31", "1900-01-01",
		"2999-12-31T23:59:59+14:00", "1899-12-31", "3000-01-01", "2026-03-04T23:30:00-05:00", "2026-03-04T23:30:00Z",
		"2026-03-04T00:00:00.123456789+14:00", "2026-03-04t23:30:00z", "2026-03-04T24:00:00Z", "2026-03-04T23:30:00+24:00",
		"2026-03-04T23:30:00", "2026-03-04T", "2026-03-04 23:30:00Z", "", "2026-3-4", " 2026-03-04", "+026-03-04",
		"2026-03-04\n", "２０２６-03-04"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		day, ok := DayOfTimestamp(v)
		if ok {
			ts, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				t.Fatalf("DayOfTimestamp(%q) = %q for what is not a timestamp: %v", v, day, err)
			}
			if day != v[:len(time.DateOnly)] || ts.Format(time.DateOnly) != day {
				t.Fatalf("DayOfTimestamp(%q) = %q, the timestamp's day is %s", v, day, ts.Format(time.DateOnly))
			}
		} else if day != "" {
			t.Fatalf("DayOfTimestamp(%q) = %q, false", v, day)
		}
		_, dayErr := time.Parse(time.DateOnly, v)
		isDay := len(v) == len(time.DateOnly) && dayErr == nil
		err := validDate(v)
		if (err == nil) != ((isDay || ok) && yearOK(v)) || (isDay || ok) && !yearOK(v) && !errors.Is(err, ErrYearOutOfRange) {
			t.Fatalf("validDate(%q) = %v; a day: %v, a timestamp: %v", v, err, isDay, ok)
		}
		if err != nil {
			return
		}
		d := v
		if ok {
			d = day
		}
		js, _ := json.Marshal(d)
		var od openapi_types.Date
		if err := od.UnmarshalJSON(js); err != nil {
			t.Fatalf("%q (from %q) does not decode as a Date: %v", d, v, err)
		}
		if od.String() != d {
			t.Fatalf("%q (from %q) decodes as %s", d, v, od)
		}
	})
}

// rfc3339 is RFC 3339's date-time grammar (section 5.6) with upper-case T and Z: two-digit
// fields in their ranges, the offset's too (time-numoffset is a time-hour and a time-minute, so
// "+00:60" is not one even though time.Parse reads it).
var rfc3339 = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)

// FuzzDateTime: the contract's `date-time` format. What validDateTime accepts, the handlers
// decode (a JSON body's time.Time, a query parameter's RFC 3339 parse), and its year as written
// is MinYear to MaxYear; a timestamp of RFC 3339's grammar that they decode is accepted in those
// years, and refused with ErrYearOutOfRange in others.
func FuzzDateTime(f *testing.F) {
	for _, s := range []string{"2026-03-04T23:30:00Z", "2026-03-04T23:30:00.5-05:00", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z",
		"1900-01-01T00:00:00+01:00", "2999-12-31T23:59:59-12:00", "0000-01-01T00:00:00Z", "2026-03-04t23:30:00z",
		"2026-03-04T24:00:00Z", "2026-03-04T23:30:00+23:59", "2026-03-04T23:30:00", "2026-03-04", "2026-03-04T23:30:00.Z",
		"2026-03-04T23:30:00.123456789123Z", "2026-03-04T23:30Z", "", "2026-03-04T23:59:60Z", "2000-01-01T0:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		err := validDateTime(v)
		js, _ := json.Marshal(v)
		var body time.Time
		bodyErr := body.UnmarshalJSON(js)
		_, queryErr := time.Parse(time.RFC3339Nano, v)
		decoded := bodyErr == nil && queryErr == nil
		if err == nil && (!decoded || !yearOK(v)) {
			t.Fatalf("validDateTime(%q) accepts what the handlers do not decode (%v / %v) or a year out of range", v, bodyErr, queryErr)
		}
		if decoded && rfc3339.MatchString(v) {
			if yearOK(v) && err != nil || !yearOK(v) && !errors.Is(err, ErrYearOutOfRange) {
				t.Fatalf("validDateTime(%q) = %v", v, err)
			}
		}
	})
}
