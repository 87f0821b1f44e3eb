package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mif-erp/erp/internal/app"
	"github.com/mif-erp/erp/internal/mail/mailtest"
	"github.com/mif-erp/erp/internal/scheduler"
	"github.com/mif-erp/erp/internal/testenv"
)

// TestMetricsExposeJobsOutboxDeliveriesAndRateLimit scrapes the metrics that the alert rules of
// deploy/prometheus read besides the HTTP and pool ones: the background jobs' runs and last
// success, the outbox backlog, the delivery outcomes and the rate-limit refusals.
func TestMetricsExposeJobsOutboxDeliveriesAndRateLimit(t *testing.T) {
	t.Parallel()
	const token = "scraper-token-0123456789"
	smtp := mailtest.Start(t)
	opts := testenv.Options{"METRICS_TOKEN": token, "RATE_LIMIT_PER_MINUTE": "1", "TRUSTED_PROXIES": "127.0.0.1/32",
		"SMTP_MAX_ATTEMPTS": "1"}
	for k, v := range smtp.Env() {
		opts[k] = v
	}
	env := testenv.NewEnv(t, pg, opts)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)

	// The wiring of `erp serve`: one Metrics for the handler and the scheduler.
	bg := app.NewMetrics()
	metrics := app.WithMetrics(bg)
	h, err := app.Handler(env.Config, env.Pool, nil, log, "test", time.Now(), metrics)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	hc := testenv.NewContractClient(t)
	scrape := func() string {
		t.Helper()
		resp, b := platformSend(t, hc, ts.URL, platformReq{path: "/api/v1/metrics", token: token, header: xff(randomClientIP())})
		if resp.StatusCode != 200 {
			t.Fatalf("GET /api/v1/metrics: %d %s", resp.StatusCode, b)
		}
		return string(b)
	}

	// Two e-mails waiting: one due for an hour, one due in an hour.
	if _, err := env.Pool.Exec(ctx, `INSERT INTO email_outbox (to_email, subject, body_text, body_html, next_attempt_at)
		VALUES ('a@mif.ma', 's', 't', 'h', now() - interval '1 hour'), ('b@mif.ma', 's', 't', 'h', now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	text := scrape()
	if !regexp.MustCompile(`(?m)^mail_outbox_pending_emails 2$`).MatchString(text) {
		t.Errorf("metrics lack mail_outbox_pending_emails 2")
	}
	if m := regexp.MustCompile(`(?m)^mail_outbox_oldest_due_age_seconds (\S+)$`).FindStringSubmatch(text); m == nil {
		t.Error("metrics lack mail_outbox_oldest_due_age_seconds")
	} else if age, err := strconv.ParseFloat(m[1], 64); err != nil || age < 3600 || age > 3700 {
		t.Errorf("mail_outbox_oldest_due_age_seconds = %s, want about 3600", m[1])
	}

	// The due e-mail is refused once: with SMTP_MAX_ATTEMPTS=1 it is given up.
	smtp.Refuse(1, 554)
	d, err := app.Mailer(env.Config, env.Pool, log, metrics)
	if err != nil || d == nil {
		t.Fatalf("mailer: %v", err)
	}
	if rep, err := d.Deliver(ctx, time.Now()); err != nil || rep.Failed != 1 {
		t.Fatalf("deliver: %+v %v", rep, err)
	}

	// A job that succeeds and one that fails, run once at start.
	sch, err := scheduler.New(env.Pool, scheduler.Options{Metrics: bg.Jobs},
		scheduler.Job{Name: "test.ok", Interval: time.Hour, Run: func(context.Context) error { return nil }},
		scheduler.Job{Name: "test.fail", Interval: time.Hour, Run: func(context.Context) error { return errors.New("boom") }})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if err := sch.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sch.Stop() })
	var jobs string
	eventually(t, "both jobs' runs in the metrics", func() bool {
		jobs = scrape()
		return regexp.MustCompile(`scheduler_job_runs_total\{name="test.ok",outcome="success"\} 1\n`).MatchString(jobs) &&
			regexp.MustCompile(`scheduler_job_runs_total\{name="test.fail",outcome="failure"\} 1\n`).MatchString(jobs)
	})
	for _, want := range []string{
		`scheduler_job_interval_seconds{name="test.ok"} 3600`,
		`scheduler_job_interval_seconds{name="test.fail"} 3600`,
		`scheduler_job_runs_total{name="test.ok",outcome="failure"} 0`,
		`scheduler_job_runs_total{name="test.fail",outcome="success"} 0`,
	} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).MatchString(jobs) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if regexp.MustCompile(`scheduler_job_last_success_timestamp_seconds\{name="test.fail"\}`).MatchString(jobs) {
		t.Error("a job that never succeeded has a last success")
	}
	if m := regexp.MustCompile(`(?m)^scheduler_job_last_success_timestamp_seconds\{name="test.ok"\} (\S+)$`).FindStringSubmatch(jobs); m == nil {
		t.Error("metrics lack the last success of test.ok")
	} else if ts, err := strconv.ParseFloat(m[1], 64); err != nil || ts < float64(before.Unix()) || ts > float64(time.Now().Unix()+1) {
		t.Errorf("last success of test.ok = %s, want between %d and now", m[1], before.Unix())
	}

	// The rate limit (1 a minute): the second request of one client is refused.
	client := randomClientIP()
	for i, want := range []int{200, 429} {
		if resp, b := platformSend(t, hc, ts.URL, platformReq{path: "/", header: xff(client)}); resp.StatusCode != want {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, b)
		}
	}
	var final string
	eventually(t, "the refusal in the metrics", func() bool {
		final = scrape()
		return regexp.MustCompile(`(?m)^http_rate_limited_requests_total 1$`).MatchString(final)
	})
	for _, want := range []string{
		`mail_delivery_attempts_total{outcome="failed"} 1`,
		`mail_delivery_attempts_total{outcome="retried"} 0`,
		`mail_delivery_attempts_total{outcome="sent"} 0`,
		`http_rate_limit_errors_total 0`,
	} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).MatchString(final) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// Every metric the alert rules and the dashboards read is one the server exports.
	exported := map[string]bool{"up": true} // up: written by Prometheus for each target
	for _, line := range strings.Split(final, "\n") {
		if name, _, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(line, "#") {
			name, _, _ = strings.Cut(name, "{")
			exported[name] = true
		}
	}
	for file, exprs := range deployExpressions(t) {
		for _, expr := range exprs {
			for _, name := range promMetricNames(expr) {
				if !exported[name] {
					t.Errorf("%s reads %s, which the server does not export: %s", file, name, expr)
				}
			}
		}
	}
}

// deployExpressions returns the PromQL expressions of deploy/prometheus/alerts.yml and of the
// dashboards in deploy/grafana, by file.
func deployExpressions(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	// alerts.yml: "expr: <query>" on one line, or "expr: |" and the more indented lines below.
	const rules = "../../deploy/prometheus/alerts.yml"
	b, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		key, v, ok := strings.Cut(strings.TrimSpace(line), "expr:")
		if !ok || key != "" {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "|" || v == ">" {
			indent := len(line) - len(strings.TrimLeft(line, " "))
			var block []string
			for _, next := range lines[i+1:] {
				if strings.TrimSpace(next) != "" && len(next)-len(strings.TrimLeft(next, " ")) <= indent {
					break
				}
				block = append(block, next)
			}
			v = strings.Join(block, "\n")
		}
		out[rules] = append(out[rules], v)
	}
	if len(out[rules]) == 0 {
		t.Fatalf("no expression found in %s", rules)
	}
	dashboards, err := filepath.Glob("../../deploy/grafana/*.json")
	if err != nil || len(dashboards) == 0 {
		t.Fatalf("no dashboard in deploy/grafana: %v", err)
	}
	for _, file := range dashboards {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, x := range v {
					if s, ok := x.(string); ok && k == "expr" {
						out[file] = append(out[file], s)
					}
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(doc)
		if len(out[file]) == 0 {
			t.Fatalf("no expression found in %s", file)
		}
	}
	return out
}

var (
	promDropped = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|\{[^}]*\}|\[[^\]]*\]|` +
		`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*\s*\(?`)
	promKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "inf": true, "nan": true}
)

// promMetricNames lists the metric names a PromQL expression reads: its identifiers once the
// strings, label matchers, ranges and grouping clauses are dropped, less the function calls and
// the keywords.
func promMetricNames(expr string) []string {
	var names []string
	for _, id := range promIdent.FindAllString(promDropped.ReplaceAllString(expr, " "), -1) {
		if strings.HasSuffix(id, "(") || promKeywords[strings.ToLower(strings.TrimSpace(id))] {
			continue
		}
		names = append(names, strings.TrimSpace(id))
	}
	return names
}
