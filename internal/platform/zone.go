package platform

import "time"

// The zone of the texts written for people is APP_TIMEZONE (config.Config.Zone), handed to the
// services that write them; these helpers write a time in it. A nil zone is UTC.

// ZoneOr returns loc, or UTC when it is nil.
func ZoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// DateTimeText writes instant t for a French reader in zone loc, naming the zone so that nobody
// has to guess it: "07/12/2026 à 14:30 (Africa/Casablanca)", "07/12/2026 à 13:30 (UTC)".
func DateTimeText(t time.Time, loc *time.Location) string {
	loc = ZoneOr(loc)
	return t.In(loc).Format("02/01/2006 à 15:04") + " (" + loc.String() + ")"
}
