package warehouse_test

import (
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
)

// The market answers 0 for a while, then fails, then hangs past the
// timeout, then answers garbage, then recovers. No order is lost, the
// buyers never spin (calls per phase stay under what RetryMin allows), and
// the breaker opens while the market fails.
func TestChaoticMarketLosesNothingAndNeverSpins(t *testing.T) {
	t.Parallel()
	const (
		phase    = 400 * time.Millisecond
		retryMin = 10 * time.Millisecond
		timeout  = 100 * time.Millisecond
	)
	r := newRig(t, rigConfig{
		initial: 5, market: marketsim.Config{MaxQuantity: 5, ZeroRate: 1},
		timeout: timeout, retryMin: retryMin, retryMax: 100 * time.Millisecond, cooldown: 100 * time.Millisecond,
	})
	r.run()
	reqs := randomOrders(t, 40, 99)
	r.request(reqs...)

	// Each buyer waits at least RetryMin between calls whatever happens,
	// so a phase allows at most this many calls (one per ingredient may
	// straddle the start).
	bound := int64(10 * (int(phase/retryMin) + 1))
	phases := []struct {
		name string
		cfg  marketsim.Config
	}{
		{"zeros", marketsim.Config{MaxQuantity: 5, ZeroRate: 1}},
		{"errors", marketsim.Config{MaxQuantity: 5, ErrorRate: 1}},
		{"timeouts", marketsim.Config{MaxQuantity: 5, Latency: 3 * timeout}},
		{"garbage", marketsim.Config{MaxQuantity: 5, MalformedRate: 1}},
	}
	for _, p := range phases {
		r.sim.Set(p.cfg)
		before, opensBefore := r.client.Stats(), r.client.Stats().BreakerOpens
		time.Sleep(phase)
		after := r.client.Stats()
		attempts := (after.Calls - before.Calls) + (after.Rejected - before.Rejected)
		t.Logf("%s: %d calls, %d rejected by the breaker, %d breaker openings", p.name,
			after.Calls-before.Calls, after.Rejected-before.Rejected, after.BreakerOpens-opensBefore)
		if attempts == 0 {
			t.Errorf("%s: the buyers stopped asking", p.name)
		}
		if attempts > bound {
			t.Errorf("%s: %d market attempts in %s, more than the %d RetryMin allows: a hot loop", p.name, attempts, phase, bound)
		}
		if p.name == "errors" && after.BreakerOpens == opensBefore {
			t.Errorf("the breaker did not open while the market failed")
		}
	}
	if inv, _ := r.w.Inventory(t.Context()); inv.WaitingOrders == 0 {
		t.Fatal("every order was served during the bad phases; the test proves nothing")
	}
	r.sim.Set(marketsim.Config{MaxQuantity: 5})
	r.waitReserved(reqs, 30*time.Second)
	r.stop()
	r.checkBooks(reqs)
	if st := r.client.Stats(); st.Zeros == 0 || st.Errors == 0 || st.Timeouts == 0 {
		t.Errorf("the market's misbehaviour was not observed: %+v", st)
	}
}
