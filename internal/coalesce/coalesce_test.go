package coalesce

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCallersArrivingDuringAReadShareTheNextOne: while a read runs, the callers that arrive wait
// for the next read, one for all of them, which starts once the running one ends.
func TestCallersArrivingDuringAReadShareTheNextOne(t *testing.T) {
	var g Group[string, int]
	var calls atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	read := func(context.Context) (int, error) {
		n := int(calls.Add(1))
		started <- struct{}{}
		if n == 1 {
			<-release
		}
		return n, nil
	}
	first := make(chan int)
	go func() {
		v, _ := g.Do(context.Background(), "k", read)
		first <- v
	}()
	<-started // the first read runs and holds

	const waiters = 20
	var wg sync.WaitGroup
	got := make([]int, waiters)
	for i := range waiters {
		wg.Go(func() {
			v, err := g.Do(context.Background(), "k", read)
			if err != nil {
				t.Errorf("waiter %d: %v", i, err)
			}
			got[i] = v
		})
	}
	waitCallers(t, &g, "k", waiters) // every waiter has joined the next read before the first one ends
	close(release)
	wg.Wait()
	if v := <-first; v != 1 {
		t.Fatalf("first caller got read %d, want 1", v)
	}
	for i, v := range got {
		if v != 2 {
			t.Errorf("waiter %d got read %d, want 2 (the read after its arrival)", i, v)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d reads for 21 callers, want 2", n)
	}
}

// TestNoCallerGetsAReadOlderThanItsArrival is the guarantee itself, under load: a writer
// commits versions one after another; each reader notes the version committed before it calls
// Do, and the read it gets back must have seen at least that version. singleflight's join
// fails this test (a caller joins a read that began before the write it saw).
func TestNoCallerGetsAReadOlderThanItsArrival(t *testing.T) {
	var g Group[int, int64]
	var committed atomic.Int64
	var reads atomic.Int64
	read := func(context.Context) (int64, error) {
		reads.Add(1)
		v := committed.Load() // the snapshot
		time.Sleep(200 * time.Microsecond)
		return v, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			committed.Add(1)
			time.Sleep(50 * time.Microsecond)
		}
	})
	var served atomic.Int64
	for range 50 {
		wg.Go(func() {
			for ctx.Err() == nil {
				seen := committed.Load()
				v, err := g.Do(context.Background(), 1, read)
				if err != nil {
					t.Error(err)
					return
				}
				if v < seen {
					t.Errorf("a caller that saw version %d got a read of version %d", seen, v)
					return
				}
				served.Add(1)
			}
		})
	}
	wg.Wait()
	if served.Load() <= reads.Load() {
		t.Fatalf("%d answers from %d reads: nothing shared", served.Load(), reads.Load())
	}
	t.Logf("%d answers from %d reads", served.Load(), reads.Load())
}

// TestKeysAreIndependent: a read of one key does not hold the callers of another.
func TestKeysAreIndependent(t *testing.T) {
	var g Group[string, string]
	release := make(chan struct{})
	defer close(release)
	go func() {
		_, _ = g.Do(context.Background(), "slow", func(context.Context) (string, error) {
			<-release
			return "slow", nil
		})
	}()
	done := make(chan string)
	go func() {
		v, _ := g.Do(context.Background(), "fast", func(context.Context) (string, error) { return "fast", nil })
		done <- v
	}()
	select {
	case v := <-done:
		if v != "fast" {
			t.Fatalf("got %q", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read of another key held this one")
	}
}

// TestACancelledCallerLeavesTheSharedReadToTheOthers: the caller that starts a read may go away;
// the read runs on for those who joined it, and the one who left gets its context's error.
func TestACancelledCallerLeavesTheSharedReadToTheOthers(t *testing.T) {
	var g Group[string, int]
	release := make(chan struct{})
	started := make(chan struct{})
	var readCtxEnded atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	leader := make(chan error)
	go func() {
		_, err := g.Do(ctx, "k", func(rctx context.Context) (int, error) {
			close(started)
			<-release
			readCtxEnded.Store(rctx.Err() != nil)
			return 7, nil
		})
		leader <- err
	}()
	<-started
	cancel()
	close(release)
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled caller got %v, want context.Canceled", err)
	}
	if readCtxEnded.Load() {
		t.Fatal("the read saw its context end with its caller's")
	}

	// A waiter that gives up gets its context's error; the read still serves the others.
	hold := make(chan struct{})
	running := make(chan struct{})
	go func() {
		_, _ = g.Do(context.Background(), "k2", func(context.Context) (int, error) {
			close(running)
			<-hold
			return 1, nil
		})
	}()
	<-running
	wctx, wcancel := context.WithCancel(context.Background())
	waiter := make(chan error)
	go func() {
		_, err := g.Do(wctx, "k2", func(context.Context) (int, error) { return 2, nil })
		waiter <- err
	}()
	waitCallers(t, &g, "k2", 1)
	other := make(chan int)
	go func() {
		v, _ := g.Do(context.Background(), "k2", func(context.Context) (int, error) { return 3, nil })
		other <- v
	}()
	waitCallers(t, &g, "k2", 2)
	wcancel()
	close(hold)
	if err := <-waiter; !errors.Is(err, context.Canceled) {
		t.Fatalf("the waiter that gave up got %v", err)
	}
	if v := <-other; v != 2 {
		t.Fatalf("the other waiter got %d, want 2 (the read led by the waiter that gave up)", v)
	}
}

// TestAReadThatFailsOrPanicsAnswersEveryCallerWithAnError, and the next read starts afresh.
func TestAReadThatFailsOrPanicsAnswersEveryCallerWithAnError(t *testing.T) {
	var g Group[string, int]
	boom := errors.New("boom")
	if _, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	if _, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { panic("oops") }); err == nil {
		t.Fatal("a panicking read answered without an error")
	}
	v, err := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 5, nil })
	if err != nil || v != 5 {
		t.Fatalf("after the failures: %d, %v", v, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.running)+len(g.next) != 0 {
		t.Fatalf("flights left behind: %v running, %v next", g.running, g.next)
	}
}

// waitCallers waits until n callers wait for the next read of key.
func waitCallers[V any](t *testing.T, g *Group[string, V], key string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		got := 0
		if f, ok := g.next[key]; ok {
			got = f.callers
		}
		g.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers wait for the next read of %q, want %d", got, key, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestKeyComparesPointersByValue: two requests for the same page have the same key even when
// their parameters point to different copies of a value; a different value, or none, differs.
func TestKeyComparesPointersByValue(t *testing.T) {
	type params struct {
		ClientID *int64
		Sort     string
	}
	one, alsoOne, two := int64(1), int64(1), int64(2)
	key := func(parts ...any) string {
		t.Helper()
		k, err := Key(parts...)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key(params{&one, "nom"})
	if k := key(params{&alsoOne, "nom"}); k != base {
		t.Fatalf("same values, keys %q and %q", base, k)
	}
	for name, k := range map[string]string{
		"another value":   key(params{&two, "nom"}),
		"no value":        key(params{nil, "nom"}),
		"another sort":    key(params{&one, "-nom"}),
		"another day too": key(params{&one, "nom"}, "2026-12-08"),
	} {
		if k == base {
			t.Errorf("%s: same key %q", name, k)
		}
	}
}
