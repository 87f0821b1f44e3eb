// Package bench is the load generator of `make bench`: virtual users replaying the original's
// load-test mix against a running server, and the report of what they measured.
package bench

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Samples are the latencies and errors of one operation.
type Samples struct {
	Latencies []time.Duration
	Errors    int
}

// Add records one request.
func (s *Samples) Add(d time.Duration, ok bool) {
	s.Latencies = append(s.Latencies, d)
	if !ok {
		s.Errors++
	}
}

// Merge appends o's samples.
func (s *Samples) Merge(o *Samples) {
	s.Latencies = append(s.Latencies, o.Latencies...)
	s.Errors += o.Errors
}

// Stats summarise one operation (or all of them) over a run.
type Stats struct {
	Name     string  `json:"name,omitempty"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P95ms    float64 `json:"p95_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
	// PKShare is RPS as a share of the physical floor of the same run (a prepared primary-key
	// select through pgx at the same concurrency); 0 when there was none.
	PKShare float64 `json:"pk_floor_share,omitempty"`
}

// Percentile is the nearest-rank percentile p (0 < p <= 100) of sorted latencies; 0 when empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*100) / 100 }

// Summarise computes the stats of s over a run of the given duration.
func Summarise(name string, s *Samples, elapsed time.Duration) Stats {
	sorted := slices.Clone(s.Latencies)
	slices.Sort(sorted)
	st := Stats{Name: name, Requests: len(sorted), Errors: s.Errors}
	if elapsed > 0 {
		st.RPS = math.Round(float64(len(sorted))/elapsed.Seconds()*10) / 10
	}
	st.P50ms = ms(Percentile(sorted, 50))
	st.P95ms = ms(Percentile(sorted, 95))
	st.P99ms = ms(Percentile(sorted, 99))
	if len(sorted) > 0 {
		st.MaxMs = ms(sorted[len(sorted)-1])
	}
	return st
}

// Settings are the knobs of a run.
type Settings struct {
	Users         int     `json:"users"`
	Admins        int     `json:"admins"`
	DurationS     float64 `json:"duration_s"`
	Think         string  `json:"think"`
	Scale         int     `json:"scale"`
	Mix           string  `json:"mix"`
	DBMaxConns    int     `json:"db_max_conns,omitempty"`
	RateLimit     string  `json:"rate_limit_per_minute"`
	BcryptCost    int     `json:"bcrypt_cost,omitempty"`
	Interventions int     `json:"interventions_in_database"`
	FloorS        float64 `json:"floor_duration_s,omitempty"`
}

// Machine describes where a run happened.
type Machine struct {
	Cores      int    `json:"cores"`
	CPU        string `json:"cpu,omitempty"`
	OS         string `json:"os"`
	Go         string `json:"go"`
	PostgreSQL string `json:"postgresql"`
	Server     string `json:"server_version,omitempty"`
}

// Report is what a run writes to bench/results/<timestamp>.json.
type Report struct {
	Started    time.Time    `json:"started"`
	Settings   Settings     `json:"settings"`
	Machine    Machine      `json:"machine"`
	Overall    Stats        `json:"overall"`
	Operations []Stats      `json:"operations"`
	Login      Stats        `json:"login"`
	Single     []Stats      `json:"single_operations,omitempty"` // the floor ops' HTTP operations, each alone
	Floor      []FloorStats `json:"floor,omitempty"`
	// PKFloor is the physical floor: a prepared primary-key select of an intervention through
	// pgx, BENCH_USERS goroutines on a pool of the API's size, after the server stopped.
	PKFloor *Stats          `json:"pk_floor,omitempty"`
	Open    *OpenLoopReport `json:"open_loop,omitempty"`
}

// OpenLoopReport is the open-loop phase: the mix offered at a constant rate, latencies measured
// from each request's scheduled send time.
type OpenLoopReport struct {
	RateOffered float64 `json:"rate_offered"`         // requests per second
	RateSource  string  `json:"rate_source"`          // "BENCH_RATE" or "half the closed-loop throughput"
	Offered     int     `json:"requests_offered"`     // Rate x duration
	DurationS   float64 `json:"duration_s"`           // the scheduling window
	MaxLagMs    float64 `json:"generator_max_lag_ms"` // the generator's own worst delay
	Overall     Stats   `json:"overall"`
	Operations  []Stats `json:"operations"`
}

// SetPKShares fills every PKShare of the report from its PKFloor.
func (r *Report) SetPKShares() {
	if r.PKFloor == nil || r.PKFloor.RPS <= 0 {
		return
	}
	floor := r.PKFloor.RPS
	set := func(rows []Stats) {
		for i := range rows {
			rows[i].PKShare = share(rows[i].RPS, floor)
		}
	}
	set(r.Operations)
	set(r.Single)
	r.Overall.PKShare = share(r.Overall.RPS, floor)
	r.PKFloor.PKShare = 1
	for i := range r.Floor {
		r.Floor[i].PKShare = share(r.Floor[i].RPS, floor)
		r.Floor[i].APIPKShare = share(r.Floor[i].APIRPS, floor)
	}
	if r.Open != nil {
		set(r.Open.Operations)
		r.Open.Overall.PKShare = share(r.Open.Overall.RPS, floor)
	}
}

// share is part/whole rounded to a tenth of a percent.
func share(part, whole float64) float64 { return math.Round(part/whole*1000) / 1000 }

// pct is a share as a percentage for the tables, "-" when there is none.
func pct(f float64) string {
	if f == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

// statsText writes rows as an aligned text table (a row without name is the overall one).
func statsText(w io.Writer, first string, rows []Stats) {
	fmt.Fprintf(w, "%-22s %9s %7s %9s %9s %9s %9s %9s %9s\n", first, "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "PK share")
	for _, s := range rows {
		name := s.Name
		if name == "" {
			name = "overall"
		}
		fmt.Fprintf(w, "%-22s %9d %7d %9.1f %9.2f %9.2f %9.2f %9.2f %9s\n", name, s.Requests, s.Errors, s.RPS, s.P50ms, s.P95ms, s.P99ms, s.MaxMs, pct(s.PKShare))
	}
}

// statsMarkdown writes rows as a Markdown table (a row without name is the overall one).
func statsMarkdown(b *strings.Builder, first string, rows []Stats) {
	fmt.Fprintf(b, "| %s | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms | share of PK floor |\n", first)
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range rows {
		name := s.Name
		if name == "" {
			name = "**overall**"
		}
		fmt.Fprintf(b, "| %s | %d | %d | %.1f | %.2f | %.2f | %.2f | %.2f | %s |\n", name, s.Requests, s.Errors, s.RPS, s.P50ms, s.P95ms, s.P99ms, s.MaxMs, pct(s.PKShare))
	}
}

// Table is the report as aligned text tables.
func (r *Report) Table(w io.Writer) {
	fmt.Fprintln(w, "closed loop: the mix, each user sending its next request when the last one is answered")
	statsText(w, "operation", append(slices.Clone(r.Operations), r.Overall))
	if len(r.Single) > 0 {
		fmt.Fprintln(w)
		statsText(w, "alone (HTTP)", r.Single)
	}
	if o := r.Open; o != nil {
		fmt.Fprintf(w, "\n%s\n", o.title())
		statsText(w, "open loop", append(slices.Clone(o.Operations), o.Overall))
	}
	if f := r.PKFloor; f != nil {
		fmt.Fprintf(w, "\n%s: %.1f req/s, p50 %.2f ms, p95 %.2f ms, %d errors\n", pkFloorName, f.RPS, f.P50ms, f.P95ms, f.Errors)
	}
	if len(r.Floor) > 0 {
		width := len("service floor (pgx)")
		for _, f := range r.Floor {
			width = max(width, len(f.Name))
		}
		fmt.Fprintf(w, "\n%-*s %9s %7s %9s %9s %9s %11s %11s %9s %9s %11s\n", width, "service floor (pgx)", "requests", "errors", "req/s", "p50 ms", "p95 ms",
			"alone req/s", "alone p95", "API share", "API/PK", "mixed req/s")
		for _, f := range r.Floor {
			fmt.Fprintf(w, "%-*s %9d %7d %9.1f %9.2f %9.2f %11.1f %11.2f %9s %9s %11.1f\n", width, f.Name, f.Requests, f.Errors, f.RPS, f.P50ms, f.P95ms,
				f.APIRPS, f.APIP95ms, pct(f.APIFraction), pct(f.APIPKShare), f.MixedAPIRPS)
		}
	}
}

const pkFloorName = "physical floor (prepared primary-key select of an intervention through pgx)"

// title says how the open loop was run.
func (o *OpenLoopReport) title() string {
	return fmt.Sprintf("open loop: %.1f req/s offered (%s) for %gs, %d requests; latency from each request's scheduled send time; generator's worst lag %.2f ms",
		o.RateOffered, o.RateSource, o.DurationS, o.Offered, o.MaxLagMs)
}

// Markdown is the report as a Markdown section (with the chart linked as svgName).
func (r *Report) Markdown(svgName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark %s\n\n", r.Started.UTC().Format(time.RFC3339))
	b.WriteString(r.Machine.markdown())
	fmt.Fprintf(&b, "- Settings: %d users (%d admins), %gs, think time %s, %d interventions in the database, rate limit %s, DB_MAX_CONNS %d\n",
		r.Settings.Users, r.Settings.Admins, r.Settings.DurationS, r.Settings.Think, r.Settings.Interventions, r.Settings.RateLimit, r.Settings.DBMaxConns)
	if f := r.PKFloor; f != nil {
		fmt.Fprintf(&b, "- The %s, %d goroutines, same run: **%.1f req/s** (p50 %.2f ms, p95 %.2f ms, %d errors). Every \"share of PK floor\" below is req/s divided by it.\n",
			pkFloorName, r.Settings.Users, f.RPS, f.P50ms, f.P95ms, f.Errors)
	}
	b.WriteString("\nClosed loop (each user sends its next request when the last is answered):\n\n")
	statsMarkdown(&b, "operation", append(slices.Clone(r.Operations), r.Overall))
	fmt.Fprintf(&b, "\nLogins (once per user, before the timed run): %d, p50 %.0f ms, max %.0f ms, %d errors.\n",
		r.Login.Requests, r.Login.P50ms, r.Login.MaxMs, r.Login.Errors)
	if len(r.Single) > 0 {
		fmt.Fprintf(&b, "\nOperations alone (%d users as responsables, no think time, %gs each, after the mixed run):\n\n",
			r.Settings.Users, r.Settings.FloorS)
		statsMarkdown(&b, "alone (HTTP)", r.Single)
	}
	if o := r.Open; o != nil {
		fmt.Fprintf(&b, "\nOpen loop: %.1f req/s offered (%s) for %gs, %d requests, latency measured from each request's scheduled send time (queueing counted); the generator's worst lag was %.2f ms.\n\n",
			o.RateOffered, o.RateSource, o.DurationS, o.Offered, o.MaxLagMs)
		statsMarkdown(&b, "open loop", append(slices.Clone(o.Operations), o.Overall))
	}
	if len(r.Floor) > 0 {
		fmt.Fprintf(&b, "\n%s (%gs each.)\n\n", floorNote, r.Settings.FloorS)
		b.WriteString("| service floor (pgx) | requests | errors | req/s | p50 ms | p95 ms | API alone req/s | API alone p95 ms | API share | API share of PK floor | mixed API req/s |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, f := range r.Floor {
			fmt.Fprintf(&b, "| %s | %d | %d | %.1f | %.2f | %.2f | %.1f | %.2f | %s | %s | %.1f |\n", f.Name, f.Requests, f.Errors, f.RPS, f.P50ms, f.P95ms,
				f.APIRPS, f.APIP95ms, pct(f.APIFraction), pct(f.APIPKShare), f.MixedAPIRPS)
		}
	}
	if svgName != "" {
		fmt.Fprintf(&b, "\n![latency per operation](%s)\n", svgName)
	}
	return b.String()
}

// markdown is the machine line of a Markdown report.
func (m Machine) markdown() string {
	return fmt.Sprintf("- Machine: %d cores%s, %s, %s, PostgreSQL %s\n", m.Cores, optional(" ("+m.CPU+")", m.CPU != ""), m.OS, m.Go, m.PostgreSQL)
}

// Verdict is "met" or "MISSED".
func Verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func optional(s string, ok bool) string {
	if ok {
		return s
	}
	return ""
}

// SVG is a bar chart of p50/p95/p99 per operation (hand-written SVG, log-free linear scale).
func (r *Report) SVG() string {
	ops := append(slices.Clone(r.Operations), r.Overall)
	const rowH, barH, left, width, top = 54, 14, 170, 520, 40
	maxV := 1.0
	for _, s := range ops {
		maxV = max(maxV, s.P99ms)
	}
	h := top + rowH*len(ops) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+width+90, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">Latency per operation (ms): p50, p95, p99 — %d users, %gs</text>`+"\n",
		r.Settings.Users, r.Settings.DurationS)
	colors := []string{"#4e79a7", "#f28e2b", "#e15759"}
	for i, s := range ops {
		name := s.Name
		if name == "" {
			name = "overall"
		}
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="10" y="%d">%s</text>`+"\n", y+24, html.EscapeString(name))
		for j, v := range []float64{s.P50ms, s.P95ms, s.P99ms} {
			w := v / maxV * width
			by := y + j*(barH+2)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", left, by, max(w, 1), barH, colors[j])
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10">%.1f</text>`+"\n", float64(left)+max(w, 1)+4, by+11, v)
		}
	}
	ly := h - 12
	for j, l := range []string{"p50", "p95", "p99"} {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", left+j*70, ly-9, colors[j], left+j*70+14, ly, l)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// Stamp is the file name prefix of a run started at t.
func Stamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Write saves <stamp>.json, <stamp>.md and <stamp>.svg in dir, and copies the Markdown and the
// chart to latest.md and latest.svg. It returns the JSON path.
func (r *Report) Write(dir string) (string, error) {
	stamp := Stamp(r.Started)
	return writeFiles(dir, stamp+".json", r, map[string]string{
		stamp + ".svg": r.SVG(),
		stamp + ".md":  r.Markdown(stamp + ".svg"),
		"latest.svg":   r.SVG(),
		"latest.md":    r.Markdown("latest.svg"),
	})
}

// writeFiles saves v as indented JSON in dir/jsonName and the other files (name -> content) in
// dir, creating dir if needed. It returns the JSON path.
func writeFiles(dir, jsonName string, v any, files map[string]string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", err
	}
	files[jsonName] = string(js) + "\n"
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, jsonName), nil
}
