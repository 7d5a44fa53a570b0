package market

import (
	"context"
	"errors"
	"testing"
	"time"
)

// These check the limiter's rules one answer at a time; adaptive_test.go
// checks the client over HTTP against the simulator.

func answered(l *limiter, s signal, sent time.Time) {
	if err := l.acquire(context.Background()); err != nil {
		panic(err)
	}
	l.release(sample{signal: s, sent: sent, rtt: time.Millisecond})
}

// busyAnswer is one good answer taking rtt while demand keeps every slot
// taken, as a burst does: the slots are filled, then one call answers.
func busyAnswer(l *limiter, rtt time.Duration) {
	for {
		l.mu.Lock()
		full := l.held >= l.slots()
		l.mu.Unlock()
		if full {
			break
		}
		_ = l.acquire(context.Background())
	}
	l.release(sample{signal: good, sent: time.Now(), rtt: rtt})
}

func TestSlowStartDoublesThenGrowsByOnePerRound(t *testing.T) {
	l := newLimiter(1, 4, 100)
	for range 4 {
		busyAnswer(l, time.Millisecond)
	}
	if got, _, _ := l.state(); got != 8 {
		t.Fatalf("limit %d after four good answers from 4, want 8", got)
	}
	time.Sleep(time.Millisecond)
	l.release(sample{signal: busy, sent: time.Now()})
	if got, _, _ := l.state(); got != 6 { // 8 × 0.75
		t.Fatalf("limit %d after a 429 at 8, want 6", got)
	}
	// Past slow start: one more per limit's worth of answers.
	before := l.limit
	for range 6 {
		busyAnswer(l, time.Millisecond)
	}
	if d := l.limit - before; d < 0.9 || d > 1.1 {
		t.Fatalf("limit grew by %.2f over a round of 6 answers, want about 1", d)
	}
}

func TestARoundOfRefusalsCutsOnce(t *testing.T) {
	l := newLimiter(1, 40, 100)
	sent := time.Now()
	time.Sleep(time.Millisecond)
	for range 20 {
		answered(l, busy, sent)
	}
	if got, _, _ := l.state(); got != 30 {
		t.Fatalf("limit %d after 20 refusals of calls sent together at 40, want one cut to 30", got)
	}
	time.Sleep(time.Millisecond)
	answered(l, busy, time.Now())
	if got, _, _ := l.state(); got != 22 { // 30 × 0.75 = 22.5
		t.Fatalf("limit %d after a refusal of a call sent after the cut, want 22", got)
	}
	answered(l, failed, time.Now().Add(time.Millisecond))
	if got, _, _ := l.state(); got != 11 {
		t.Fatalf("limit %d after a 5xx, want half of 22.5", got)
	}
}

func TestTheLimitStaysWithinFloorAndCeiling(t *testing.T) {
	l := newLimiter(3, 4, 6)
	for range 50 {
		answered(l, failed, time.Now())
		time.Sleep(10 * time.Microsecond)
	}
	if got, _, _ := l.state(); got != 3 {
		t.Fatalf("limit %d after many failures, want the floor 3", got)
	}
	for range 200 {
		busyAnswer(l, time.Millisecond)
	}
	if got, _, _ := l.state(); got != 6 {
		t.Fatalf("limit %d after many good answers, want the ceiling 6", got)
	}
}

// A limit the demand never filled says nothing about the market: it does
// not grow.
func TestAnIdleLimitDoesNotGrow(t *testing.T) {
	l := newLimiter(1, 10, 100)
	for range 100 {
		answered(l, good, time.Now()) // one call in flight at a time
	}
	if got, _, _ := l.state(); got != 10 {
		t.Fatalf("limit %d after answers with one call in flight of 10, want 10", got)
	}
}

func TestSlowerAnswersCutTheLimit(t *testing.T) {
	l := newLimiter(1, 20, 100)
	for range 40 {
		busyAnswer(l, 20*time.Millisecond)
	}
	grown := l.limit
	if grown < 40 {
		t.Fatalf("limit %.1f after 40 good answers from 20", grown)
	}
	for range 30 {
		time.Sleep(10 * time.Microsecond) // each answer from a call sent after the last cut
		busyAnswer(l, 200*time.Millisecond)
	}
	if l.limit > grown*0.5 {
		t.Fatalf("limit %.1f after answers ten times slower, from %.1f", l.limit, grown)
	}
	// A slower answer now and then is noise, not a trend.
	l = newLimiter(1, 20, 100)
	for i := range 200 {
		rtt := 20 * time.Millisecond
		if i%20 == 0 {
			rtt = 100 * time.Millisecond
		}
		busyAnswer(l, rtt)
	}
	if got, _, _ := l.state(); got != 100 {
		t.Fatalf("limit %d after good answers with one in twenty five times slower, want the ceiling", got)
	}
}

func TestSlotsGoInTurnAndALeaverPassesItsOn(t *testing.T) {
	l := newLimiter(1, 1, 1)
	if err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	leaver := make(chan error)
	go func() { leaver <- l.acquire(ctx) }()
	waitWaiters(t, l, 1)
	next := make(chan error)
	go func() { next <- l.acquire(context.Background()) }()
	waitWaiters(t, l, 2)
	cancel()
	if err := <-leaver; !errors.Is(err, context.Canceled) {
		t.Fatalf("leaver: %v", err)
	}
	l.release(sample{})
	select {
	case err := <-next:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the slot did not reach the next waiter")
	}
	if _, held, _ := l.state(); held != 1 {
		t.Fatalf("%d slots held, want 1", held)
	}
}

func waitWaiters(t *testing.T, l *limiter, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l.mu.Lock()
		got := l.waiters.Len()
		l.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHoldUntilNeverShortensAWait(t *testing.T) {
	l := newLimiter(1, 1, 1)
	now := time.Now()
	l.holdUntil(now.Add(200 * time.Millisecond))
	l.holdUntil(now.Add(50 * time.Millisecond))
	if _, _, closed := l.state(); closed < 190*time.Millisecond || closed > 200*time.Millisecond {
		t.Fatalf("held %s, want the longer wait of 200ms counted once", closed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.waitTurn(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waitTurn during a Retry-After: %v", err)
	}
	began := time.Now()
	if err := l.waitTurn(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !time.Now().After(now.Add(200*time.Millisecond)) || time.Since(began) > time.Second {
		t.Fatalf("waitTurn returned at %s", time.Since(now))
	}
}
