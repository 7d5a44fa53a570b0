package warehouse_test

import (
	"slices"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// An early order needs 3 tomatoes and 2 are on hand; later orders need one
// each and keep coming while the market sells one at a time, slowly. Taking
// what is there for the small orders would starve the early one for as long
// as they keep coming: it must be served first.
func TestAnEarlyOrderIsNotStarvedByLaterSmallerOnes(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{initial: 2, market: marketsim.Config{MaxQuantity: 1, Latency: 20 * time.Millisecond}})
	r.run()
	early := request(t, newID(), "tomato soup", []warehouse.Item{{Ingredient: "tomato", Quantity: 3}})
	r.request(early)
	testkit.Eventually(t, "the early order is told it waits", 5*time.Second, func() bool {
		return slices.ContainsFunc(r.events(), func(e events.Envelope) bool {
			return e.Type == events.TypeIngredientsShort && e.OrderID == early.OrderID
		})
	})
	later := []warehouse.Request{early}
	for range 15 {
		req := request(t, newID(), "tomato toast", []warehouse.Item{{Ingredient: "tomato", Quantity: 1}})
		later = append(later, req)
		r.request(req)
		time.Sleep(5 * time.Millisecond)
	}
	r.waitReserved(later, 30*time.Second)
	r.stop()
	r.checkBooks(later)

	var order []string
	for _, e := range r.events() {
		if e.Type == events.TypeIngredientsReserved {
			order = append(order, e.OrderID)
		}
	}
	if len(order) == 0 || order[0] != early.OrderID {
		t.Fatalf("reservations in order %v: the early order %s was not served first", order, early.OrderID)
	}
}
