package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// OpenLoop is the open-loop phase of a run: requests of the mix offered at a constant arrival
// rate, whatever the server's speed. Each request has a scheduled send time (start + i/Rate); its
// latency is measured from that time, not from when a worker got round to sending it, so the
// time a request waits because the server (or the generator) is behind is counted: no
// coordinated omission.
type OpenLoop struct {
	Rate     float64       // requests per second offered
	Duration time.Duration // how long requests are scheduled; the run then waits for the last answers
	// Workers is the most requests in flight at once (default 1000); a scheduled request that
	// finds them all busy waits, and that wait is part of its latency.
	Workers int
}

// OpenResult is what an open-loop phase measured.
type OpenResult struct {
	*Result
	Offered   int           // requests scheduled (Rate x Duration)
	Lag       time.Duration // how late the generator sent a request at the worst (its own limit)
	Scheduled time.Duration // the scheduling window (Duration)
}

// Open runs the mix at o.Rate requests per second for o.Duration: request i is user i mod
// Users's (admins run the admin mix, the others the user mix, each with its own token), sent at
// start + i/Rate by the first free worker. It returns when every scheduled request has been
// answered (or ctx ends).
func (s *Session) Open(ctx context.Context, o OpenLoop) (*OpenResult, error) {
	if o.Rate <= 0 || o.Duration <= 0 {
		return nil, fmt.Errorf("bench: the open loop needs a positive rate and duration (got %g/s for %s)", o.Rate, o.Duration)
	}
	if len(s.cfg.EquipementID) == 0 || len(s.cfg.OpenInterventionID) == 0 || len(s.cfg.PieceID) == 0 {
		return nil, fmt.Errorf("bench: the open loop needs at least one machine, one open intervention and one stocked part")
	}
	workers := o.Workers
	if workers <= 0 {
		workers = 1000
	}
	offered := int(o.Rate * o.Duration.Seconds())
	interval := time.Duration(float64(time.Second) / o.Rate)

	type job struct {
		at   time.Time // scheduled send time
		user int
	}
	jobs := make(chan job, min(offered, 1<<16))
	res := &Result{Ops: map[string]*Samples{}}
	var mu sync.Mutex
	var errCount atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			// Each worker has its own generator state; the token and mix are the user's.
			c := &vu{id: w, cfg: &s.cfg, rnd: rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))}
			local := map[string]*Samples{}
			for j := range jobs {
				u := s.vus[j.user]
				c.http, c.auth = u.http, u.token
				mix := userMix
				if j.user < s.cfg.Admins {
					mix = adminMix
				}
				op := pickWeighted(mix, c.rnd)
				if wait := time.Until(j.at); wait > 0 {
					time.Sleep(wait)
				}
				code, err := op.do(c)
				took := time.Since(j.at)
				ok := err == nil && code >= 200 && code < 300
				sm := local[op.name]
				if sm == nil {
					sm = &Samples{}
					local[op.name] = sm
				}
				sm.Add(took, ok)
				if !ok && errCount.Add(1) <= 10 {
					mu.Lock()
					res.Errors = append(res.Errors, fmt.Sprintf("%s: status %d, %v", op.name, code, err))
					mu.Unlock()
				}
			}
			mu.Lock()
			for name, sm := range local {
				if res.Ops[name] == nil {
					res.Ops[name] = &Samples{}
				}
				res.Ops[name].Merge(sm)
			}
			mu.Unlock()
		})
	}

	// The generator: request i is due at start + i*interval. It hands it over a little ahead of
	// time (the worker sleeps until it is due), so a full channel or a slow wake-up of this
	// goroutine delays the send, and the delay is in the request's latency.
	var lag time.Duration
	sent := 0
	for i := range offered {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at) - time.Millisecond; d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		lag = max(lag, time.Since(at))
		select {
		case jobs <- job{at: at, user: i % len(s.vus)}:
			sent++
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &OpenResult{Result: res, Offered: sent, Lag: lag, Scheduled: o.Duration}, nil
}

// pickWeighted draws an operation of mix in proportion to the weights.
func pickWeighted(mix []op, r *rand.Rand) op {
	total := 0
	for _, o := range mix {
		total += o.weight
	}
	n := r.IntN(total)
	for _, m := range mix {
		if n < m.weight {
			return m
		}
		n -= m.weight
	}
	return mix[0]
}
