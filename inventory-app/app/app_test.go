package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/app"
)

type backend struct {
	name  string
	redis func(t testing.TB) *redis.Client
}

var backends = []backend{
	{"sqlite+miniredis", testkit.Miniredis},
	{"sqlite+redis", testkit.Redis},
}

// book is the restaurant's recipe book (DESIGN.md §1).
var book = map[string][]events.Item{
	"rice with chicken": {{Ingredient: "rice", Quantity: 2}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "chicken", Quantity: 1}},
	"rice with meat":    {{Ingredient: "rice", Quantity: 2}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "meat", Quantity: 1}},
	"burger":            {{Ingredient: "meat", Quantity: 1}, {Ingredient: "cheese", Quantity: 1}, {Ingredient: "ketchup", Quantity: 1}, {Ingredient: "lettuce", Quantity: 1}},
	"french fries":      {{Ingredient: "potato", Quantity: 3}, {Ingredient: "ketchup", Quantity: 1}},
	"pizza":             {{Ingredient: "cheese", Quantity: 2}, {Ingredient: "tomato", Quantity: 3}},
	"salad":             {{Ingredient: "lemon", Quantity: 1}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "tomato", Quantity: 2}, {Ingredient: "lettuce", Quantity: 2}},
}

type server struct {
	base    string
	rdb     *redis.Client
	streams events.Streams
	sim     *marketsim.Simulator
}

func start(t *testing.T, b backend) server {
	t.Helper()
	rdb := b.redis(t)
	ctx, cancel := context.WithCancel(context.Background())
	sim, marketBase, err := marketsim.Start(ctx, "127.0.0.1:0", marketsim.Config{MaxQuantity: 5, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load[app.Config]()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.RedisURL = "redis://" + rdb.Options().Addr
	cfg.StreamPrefix = testkit.Prefix(t, rdb)
	cfg.DataDir = t.TempDir()
	cfg.MongoURL = ""
	cfg.MarketURL = marketBase + marketsim.BuyPath
	cfg.MarketRetryMin, cfg.MarketRetryMax = 2*time.Millisecond, 50*time.Millisecond
	cfg.MarketTimeout = 500 * time.Millisecond
	cfg.ReclaimIdle = time.Second
	cfg.InitialStock = 5
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("inventory-app stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("inventory-app did not stop within 30s")
		}
	})
	return server{base: "http://" + a.Addr(), rdb: rdb, streams: events.StreamNames(cfg.StreamPrefix), sim: sim}
}

func TestAPI(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, b)
			t.Run("probes, metrics and docs", func(t *testing.T) { probes(t, s) })
			t.Run("bad requests answer the error shape", func(t *testing.T) { badRequests(t, s) })
			t.Run("requests are reserved once, the unknown dead-lettered", func(t *testing.T) { serveRequests(t, s) })
		})
	}
}

func probes(t *testing.T, s server) {
	for path, want := range map[string]string{
		"/health":                   `"ok"`,
		"/ready":                    `"ready"`,
		"/metrics":                  "comanda_inventory_market_calls_total",
		"/documentation/doc.json":   "/api/v1/purchases",
		"/documentation/index.html": "swagger",
	} {
		status, body := s.do(t, "GET", path)
		if status != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %.300s; want 200 containing %s", path, status, body, want)
		}
	}
}

func badRequests(t *testing.T, s server) {
	cases := []struct {
		name, path string
		status     int
		code       string
	}{
		{"unknown ingredient", "/api/v1/purchases?ingredient=saffron", 422, "invalid_ingredient"},
		{"limit not a number", "/api/v1/purchases?limit=lots", 400, "invalid_limit"},
		{"limit too big", "/api/v1/purchases?limit=100000", 422, "invalid_limit"},
		{"limit negative", "/api/v1/purchases?limit=-1", 422, "invalid_limit"},
		{"bad cursor", "/api/v1/purchases?cursor=zzz", 422, "invalid_cursor"},
		{"unknown reservation", "/api/v1/reservations/" + uuid.Must(uuid.NewV7()).String(), 404, "reservation_not_found"},
		{"unknown route", "/api/v1/nothing", 404, "not_found"},
	}
	for _, c := range cases {
		status, body := s.do(t, "GET", c.path)
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("%s: body is not the JSON error shape: %.200s", c.name, body)
			continue
		}
		if status != c.status || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s: got %d %+v, want %d %s", c.name, status, e.Error, c.status, c.code)
		}
	}
}

type inventory struct {
	Ingredients []struct {
		Ingredient                                string
		OnHand, Initial, Bought, Consumed, Demand int
		Buying                                    bool
	}
	WaitingOrders int
}

func serveRequests(t *testing.T, s server) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(42, 42))
	names := []string{"rice with chicken", "rice with meat", "burger", "french fries", "pizza", "salad"}
	pub := stream.NewPublisher(s.rdb, stream.PublisherOptions{})
	want := map[string]int{}
	var orders []string
	var recs []stream.Record
	for range 40 {
		name := names[rng.IntN(len(names))]
		id := uuid.Must(uuid.NewV7()).String()
		orders = append(orders, id)
		for _, it := range book[name] {
			want[it.Ingredient] += it.Quantity
		}
		env := events.MustNew("kitchen-app", id, time.Now(), events.IngredientsRequested{Recipe: name, Ingredients: book[name]})
		recs = append(recs, stream.Record{Stream: s.streams.Kitchen, Event: env})
		if len(orders) == 1 {
			// The first request is delivered twice.
			recs = append(recs, stream.Record{Stream: s.streams.Kitchen, Event: env})
		}
	}
	bad := uuid.Must(uuid.NewV7()).String()
	recs = append(recs, stream.Record{Stream: s.streams.Kitchen, Event: events.MustNew("kitchen-app", bad, time.Now(),
		events.IngredientsRequested{Recipe: "paella", Ingredients: []events.Item{{Ingredient: "rice", Quantity: 2}, {Ingredient: "saffron", Quantity: 1}}})})
	// Another service's events on the same stream are none of the warehouse's business.
	recs = append(recs, stream.Record{Stream: s.streams.Kitchen, Event: events.MustNew("kitchen-app", orders[1], time.Now(), events.CookingStarted{Recipe: "pizza"})})
	if _, err := pub.Publish(ctx, recs...); err != nil {
		t.Fatal(err)
	}

	reserved := map[string]int{}
	testkit.Eventually(t, "every order reserved", 30*time.Second, func() bool {
		clear(reserved)
		for _, e := range s.events(t, s.streams.Inventory) {
			if e.Type == events.TypeIngredientsReserved {
				reserved[e.OrderID]++
			}
		}
		return len(reserved) == len(orders)
	})
	testkit.Eventually(t, "the bad request dead-lettered", 10*time.Second, func() bool { return len(s.events(t, s.streams.DeadLetter)) == 1 })
	testkit.Eventually(t, "the kitchen stream acknowledged", 10*time.Second, func() bool {
		p, err := s.rdb.XPending(ctx, s.streams.Kitchen, "inventory").Result()
		return err == nil && p.Count == 0
	})
	time.Sleep(200 * time.Millisecond) // a duplicate would be published by now
	clear(reserved)
	for _, e := range s.events(t, s.streams.Inventory) {
		if e.Type == events.TypeIngredientsReserved {
			reserved[e.OrderID]++
		}
	}
	for _, id := range orders {
		if reserved[id] != 1 {
			t.Errorf("order %s has %d reserved events, want 1", id, reserved[id])
		}
	}
	if reserved[bad] != 0 {
		t.Errorf("the order with an unknown ingredient was reserved")
	}

	dl := s.events(t, s.streams.DeadLetter)[0]
	p, err := events.DecodePayload[events.DeadLettered](dl)
	if err != nil || dl.OrderID != bad || p.Group != "inventory" || !strings.Contains(p.Reason, `unknown ingredient "saffron"`) {
		t.Errorf("dead letter %+v %+v (%v)", dl, p, err)
	}

	var inv inventory
	s.getJSON(t, "/api/v1/inventory", &inv)
	if inv.WaitingOrders != 0 || len(inv.Ingredients) != 10 || inv.Ingredients[0].Ingredient != "tomato" || inv.Ingredients[9].Ingredient != "chicken" {
		t.Errorf("inventory %+v", inv)
	}
	for _, l := range inv.Ingredients {
		if l.OnHand < 0 || l.OnHand != l.Initial+l.Bought-l.Consumed || l.Initial != 5 || l.Demand != 0 {
			t.Errorf("%s does not balance: %+v", l.Ingredient, l)
		}
		if l.Consumed != want[l.Ingredient] {
			t.Errorf("%s: consumed %d, the orders need %d", l.Ingredient, l.Consumed, want[l.Ingredient])
		}
	}

	// The purchases add up to what was bought.
	bought := map[string]int{}
	cursor := ""
	for {
		var page struct {
			Purchases []struct {
				ID, Ingredient string
				QuantitySold   int
				OrderIDs       []string
				At             time.Time
			}
			NextCursor string
		}
		s.getJSON(t, "/api/v1/purchases?limit=7&cursor="+cursor, &page)
		for _, p := range page.Purchases {
			bought[p.Ingredient] += p.QuantitySold
			if p.OrderIDs == nil || p.At.IsZero() {
				t.Errorf("purchase %+v", p)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	for _, l := range inv.Ingredients {
		if bought[l.Ingredient] != l.Bought {
			t.Errorf("%s: purchases sum to %d, stock says %d bought", l.Ingredient, bought[l.Ingredient], l.Bought)
		}
	}
	var tomatoes struct{ Purchases []struct{ Ingredient string } }
	s.getJSON(t, "/api/v1/purchases?ingredient=tomato&limit=500", &tomatoes)
	for _, p := range tomatoes.Purchases {
		if p.Ingredient != "tomato" {
			t.Errorf("filtered by tomato, got %s", p.Ingredient)
		}
	}

	var m struct {
		Calls, Zeros, Errors, Timeouts, UnitsBought int64
		Breaker                                     string
	}
	s.getJSON(t, "/api/v1/market", &m)
	var total int64
	for _, n := range bought {
		total += int64(n)
	}
	if m.Calls == 0 || m.UnitsBought != total || m.Breaker != "closed" {
		t.Errorf("market %+v; the purchases sum to %d units", m, total)
	}
	// A call abandoned at its timeout may still have been answered by the
	// market; without timeouts both sides agree exactly.
	if sim := s.sim.Stats(); m.Timeouts == 0 && (m.Calls != sim.Calls || m.UnitsBought != sim.UnitsSold || m.Zeros != sim.Zeros) {
		t.Errorf("market %+v; the market saw %+v", m, sim)
	}

	var r struct {
		OrderID, Status string
		Seq             int64
		Items           []struct{ Ingredient string }
		ReservedAt      *time.Time
	}
	s.getJSON(t, "/api/v1/reservations/"+orders[0], &r)
	if r.OrderID != orders[0] || r.Status != "reserved" || r.Seq == 0 || len(r.Items) == 0 || r.ReservedAt == nil {
		t.Errorf("reservation %+v", r)
	}
}

func (s server) events(t *testing.T, key string) []events.Envelope {
	t.Helper()
	return testkit.StreamEvents(t, s.rdb, key)
}

func (s server) do(t *testing.T, method, path string) (int, []byte) {
	t.Helper()
	return testkit.Do(t, method, s.base+path, "", nil)
}

func (s server) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	testkit.GetJSON(t, s.base+path, v)
}
