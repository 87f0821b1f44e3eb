package scheduler

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the Prometheus metrics of the jobs this process runs, labelled by job name in
// "name" (a "job" label would clash with Prometheus' own). A job runs on one replica at a time,
// so only the replicas that ran it have its last success: alert on the max over the replicas
// (deploy/prometheus/alerts.yml).
type Metrics struct {
	interval    *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	runs        *prometheus.CounterVec
}

// Outcomes of a run in scheduler_job_runs_total (a run interrupted by shutdown counts neither).
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// NewMetrics returns the metrics of the jobs, to hand to Options.Metrics and to register in
// the registry of /metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		interval: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scheduler_job_interval_seconds",
			Help: "Interval of a background job scheduled by this process.",
		}, []string{"name"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "scheduler_job_last_success_timestamp_seconds",
			Help: "Unix time of the last successful run of a background job on this process (absent before its first).",
		}, []string{"name"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scheduler_job_runs_total",
			Help: "Runs of a background job on this process, by outcome (success, failure).",
		}, []string{"name", "outcome"}),
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.interval.Describe(ch)
	m.lastSuccess.Describe(ch)
	m.runs.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.interval.Collect(ch)
	m.lastSuccess.Collect(ch)
	m.runs.Collect(ch)
}

// scheduled records a job scheduled on this process, its run counters at 0.
func (m *Metrics) scheduled(j Job) {
	if m == nil {
		return
	}
	m.interval.WithLabelValues(j.Name).Set(j.Interval.Seconds())
	m.runs.WithLabelValues(j.Name, OutcomeSuccess)
	m.runs.WithLabelValues(j.Name, OutcomeFailure)
}

// ran records the outcome of a run that ended at end.
func (m *Metrics) ran(name string, ok bool, end time.Time) {
	if m == nil {
		return
	}
	if !ok {
		m.runs.WithLabelValues(name, OutcomeFailure).Inc()
		return
	}
	m.runs.WithLabelValues(name, OutcomeSuccess).Inc()
	m.lastSuccess.WithLabelValues(name).Set(float64(end.UnixNano()) / 1e9)
}
