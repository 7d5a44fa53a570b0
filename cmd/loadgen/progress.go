package main

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// progress follows a burst while it runs. The counters come from the orders
// API, which the burst polls anyway; the latency comes from the live feed,
// the one source that says when each dish is delivered without reading the
// whole order history again (see feedLatency).
type progress struct {
	total int
	start time.Time

	mu        sync.Mutex
	placed    int
	done      int
	delivered int
	placedAt  map[string]time.Time // this burst's orders, from the placement answers
	early     map[string]time.Time // delivered before their placement's answer was read
	latencies []time.Duration      // sorted
	feed      bool                 // a feed client reports deliveries
	connected chan struct{}        // closed when it first does

	// The previous line's delivered count and time, for the rate over the
	// last second.
	lastDelivered int
	lastAt        time.Time
}

func newProgress(total int) *progress {
	now := time.Now()
	return &progress{total: total, start: now, lastAt: now, connected: make(chan struct{}),
		placedAt: make(map[string]time.Time, total), early: map[string]time.Time{}}
}

// begin marks the start of the burst.
func (p *progress) begin(at time.Time) {
	p.mu.Lock()
	p.start, p.lastAt = at, at
	p.mu.Unlock()
}

// placedOrders records a placement's answer.
func (p *progress) placedOrders(ids []string, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.placed += len(ids)
	var fresh []time.Duration
	for _, id := range ids {
		if d, ok := p.early[id]; ok {
			delete(p.early, id)
			fresh = append(fresh, d.Sub(at))
			continue
		}
		p.placedAt[id] = at
	}
	p.addLatencies(fresh)
}

// counted records the orders API's counters: dishes of this burst done
// (delivered or failed) and delivered.
func (p *progress) counted(done, delivered int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.delivered = done, delivered
}

// deliveredOrders records dishes the feed reported delivered; ids this burst
// did not place are ignored.
func (p *progress) deliveredOrders(at map[string]time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var fresh []time.Duration
	for id, t := range at {
		placed, ok := p.placedAt[id]
		if !ok {
			// Its placement's answer may still be on its way; an order
			// of someone else's stays here, unmatched and harmless.
			if len(p.early) < 4*p.total {
				p.early[id] = t
			}
			continue
		}
		delete(p.placedAt, id)
		fresh = append(fresh, t.Sub(placed))
	}
	p.addLatencies(fresh)
}

// addLatencies merges fresh into the sorted latencies: linear per second,
// where sorting everything again would not be on a 100,000-dish burst.
func (p *progress) addLatencies(fresh []time.Duration) {
	if len(fresh) == 0 {
		return
	}
	slices.Sort(fresh)
	merged := make([]time.Duration, 0, len(p.latencies)+len(fresh))
	i, j := 0, 0
	for i < len(p.latencies) && j < len(fresh) {
		if p.latencies[i] <= fresh[j] {
			merged = append(merged, p.latencies[i])
			i++
		} else {
			merged = append(merged, fresh[j])
			j++
		}
	}
	merged = append(merged, p.latencies[i:]...)
	p.latencies = append(merged, fresh[j:]...)
}

func (p *progress) feedConnected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.feed {
		p.feed = true
		close(p.connected)
	}
}

// line is the progress line at now.
func (p *progress) line(now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := now.Sub(p.start).Seconds()
	recent := 0.0
	if dt := now.Sub(p.lastAt).Seconds(); dt > 0 {
		recent = float64(p.delivered-p.lastDelivered) / dt
	}
	overall := 0.0
	if elapsed > 0 {
		overall = float64(p.delivered) / elapsed
	}
	p.lastDelivered, p.lastAt = p.delivered, now
	p99 := "p99 n/a (no feed)"
	switch {
	case p.feed && len(p.latencies) == 0:
		p99 = "p99 -"
	case len(p.latencies) > 0:
		p99 = fmt.Sprintf("p99 %.2fs (of %d)", pct(p.latencies, 99), len(p.latencies))
	}
	return fmt.Sprintf("[%6.1fs] delivered %d/%d  %.0f dishes/s (last 1s)  %.0f overall  in flight %d  %s",
		elapsed, p.delivered, p.total, recent, overall, max(p.placed-p.done, 0), p99)
}

// print writes a line every interval until stop is closed, and a last one.
func (p *progress) print(w io.Writer, every time.Duration, stop <-chan struct{}) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			fmt.Fprintln(w, p.line(time.Now()))
			return
		case now := <-tick.C:
			fmt.Fprintln(w, p.line(now))
		}
	}
}
