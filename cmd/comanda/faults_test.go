package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/marketsim"
)

// TestPoisonMessageFailsItsOrderWhileTheRestFlows stores an order whose
// order.placed announcement is malformed: the kitchen cannot take it, the
// message ends in the dead-letter stream, the order becomes failed with the
// reason, and a burst placed meanwhile is served completely.
func TestPoisonMessageFailsItsOrderWhileTheRestFlows(t *testing.T) {
	h := startSystem(t, setup{realServices: true, market: marketsim.Config{MaxQuantity: 5, Seed: 42}})
	ctx := context.Background()

	// An order stored as orders-app stores one, announced with a payload of
	// the wrong shape.
	poisoned := uuid.Must(uuid.NewV7()).String()
	conn, err := pgx.Connect(ctx, h.cfg.Orders.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	now := time.Now().UTC()
	if _, err := conn.Exec(ctx, `INSERT INTO `+pgx.Identifier{h.cfg.Orders.DatabaseSchema, "orders"}.Sanitize()+
		` (id, batch_id, status, progress, placed_at, updated_at) VALUES ($1, $1, 'placed', 'placed', $2, $2)`, poisoned, now); err != nil {
		t.Fatal(err)
	}
	bad := `{"id":"` + uuid.Must(uuid.NewV7()).String() + `","type":"order.placed","version":1,"time":"` + now.Format(time.RFC3339Nano) +
		`","orderId":"` + poisoned + `","source":"orders-app","payload":{"batchId":42}}`
	if err := h.rdb.XAdd(ctx, &redis.XAddArgs{Stream: h.streams.Orders, Values: map[string]any{"type": "order.placed", "order": poisoned, "event": bad}}).Err(); err != nil {
		t.Fatal(err)
	}
	ids := h.place(100)

	h.waitDone(101, time.Minute)
	var o orderView
	h.do("GET", h.orders+"/api/v1/orders/"+poisoned, nil, &o)
	if o.Status != "failed" || !strings.Contains(o.FailureReason, "kitchen") || !strings.Contains(o.FailureReason, "malformed") {
		t.Errorf("poisoned order: %+v", o)
	}
	var dls struct {
		DeadLetters []struct{ OrderID, Group, Reason string }
	}
	h.do("GET", h.orders+"/api/v1/dead-letters", nil, &dls)
	if len(dls.DeadLetters) != 1 || dls.DeadLetters[0].OrderID != poisoned || dls.DeadLetters[0].Group != "kitchen" {
		t.Errorf("dead letters: %+v", dls)
	}
	h.checkServedExactlyOnce(ids)
}

// TestMarketMisbehavingDelaysButLosesNothing runs the market through zero
// answers, errors, timeouts and garbage before it recovers. Orders wait, then
// all are served, and the warehouse never spins: market calls during the bad
// phases stay far below what a loop without backoff would make.
func TestMarketMisbehavingDelaysButLosesNothing(t *testing.T) {
	h := startSystem(t, setup{market: marketsim.Config{MaxQuantity: 5, Seed: 42}})
	sim := h.sys.Market
	base := sim.Config()
	phases := []struct {
		name string
		cfg  marketsim.Config
	}{
		{"zero answers", marketsim.Config{MaxQuantity: 5, ZeroRate: 1}},
		{"errors", marketsim.Config{MaxQuantity: 5, ErrorRate: 1}},
		{"timeouts", marketsim.Config{MaxQuantity: 5, Latency: 2 * h.cfg.Inventory.MarketTimeout}},
		{"garbage", marketsim.Config{MaxQuantity: 5, MalformedRate: 1}},
	}
	sim.Set(phases[0].cfg)
	ids := h.place(60) // far more than the initial stock covers
	const phase = time.Second
	for _, p := range phases {
		sim.Set(p.cfg)
		before := sim.Stats().Calls
		time.Sleep(phase)
		calls := sim.Stats().Calls - before
		t.Logf("%s: %d market calls in %s", p.name, calls, phase)
		// Ten buyers backing off from 2ms to 50ms make about 10 × (1s / 50ms
		// + a few ramp-up calls) ≈ 250 calls a second; a hot loop makes
		// tens of thousands.
		if calls > 600 {
			t.Errorf("%s: %d market calls in %s: the warehouse is spinning", p.name, calls, phase)
		}
		if got := h.stats().ByStatus["delivered"]; p.name == "zero answers" && got > 15 {
			t.Errorf("%d dishes delivered while the market sold nothing; the stock covers far fewer", got)
		}
	}
	sim.Set(base)
	h.waitDone(60, time.Minute)
	h.checkServedExactlyOnce(ids)
}
