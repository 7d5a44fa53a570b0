package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// TestLeaderKilledMidBurst runs two inventory-app processes on one store
// (one SQLite file), orders-app and kitchen-app as processes on the
// machine's PostgreSQL, all on the machine's Redis, with the default lease
// settings. It places a burst, kills the leading warehouse with SIGKILL
// while orders wait for the market, and checks that the standby took over
// and finished the burst: every dish delivered once, none failed, nothing
// dead-lettered, the books balanced, and no double buying — what is left of
// each ingredient stays within one market answer, where two warehouses
// buying the same shortfall would leave about a shortfall's worth.
func TestLeaderKilledMidBurst(t *testing.T) {
	const (
		dishes    = 600
		maxAnswer = 5 // the market sells 0..maxAnswer a call
	)
	bins := testkit.Build(t, "orders-app", "kitchen-app", "inventory-app")
	rdb := testkit.Redis(t)
	prefix := testkit.Prefix(t, rdb)
	streams := events.StreamNames(prefix)
	dbURL, ordersSchema := testkit.PostgresSchema(t)
	_, kitchenSchema := testkit.PostgresSchema(t)
	dataDir := t.TempDir()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A slow market keeps orders waiting long enough to kill the leader
	// while it buys.
	_, marketBase, err := marketsim.Start(ctx, "127.0.0.1:0", marketsim.Config{MaxQuantity: maxAnswer, Seed: 42, Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	common := []string{
		"REDIS_URL=redis://" + rdb.Options().Addr, "STREAM_PREFIX=" + prefix, "DATA_DIR=" + dataDir,
		"RECLAIM_IDLE=2s", "LOG_LEVEL=warn", "SHUTDOWN_TIMEOUT=10s", "AUTH_PUBLIC_KEYS=", "AUTH_PRIVATE_KEY=", "AUTH_DISABLED=false", "APP_ENV=development",
	}
	ordersAddr, kitchenAddr := testkit.FreeAddr(t), testkit.FreeAddr(t)
	startProcess(t, "orders-app", bins["orders-app"], append([]string{
		"ORDERS_ADDR=" + ordersAddr, "DATABASE_URL=" + dbURL, "ORDERS_DB_SCHEMA=" + ordersSchema,
	}, common...), ordersAddr)
	startProcess(t, "kitchen-app", bins["kitchen-app"], append([]string{
		"KITCHEN_ADDR=" + kitchenAddr, "DATABASE_URL=" + dbURL, "KITCHEN_DB_SCHEMA=" + kitchenSchema,
		"COOK_TIME=30ms", "COOKS=8",
	}, common...), kitchenAddr)
	inventory := func(name string) *process {
		addr := testkit.FreeAddr(t)
		return startProcess(t, name, bins["inventory-app"], append([]string{
			"INVENTORY_ADDR=" + addr, "MARKET_URL=" + marketBase + marketsim.BuyPath,
			"MARKET_RETRY_MIN=5ms", "MARKET_RETRY_MAX=100ms", "MARKET_TIMEOUT=2s",
		}, common...), addr)
	}
	first := inventory("inventory-app #1")
	testkit.Eventually(t, "the first replica leads", 10*time.Second, func() bool { return first.role() == "leader" })
	second := inventory("inventory-app #2")
	if status, role := second.ready(); status != 200 || role != "standby" {
		t.Fatalf("the second replica's /ready: %d, role %q; want 200, standby", status, role)
	}

	h := cluster{t: t, orders: "http://" + ordersAddr, kitchen: "http://" + kitchenAddr}
	var ids []string
	for range dishes / 100 {
		ids = append(ids, h.place(100)...)
	}
	testkit.Eventually(t, "the burst under way", time.Minute, func() bool { return h.stats().ByStatus["delivered"] >= dishes/10 })
	var inv struct{ WaitingOrders int }
	testkit.GetJSON(t, "http://"+first.addr+"/api/v1/inventory", &inv)
	before := h.stats()
	first.kill()
	killed := time.Now()
	t.Logf("killed the leader with %d of %d dishes delivered, %d orders waiting for ingredients", before.ByStatus["delivered"], dishes, inv.WaitingOrders)
	if inv.WaitingOrders == 0 {
		t.Log("no order was waiting at the kill; the takeover resumed nothing this run")
	}

	testkit.Eventually(t, "the standby takes over", 20*time.Second, func() bool { return second.role() == "leader" })
	takeover := time.Since(killed)
	h.waitDone(dishes, 3*time.Minute)
	drained := time.Since(killed)

	h.checkServedOnce(ids, "http://"+second.addr)
	if n, err := rdb.XLen(context.Background(), streams.DeadLetter).Result(); err != nil || n != 0 {
		t.Errorf("%d dead letters (%v), want none", n, err)
	}
	levels := h.inventory("http://" + second.addr)
	bought, needed := 0, 0
	for name, l := range levels {
		bought += l.Bought
		needed += max(0, l.Consumed-l.Initial)
		if l.OnHand > maxAnswer && l.OnHand > l.Initial {
			t.Errorf("%s: %d left over after buying %d: more than one market answer (%d) — bought twice?", name, l.OnHand, l.Bought, maxAnswer)
		}
	}
	t.Logf("%d dishes; the standby led %s after the kill and the burst was done %s after it; %d units bought for %d needed beyond the initial stock",
		dishes, takeover.Round(10*time.Millisecond), drained.Round(10*time.Millisecond), bought, needed)
	if takeover > 12*time.Second {
		t.Errorf("the standby took %s to lead; the default lease (8s) and poll (1s) promise about 9s", takeover)
	}
}

// cluster reads the other services' APIs.
type cluster struct {
	t               *testing.T
	orders, kitchen string
}

func (h cluster) place(n int) []string {
	var p struct{ OrderIDs []string }
	postJSON(h.t, h.orders+"/api/v1/orders", fmt.Sprintf(`{"quantity": %d}`, n), &p)
	if len(p.OrderIDs) != n {
		h.t.Fatalf("placed %d, got %d ids", n, len(p.OrderIDs))
	}
	return p.OrderIDs
}

type orderStats struct {
	Total    int
	ByStatus map[string]int
}

func (h cluster) stats() orderStats {
	var s orderStats
	testkit.GetJSON(h.t, h.orders+"/api/v1/orders/stats", &s)
	return s
}

func (h cluster) waitDone(n int, within time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := h.stats()
		if s.ByStatus["delivered"]+s.ByStatus["failed"] >= n {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("after %s: %+v, want %d done", within, s, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type level struct {
	Ingredient                        string
	OnHand, Initial, Bought, Consumed int
}

func (h cluster) inventory(base string) map[string]level {
	var inv struct{ Ingredients []level }
	testkit.GetJSON(h.t, base+"/api/v1/inventory", &inv)
	out := map[string]level{}
	for _, l := range inv.Ingredients {
		out[l.Ingredient] = l
	}
	return out
}

// checkServedOnce asserts every order delivered with one recipe, the
// kitchen agreeing, and the books balanced with consumed equal to the
// delivered recipes.
func (h cluster) checkServedOnce(ids []string, inventory string) {
	h.t.Helper()
	var book struct {
		Recipes []struct {
			Name        string
			Ingredients []struct {
				Ingredient string
				Quantity   int
			}
		}
	}
	testkit.GetJSON(h.t, h.kitchen+"/api/v1/recipes", &book)
	recipes := map[string]map[string]int{}
	for _, r := range book.Recipes {
		recipes[r.Name] = map[string]int{}
		for _, it := range r.Ingredients {
			recipes[r.Name][it.Ingredient] = it.Quantity
		}
	}
	type order struct{ ID, Status, Recipe, FailureReason string }
	orders := map[string]order{}
	for cursor := ""; ; {
		var page struct {
			Orders     []order
			NextCursor string
		}
		testkit.GetJSON(h.t, h.orders+"/api/v1/orders?limit=500&cursor="+cursor, &page)
		for _, o := range page.Orders {
			orders[o.ID] = o
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	var tickets struct {
		Tickets []struct{ OrderID, Recipe string }
	}
	testkit.GetJSON(h.t, h.kitchen+"/api/v1/tickets?status=delivered&limit=1000", &tickets)
	ticketOf := map[string]string{}
	for _, tk := range tickets.Tickets {
		if _, dup := ticketOf[tk.OrderID]; dup {
			h.t.Errorf("order %s has two tickets", tk.OrderID)
		}
		ticketOf[tk.OrderID] = tk.Recipe
	}
	want := map[string]int{}
	for _, id := range ids {
		o, ok := orders[id]
		switch {
		case !ok:
			h.t.Errorf("order %s is missing", id)
			continue
		case o.Status != "delivered":
			h.t.Errorf("order %s is %s (%s)", id, o.Status, o.FailureReason)
			continue
		case ticketOf[id] != o.Recipe:
			h.t.Errorf("order %s: orders says %q, kitchen says %q", id, o.Recipe, ticketOf[id])
		}
		for ing, q := range recipes[o.Recipe] {
			want[ing] += q
		}
	}
	for name, l := range h.inventory(inventory) {
		if l.OnHand < 0 || l.OnHand != l.Initial+l.Bought-l.Consumed {
			h.t.Errorf("%s: onHand %d, initial %d + bought %d - consumed %d", name, l.OnHand, l.Initial, l.Bought, l.Consumed)
		}
		if l.Consumed != want[name] {
			h.t.Errorf("%s: consumed %d, the delivered recipes need %d", name, l.Consumed, want[name])
		}
	}
}
