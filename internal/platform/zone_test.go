package platform

import (
	"testing"
	"time"
)

func TestDateTimeTextNamesTheZone(t *testing.T) {
	at := time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)
	casa, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Skip("no zone database:", err)
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
