package order

import (
	"context"
	"sync"
	"time"
)

// Placements that arrive while one is being stored are stored together, in
// the store's next transaction (group commit): a burst of a hundred small
// requests becomes a few transactions instead of a hundred, while a lone
// placement still commits at once, with no timer to wait for.
//
// Only placements without an idempotency key join a group: they cannot
// conflict with one another (every id is a fresh UUIDv7), so a group fails
// only as a whole, on a fault of the store, and every member reports it. A
// keyed placement may lose the race for its key (ErrKeyTaken), which must
// not fail its neighbours, so it has a transaction of its own.
const (
	// groupOrders bounds the orders of one group beyond its first
	// placement, which is never split.
	groupOrders = 2000
	// groupTimeout bounds a group's transaction. It does not follow the
	// context of the request that happens to lead the group: a client that
	// gave up must not fail the others.
	groupTimeout = 30 * time.Second
)

// placeGroup lets one caller at a time store every placement waiting, and
// hands the lead on to the first that arrived meanwhile.
type placeGroup struct {
	mu     sync.Mutex
	busy   bool
	queue  []*groupMember
	commit func(context.Context, Placement) error
}

type groupMember struct {
	p    Placement
	done chan error    // the group's outcome, for members that did not lead
	lead chan struct{} // this member stores the next group
}

// place stores p, alone or with the placements waiting beside it.
func (g *placeGroup) place(ctx context.Context, p Placement) error {
	me := &groupMember{p: p, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, me)
	if !g.busy {
		g.busy = true
		me.lead <- struct{}{}
	}
	g.mu.Unlock()
	// The member waits for the outcome even if its own request ends: its
	// orders may be committed with the group, and it says so only once
	// it knows.
	select {
	case err := <-me.done:
		return err
	case <-me.lead:
	}
	g.mu.Lock()
	batch := g.take()
	g.mu.Unlock()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), groupTimeout)
	err := g.commit(cctx, merge(batch))
	cancel()
	for _, m := range batch {
		if m != me {
			m.done <- err
		}
	}
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].lead <- struct{}{}
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	return err
}

// take removes the next group from the queue: its first member, and those
// after it while the group stays within groupOrders. The caller holds mu.
func (g *placeGroup) take() []*groupMember {
	n, orders := 1, len(g.queue[0].p.Orders)
	for n < len(g.queue) && orders+len(g.queue[n].p.Orders) <= groupOrders {
		orders += len(g.queue[n].p.Orders)
		n++
	}
	batch := g.queue[:n:n]
	g.queue = append([]*groupMember(nil), g.queue[n:]...)
	return batch
}

// merge is one placement holding every member's orders, steps and events,
// in the order the members arrived.
func merge(batch []*groupMember) Placement {
	if len(batch) == 1 {
		return batch[0].p
	}
	var p Placement
	for _, m := range batch {
		p.Orders = append(p.Orders, m.p.Orders...)
		p.Steps = append(p.Steps, m.p.Steps...)
		p.Outbox = append(p.Outbox, m.p.Outbox...)
	}
	return p
}
