package warehouse_test

import (
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Fifty orders wait for the same missing ingredients: the warehouse buys
// their total shortfall, one call at a time per ingredient, and stops as soon
// as it has enough — at most one market answer (5 units) beyond the need.
func TestBuyingIsCoalescedAcrossWaitingOrders(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{initial: 0, market: marketsim.Config{MaxQuantity: 5, Latency: 2 * time.Millisecond}})
	r.run()
	items := []warehouse.Item{{Ingredient: "tomato", Quantity: 2}, {Ingredient: "lettuce", Quantity: 1}}
	var reqs []warehouse.Request
	for range 50 {
		reqs = append(reqs, request(t, newID(), "tomato salad", items))
	}
	// Orders keep arriving while the buyers are at the market.
	for i := 0; i < len(reqs); i += 10 {
		r.request(reqs[i : i+10]...)
		time.Sleep(5 * time.Millisecond)
	}
	r.waitReserved(reqs, 30*time.Second)
	r.stop()
	r.checkBooks(reqs)

	needed := map[string]int{"tomato": 100, "lettuce": 50}
	bought := r.purchasedUnits()
	for ing, need := range needed {
		if bought[ing] < need || bought[ing] > need+5 {
			t.Errorf("%s: bought %d for a need of %d; want %d..%d", ing, bought[ing], need, need, need+5)
		}
	}
	for ing, n := range bought {
		if needed[ing] == 0 && n != 0 {
			t.Errorf("bought %d %s that nobody needed", n, ing)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for ing, m := range r.maxFlight {
		if m > 1 {
			t.Errorf("%s: %d market calls in flight at once, want one buyer per ingredient", ing, m)
		}
	}
	if r.maxFlight["tomato"] != 1 || r.maxFlight["lettuce"] != 1 {
		t.Errorf("calls per ingredient: %v", r.maxFlight)
	}
}

// With several calls allowed per ingredient, a large shortfall is bought in
// parallel, yet never beyond what one call at a time would buy: a new call
// goes out only while the shortfall exceeds what the calls in flight could
// bring.
func TestParallelBuyingNeverOverbuys(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{initial: 0, parallel: 4, market: marketsim.Config{MaxQuantity: 5, Latency: 3 * time.Millisecond}})
	r.run()
	items := []warehouse.Item{{Ingredient: "tomato", Quantity: 3}, {Ingredient: "lettuce", Quantity: 1}}
	var reqs []warehouse.Request
	for range 60 {
		reqs = append(reqs, request(t, newID(), "tomato salad", items))
	}
	r.request(reqs...)
	r.waitReserved(reqs, 30*time.Second)
	r.stop()
	r.checkBooks(reqs)
	needed := map[string]int{"tomato": 180, "lettuce": 60}
	bought := r.purchasedUnits()
	for ing, need := range needed {
		if bought[ing] < need || bought[ing] > need+5 {
			t.Errorf("%s: bought %d for a need of %d; want %d..%d", ing, bought[ing], need, need, need+5)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.maxFlight["tomato"]; m < 2 || m > 4 {
		t.Errorf("tomato: at most %d calls in flight, want 2 to 4", m)
	}
}
