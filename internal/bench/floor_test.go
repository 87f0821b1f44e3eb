package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFloorFractionAndReport(t *testing.T) {
	s := &Samples{}
	for range 200 {
		s.Add(2*time.Millisecond, true)
	}
	op := FloorOp{Name: "get_intervention (InterventionGet)", API: "get_intervention"}
	single := []Stats{{Name: "get_intervention", RPS: 25, P95ms: 12.5}}
	mixed := []Stats{{Name: "health", RPS: 5}, {Name: "get_intervention", RPS: 7}}
	f := Floor(op, s, 2*time.Second, single, mixed)
	if f.RPS != 100 || f.APIRPS != 25 || f.APIP95ms != 12.5 || f.MixedAPIRPS != 7 || f.APIFraction != 0.25 || f.P95ms != 2 {
		t.Fatalf("floor: %+v", f)
	}
	if g := Floor(op, &Samples{}, time.Second, nil, mixed); g.APIFraction != 0 || g.RPS != 0 || g.MixedAPIRPS != 7 {
		t.Fatalf("empty floor: %+v", g)
	}
	r := &Report{Floor: []FloorStats{f}, Single: single, PKFloor: &Stats{Name: "pk", Requests: 500, RPS: 250, P50ms: 0.4, P95ms: 1.1},
		Open: &OpenLoopReport{RateOffered: 12.5, RateSource: "BENCH_RATE", Offered: 25, DurationS: 2,
			Overall: Stats{Requests: 25, RPS: 12.5, P99ms: 42.25}, Operations: []Stats{{Name: "get_intervention", Requests: 25, RPS: 12.5, P99ms: 42.25}}}}
	r.SetPKShares()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Floor []map[string]any `json:"floor"`
	}
	if err := json.Unmarshal(b, &got); err != nil || len(got.Floor) != 1 {
		t.Fatalf("json: %s %v", b, err)
	}
	for _, k := range []string{"name", "rps", "p50_ms", "p95_ms", "api_rps", "api_p95_ms", "mixed_api_rps", "api_fraction"} {
		if _, ok := got.Floor[0][k]; !ok {
			t.Errorf("floor lacks %s", k)
		}
	}
	for _, k := range []string{`"pk_floor":{`, `"pk_floor_share":0.1`, `"api_pk_floor_share":0.1`, `"open_loop":{`, `"rate_offered":12.5`, `"pk_floor_share":0.05`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("json lacks %s: %s", k, b)
		}
	}
	if !strings.Contains(string(b), `"single_operations"`) {
		t.Errorf("json lacks single_operations: %s", b)
	}
	md := r.Markdown("")
	for _, want := range []string{
		// The service floor, its API share, and the API alone as a share of the PK floor (25/250).
		"| get_intervention (InterventionGet) | 200 | 0 | 100.0 | 2.00 | 2.00 | 25.0 | 12.50 | 25.0% | 10.0% | 7.0 |",
		"| alone (HTTP) | requests |",
		"| get_intervention | 0 | 0 | 25.0 | 0.00 | 12.50 | 0.00 | 0.00 | 10.0% |",
		"**250.0 req/s** (p50 0.40 ms, p95 1.10 ms, 0 errors)",
		"Open loop: 12.5 req/s offered (BENCH_RATE) for 2s, 25 requests",
		"| get_intervention | 25 | 0 | 12.5 | 0.00 | 0.00 | 42.25 | 0.00 | 5.0% |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	var tb bytes.Buffer
	r.Table(&tb)
	for _, want := range []string{"25.0%", "12.50", "alone (HTTP)", "alone req/s", "10.0%", "physical floor", "250.0 req/s", "open loop: 12.5 req/s offered"} {
		if !strings.Contains(tb.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tb.String())
		}
	}
}

func TestRunFloorCountsRequestsAndErrors(t *testing.T) {
	var n atomic.Int64
	op := FloorOp{Do: func(ctx context.Context, _ *rand.Rand) error {
		// The first success and the first failure answer at once, so both are in the run
		// however few samples a loaded machine lets the workers take; later calls alternate.
		i := n.Add(1)
		if i > 2 {
			time.Sleep(time.Millisecond)
		}
		if i%2 == 0 {
			return errors.New("boom")
		}
		return nil
	}}
	s, elapsed := RunFloor(context.Background(), 4, 200*time.Millisecond, op)
	if len(s.Latencies) == 0 || s.Errors == 0 || s.Errors == len(s.Latencies) || elapsed < 200*time.Millisecond {
		t.Fatalf("samples %d errors %d elapsed %v", len(s.Latencies), s.Errors, elapsed)
	}
}
