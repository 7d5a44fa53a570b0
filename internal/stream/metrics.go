package stream

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Metrics counts what a service's consumers do. Create one per registry and
// pass it to every Consumer of the service.
type Metrics struct {
	handled      *prometheus.CounterVec
	failed       *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	reclaimed    *prometheus.CounterVec
	duration     *prometheus.HistogramVec
}

// NewMetrics registers the consumer metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"stream", "group"}
	m := &Metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_messages_handled_total", Help: "Messages whose effect was stored and that were acknowledged.",
		}, labels),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_handler_failures_total", Help: "Handler calls that failed (each retry counts).",
		}, labels),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_messages_dead_lettered_total", Help: "Messages moved to the dead-letter stream.",
		}, labels),
		reclaimed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_messages_reclaimed_total", Help: "Pending messages taken over from an idle consumer (XAUTOCLAIM).",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stream_handler_duration_seconds", Help: "Time of one handler call (a batch or one message).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, labels),
	}
	reg.MustRegister(m.handled, m.failed, m.deadLettered, m.reclaimed, m.duration)
	return m
}

func (m *Metrics) observeCall(stream, group string, n int, d time.Duration, err error) {
	if m == nil {
		return
	}
	m.duration.WithLabelValues(stream, group).Observe(d.Seconds())
	if err != nil {
		m.failed.WithLabelValues(stream, group).Inc()
		return
	}
	m.handled.WithLabelValues(stream, group).Add(float64(n))
}

func (m *Metrics) deadLetter(stream, group string) {
	if m != nil {
		m.deadLettered.WithLabelValues(stream, group).Inc()
	}
}

func (m *Metrics) reclaim(stream, group string, n int) {
	if m != nil {
		m.reclaimed.WithLabelValues(stream, group).Add(float64(n))
	}
}

// GroupRef names one consumer group of one stream.
type GroupRef struct{ Stream, Group string }

// groupCollector reads the state of consumer groups from Redis when
// Prometheus scrapes: how far behind each group is, what it holds
// unacknowledged and for how long, and how many dead letters wait.
type groupCollector struct {
	rdb        redis.UniversalClient
	groups     []GroupRef
	deadLetter string

	lag, pending, oldest, length, dead *prometheus.Desc
}

// NewGroupCollector returns a collector of the groups' state and of the
// dead-letter stream's length.
func NewGroupCollector(rdb redis.UniversalClient, groups []GroupRef, deadLetter string) prometheus.Collector {
	labels := []string{"stream", "group"}
	return &groupCollector{
		rdb: rdb, groups: groups, deadLetter: deadLetter,
		lag:     prometheus.NewDesc("stream_group_lag", "Entries of the stream not yet delivered to the group.", labels, nil),
		pending: prometheus.NewDesc("stream_group_pending", "Entries delivered to the group and not yet acknowledged.", labels, nil),
		oldest:  prometheus.NewDesc("stream_group_oldest_pending_seconds", "Idle time of the group's oldest unacknowledged entry.", labels, nil),
		length:  prometheus.NewDesc("stream_length", "Entries in the stream.", []string{"stream"}, nil),
		dead:    prometheus.NewDesc("stream_dead_letters", "Entries waiting in the dead-letter stream.", nil, nil),
	}
}

func (c *groupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lag
	ch <- c.pending
	ch <- c.oldest
	ch <- c.length
	ch <- c.dead
}

func (c *groupCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	seen := map[string]bool{}
	for _, g := range c.groups {
		if !seen[g.Stream] {
			seen[g.Stream] = true
			if n, err := c.rdb.XLen(ctx, g.Stream).Result(); err == nil {
				ch <- prometheus.MustNewConstMetric(c.length, prometheus.GaugeValue, float64(n), g.Stream)
			}
		}
		infos, err := c.rdb.XInfoGroups(ctx, g.Stream).Result()
		if err != nil {
			continue
		}
		for _, info := range infos {
			if info.Name != g.Group {
				continue
			}
			if info.Lag >= 0 {
				ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(info.Lag), g.Stream, g.Group)
			}
			ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.Pending), g.Stream, g.Group)
			oldest := 0.0
			if info.Pending > 0 {
				p, err := c.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: g.Stream, Group: g.Group, Start: "-", End: "+", Count: 1}).Result()
				if err == nil && len(p) > 0 {
					oldest = p[0].Idle.Seconds()
				}
			}
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest, g.Stream, g.Group)
		}
	}
	if n, err := c.rdb.XLen(ctx, c.deadLetter).Result(); err == nil {
		ch <- prometheus.MustNewConstMetric(c.dead, prometheus.GaugeValue, float64(n))
	}
}
