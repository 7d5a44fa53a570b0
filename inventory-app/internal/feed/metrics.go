package feed

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	clients    prometheus.Gauge
	frames     prometheus.Counter
	frameBytes prometheus.Histogram
	dropped    prometheus.Counter
	snapshots  prometheus.Counter
	resumes    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		clients:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "feed_clients", Help: "WebSocket clients connected to the live feed."}),
		frames:     prometheus.NewCounter(prometheus.CounterOpts{Name: "feed_frames_total", Help: "Event frames sent (each to every client)."}),
		frameBytes: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "feed_frame_bytes", Help: "Size of event frames.", Buckets: prometheus.ExponentialBuckets(256, 4, 8)}),
		dropped:    prometheus.NewCounter(prometheus.CounterOpts{Name: "feed_clients_dropped_total", Help: "Clients disconnected for falling behind."}),
		snapshots:  prometheus.NewCounter(prometheus.CounterOpts{Name: "feed_snapshots_total", Help: "Snapshots sent to connecting clients."}),
		resumes:    prometheus.NewCounter(prometheus.CounterOpts{Name: "feed_resumes_total", Help: "Clients that resumed from their cursor without a snapshot."}),
	}
	if reg != nil {
		reg.MustRegister(m.clients, m.frames, m.frameBytes, m.dropped, m.snapshots, m.resumes)
	}
	return m
}
