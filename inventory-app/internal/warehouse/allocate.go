package warehouse

import "maps"

// shortage is a waiting order told for the first time that it must wait.
type shortage struct {
	p       *pending
	missing Needs
}

// plan is what one pass of the clerk decided.
type plan struct {
	grants []*pending
	shorts []shortage
	// more says the pass stopped at a cap with work left: run another.
	more bool
	// walked counts the waiting orders the pass looked at.
	walked int
}

// allocate decides one pass of the clerk: it walks the waiting orders in
// sequence order with what is on hand. An order whose every need fits is
// granted and takes its units. An order that does not fit earmarks what it
// needs, so that no later order takes it: the oldest order is served first
// as soon as its units exist, and nobody starves behind a stream of smaller
// orders. The walk stops as soon as no order left could be served: when
// nothing on hand is wanted by them, or when every kind of order left needs
// an ingredient of which nothing is available (so a long line held up by one
// scarce ingredient costs a few steps, not a walk of the whole line). demand
// is the sum of the needs of every waiting order.
//
// Orders that cannot be granted and were never told are returned as
// shortages, with what they miss at their place in the line.
func allocate(q *queue, onHand, demand Needs, maxGrants, maxShorts int) plan {
	var pl plan
	avail := onHand
	for i := range avail {
		avail[i] = max(avail[i], 0)
	}
	rest := demand               // needs of the orders not walked yet
	kinds := maps.Clone(q.kinds) // kinds of the orders not walked yet
	i := q.head
	for ; i < len(q.items); i++ {
		p := q.items[i]
		if p.done {
			continue
		}
		if !wanted(avail, rest) || !anyFits(avail, kinds) {
			break
		}
		pl.walked++
		if k := p.needs.kind(); kinds[k] <= 1 {
			delete(kinds, k)
		} else {
			kinds[k]--
		}
		if avail.covers(p.needs) {
			if len(pl.grants) == maxGrants {
				pl.more = true
				return pl
			}
			avail.Sub(p.needs)
			rest.Sub(p.needs)
			pl.grants = append(pl.grants, p)
			continue
		}
		rest.Sub(p.needs)
		if !p.noted {
			if len(pl.shorts) == maxShorts {
				pl.more = true
				return pl
			}
			pl.shorts = append(pl.shorts, shortage{p: p, missing: missing(avail, p.needs)})
		}
		for k, n := range p.needs {
			avail[k] = max(0, avail[k]-n)
		}
	}
	// Past the stop no order can be served: the ones never told miss what is
	// not available to them. They form a suffix of the list, which the
	// unnoted hint points at.
	for _, p := range q.items[max(i, q.unnoted):] {
		if p.done || p.noted {
			continue
		}
		if len(pl.shorts) == maxShorts {
			pl.more = true
			break
		}
		pl.shorts = append(pl.shorts, shortage{p: p, missing: missing(avail, p.needs)})
	}
	return pl
}

// wanted reports whether some ingredient on hand is still needed by an order
// not walked yet.
func wanted(avail, rest Needs) bool {
	for i := range avail {
		if avail[i] > 0 && rest[i] > 0 {
			return true
		}
	}
	return false
}

// anyFits reports whether some kind of order could still be served: one
// whose every ingredient has something available.
func anyFits(avail Needs, kinds map[kind]int) bool {
	var empty kind
	for i, n := range avail {
		if n <= 0 {
			empty |= 1 << i
		}
	}
	for k := range kinds {
		if k&empty == 0 {
			return true
		}
	}
	return false
}

func missing(avail, needs Needs) Needs {
	var m Needs
	for i := range needs {
		m[i] = max(0, needs[i]-avail[i])
	}
	return m
}
