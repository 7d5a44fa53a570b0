package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/comanda-dev/comanda/inventory-app/internal/leader"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// registerMarketMetrics exposes the market client's counters, read when
// Prometheus scrapes, so that the buyers never wait on metrics.
func registerMarketMetrics(reg prometheus.Registerer, m *market.Client) {
	counter := func(name, help string, read func(market.Stats) int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "inventory_market_" + name, Help: help},
			func() float64 { return float64(read(m.Stats())) })
	}
	reg.MustRegister(
		counter("calls_total", "Calls sent to the farmers market.", func(s market.Stats) int64 { return s.Calls }),
		counter("zeros_total", "Market answers of zero units.", func(s market.Stats) int64 { return s.Zeros }),
		counter("errors_total", "Failed market calls other than timeouts.", func(s market.Stats) int64 { return s.Errors }),
		counter("timeouts_total", "Market calls that timed out.", func(s market.Stats) int64 { return s.Timeouts }),
		counter("units_bought_total", "Units bought at the market.", func(s market.Stats) int64 { return s.UnitsBought }),
		counter("rejected_total", "Calls refused by the open circuit breaker.", func(s market.Stats) int64 { return s.Rejected }),
		counter("too_many_requests_total", "Market answers of 429 Too Many Requests: the market at its capacity.", func(s market.Stats) int64 { return s.Busy }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "inventory_market_retry_after_seconds_total", Help: "Time the market's Retry-After held every market call back."},
			func() float64 { return m.Stats().RetryAfterWait.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_market_concurrency_limit", Help: "Market calls allowed in flight now, as adapted to the market's capacity."},
			func() float64 { return float64(m.Stats().Limit) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_market_calls_in_flight", Help: "Market calls sent and not yet answered."},
			func() float64 { return float64(m.Stats().InFlight) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_market_breaker_open", Help: "1 while the market circuit breaker is open."},
			func() float64 {
				if m.Stats().Breaker == "open" {
					return 1
				}
				return 0
			}),
	)
}

// marketLatency is the time of every answered market call.
func marketLatency(reg prometheus.Registerer) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "inventory_market_call_seconds",
		Help:    "Time of answered farmers-market calls.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	reg.MustRegister(h)
	return h
}

// registerWarehouseMetrics exposes the leader's in-memory state, read at
// scrape time (0 on a standby, so sums over the replicas hold).
func registerWarehouseMetrics(reg prometheus.Registerer, w *warehouse.Books) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_reservations_waiting", Help: "Orders waiting for ingredients."},
			func() float64 { return float64(w.Waiting()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_ingredients_buying", Help: "Ingredients whose buyer is at the market."},
			func() float64 { return float64(len(w.Buying())) }),
	)
}

// registerLeaderMetrics says which replica leads, and under which fencing
// token: the token only grows, so a change of leader shows as a step.
func registerLeaderMetrics(reg prometheus.Registerer, e *leader.Elector) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_leader", Help: "1 while this replica leads the warehouse, 0 while it stands by."},
			func() float64 {
				if _, ok := e.Leading(); ok {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "inventory_leader_token", Help: "Fencing token of this replica's term; 0 while it stands by."},
			func() float64 {
				tok, _ := e.Leading()
				return float64(tok)
			}),
	)
}
