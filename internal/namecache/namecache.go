// Package namecache keeps the names a page of interventions shows beside its ids: each machine's
// nom and each technician's full name (its account's). A page of 50 interventions otherwise
// reads them with a statement of its own, which cost PostgreSQL about half as much as the page
// itself (pgbench, 2026-12-07: the page 6 000 statements/s, the names 11 700).
//
// The cache is only used while it hears of every change, as internal/auth's AccountCache is:
//
//   - it serves nothing until its feed says it is listening (live.Hub: the LISTEN connection on
//     'intervention_noms', announced by triggers on equipements.nom and users.full_name,
//     migration 000032), and forgets everything when that connection is lost;
//   - an announced change (from any instance) forgets every name: names change rarely, and
//     forgetting them all needs no mapping from accounts to technicians;
//   - the services that rename (equipements, users) forget the names themselves right after
//     committing, so the instance that made the change shows the new name on its very next page;
//   - every name is read again after TTL at the latest, a bound on staleness should
//     announcements stop without the connection reporting an error.
//
// Names read from the database are stored only if nothing was forgotten since the read began, so
// a read that raced a rename cannot put the old name back. A nil *Cache caches nothing.
package namecache

import (
	"time"

	"github.com/mif-erp/erp/internal/announced"
)

// Kind tells whose name an id is.
type Kind byte

// The kinds of names.
const (
	Equipement Kind = 'e' // a machine's nom
	Technicien Kind = 't' // a technician's full name
)

type key struct {
	kind Kind
	id   int64
}

// Cache maps machine and technician ids to their names.
type Cache struct {
	cache *announced.Cache[key, string]
}

// defaultMax bounds the cache; when full it starts again empty.
const defaultMax = 100_000

// New returns a cache whose names live ttl at most; nil when ttl is not positive (no cache). It
// serves nothing until told Listening(true).
func New(ttl time.Duration) *Cache {
	c := announced.New[key, string](ttl, defaultMax)
	if c == nil {
		return nil
	}
	return &Cache{cache: c}
}

// Lookup puts the cached names of ids (of one kind) into names and returns the ids it does not
// hold, and the epoch to Store their names with once read from the database.
func (c *Cache) Lookup(kind Kind, ids []int64, names map[int64]string) (missing []int64, epoch uint64) {
	if c == nil {
		return ids, 0
	}
	epoch = c.cache.Epoch() // taken first: a forget after it refuses the stores
	for _, id := range ids {
		if name, _, ok := c.cache.Get(key{kind, id}); ok {
			names[id] = name
		} else {
			missing = append(missing, id)
		}
	}
	return missing, epoch
}

// Store keeps the name of (kind, id), read from the database after Lookup returned epoch, unless
// something was forgotten meanwhile or the cache is not listening.
func (c *Cache) Store(epoch uint64, kind Kind, id int64, name string) {
	if c != nil {
		c.cache.Put(key{kind, id}, name, epoch)
	}
}

// Forget drops every name: the next pages read them from the database.
func (c *Cache) Forget() {
	if c != nil {
		c.cache.ForgetAll()
	}
}

// NamesChanged is Forget, for the feed of announced changes (live.NamesWatcher).
func (c *Cache) NamesChanged() { c.Forget() }

// Listening tells the cache whether it hears of every change: it starts serving on true and
// forgets everything, and stops serving, on false.
func (c *Cache) Listening(ok bool) {
	if c != nil {
		c.cache.Listening(ok)
	}
}

// Len counts the cached names (tests).
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	return c.cache.Len()
}
