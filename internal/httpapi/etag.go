package httpapi

import (
	"strconv"
	"strings"
)

// etagOf is the strong ETag of a resource version: the number, quoted ("3").
func etagOf(version int32) *string {
	s := `"` + strconv.FormatInt(int64(version), 10) + `"`
	return &s
}

// ifMatch turns an If-Match header into a precondition on the current version: nil when the
// header is absent, otherwise a function reporting whether a version satisfies it. The header
// may be `*` or a comma-separated list of ETags, each a quoted or bare version number; weak ETags
// never match (If-Match compares strongly), and a header that names no valid version matches
// nothing, so a malformed one answers 412 too.
func ifMatch(header *string) func(version int32) bool {
	if header == nil {
		return nil
	}
	anyVersion := false
	var versions []int64
	for _, part := range strings.Split(*header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" {
			anyVersion = true
			continue
		}
		if len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"' {
			part = part[1 : len(part)-1]
		}
		if part == "" || strings.TrimLeft(part, "0123456789") != "" {
			continue // weak (W/"3"), empty or not a number: never matches
		}
		if v, err := strconv.ParseInt(part, 10, 64); err == nil {
			versions = append(versions, v)
		}
	}
	return func(version int32) bool {
		if anyVersion {
			return true
		}
		for _, v := range versions {
			if v == int64(version) {
				return true
			}
		}
		return false
	}
}
