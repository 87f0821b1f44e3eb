package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// ScaleOperations are the operations of `make bench-scale`, each run alone at every step.
var ScaleOperations = []string{"list_interventions", "filter_interventions", "search_interventions", "get_intervention", "dashboard_stats", "kpis"}

// Targets of the scale run: the p95 of these operations grows at most ScaleMaxGrowth times from
// the smallest step to the largest, the dashboard's p95 stays under ScaleDashboardP95ms and the
// indicators' (GET /kpis, its default 30 days) at most ScaleKpisP95ms at the largest step.
var (
	ScaleGrowthOps      = []string{"list_interventions", "filter_interventions", "search_interventions", "get_intervention"}
	ScaleMaxGrowth      = 2.0
	ScaleDashboardP95ms = 200.0
	ScaleKpisP95ms      = 300.0
)

// ScaleSettings are the knobs of a scale run.
type ScaleSettings struct {
	Steps      []int   `json:"steps"`
	Users      int     `json:"users"`
	DurationS  float64 `json:"duration_s"`
	WarmupS    float64 `json:"warmup_s"` // each operation alone, unmeasured, before its run
	Account    string  `json:"account"`
	Filter     string  `json:"filter_query"`
	Search     string  `json:"search_query"`
	RateLimit  string  `json:"rate_limit_per_minute"`
	DBMaxConns int     `json:"db_max_conns,omitempty"`
}

// ScaleStep is what one step (one database) measured.
type ScaleStep struct {
	Scale         int     `json:"scale"`
	Database      string  `json:"database"`
	Interventions int     `json:"interventions_in_database"`
	SeedS         float64 `json:"seed_s,omitempty"` // time spent seeding the missing rows, 0 when reused
	Login         Stats   `json:"login"`
	Operations    []Stats `json:"operations"`
}

// ScaleGrowth is the p95 of an operation at the smallest and the largest step.
type ScaleGrowth struct {
	Operation  string  `json:"operation"`
	FirstP95ms float64 `json:"first_p95_ms"`
	LastP95ms  float64 `json:"last_p95_ms"`
	Ratio      float64 `json:"ratio"` // last / first; 0 when first is 0
}

// ScaleReport is what `make bench-scale` writes to bench/results/scale-<timestamp>.json.
type ScaleReport struct {
	Started  time.Time     `json:"started"`
	Settings ScaleSettings `json:"settings"`
	Machine  Machine       `json:"machine"`
	Steps    []ScaleStep   `json:"steps"`
	Growth   []ScaleGrowth `json:"growth"`
	Verdicts []string      `json:"verdicts"`
}

// Finish sorts the steps by scale and computes the growth and the verdicts.
func (r *ScaleReport) Finish() {
	slices.SortFunc(r.Steps, func(a, b ScaleStep) int { return a.Scale - b.Scale })
	r.Growth, r.Verdicts = nil, nil
	if len(r.Steps) == 0 {
		return
	}
	first, last := r.Steps[0], r.Steps[len(r.Steps)-1]
	for _, name := range ScaleOperations {
		a, _ := findStats(first.Operations, name)
		b, _ := findStats(last.Operations, name)
		g := ScaleGrowth{Operation: name, FirstP95ms: a.P95ms, LastP95ms: b.P95ms}
		if a.P95ms > 0 {
			g.Ratio = math.Round(b.P95ms/a.P95ms*100) / 100
		}
		r.Growth = append(r.Growth, g)
	}
	ok := true
	var parts []string
	for _, g := range r.Growth {
		if slices.Contains(ScaleGrowthOps, g.Operation) {
			ok = ok && g.Ratio > 0 && g.Ratio <= ScaleMaxGrowth
			parts = append(parts, fmt.Sprintf("%s %.2fx", g.Operation, g.Ratio))
		}
	}
	r.Verdicts = append(r.Verdicts, fmt.Sprintf("target list/search/detail p95 growth <= %gx (%d -> %d): %s (%s)",
		ScaleMaxGrowth, first.Scale, last.Scale, Verdict(ok), strings.Join(parts, ", ")))
	d, found := findStats(last.Operations, "dashboard_stats")
	r.Verdicts = append(r.Verdicts, fmt.Sprintf("target dashboard p95 < %g ms at the largest step (%d): %s (%.1f ms)",
		ScaleDashboardP95ms, last.Scale, Verdict(found && d.Requests > 0 && d.P95ms < ScaleDashboardP95ms), d.P95ms))
	k, found := findStats(last.Operations, "kpis")
	r.Verdicts = append(r.Verdicts, fmt.Sprintf("target kpis p95 <= %g ms at the largest step (%d): %s (%.1f ms)",
		ScaleKpisP95ms, last.Scale, Verdict(found && k.Requests > 0 && k.P95ms <= ScaleKpisP95ms), k.P95ms))
}

// Table is the operation x scale table (p50/p95 ms) with the growth of p95, then the verdicts.
func (r *ScaleReport) Table(w io.Writer) {
	fmt.Fprintf(w, "%-22s", "operation")
	for _, s := range r.Steps {
		fmt.Fprintf(w, " %20s", fmt.Sprintf("%d p50/p95 ms", s.Scale))
	}
	fmt.Fprintf(w, " %12s\n", "p95 growth")
	for i, name := range ScaleOperations {
		fmt.Fprintf(w, "%-22s", name)
		for _, c := range r.cells(name) {
			fmt.Fprintf(w, " %20s", c)
		}
		fmt.Fprintf(w, " %11.2fx\n", r.growth(i))
	}
	for _, v := range r.Verdicts {
		fmt.Fprintln(w, v)
	}
}

// cells are the operation's "p50 / p95" (ms) at every step.
func (r *ScaleReport) cells(name string) []string {
	var out []string
	for _, s := range r.Steps {
		st, _ := findStats(s.Operations, name)
		out = append(out, fmt.Sprintf("%.2f / %.2f", st.P50ms, st.P95ms))
	}
	return out
}

func (r *ScaleReport) growth(i int) float64 {
	if i < len(r.Growth) {
		return r.Growth[i].Ratio
	}
	return 0
}

// Markdown is the report as a Markdown section: the summary table, the verdicts and every
// step's full figures.
func (r *ScaleReport) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Scale benchmark %s\n\n", r.Started.UTC().Format(time.RFC3339))
	b.WriteString(r.Machine.markdown())
	fmt.Fprintf(&b, "- Settings: %d users (%s), each operation alone for %gs (after %gs of warm-up) without think time, rate limit %s, DB_MAX_CONNS %d\n",
		r.Settings.Users, r.Settings.Account, r.Settings.DurationS, r.Settings.WarmupS, r.Settings.RateLimit, r.Settings.DBMaxConns)
	fmt.Fprintf(&b, "- filter_interventions: `GET /filters/interventions?%s`\n", r.Settings.Filter)
	fmt.Fprintf(&b, "- search_interventions: `GET /interventions?%s`\n\n", r.Settings.Search)
	b.WriteString("| operation |")
	sep := "|---|"
	for _, s := range r.Steps {
		fmt.Fprintf(&b, " %d p50 / p95 ms |", s.Scale)
		sep += "---:|"
	}
	b.WriteString(" p95 growth |\n" + sep + "---:|\n")
	for i, name := range ScaleOperations {
		fmt.Fprintf(&b, "| %s | %s | %.2fx |\n", name, strings.Join(r.cells(name), " | "), r.growth(i))
	}
	b.WriteString("\n")
	for _, v := range r.Verdicts {
		fmt.Fprintf(&b, "- %s\n", v)
	}
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "\n## %d interventions (database %s, %d rows)\n\n", s.Scale, s.Database, s.Interventions)
		statsMarkdown(&b, "operation", s.Operations)
	}
	return b.String()
}

// Write saves scale-<stamp>.json and scale-<stamp>.md in dir, and the Markdown again as
// scale-latest.md. It returns the JSON path.
func (r *ScaleReport) Write(dir string) (string, error) {
	stamp := "scale-" + Stamp(r.Started)
	md := r.Markdown()
	return writeFiles(dir, stamp+".json", r, map[string]string{stamp + ".md": md, "scale-latest.md": md})
}
