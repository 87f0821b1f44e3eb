package platform

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolCollector exposes the statistics of a pgx pool to Prometheus. It reads pool.Stat() on
// each scrape and sends no statement, so scraping never competes with requests for a connection.
type PoolCollector struct {
	pool                                                        *pgxpool.Pool
	acquired, idle, total, max, acquireCount, acquireDur, empty *prometheus.Desc
}

// NewPoolCollector collects the statistics of pool as db_pool_* metrics.
func NewPoolCollector(pool *pgxpool.Pool) *PoolCollector {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &PoolCollector{
		pool:         pool,
		acquired:     d("db_pool_acquired_connections", "Connections currently in use."),
		idle:         d("db_pool_idle_connections", "Idle connections."),
		total:        d("db_pool_total_connections", "Open connections."),
		max:          d("db_pool_max_connections", "Maximum size of the pool."),
		acquireCount: d("db_pool_acquires_total", "Connections acquired from the pool."),
		acquireDur:   d("db_pool_acquire_duration_seconds_total", "Time spent waiting for a connection."),
		empty:        d("db_pool_empty_acquires_total", "Acquires that had to wait for a connection."),
	}
}

// Describe sends the descriptions of the pool metrics.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquireCount, c.acquireDur, c.empty} {
		ch <- d
	}
}

// Collect sends the pool's current statistics.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.acquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.acquireCount, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.acquireDur, prometheus.CounterValue, s.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(c.empty, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
}
