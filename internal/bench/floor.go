package bench

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// FloorOp is one hot query run directly (no HTTP): the floor of the API operation API.
type FloorOp struct {
	Name string // e.g. "get_intervention (InterventionGet)"
	API  string // the operation of the mix it is the floor of
	Do   func(ctx context.Context, r *rand.Rand) error
}

// FloorStats are the figures of one floor and the API's throughput as a fraction of it.
type FloorStats struct {
	Name        string  `json:"name"`
	API         string  `json:"api_operation"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P95ms       float64 `json:"p95_ms"`
	APIRPS      float64 `json:"api_rps"`                      // the HTTP operation run alone (same users, same duration)
	APIP95ms    float64 `json:"api_p95_ms"`                   // idem
	MixedAPIRPS float64 `json:"mixed_api_rps"`                // the operation's req/s inside the mixed run
	APIFraction float64 `json:"api_fraction"`                 // api_rps / rps
	PKShare     float64 `json:"pk_floor_share,omitempty"`     // rps / the physical floor's
	APIPKShare  float64 `json:"api_pk_floor_share,omitempty"` // api_rps / the physical floor's
}

// RunFloor runs each op alone, workers goroutines for d, and returns its samples and duration.
func RunFloor(ctx context.Context, workers int, d time.Duration, op FloorOp) (*Samples, time.Duration) {
	// The deadline is taken from start, so the duration returned is never shorter than d
	// however long this goroutine waits for a CPU between the two clock readings.
	start := time.Now()
	runCtx, cancel := context.WithDeadline(ctx, start.Add(d))
	defer cancel()
	all := &Samples{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			s := &Samples{}
			for runCtx.Err() == nil {
				t0 := time.Now()
				err := op.Do(runCtx, r)
				if err != nil && runCtx.Err() != nil {
					break // cut by the end of the run: not counted
				}
				s.Add(time.Since(t0), err == nil)
			}
			mu.Lock()
			all.Merge(s)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, time.Since(start)
}

// Floor summarises a floor run against the operation's stats over HTTP: alone (single, the
// fraction's numerator) and inside the mixed run (mixed).
func Floor(op FloorOp, s *Samples, elapsed time.Duration, single, mixed []Stats) FloorStats {
	st := Summarise(op.Name, s, elapsed)
	f := FloorStats{Name: op.Name, API: op.API, Requests: st.Requests, Errors: st.Errors, RPS: st.RPS, P50ms: st.P50ms, P95ms: st.P95ms}
	if a, ok := findStats(single, op.API); ok {
		f.APIRPS, f.APIP95ms = a.RPS, a.P95ms
	}
	if a, ok := findStats(mixed, op.API); ok {
		f.MixedAPIRPS = a.RPS
	}
	if f.RPS > 0 {
		f.APIFraction = share(f.APIRPS, f.RPS)
	}
	return f
}

func findStats(all []Stats, name string) (Stats, bool) {
	for _, a := range all {
		if a.Name == name {
			return a, true
		}
	}
	return Stats{}, false
}

const floorNote = "Floor: each hot query alone through pgx (same pool size, BENCH_USERS goroutines, no HTTP, after the server stopped). " +
	"API alone: the HTTP operation alone, BENCH_USERS users without think time, same duration, before the server stopped. " +
	"API share = API alone req/s / floor req/s; mixed = the operation's req/s inside the mixed run."
