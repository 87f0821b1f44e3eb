package bench

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := Percentile(s, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if Percentile(nil, 50) != 0 || Percentile(s[:1], 99) != time.Millisecond {
		t.Error("edge cases")
	}
}

func TestParseThink(t *testing.T) {
	for in, want := range map[string]Think{"0": {}, "": {}, "1s": {time.Second, time.Second}, "0.5s-2s": {500 * time.Millisecond, 2 * time.Second}} {
		if got, err := ParseThink(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"x", "2s-1s", "1s-"} {
		if _, err := ParseThink(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReportWritesJSONMarkdownAndSVG(t *testing.T) {
	res := &Result{Ops: map[string]*Samples{}, Elapsed: 2 * time.Second}
	a := &Samples{}
	a.Add(10*time.Millisecond, true)
	a.Add(30*time.Millisecond, false)
	res.Ops["health"] = a
	ops, overall, login := res.Summarise()
	if len(ops) != len(OperationNames()) || overall.Requests != 2 || overall.Errors != 1 || overall.RPS != 1 || overall.MaxMs != 30 {
		t.Fatalf("summary: %+v %+v", ops, overall)
	}
	r := &Report{Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Overall: overall, Operations: ops, Login: login}
	dir := t.TempDir()
	path, err := r.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	o := got["overall"].(map[string]any)
	for _, k := range []string{"requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"} {
		if _, ok := o[k]; !ok {
			t.Errorf("overall lacks %s", k)
		}
	}
	if first := got["operations"].([]any)[0].(map[string]any); first["name"] == "" {
		t.Error("operation without name")
	}
	md, _ := os.ReadFile(filepath.Join(dir, "latest.md"))
	if !strings.Contains(string(md), "| health | 2 | 1 |") {
		t.Errorf("markdown:\n%s", md)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "latest.svg"))
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("svg is not XML: %v", err)
	}
}
