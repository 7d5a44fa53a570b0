package main

import (
	"math"
	"slices"
	"time"
)

// second is one row of a burst's timeline: the interval (Second-1, Second]
// after the load generator began placing.
type second struct {
	Second int
	// Delivered counts the dishes delivered by the end of the second.
	Delivered int
	// Rate counts the dishes delivered within it (dishes/s).
	Rate int
	// InFlight counts the dishes placed and neither delivered nor failed at
	// its end.
	InFlight int
	// P50 and P99 are the placed→delivered seconds of the dishes delivered
	// within it; meaningless when Rate is 0.
	P50, P99 float64
}

// timeline builds the per-second rows of a burst from its orders' own
// timestamps, read from the order history once every dish was done, so
// that every row is exact rather than sampled. Those times are the
// services'; on one machine they share the load generator's clock.
func timeline(start time.Time, orders []orderTimes) []second {
	// index is the row of the second that holds t: (s-1, s] → s.
	index := func(t time.Time) int {
		return max(int(math.Ceil(t.Sub(start).Seconds())), 1)
	}
	last := 0
	for _, o := range orders {
		if t, ok := o.doneAt(); ok {
			last = max(last, index(t))
		}
	}
	if last == 0 {
		return nil
	}
	placedIn := make([]int, last+2)
	doneIn := make([]int, last+2)
	deliveredIn := make([][]time.Duration, last+1)
	for _, o := range orders {
		placedIn[min(index(o.PlacedAt), last+1)]++
		t, ok := o.doneAt()
		if !ok {
			doneIn[last+1]++ // never done: in flight to the end
			continue
		}
		s := index(t)
		doneIn[s]++
		if o.DeliveredAt != nil {
			deliveredIn[s] = append(deliveredIn[s], o.DeliveredAt.Sub(o.PlacedAt))
		}
	}
	rows := make([]second, 0, last)
	placed, done, delivered := 0, 0, 0
	for s := 1; s <= last; s++ {
		placed += placedIn[s]
		done += doneIn[s]
		lat := deliveredIn[s]
		slices.Sort(lat)
		delivered += len(lat)
		rows = append(rows, second{
			Second: s, Delivered: delivered, Rate: len(lat), InFlight: placed - done,
			P50: pct(lat, 50), P99: pct(lat, 99),
		})
	}
	return rows
}

// doneAt is when the order reached its last status: delivered, or failed
// (its last update).
func (o orderTimes) doneAt() (time.Time, bool) {
	switch {
	case o.DeliveredAt != nil:
		return *o.DeliveredAt, true
	case o.Status == "failed":
		return o.UpdatedAt, true
	}
	return time.Time{}, false
}
