package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func scaleStep(n int, p95 map[string]float64) ScaleStep {
	s := ScaleStep{Scale: n, Database: "mif_bench_x", Interventions: n}
	for _, name := range ScaleOperations {
		s.Operations = append(s.Operations, Stats{Name: name, Requests: 10, RPS: 5, P50ms: p95[name] / 2, P95ms: p95[name]})
	}
	return s
}

func TestScaleReportGrowthVerdictsAndFiles(t *testing.T) {
	r := &ScaleReport{Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Settings: ScaleSettings{Steps: []int{1000, 10}, Users: 10, DurationS: 2}}
	// Given out of order: Finish sorts by scale.
	r.Steps = []ScaleStep{
		scaleStep(1000, map[string]float64{"list_interventions": 15, "filter_interventions": 12, "search_interventions": 30, "get_intervention": 4, "dashboard_stats": 150, "kpis": 320}),
		scaleStep(10, map[string]float64{"list_interventions": 10, "filter_interventions": 8, "search_interventions": 10, "get_intervention": 4, "dashboard_stats": 20, "kpis": 40}),
	}
	r.Finish()
	if r.Steps[0].Scale != 10 || len(r.Growth) != len(ScaleOperations) {
		t.Fatalf("steps %+v growth %+v", r.Steps, r.Growth)
	}
	want := map[string]float64{"list_interventions": 1.5, "filter_interventions": 1.5, "search_interventions": 3, "get_intervention": 1, "dashboard_stats": 7.5, "kpis": 8}
	for _, g := range r.Growth {
		if g.Ratio != want[g.Operation] {
			t.Errorf("%s: ratio %v, want %v", g.Operation, g.Ratio, want[g.Operation])
		}
	}
	if len(r.Verdicts) != 3 || !strings.Contains(r.Verdicts[0], "MISSED") || !strings.Contains(r.Verdicts[0], "search_interventions 3.00x") ||
		!strings.Contains(r.Verdicts[1], "met (150.0 ms)") || !strings.Contains(r.Verdicts[2], "kpis p95 <= 300 ms at the largest step (1000): MISSED (320.0 ms)") {
		t.Errorf("verdicts: %q", r.Verdicts)
	}

	var tb bytes.Buffer
	r.Table(&tb)
	if !strings.Contains(tb.String(), "7.50 / 15.00") || !strings.Contains(tb.String(), "1.50x") {
		t.Errorf("table:\n%s", tb.String())
	}
	dir := t.TempDir()
	path, err := r.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "scale-20260102T030405Z.json" {
		t.Errorf("path %s", path)
	}
	b, _ := os.ReadFile(path)
	var got struct {
		Steps []struct {
			Scale      int              `json:"scale"`
			Operations []map[string]any `json:"operations"`
		} `json:"steps"`
		Growth   []map[string]any `json:"growth"`
		Settings map[string]any   `json:"settings"`
		Machine  map[string]any   `json:"machine"`
	}
	if err := json.Unmarshal(b, &got); err != nil || len(got.Steps) != 2 || len(got.Steps[1].Operations) != len(ScaleOperations) || got.Settings["users"] != 10.0 || got.Machine == nil {
		t.Fatalf("json: %s %v", b, err)
	}
	for _, k := range []string{"requests", "errors", "rps", "p50_ms", "p95_ms", "p99_ms"} {
		if _, ok := got.Steps[0].Operations[0][k]; !ok {
			t.Errorf("operation lacks %s", k)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "scale-latest.md"))
	same, _ := os.ReadFile(filepath.Join(dir, "scale-20260102T030405Z.md"))
	for _, want := range []string{"| dashboard_stats | 10.00 / 20.00 | 75.00 / 150.00 | 7.50x |", "## 1000 interventions", "| search_interventions | 10 | 0 | 5.0 |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if string(md) != string(same) {
		t.Error("scale-latest.md differs from the run's .md")
	}

	// One step: growth 1x, and an empty dashboard is not a met target.
	one := &ScaleReport{Steps: []ScaleStep{{Scale: 5, Operations: []Stats{{Name: "list_interventions", P95ms: 3}}}}}
	one.Finish()
	if !strings.Contains(one.Verdicts[0], "MISSED") || !strings.Contains(one.Verdicts[1], "MISSED") {
		t.Errorf("one step: %q", one.Verdicts)
	}
}
