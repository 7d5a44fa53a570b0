package warehouse

import (
	"slices"

	"go.opentelemetry.io/otel/trace"
)

// pending is a waiting order as the clerk sees it. orderID, seq and needs
// never change; noted and done change under the warehouse's lock.
type pending struct {
	orderID string
	seq     int64
	needs   Needs
	noted   bool // ingredients-short was emitted for it
	done    bool // reserved: left in place until the queue compacts
	// trace is the span that handled the order's request (invalid: none,
	// or one loaded at the start of a term); the order's reservation,
	// short note and purchases continue it.
	trace trace.SpanContext
}

// queue is the waiting list in sequence order. Reserved orders are marked
// done and dropped in bulk, so that serving the head of a long list does not
// copy the list each time.
type queue struct {
	items []*pending
	byID  map[string]*pending
	// head: every entry before it is done.
	head int
	// unnoted: every live entry before it is noted. New orders arrive at
	// the end and the clerk notes from the front, so the unnoted ones form
	// a suffix and this hint saves a scan of the whole list.
	unnoted int
	dead    int
	// kinds counts the waiting orders by the set of ingredients they need
	// (a handful of sets: one per recipe), so that the clerk can tell when
	// no order left in line could be served without walking the line.
	kinds map[kind]int
}

func newQueue() queue { return queue{byID: make(map[string]*pending), kinds: make(map[kind]int)} }

// len is the number of waiting orders.
func (q *queue) len() int { return len(q.byID) }

// add inserts p in sequence order; it reports false for an order already
// waiting.
func (q *queue) add(p *pending) bool {
	if _, ok := q.byID[p.orderID]; ok {
		return false
	}
	q.byID[p.orderID] = p
	q.kinds[p.needs.kind()]++
	i := len(q.items)
	if i > 0 && q.items[i-1].seq > p.seq {
		// Only a store with several writers hands out sequence numbers
		// out of order; keep the list sorted anyway.
		i, _ = slices.BinarySearchFunc(q.items, p.seq, func(e *pending, seq int64) int { return int(e.seq - seq) })
	}
	q.items = slices.Insert(q.items, i, p)
	if i < q.head {
		q.head = i
	}
	if !p.noted && i < q.unnoted {
		q.unnoted = i
	}
	return true
}

// remove takes an order off the list and returns it, or nil when it was not
// waiting.
func (q *queue) remove(orderID string) *pending {
	p := q.byID[orderID]
	if p == nil {
		return nil
	}
	delete(q.byID, orderID)
	if k := p.needs.kind(); q.kinds[k] <= 1 {
		delete(q.kinds, k)
	} else {
		q.kinds[k]--
	}
	p.done = true
	q.dead++
	for q.head < len(q.items) && q.items[q.head].done {
		q.head++
	}
	if q.dead > 64 && q.dead > len(q.items)/4 {
		q.compact()
	}
	return p
}

func (q *queue) compact() {
	live := q.items[:0]
	for _, p := range q.items {
		if !p.done {
			live = append(live, p)
		}
	}
	clear(q.items[len(live):])
	q.items, q.head, q.dead, q.unnoted = live, 0, 0, 0
	q.advanceUnnoted()
}

func (q *queue) advanceUnnoted() {
	for q.unnoted < len(q.items) && (q.items[q.unnoted].done || q.items[q.unnoted].noted) {
		q.unnoted++
	}
}

// each calls fn for the waiting orders in sequence order until fn returns
// false.
func (q *queue) each(fn func(p *pending) bool) {
	for _, p := range q.items[q.head:] {
		if !p.done && !fn(p) {
			return
		}
	}
}
