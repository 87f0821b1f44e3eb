package mail

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mif-erp/erp/gen/db"
)

// Outcomes of a delivery attempt in mail_delivery_attempts_total.
const (
	OutcomeSent    = "sent"    // accepted by the SMTP server
	OutcomeRetried = "retried" // refused, tried again later
	OutcomeFailed  = "failed"  // refused for the last time: given up (an admin may re-send it)
)

// Metrics counts the delivery attempts of this process (Options.Metrics).
type Metrics struct {
	attempts *prometheus.CounterVec
}

// NewMetrics returns the delivery counters, every outcome at 0.
func NewMetrics() *Metrics {
	m := &Metrics{attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mail_delivery_attempts_total",
		Help: "E-mail delivery attempts of this process, by outcome (sent, retried, failed: given up).",
	}, []string{"outcome"})}
	for _, o := range []string{OutcomeSent, OutcomeRetried, OutcomeFailed} {
		m.attempts.WithLabelValues(o)
	}
	return m
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) { m.attempts.Describe(ch) }

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) { m.attempts.Collect(ch) }

func (m *Metrics) count(outcome string) {
	if m != nil {
		m.attempts.WithLabelValues(outcome).Inc()
	}
}

// OutboxCollector exposes the backlog of the e-mail outbox, read from the database at scrape
// time: one indexed statement, at most every outboxCacheFor (several scrapers share a reading)
// and within outboxTimeout. When the database does not answer the metrics are left out of the
// scrape (the pool and readiness metrics tell why).
type OutboxCollector struct {
	pool            *pgxpool.Pool
	pending, oldest *prometheus.Desc

	mu      sync.Mutex
	readAt  time.Time
	reading [2]float64
}

const (
	outboxCacheFor = 10 * time.Second
	outboxTimeout  = 2 * time.Second
)

// NewOutboxCollector collects the outbox of the database of pool.
func NewOutboxCollector(pool *pgxpool.Pool) *OutboxCollector {
	return &OutboxCollector{
		pool: pool,
		pending: prometheus.NewDesc("mail_outbox_pending_emails",
			"E-mails waiting in the outbox (to send or to retry).", nil, nil),
		oldest: prometheus.NewDesc("mail_outbox_oldest_due_age_seconds",
			"How long the oldest e-mail due for sending has been waiting (0: none due).", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.oldest
}

// Collect implements prometheus.Collector.
func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.readAt) >= outboxCacheFor {
		ctx, cancel := context.WithTimeout(context.Background(), outboxTimeout)
		defer cancel()
		b, err := db.New(c.pool).EmailOutboxBacklog(ctx)
		if err != nil {
			return
		}
		c.readAt, c.reading = time.Now(), [2]float64{float64(b.Pending), b.OldestDueSeconds}
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, c.reading[0])
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, c.reading[1])
}
