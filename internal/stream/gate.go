package stream

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// gate pauses a consumer's reading while the infrastructure its handler
// needs (a store) does not answer. Handlers that meet such a fault close it;
// the first call that succeeds opens it again. While it is closed nothing
// new is read or reclaimed, and no failure counts as a delivery.
type gate struct {
	mu   sync.Mutex
	down bool
	up   chan struct{} // closed while the gate is open
}

func newGate() *gate {
	up := make(chan struct{})
	close(up)
	return &gate{up: up}
}

// fail closes the gate; it reports whether it was open.
func (g *gate) fail() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		return false
	}
	g.down = true
	g.up = make(chan struct{})
	return true
}

// ok opens the gate; it reports whether it was closed.
func (g *gate) ok() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.down {
		return false
	}
	g.down = false
	close(g.up)
	return true
}

func (g *gate) isDown() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.down
}

// wait blocks while the gate is closed; false means ctx ended first.
func (g *gate) wait(ctx context.Context) bool {
	g.mu.Lock()
	up := g.up
	g.mu.Unlock()
	select {
	case <-up:
		return true
	case <-ctx.Done():
		return false
	}
}

// since remembers since when Redis has answered without a fault. A consumer
// only reclaims others' entries once Redis has answered it for MinIdle in a
// row: after an outage every live consumer first gets the time to touch
// the entries it holds, which all look idle to Redis by then.
type since struct{ t atomic.Int64 }

func newSince() *since {
	s := &since{}
	s.t.Store(time.Now().UnixNano())
	return s
}

func (s *since) fail() { s.t.Store(0) }

func (s *since) ok() { s.t.CompareAndSwap(0, time.Now().UnixNano()) }

// healthyFor reports how long Redis has answered without a fault.
func (s *since) healthyFor() time.Duration {
	t := s.t.Load()
	if t == 0 {
		return 0
	}
	return time.Since(time.Unix(0, t))
}
