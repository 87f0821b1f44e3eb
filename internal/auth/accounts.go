package auth

import (
	"time"

	"github.com/mif-erp/erp/internal/announced"

	"github.com/mif-erp/erp/gen/db"
)

// AccountCache keeps what Authenticate reads of each account (the user row, its technician
// profile and client company), so an authenticated request does not read it again from the
// database. It is only used while it hears of every change:
//
//   - it serves nothing until its feed says it is listening (live.Hub: the LISTEN connection on
//     'auth_accounts', announced by triggers on users, techniciens and clients, migration 000012),
//     and forgets everything when that connection is lost;
//   - an announced change (from any instance) forgets the account;
//   - the users, techniciens and clients services forget an account themselves right after
//     committing a change to it, so the instance that made the change refuses a deactivated
//     account on its very next request, without waiting for the announcement;
//   - an entry is read again after TTL at the latest, a bound on staleness should announcements
//     stop without the connection reporting an error.
//
// A copy read from the database is stored only if nothing was forgotten since the read began,
// so a read that raced a change cannot put the old account back (internal/announced holds that
// logic, shared with the names cache). A nil *AccountCache caches nothing.
type AccountCache struct {
	cache *announced.Cache[int64, db.AuthAccountRow]
}

// defaultMaxAccounts bounds the cache; when full it starts again empty.
const defaultMaxAccounts = 50_000

// NewAccountCache returns a cache whose entries live ttl at most; nil when ttl is not positive
// (no cache). It serves nothing until told Listening(true).
func NewAccountCache(ttl time.Duration) *AccountCache {
	return newAccountCache(ttl, defaultMaxAccounts)
}

func newAccountCache(ttl time.Duration, max int) *AccountCache {
	c := announced.New[int64, db.AuthAccountRow](ttl, max)
	if c == nil {
		return nil
	}
	return &AccountCache{cache: c}
}

// lookup returns the cached account, or the epoch to store a fresh read with.
func (c *AccountCache) lookup(id int64) (row db.AuthAccountRow, epoch uint64, ok bool) {
	if c == nil {
		return row, 0, false
	}
	return c.cache.Get(id)
}

// store keeps row, read from the database after lookup returned epoch, unless something was
// forgotten meanwhile or the cache is not listening.
func (c *AccountCache) store(id int64, row db.AuthAccountRow, epoch uint64) {
	if c != nil {
		c.cache.Put(id, row, epoch)
	}
}

// Forget drops the account userID: its next request reads it from the database.
func (c *AccountCache) Forget(userID int64) {
	if c != nil {
		c.cache.Forget(userID)
	}
}

// AccountChanged is Forget, for the feed of announced changes (live.AccountWatcher).
func (c *AccountCache) AccountChanged(userID int64) { c.Forget(userID) }

// Listening tells the cache whether it hears of every change: it starts serving on true and
// forgets everything, and stops serving, on false.
func (c *AccountCache) Listening(ok bool) {
	if c != nil {
		c.cache.Listening(ok)
	}
}

// Len counts the cached accounts (tests, metrics).
func (c *AccountCache) Len() int {
	if c == nil {
		return 0
	}
	return c.cache.Len()
}
