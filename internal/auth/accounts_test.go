package auth

import (
	"testing"
	"time"

	"github.com/mif-erp/erp/gen/db"
)

func account(role string) db.AuthAccountRow {
	return db.AuthAccountRow{User: db.User{ID: 7, Role: db.UserRole(role), IsActive: true}}
}

// cached reads id the way Authenticate does: a hit, or a miss whose fresh read (row) is stored.
func cached(c *AccountCache, id int64, row db.AuthAccountRow) (db.AuthAccountRow, bool) {
	got, epoch, ok := c.lookup(id)
	if ok {
		return got, true
	}
	c.store(id, row, epoch)
	return row, false
}

func TestAccountCacheServesOnlyWhileListening(t *testing.T) {
	c := NewAccountCache(time.Minute)
	if _, hit := cached(c, 7, account("technicien")); hit {
		t.Fatal("served before listening")
	}
	if _, hit := cached(c, 7, account("technicien")); hit || c.Len() != 0 {
		t.Fatalf("stored before listening (%d entries)", c.Len())
	}
	c.Listening(true)
	cached(c, 7, account("technicien"))
	if got, hit := cached(c, 7, account("admin")); !hit || got.User.Role != "technicien" {
		t.Fatalf("second read: hit %v, role %s; want the cached technicien", hit, got.User.Role)
	}
	// The connection is lost: announcements may be missed, so nothing is served or kept.
	c.Listening(false)
	if _, hit := cached(c, 7, account("admin")); hit || c.Len() != 0 {
		t.Fatalf("served or kept after the connection was lost (%d entries)", c.Len())
	}
}

func TestAccountCacheForgetsAChangedAccount(t *testing.T) {
	c := NewAccountCache(time.Minute)
	c.Listening(true)
	cached(c, 7, account("technicien"))
	cached(c, 8, account("client"))
	c.AccountChanged(7)
	if got, hit := cached(c, 7, account("responsable")); hit || got.User.Role != "responsable" {
		t.Fatalf("after the change: hit %v, role %s", hit, got.User.Role)
	}
	if _, hit := cached(c, 8, account("client")); !hit {
		t.Error("another account was forgotten too")
	}
}

func TestAccountCacheDoesNotStoreAReadThatRacedAChange(t *testing.T) {
	c := NewAccountCache(time.Minute)
	c.Listening(true)
	_, epoch, _ := c.lookup(7) // a request starts reading the account...
	c.Forget(7)                // ...the account is deactivated and the change committed...
	c.store(7, account("technicien"), epoch)
	if _, _, hit := c.lookup(7); hit {
		t.Fatal("the read begun before the change was stored: the old account would be served")
	}
}

func TestAccountCacheReadsAgainAfterTTL(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	c := NewAccountCache(10 * time.Second)
	c.cache.SetClock(func() time.Time { return now })
	c.Listening(true)
	cached(c, 7, account("technicien"))
	now = now.Add(9 * time.Second)
	if _, hit := cached(c, 7, account("admin")); !hit {
		t.Fatal("expired before its TTL")
	}
	now = now.Add(2 * time.Second)
	if got, hit := cached(c, 7, account("admin")); hit || got.User.Role != "admin" {
		t.Fatalf("after its TTL: hit %v, role %s", hit, got.User.Role)
	}
}

func TestAccountCacheStartsAgainWhenFull(t *testing.T) {
	c := newAccountCache(time.Minute, 3)
	c.Listening(true)
	for id := range int64(4) {
		cached(c, id, account("technicien"))
	}
	if c.Len() != 1 {
		t.Errorf("%d entries after a fourth account in a cache of 3, want 1 (started again)", c.Len())
	}
}

func TestNoAccountCache(t *testing.T) {
	c := NewAccountCache(0)
	if c != nil {
		t.Fatal("a TTL of 0 must mean no cache")
	}
	c.Listening(true)
	c.Forget(7)
	if _, hit := cached(c, 7, account("admin")); hit || c.Len() != 0 {
		t.Error("a nil cache served")
	}
}
