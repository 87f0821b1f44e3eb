package platform

import (
	"sync"
	"time"
)

// Zone is where local times are read and written: the deadlines in notification texts, the
// technicians' working hours (Africa/Casablanca, the company's; UTC when the system has no zone
// database).
var Zone = sync.OnceValue(func() *time.Location {
	if l, err := time.LoadLocation("Africa/Casablanca"); err == nil {
		return l
	}
	return time.UTC
})
