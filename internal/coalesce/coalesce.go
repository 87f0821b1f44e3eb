// Package coalesce shares one read among the identical requests that wait for it, without ever
// answering a request with a read that began before the request arrived.
//
// golang.org/x/sync/singleflight lets a caller join a call already running, whose database
// snapshot may predate a write the caller has just seen committed (its own, acknowledged a moment
// ago): the caller would read its past. A Group instead lets a caller join only a read that has
// not started yet. While a read of a key runs, the callers that arrive wait for the next one,
// which starts when the running one ends and serves them all. Every answer therefore comes from a
// snapshot taken after its request arrived, exactly as if each request had read alone, and a key
// costs at most one read at a time whatever the number of callers. Vitess's query consolidator
// and nginx's proxy_cache_lock share reads the same way, with the weaker join.
package coalesce

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// readTimeout bounds a shared read: it runs detached from the cancellation of the request that
// starts it (the others still wait for it).
const readTimeout = 30 * time.Second

// Group shares the reads of each key K. The zero Group is ready to use; it must not be copied
// after first use.
type Group[K comparable, V any] struct {
	mu      sync.Mutex
	running map[K]*flight[V] // the read of each key under way
	next    map[K]*flight[V] // the read that starts when the running one ends: callers join it
}

type flight[V any] struct {
	done    chan struct{}
	callers int // how many callers wait for it (under Group.mu)
	v       V
	err     error
}

// Key is the key of a read made from parts (a query's parameters, the day it is read for...):
// their JSON, so that pointers count by the values they point to.
func Key(parts ...any) (string, error) {
	b, err := json.Marshal(parts)
	if err != nil {
		return "", fmt.Errorf("coalesce: key: %w", err)
	}
	return string(b), nil
}

// Do returns fn's result for key from a call of fn that started after Do was called, shared with
// the concurrent callers of the same key. fn gets a context without the caller's cancellation
// (the other callers may wait for it), bounded by readTimeout. Callers must treat the value as
// read-only: it is shared.
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func(context.Context) (V, error)) (V, error) {
	g.mu.Lock()
	if g.running == nil {
		g.running, g.next = map[K]*flight[V]{}, map[K]*flight[V]{}
	}
	if f, ok := g.next[key]; ok {
		// Not started yet: its read begins after now. Join it.
		f.callers++
		g.mu.Unlock()
		return f.wait(ctx)
	}
	f := &flight[V]{done: make(chan struct{}), callers: 1}
	prev, busy := g.running[key]
	if !busy {
		g.running[key] = f
		g.mu.Unlock()
		g.run(ctx, key, f, fn)
		return f.result(ctx)
	}
	g.next[key] = f
	g.mu.Unlock()
	// This caller leads the next read. It waits for the running read to end even if its own
	// request is cancelled meanwhile, since the callers that joined depend on it; the running
	// read is bounded by readTimeout.
	<-prev.done
	g.mu.Lock()
	delete(g.next, key)
	g.running[key] = f
	g.mu.Unlock()
	g.run(ctx, key, f, fn)
	return f.result(ctx)
}

// run calls fn for f and publishes its result.
func (g *Group[K, V]) run(ctx context.Context, key K, f *flight[V], fn func(context.Context) (V, error)) {
	defer func() {
		if r := recover(); r != nil {
			f.err = fmt.Errorf("coalesce: shared read panicked: %v", r)
		}
		g.mu.Lock()
		if g.running[key] == f {
			delete(g.running, key)
		}
		g.mu.Unlock()
		close(f.done)
	}()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	defer cancel()
	f.v, f.err = fn(rctx)
}

// wait returns f's result once it is published, or the caller's context error first.
func (f *flight[V]) wait(ctx context.Context) (V, error) {
	select {
	case <-f.done:
		return f.result(ctx)
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// result is f's published result; a caller whose context ended meanwhile gets its error instead.
func (f *flight[V]) result(ctx context.Context) (V, error) {
	if err := ctx.Err(); err != nil {
		var zero V
		return zero, err
	}
	return f.v, f.err
}
