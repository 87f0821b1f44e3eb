package kpis

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mif-erp/erp/internal/access"
)

// maxCached bounds the kept results.
const maxCached = 256

// cache keeps the figures of costly computations for a while (KPI_CACHE_SECONDS), by caller's
// scope and request, and makes concurrent identical requests share one computation.
type cache struct {
	ttl     time.Duration
	minCost time.Duration // computations faster than this are not kept
	group   singleflight.Group
	mu      sync.Mutex
	kept    map[string]cached
}

type cached struct {
	res     Result
	expires time.Time
}

// key is what makes two requests give the same figures: the scope, the days and the filters.
func key(sc access.Scope, w window, p Params, regle string) string {
	ptr := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	typ := "-"
	if p.Type != nil {
		typ = *p.Type
	}
	scope := "all"
	switch {
	case sc.IsTechnicien():
		scope = "t" + ptr(sc.TechnicienID())
	case sc.IsClient():
		scope = "c" + ptr(sc.ClientID())
	case !sc.Manager():
		scope = "none"
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s", scope, w.From.Format(time.DateOnly), w.To.Format(time.DateOnly),
		ptr(p.EquipementID), ptr(p.ClientID), typ, w.granularite, regle)
}

// get returns the kept figures of k, if still fresh at now.
func (c *cache) get(k string, now time.Time) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.kept[k]
	if !ok || !now.Before(e.expires) {
		return Result{}, false
	}
	return e.res, true
}

// put keeps the figures of k until now + ttl, dropping the expired ones (and, when full, the
// one that expires first).
func (c *cache) put(k string, r Result, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kept == nil {
		c.kept = map[string]cached{}
	}
	if len(c.kept) >= maxCached {
		first := ""
		for kk, e := range c.kept {
			if !now.Before(e.expires) {
				delete(c.kept, kk)
			} else if first == "" || e.expires.Before(c.kept[first].expires) {
				first = kk
			}
		}
		if len(c.kept) >= maxCached {
			delete(c.kept, first)
		}
	}
	c.kept[k] = cached{res: r, expires: now.Add(c.ttl)}
}
