package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	api "github.com/mif-erp/erp/gen/api"
)

// httpMetrics are the request metrics, labelled by route template (never by raw path, so ids do
// not explode the label space).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	// Requests refused by the rate limit (429), and let through because its store failed.
	rateLimited, rateLimitErrors prometheus.Counter
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency, by method and route template.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "http_rate_limited_requests_total",
			Help: "Requests refused with 429 by the rate limit of RATE_LIMIT_PER_MINUTE (not the login lockout).",
		}),
		rateLimitErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "http_rate_limit_errors_total",
			Help: "Requests let through unchecked because the rate limiter's store (Redis) failed.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.inFlight, m.rateLimited, m.rateLimitErrors)
	return m
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// newRegistry returns a registry (not the global one) with Go, process and build collectors,
// and the others given (the database pool's, the background jobs'...).
func newRegistry(version string, others ...prometheus.Collector) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "app_info",
			Help:        "Build information.",
			ConstLabels: prometheus.Labels{"version": version},
		}, func() float64 { return 1 }),
	)
	for _, c := range others {
		if c != nil {
			reg.MustRegister(c)
		}
	}
	return reg
}

// metricsResponse writes the Prometheus text exposition with its proper content type.
type metricsResponse struct{ body []byte }

func (r metricsResponse) VisitGetMetricsResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(r.body)
	return err
}

var _ api.GetMetricsResponseObject = metricsResponse{}

func gatherText(g prometheus.Gatherer) ([]byte, error) {
	families, err := g.Gather()
	if err != nil {
		return nil, fmt.Errorf("gather metrics: %w", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("encode metrics: %w", err)
		}
	}
	return buf.Bytes(), nil
}
