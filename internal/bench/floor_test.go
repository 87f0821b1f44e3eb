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
	f := Floor(op, s, 2*time.Second, []Stats{{Name: "health", RPS: 5}, {Name: "get_intervention", RPS: 25}})
	if f.RPS != 100 || f.APIRPS != 25 || f.APIFraction != 0.25 || f.P95ms != 2 {
		t.Fatalf("floor: %+v", f)
	}
	if g := Floor(op, &Samples{}, time.Second, nil); g.APIFraction != 0 || g.RPS != 0 {
		t.Fatalf("empty floor: %+v", g)
	}
	r := &Report{Floor: []FloorStats{f}}
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
	for _, k := range []string{"name", "rps", "p50_ms", "p95_ms", "api_fraction"} {
		if _, ok := got.Floor[0][k]; !ok {
			t.Errorf("floor lacks %s", k)
		}
	}
	if md := r.Markdown(""); !strings.Contains(md, "| get_intervention (InterventionGet) | 200 | 0 | 100.0 | 2.00 | 2.00 | 25.0 | 25.0% |") {
		t.Errorf("markdown:\n%s", md)
	}
	var tb bytes.Buffer
	r.Table(&tb)
	if !strings.Contains(tb.String(), "25.0%") {
		t.Errorf("table:\n%s", tb.String())
	}
}

func TestRunFloorCountsRequestsAndErrors(t *testing.T) {
	var n atomic.Int64
	op := FloorOp{Do: func(ctx context.Context, _ *rand.Rand) error {
		time.Sleep(time.Millisecond)
		if n.Add(1)%2 == 0 {
			return errors.New("boom")
		}
		return nil
	}}
	s, elapsed := RunFloor(context.Background(), 4, 50*time.Millisecond, op)
	if len(s.Latencies) == 0 || s.Errors == 0 || s.Errors == len(s.Latencies) || elapsed < 50*time.Millisecond {
		t.Fatalf("samples %d errors %d elapsed %v", len(s.Latencies), s.Errors, elapsed)
	}
}
