package platform

import (
	"testing"
	"time"
	_ "time/tzdata" // the zone database, whatever the host has (the server embeds it too, see config)
)

func TestDateTimeTextNamesTheZone(t *testing.T) {
	at := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)
	casa, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		loc  *time.Location
		want string
	}{
		{nil, "07/12/2026 à 13:30 (UTC)"},
		{time.UTC, "07/12/2026 à 13:30 (UTC)"},
		{casa, "07/12/2026 à 14:30 (Africa/Casablanca)"},
	} {
		if got := DateTimeText(at, c.loc); got != c.want {
			t.Errorf("DateTimeText(%v) = %q, want %q", c.loc, got, c.want)
		}
	}
}
