package stream

import (
	"context"
	"strconv"
	"strings"
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
	lost         *prometheus.CounterVec
	trimmed      *prometheus.CounterVec
	paused       *prometheus.GaugeVec
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
			Name: "stream_handler_failures_total", Help: "Handler calls that failed (each retry counts), infrastructure faults included.",
		}, labels),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_messages_dead_lettered_total", Help: "Messages moved to the dead-letter stream.",
		}, labels),
		reclaimed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_messages_reclaimed_total", Help: "Pending messages taken over from a consumer that stopped or went silent.",
		}, labels),
		lost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_entries_lost_total", Help: "Pending entries found deleted from their stream before they were handled (never by trimming: by hand).",
		}, labels),
		trimmed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stream_entries_trimmed_total", Help: "Entries removed from a stream once every group had acknowledged them.",
		}, []string{"stream"}),
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "stream_consumer_paused", Help: "1 while a consumer stopped reading because its store does not answer.",
		}, []string{"group"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stream_handler_duration_seconds", Help: "Time of one handler call (a batch or one message).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, labels),
	}
	reg.MustRegister(m.handled, m.failed, m.deadLettered, m.reclaimed, m.lost, m.trimmed, m.paused, m.duration)
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

func (m *Metrics) lose(stream, group string) {
	if m != nil {
		m.lost.WithLabelValues(stream, group).Inc()
	}
}

func (m *Metrics) trim(stream string, n int64) {
	if m != nil && n > 0 {
		m.trimmed.WithLabelValues(stream).Add(float64(n))
	}
}

func (m *Metrics) setPaused(group string, on bool) {
	if m == nil {
		return
	}
	v := 0.0
	if on {
		v = 1
	}
	m.paused.WithLabelValues(group).Set(v)
}

// GroupRef names one consumer group of one stream.
type GroupRef struct{ Stream, Group string }

// groupCollector reads the state of consumer groups from Redis when
// Prometheus scrapes: how far behind each group is, what it holds
// unacknowledged and for how long, how many dead letters wait, and how much
// memory Redis uses.
type groupCollector struct {
	rdb        redis.UniversalClient
	groups     []GroupRef
	deadLetter string

	lag, pending, backlog, oldest, length, dead, memUsed, memMax *prometheus.Desc
}

// NewGroupCollector returns a collector of the groups' state, of the
// dead-letter stream's length and of Redis's memory.
func NewGroupCollector(rdb redis.UniversalClient, groups []GroupRef, deadLetter string) prometheus.Collector {
	labels := []string{"stream", "group"}
	return &groupCollector{
		rdb: rdb, groups: groups, deadLetter: deadLetter,
		lag:     prometheus.NewDesc("stream_group_lag", "Entries of the stream not yet delivered to the group.", labels, nil),
		pending: prometheus.NewDesc("stream_group_pending", "Entries delivered to the group and not yet acknowledged.", labels, nil),
		backlog: prometheus.NewDesc("stream_group_backlog", "Entries the group has not acknowledged: pending plus lag.", labels, nil),
		oldest:  prometheus.NewDesc("stream_group_oldest_pending_seconds", "Idle time of the group's oldest unacknowledged entry.", labels, nil),
		length:  prometheus.NewDesc("stream_length", "Entries in the stream: what some group has not acknowledged yet, and at most a node of acknowledged ones.", []string{"stream"}, nil),
		dead:    prometheus.NewDesc("stream_dead_letters", "Entries waiting in the dead-letter stream.", nil, nil),
		memUsed: prometheus.NewDesc("redis_memory_used_bytes", "Memory Redis uses (INFO memory used_memory).", nil, nil),
		memMax:  prometheus.NewDesc("redis_memory_max_bytes", "Redis's memory limit (maxmemory; 0: none).", nil, nil),
	}
}

func (c *groupCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.lag, c.pending, c.backlog, c.oldest, c.length, c.dead, c.memUsed, c.memMax} {
		ch <- d
	}
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
			lag, err := groupLag(ctx, c.rdb, g.Stream, info)
			if err == nil {
				ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(lag), g.Stream, g.Group)
				ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(lag+info.Pending), g.Stream, g.Group)
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
	if used, limit, ok := redisMemory(ctx, c.rdb); ok {
		ch <- prometheus.MustNewConstMetric(c.memUsed, prometheus.GaugeValue, used)
		ch <- prometheus.MustNewConstMetric(c.memMax, prometheus.GaugeValue, limit)
	}
}

// lagCountLimit bounds the entries counted by hand for one group's lag.
const lagCountLimit = 200_000

// groupLag returns how many entries of stream the group has not been
// delivered yet. Redis 7 tracks it (entries-read); where it cannot say (an
// implementation that does not track reads, or deletions inside the range)
// the entries after the group's last delivered one are counted, up to
// lagCountLimit.
func groupLag(ctx context.Context, rdb redis.UniversalClient, stream string, g redis.XInfoGroup) (int64, error) {
	tracked := g.EntriesRead > 0 || g.LastDeliveredID == "0-0"
	if tracked && g.Lag >= 0 {
		return g.Lag, nil
	}
	var n int64
	start := "(" + g.LastDeliveredID
	for n < lagCountLimit {
		xs, err := rdb.XRangeN(ctx, stream, start, "+", 1000).Result()
		if err != nil {
			return 0, err
		}
		n += int64(len(xs))
		if len(xs) < 1000 {
			break
		}
		start = "(" + xs[len(xs)-1].ID
	}
	return n, nil
}

// redisMemory reads used_memory and maxmemory from INFO memory; ok is false
// where the server does not report them (the embedded run's in-process
// Redis lives in the process's own memory).
func redisMemory(ctx context.Context, rdb redis.UniversalClient) (used, limit float64, ok bool) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, 0, false
	}
	var haveUsed bool
	for _, line := range strings.Split(info, "\n") {
		k, v, found := strings.Cut(strings.TrimSpace(line), ":")
		if !found {
			continue
		}
		switch k {
		case "used_memory":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				used, haveUsed = f, true
			}
		case "maxmemory":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				limit = f
			}
		}
	}
	return used, limit, haveUsed
}
