package market

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// The limiter is AIMD with slow start: the loss-based controller of TCP
// (RFC 5681) and of Netflix's AIMDLimit, rather than a gradient limit. The
// market shows its capacity by refusing (429), a loss signal, and AIMD is
// the controller made for one: additive increase and multiplicative
// decrease settle just under the point where refusals begin, and several
// clients sharing a market converge to fair shares. A gradient limit steers
// by latency alone and needs a clean baseline, which a remote market's
// jitter and this process's own scheduling blur. Latency still counts, as
// one more congestion signal: answers that come back much slower than
// lately shrink the limit as a refusal does.
const (
	// busyCut shrinks the limit on a refusal: the market is at capacity,
	// not in distress. A quarter off, not the tenth of a latency rise: with
	// one more per round trip a mild cut would be back at the refusing
	// limit after a round or two, and a small market would refuse one call
	// in every limit's worth.
	busyCut = 0.75
	// slowCut shrinks it on a latency rise, the earliest and mildest sign
	// of a market filling up.
	slowCut = 0.9
	// failCut shrinks it on a 5xx, a timeout or a broken connection: a
	// market in trouble gets half the calls at once.
	failCut = 0.5
	// slowFactor and slowSlack say what a latency rise is: the smoothed
	// time of an answer above slowFactor times the lowest lately seen,
	// plus slowSlack, so that a sub-millisecond baseline does not make
	// every scheduling hiccup look like congestion.
	slowFactor = 2
	slowSlack  = 10 * time.Millisecond
	// baseWindow is how long the lowest smoothed time is remembered: a
	// market that became slower for good is the new normal after one to
	// two windows, instead of being shrunk against forever.
	baseWindow = 10 * time.Second
)

// signal is what an answer says about the market's load.
type signal int

const (
	// unsent: the call was never sent, or its answer says nothing about
	// load (garbage, a 4xx other than 429).
	unsent signal = iota
	// good: a quantity, zero included, in time.
	good
	// busy: 429 Too Many Requests.
	busy
	// failed: a 5xx, a timeout, a broken connection.
	failed
)

// sample is one call's outcome as the limiter sees it.
type sample struct {
	signal signal
	sent   time.Time
	rtt    time.Duration
}

// limiter bounds the calls in flight by a limit it adapts between a floor
// and a ceiling, and holds every call while the market's Retry-After runs.
// Slots go to callers in the order they asked.
type limiter struct {
	mu      sync.Mutex
	limit   float64
	floor   float64
	ceiling float64
	// ssthresh is where slow start ends: below it the limit grows by one
	// per good answer (doubling every round trip), above it by one per
	// limit's worth of answers (one per round trip). It starts at the
	// ceiling and falls to the limit at every cut.
	ssthresh float64
	held     int
	waiters  list.List // of chan struct{}
	// lastCut is when the limit last shrank: calls sent before it report on
	// a limit already cut, so they cannot cut it again — a burst of
	// refusals is one congestion event, not many.
	lastCut time.Time
	srtt    time.Duration
	base    minWindow
	// until is the end of the market's Retry-After: no call is sent
	// before it. closed sums the time it kept every call back.
	until  time.Time
	closed time.Duration
}

func newLimiter(floor, initial, ceiling int) *limiter {
	return &limiter{
		limit: float64(initial), floor: float64(floor), ceiling: float64(ceiling),
		ssthresh: float64(ceiling), base: minWindow{period: baseWindow},
	}
}

// slots is how many calls may be in flight now. The caller holds mu.
func (l *limiter) slots() int { return max(int(l.limit), int(l.floor)) }

// acquire waits for a slot, in turn, or for ctx to end.
func (l *limiter) acquire(ctx context.Context) error {
	l.mu.Lock()
	if l.waiters.Len() == 0 && l.held < l.slots() {
		l.held++
		l.mu.Unlock()
		return nil
	}
	ready := make(chan struct{}, 1)
	e := l.waiters.PushBack(ready)
	l.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		select {
		case <-ready:
			// Granted just as ctx ended: pass the slot on.
			l.held--
			l.grant()
		default:
			l.waiters.Remove(e)
		}
		return ctx.Err()
	}
}

// grant hands free slots to the oldest waiters. The caller holds mu.
func (l *limiter) grant() {
	for l.waiters.Len() > 0 && l.held < l.slots() {
		e := l.waiters.Front()
		l.waiters.Remove(e)
		l.held++
		e.Value.(chan struct{}) <- struct{}{}
	}
}

// release gives a slot back and adapts the limit to what the call said.
func (l *limiter) release(s sample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	used := l.held
	l.held--
	now := time.Now()
	switch s.signal {
	case good:
		l.observe(now, s.rtt)
		switch {
		case l.slow():
			l.cut(s.sent, now, slowCut)
		case 2*float64(used) >= l.limit:
			// Grown only while in use: a limit never tested by demand
			// says nothing about the market and would let the next
			// burst hit it at once.
			l.grow()
		}
	case busy:
		l.cut(s.sent, now, busyCut)
	case failed:
		l.cut(s.sent, now, failCut)
	}
	l.grant()
}

func (l *limiter) grow() {
	if l.limit < l.ssthresh {
		l.limit++
	} else {
		l.limit += 1 / l.limit
	}
	l.limit = min(l.limit, l.ceiling)
}

func (l *limiter) cut(sent, now time.Time, ratio float64) {
	if !sent.After(l.lastCut) {
		return
	}
	l.limit = max(l.floor, l.limit*ratio)
	l.ssthresh = l.limit
	l.lastCut = now
}

// observe smooths the answer times as TCP does (RFC 6298, gain 1/8), so
// that one slow answer is not a trend.
func (l *limiter) observe(now time.Time, rtt time.Duration) {
	if l.srtt == 0 {
		l.srtt = rtt
	} else {
		l.srtt += (rtt - l.srtt) / 8
	}
	l.base.add(now, l.srtt)
}

func (l *limiter) slow() bool {
	return l.srtt > slowFactor*l.base.lowest()+slowSlack
}

// holdUntil keeps every call back until t, the end of a wait the market
// asked for; a shorter wait never shortens a longer one.
func (l *limiter) holdUntil(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := time.Now()
	if l.until.After(from) {
		from = l.until
	}
	if t.After(from) {
		l.closed += t.Sub(from)
		l.until = t
	}
}

// waitTurn waits until no Retry-After holds calls back, or ctx ends.
func (l *limiter) waitTurn(ctx context.Context) error {
	for {
		l.mu.Lock()
		d := time.Until(l.until)
		l.mu.Unlock()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// state is the limit, the slots held and the time Retry-After held calls.
func (l *limiter) state() (limit, held int, closed time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.slots(), l.held, l.closed
}

// minWindow keeps the lowest value seen over the last one to two periods.
type minWindow struct {
	period    time.Duration
	start     time.Time
	cur, prev time.Duration
}

func (m *minWindow) add(now time.Time, v time.Duration) {
	switch age := now.Sub(m.start); {
	case age >= 2*m.period:
		m.start, m.cur, m.prev = now, 0, 0
	case age >= m.period:
		m.start, m.cur, m.prev = now, 0, m.cur
	}
	if m.cur == 0 || v < m.cur {
		m.cur = v
	}
}

func (m *minWindow) lowest() time.Duration {
	if m.prev == 0 || m.cur < m.prev {
		return m.cur
	}
	return m.prev
}
