package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
	kitchenapp "github.com/comanda-dev/comanda/kitchen-app/app"
	ordersapp "github.com/comanda-dev/comanda/orders-app/app"
)

// TestGroupDownWhileTenTimesTheCapIsPublished keeps inventory-app away while
// ten times the streams' backlog cap is published: the kitchen stream, which
// its group reads, stops growing near the cap, the kitchen's relay holds
// the rest in its outbox (durably) and says so, and once inventory-app
// starts every dish is served exactly once.
func TestGroupDownWhileTenTimesTheCapIsPublished(t *testing.T) {
	const backlog = 1000
	bins := testkit.Build(t, "kitchen-app", "inventory-app")
	rdb := testkit.Redis(t)
	prefix := testkit.Prefix(t, rdb)
	streams := events.StreamNames(prefix)
	dbURL, ordersSchema := testkit.PostgresSchema(t)
	_, kitchenSchema := testkit.PostgresSchema(t)
	redisURL := "redis://" + rdb.Options().Addr
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, marketBase, err := marketsim.Start(ctx, "127.0.0.1:0", marketsim.Config{MaxQuantity: 5, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	ocfg, err := ordersapp.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ocfg.Addr, ocfg.RedisURL, ocfg.StreamPrefix, ocfg.StreamBacklog = "127.0.0.1:0", redisURL, prefix, backlog
	ocfg.DatabaseURL, ocfg.DatabaseSchema, ocfg.DataDir = dbURL, ordersSchema, dataDir
	orders, err := ordersapp.New(ctx, ocfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ordersDone := make(chan error, 1)
	go func() { ordersDone <- orders.Run(ctx) }()
	defer func() { cancel(); <-ordersDone }()

	common := []string{
		"REDIS_URL=" + redisURL, "STREAM_PREFIX=" + prefix, "DATA_DIR=" + dataDir, "STREAM_BACKLOG_MAX=1000",
		"RECLAIM_IDLE=1s", "MAX_DELIVERIES=2", "LOG_LEVEL=warn", "SHUTDOWN_TIMEOUT=5s",
	}
	kitchenAddr := testkit.FreeAddr(t)
	startProcess(t, bins["kitchen-app"], append([]string{
		"KITCHEN_ADDR=" + kitchenAddr, "DATABASE_URL=" + dbURL, "KITCHEN_DB_SCHEMA=" + kitchenSchema, "COOK_TIME=0s",
	}, common...), kitchenAddr)
	h := &harness{t: t, rdb: rdb, streams: streams, orders: "http://" + orders.Addr(), kitchen: "http://" + kitchenAddr,
		ticketsFrom: func() map[string]ticket { return ticketsInPostgres(t, dbURL, kitchenSchema) }}

	const dishes = 10 * backlog
	ids := h.place(dishes)
	// The kitchen picks recipes for every order and asks for ingredients
	// (two events each): twenty times the cap for a group that is away.
	testkit.Eventually(t, "the kitchen's relay is held back", time.Minute, func() bool {
		return value(scrape(t, h.kitchen), "comanda_outbox_held") == 1
	})
	testkit.Eventually(t, "the kitchen has taken every order", 2*time.Minute, func() bool {
		n, _ := rdb.XLen(ctx, streams.Orders).Result()
		p, _ := rdb.XPending(ctx, streams.Orders, events.GroupKitchen).Result()
		return value(scrape(t, h.orders), "comanda_outbox_events") == 0 && n <= 100 && p != nil && p.Count == 0
	})
	kitchenLen := rdb.XLen(ctx, streams.Kitchen).Val()
	kitchenEvents := testkit.EventCount(t, rdb, streams.Kitchen)
	held := value(scrape(t, h.kitchen), "comanda_outbox_events")
	t.Logf("inventory away: the kitchen stream holds %d events in %d entries (cap %d events), the kitchen's outbox %v events", kitchenEvents, kitchenLen, backlog, held)
	// The relay holds back once the entries could hold the cap (1000 / 64
	// of them), and publishes at most one more batch of 500 events.
	if kitchenLen < backlog/64 || kitchenEvents >= backlog+500 {
		t.Errorf("the kitchen stream holds %d events in %d entries with a cap of %d and batches of 500", kitchenEvents, kitchenLen, backlog)
	}
	if held < dishes {
		t.Errorf("the kitchen's outbox holds %v events; the rest of %d should wait there", held, 2*dishes)
	}
	var ready struct{ Notes map[string]string }
	h.do("GET", h.kitchen+"/ready", nil, &ready)
	if ready.Notes["heldBack"] == "" {
		t.Errorf("kitchen-app's /ready does not say it is held back: %+v", ready)
	}

	inventoryAddr := testkit.FreeAddr(t)
	back := time.Now()
	startProcess(t, bins["inventory-app"], append([]string{
		"INVENTORY_ADDR=" + inventoryAddr, "MARKET_URL=" + marketBase + marketsim.BuyPath,
		"MARKET_RETRY_MIN=2ms", "MARKET_RETRY_MAX=50ms",
	}, common...), inventoryAddr)
	h.invent = "http://" + inventoryAddr
	s := h.waitDone(dishes, 5*time.Minute)
	t.Logf("group back: %d dishes drained %s after inventory-app started, %d failed, %d dead letters",
		dishes, time.Since(back).Round(10*time.Millisecond), s.ByStatus["failed"], h.deadLetters())
	h.checkServedExactlyOnce(ids)
	h.checkNoDeadLetters()
	h.logBooks()
	testkit.Eventually(t, "the streams are trimmed once consumed", 30*time.Second, func() bool {
		total := int64(0)
		for _, s := range streams.Work() {
			n, _ := rdb.XLen(ctx, s).Result()
			total += n
		}
		return total <= 300
	})
}

// TestSlowCooksKeepWhatTheyHold runs two kitchen replicas whose one cook
// each takes longer per dish than anything a queue could hide: the reservations
// each replica read wait in its queue far longer than RECLAIM_IDLE. Neither
// takes the other's, and every dish is cooked once.
func TestSlowCooksKeepWhatTheyHold(t *testing.T) {
	h := startSystem(t, setup{realServices: true, market: marketsim.Config{MaxQuantity: 5, Seed: 42}, tune: func(cfg *Config) {
		faultSettings(cfg)
		cfg.Kitchen.Cooks, cfg.Kitchen.CookTime = 1, 50*time.Millisecond
	}})
	second := h.cfg.Kitchen
	second.Addr = "127.0.0.1:0"
	other, err := kitchenapp.New(context.Background(), second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- other.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	ids := h.place(150)
	start := time.Now()
	h.waitDone(len(ids), 3*time.Minute)
	t.Logf("two kitchens of one slow cook each: %d dishes in %s", len(ids), time.Since(start).Round(10*time.Millisecond))
	h.checkServedExactlyOnce(ids)
	h.checkNoDeadLetters()
	for _, base := range []string{h.kitchen, "http://" + other.Addr()} {
		if n := value(scrape(t, base), "comanda_stream_messages_reclaimed_total"); n > 0 {
			t.Errorf("%s reclaimed %v entries from a live replica", base, n)
		}
	}
}

// ticketsInPostgres reads the delivered tickets from the kitchen's schema.
func ticketsInPostgres(t *testing.T, url, schema string) map[string]ticket {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT order_id::text, recipe, stage FROM `+pgx.Identifier{schema, "tickets"}.Sanitize()+` WHERE stage = 'delivered'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]ticket{}
	for rows.Next() {
		var tk ticket
		if err := rows.Scan(&tk.OrderID, &tk.Recipe, &tk.Stage); err != nil {
			t.Fatal(err)
		}
		out[tk.OrderID] = tk
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
