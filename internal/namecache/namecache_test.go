package namecache

import (
	"maps"
	"slices"
	"testing"
	"time"
)

func lookup(c *Cache, kind Kind, ids ...int64) (map[int64]string, []int64, uint64) {
	names := map[int64]string{}
	missing, epoch := c.Lookup(kind, ids, names)
	return names, missing, epoch
}

// TestCacheServesOnlyWhileListeningAndNeverStoresARacedRead: nothing is served before the
// feed listens or after it is lost; a name read before a forget is not stored; kinds do not mix;
// everything is read again after the TTL.
func TestCacheServesOnlyWhileListeningAndNeverStoresARacedRead(t *testing.T) {
	now := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	c := New(time.Minute)
	c.cache.SetClock(func() time.Time { return now })

	_, missing, epoch := lookup(c, Equipement, 1)
	c.Store(epoch, Equipement, 1, "Pompe")
	if c.Len() != 0 {
		t.Fatal("stored a name before listening")
	}
	c.Listening(true)
	_, _, epoch = lookup(c, Equipement, 1, 2)
	c.Store(epoch, Equipement, 1, "Pompe")
	c.Store(epoch, Technicien, 1, "Karim")
	names, missing, _ := lookup(c, Equipement, 1, 2)
	if !maps.Equal(names, map[int64]string{1: "Pompe"}) || !slices.Equal(missing, []int64{2}) {
		t.Fatalf("lookup: %v, missing %v", names, missing)
	}
	if names, _, _ := lookup(c, Technicien, 1); names[1] != "Karim" {
		t.Fatalf("technician 1: %v", names)
	}

	// A read that began before a rename was forgotten is not stored.
	_, _, epoch = lookup(c, Equipement, 2)
	c.NamesChanged()
	c.Store(epoch, Equipement, 2, "ancien nom")
	if _, missing, _ := lookup(c, Equipement, 1, 2); len(missing) != 2 {
		t.Fatalf("after a change, still cached: missing only %v", missing)
	}

	// After the TTL every name is read again.
	_, _, epoch = lookup(c, Equipement, 3)
	c.Store(epoch, Equipement, 3, "Compresseur")
	now = now.Add(time.Minute)
	if _, missing, _ := lookup(c, Equipement, 3); len(missing) != 1 {
		t.Fatal("a name older than the TTL was served")
	}

	// The connection lost: nothing served, nothing stored.
	_, _, epoch = lookup(c, Equipement, 3)
	c.Store(epoch, Equipement, 3, "Compresseur")
	c.Listening(false)
	if _, missing, _ := lookup(c, Equipement, 3); len(missing) != 1 {
		t.Fatal("served a name while not listening")
	}

	var none *Cache // no cache: every id is missing
	if _, missing, _ := lookup(none, Equipement, 4, 5); len(missing) != 2 {
		t.Fatalf("nil cache: missing %v", missing)
	}
	none.Store(0, Equipement, 4, "x")
	none.Forget()
	if New(0) != nil {
		t.Error("New(0) made a cache")
	}
}
