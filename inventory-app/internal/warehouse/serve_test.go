package warehouse_test

import (
	"context"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

func TestRandomOrdersAreAllServedAndTheBooksBalance(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{initial: 5, market: marketsim.Config{MaxQuantity: 5}})
	r.run()
	reqs := randomOrders(t, 100, 42)
	for i := 0; i < len(reqs); i += 10 {
		r.request(reqs[i : i+10]...)
	}
	r.waitReserved(reqs, 30*time.Second)
	r.stop()
	r.checkBooks(reqs)
	// Every answered call is a purchase, zeros included, and the books
	// hold exactly what the market sold.
	st, sim := r.client.Stats(), r.sim.Stats()
	answered := st.Calls - st.Errors - st.Timeouts
	if got := r.purchaseCount(); int64(got) != answered || st.Zeros == 0 {
		t.Errorf("%d purchases recorded for %d answered market calls (%+v)", got, answered, st)
	}
	var bought int64
	for _, n := range r.purchasedUnits() {
		bought += int64(n)
	}
	if bought != st.UnitsBought {
		t.Errorf("books say %d units bought, the market client counted %d", bought, st.UnitsBought)
	}
	// A call abandoned at its timeout may still have been answered by the
	// market; without timeouts both sides agree exactly.
	if st.Timeouts == 0 && (sim.Calls != st.Calls || sim.UnitsSold != bought) {
		t.Errorf("the market saw %d calls selling %d units; the books %d calls, %d units", sim.Calls, sim.UnitsSold, st.Calls, bought)
	}
}

func TestARequestDeliveredTwiceIsServedOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{initial: 5, market: marketsim.Config{MaxQuantity: 5}})
	r.run()
	req := request(t, newID(), "pizza", book["pizza"])
	r.request(req, req) // twice in one batch
	r.request(req)      // and again later
	r.waitReserved([]warehouse.Request{req}, 10*time.Second)
	r.request(req) // and after it was served
	time.Sleep(50 * time.Millisecond)
	r.stop()
	r.checkBooks([]warehouse.Request{req})
	res, err := r.store.Reservation(context.Background(), req.OrderID)
	if err != nil || res.Status != warehouse.Reserved {
		t.Fatalf("reservation %+v, %v", res, err)
	}
}

func TestARestartedWarehouseServesWhatWaited(t *testing.T) {
	t.Parallel()
	// The market has nothing: orders wait, and are told so.
	r := newRig(t, rigConfig{initial: 5, market: marketsim.Config{MaxQuantity: 5, ZeroRate: 1}})
	r.run()
	reqs := randomOrders(t, 20, 7)
	r.request(reqs...)
	testkit.Eventually(t, "orders noted short", 10*time.Second, func() bool {
		for _, e := range r.events() {
			if e.Type == events.TypeIngredientsShort {
				return true
			}
		}
		return false
	})
	r.stop()
	inv := 0
	for _, req := range reqs {
		if res, _ := r.store.Reservation(context.Background(), req.OrderID); res.Status == warehouse.Waiting {
			inv++
		}
	}
	if inv == 0 {
		t.Fatal("nothing waited at the restart; the test proves nothing")
	}
	r.store.Close()

	// A new warehouse over the same file, with a market that sells.
	r.sim.Set(marketsim.Config{MaxQuantity: 5})
	r.open()
	if got, _ := r.w.Inventory(context.Background()); got.WaitingOrders != inv {
		t.Fatalf("the new warehouse resumed %d waiting orders, want %d", got.WaitingOrders, inv)
	}
	r.run()
	r.waitReserved(reqs, 30*time.Second)
	r.stop()
	r.checkBooks(reqs)
	shorts := map[string]int{}
	for _, e := range r.events() {
		if e.Type == events.TypeIngredientsShort {
			shorts[e.OrderID]++
		}
	}
	for id, n := range shorts {
		if n != 1 {
			t.Errorf("order %s was told %d times that it is short", id, n)
		}
	}
}
