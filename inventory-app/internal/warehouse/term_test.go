package warehouse_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/sqlite"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Market calls sent before the warehouse stops are answered after it and
// booked: the books hold exactly what the market sold.
func TestCallsInFlightAtShutdownAreBooked(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{initial: 0, parallel: 4, market: marketsim.Config{MaxQuantity: 5, Latency: 300 * time.Millisecond}})
	r.run()
	r.request(randomOrders(t, 40, 3)...)
	testkit.Eventually(t, "calls in flight", 5*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		n := 0
		for _, k := range r.inFlight {
			n += k
		}
		return n >= 3
	})
	r.stop()
	sold := r.sim.Stats()
	var bought int
	for _, n := range r.purchasedUnits() {
		bought += n
	}
	if sold.Calls == 0 || int64(r.purchaseCount()) != sold.Calls || int64(bought) != sold.UnitsSold {
		t.Errorf("the market answered %d calls selling %d units; the books hold %d purchases of %d units",
			sold.Calls, sold.UnitsSold, r.purchaseCount(), bought)
	}
}

// A warehouse whose term is over writes nothing more: its first refused
// write reports the end of the term, once, as an infrastructure fault (the
// message is not to blame).
func TestAFencedWarehouseWritesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "inventory.db")
	store, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	old, err := store.AcquireLease(ctx, "old", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var ended atomic.Int32
	r := newRig(t, rigConfig{initial: 5, dbPath: path, token: old.Token, fenced: func() { ended.Add(1) },
		market: marketsim.Config{MaxQuantity: 5}})
	r.run()
	first := randomOrders(t, 5, 1)
	r.request(first...)
	r.waitReserved(first, 10*time.Second)

	// A standby takes over.
	if err := store.ReleaseLease(ctx, "old", old.Token); err != nil {
		t.Fatal(err)
	}
	if l, err := store.AcquireLease(ctx, "new", time.Hour); err != nil || !l.HeldBy("new") {
		t.Fatalf("the standby did not take over: %+v, %v", l, err)
	}
	late := randomOrders(t, 3, 2)
	for range 2 {
		err = r.w.Request(ctx, late)
		if !errors.Is(err, warehouse.ErrFenced) || !fault.IsUnavailable(err) {
			t.Fatalf("a request to the old leader: %v, want ErrFenced, an infrastructure fault", err)
		}
	}
	if n := ended.Load(); n != 1 {
		t.Errorf("the end of the term was reported %d times, want once", n)
	}
	for _, req := range late {
		if _, err := store.Reservation(ctx, req.OrderID); !errors.Is(err, warehouse.ErrNotFound) {
			t.Errorf("the old leader stored a reservation for %s (%v)", req.OrderID, err)
		}
	}
	if w := r.w.Waiting(); w != 0 {
		t.Errorf("the old leader tracks %d orders it could not store", w)
	}
}
