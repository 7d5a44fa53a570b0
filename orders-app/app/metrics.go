package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// deliveryLatency is the placed→delivered time of every delivered order.
func deliveryLatency(reg prometheus.Registerer) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "orders_delivery_seconds",
		Help:    "Time from an order being placed to its dish being delivered.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
	})
	reg.MustRegister(h)
	return h
}

// statusCollector reads the orders by status from the store at scrape time.
type statusCollector struct {
	svc  *order.Service
	desc *prometheus.Desc
}

func (c statusCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c statusCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.svc.Stats(ctx)
	if err != nil {
		return
	}
	for status, n := range st.ByStatus {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), string(status))
	}
}

func registerStatusCollector(reg prometheus.Registerer, svc *order.Service) {
	reg.MustRegister(statusCollector{svc: svc, desc: prometheus.NewDesc("orders_by_status", "Orders by status.", []string{"status"}, nil)})
}
