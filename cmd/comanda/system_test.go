package main

import (
	"context"
	"encoding/json"
	"strings"

	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// setup describes where a test system keeps its state.
type setup struct {
	realServices bool // real Redis and PostgreSQL; else miniredis and SQLite
	market       marketsim.Config
	tune         func(*Config)
}

// harness is a running system plus clients of its APIs.
type harness struct {
	t       *testing.T
	sys     *System
	cfg     Config
	rdb     *redis.Client
	streams events.Streams
	orders  string
	kitchen string
	invent  string
	web     string
	token   string
	// ticketsFrom, when set, reads the delivered tickets from the kitchen's
	// store: bursts larger than the API's page.
	ticketsFrom func() map[string]ticket
}

func testConfig(t *testing.T, s setup) (Config, *redis.Client) {
	t.Helper()
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	for _, c := range []*config.Common{&cfg.Orders.Common, &cfg.Kitchen.Common, &cfg.Inventory.Common} {
		c.DataDir = dataDir
		c.ReclaimIdle = 2 * time.Second
		c.ShutdownTimeout = 10 * time.Second
	}
	cfg.Orders.Addr, cfg.Kitchen.Addr, cfg.Inventory.Addr, cfg.Web.Addr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Runner.MarketAddr = "127.0.0.1:0"
	cfg.Kitchen.CookTime = 0
	cfg.Inventory.MarketRetryMin = 2 * time.Millisecond
	cfg.Inventory.MarketRetryMax = 50 * time.Millisecond
	cfg.Inventory.MarketTimeout = 500 * time.Millisecond
	cfg.Inventory.MongoURL = os.Getenv("MONGO_URL")
	cfg.Orders.DatabaseURL, cfg.Kitchen.DatabaseURL = "", ""
	cfg.EmbeddedMarket = true
	cfg.Market = s.market
	var rdb *redis.Client
	if s.realServices {
		rdb = testkit.Redis(t)
		url := "redis://" + rdb.Options().Addr
		cfg.Orders.RedisURL, cfg.Kitchen.RedisURL, cfg.Inventory.RedisURL = url, url, url
		cfg.EmbeddedRedis = false
		dbURL, ordersSchema := testkit.PostgresSchema(t)
		_, kitchenSchema := testkit.PostgresSchema(t)
		cfg.Orders.DatabaseURL, cfg.Orders.DatabaseSchema = dbURL, ordersSchema
		cfg.Kitchen.DatabaseURL, cfg.Kitchen.DatabaseSchema = dbURL, kitchenSchema
		prefix := testkit.Prefix(t, rdb)
		cfg.Orders.StreamPrefix, cfg.Kitchen.StreamPrefix, cfg.Inventory.StreamPrefix = prefix, prefix, prefix
		if cfg.Inventory.MongoURL != "" {
			cfg.Inventory.MongoDatabase = "t_" + testkit.RandomHex(6)
		}
	} else {
		cfg.EmbeddedRedis = true
		cfg.Inventory.MongoURL = ""
	}
	if s.tune != nil {
		s.tune(&cfg)
	}
	return cfg, rdb
}

func startSystem(t *testing.T, s setup) *harness {
	t.Helper()
	cfg, rdb := testConfig(t, s)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	sys, err := Start(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sys.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("system stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("system did not stop within 30s")
		}
	})
	if rdb == nil {
		rdb = redis.NewClient(&redis.Options{Addr: sys.redis.addr()})
		t.Cleanup(func() { _ = rdb.Close() })
	}
	token, _ := testkit.KeysOf(t, sys.cfg.Web.AuthKeyID, sys.cfg.Web.AuthPrivateKey).Token(t, rdb, sys.cfg.Web.StreamPrefix, time.Hour)
	return &harness{
		t: t, sys: sys, cfg: sys.cfg, rdb: rdb, streams: events.StreamNames(sys.cfg.Orders.StreamPrefix),
		orders:  "http://" + sys.Orders.Addr(),
		kitchen: "http://" + sys.Kitchen.Addr(),
		invent:  "http://" + sys.Inventory.Addr(),
		web:     "http://" + sys.Web.Addr(),
		token:   token,
	}
}

func (h *harness) do(method, url string, body any, out any) int {
	h.t.Helper()
	var raw string
	if body != nil {
		b, _ := json.Marshal(body)
		raw = string(b)
	}
	var header http.Header
	if h.token != "" {
		header = http.Header{"Authorization": {"Bearer " + h.token}}
	}
	status, data := testkit.Do(h.t, method, url, raw, header)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			h.t.Fatalf("%s %s: %d %s: %v", method, url, status, data, err)
		}
	}
	return status
}

func (h *harness) place(quantity int) []string {
	h.t.Helper()
	var p struct{ OrderIDs []string }
	if status := h.do("POST", h.orders+"/api/v1/orders", map[string]int{"quantity": quantity}, &p); status != 202 {
		h.t.Fatalf("placing %d: status %d", quantity, status)
	}
	return p.OrderIDs
}

type orderStats struct {
	Total    int
	ByStatus map[string]int
}

func (h *harness) stats() orderStats {
	var s orderStats
	h.do("GET", h.orders+"/api/v1/orders/stats", nil, &s)
	return s
}

// waitDone waits until n orders are delivered or failed.
func (h *harness) waitDone(n int, within time.Duration) orderStats {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := h.stats()
		if s.ByStatus["delivered"]+s.ByStatus["failed"] >= n {
			return s
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("after %s: %+v, want %d done", within, s, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type ingredientLevel struct {
	Ingredient                        string
	OnHand, Initial, Bought, Consumed int
}

func (h *harness) inventory() map[string]ingredientLevel {
	var inv struct{ Ingredients []ingredientLevel }
	h.do("GET", h.invent+"/api/v1/inventory", nil, &inv)
	out := map[string]ingredientLevel{}
	for _, l := range inv.Ingredients {
		out[l.Ingredient] = l
	}
	return out
}

type recipe struct {
	Name        string
	Ingredients []struct {
		Ingredient string
		Quantity   int
	}
}

func (h *harness) recipes() map[string]recipe {
	var book struct{ Recipes []recipe }
	h.do("GET", h.kitchen+"/api/v1/recipes", nil, &book)
	out := map[string]recipe{}
	for _, r := range book.Recipes {
		out[r.Name] = r
	}
	if len(out) != 6 {
		h.t.Fatalf("recipe book has %d recipes", len(out))
	}
	return out
}

type orderView struct {
	ID, Status, Recipe, FailureReason string
}

// allOrders pages through the whole order history.
func (h *harness) allOrders() map[string]orderView {
	out := map[string]orderView{}
	cursor := ""
	for {
		var page struct {
			Orders     []orderView
			NextCursor string
		}
		h.do("GET", h.orders+"/api/v1/orders?limit=500&cursor="+cursor, nil, &page)
		for _, o := range page.Orders {
			out[o.ID] = o
		}
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
}

type ticket struct {
	OrderID, Recipe, Stage string
}

func (h *harness) deliveredTickets() map[string]ticket {
	if h.ticketsFrom != nil {
		return h.ticketsFrom()
	}
	var list struct{ Tickets []ticket }
	h.do("GET", h.kitchen+"/api/v1/tickets?status=delivered&limit=1000", nil, &list)
	out := map[string]ticket{}
	for _, tk := range list.Tickets {
		if _, dup := out[tk.OrderID]; dup {
			h.t.Errorf("order %s has two tickets", tk.OrderID)
		}
		out[tk.OrderID] = tk
	}
	return out
}

// checkServedExactlyOnce asserts the accounting of a finished burst: every
// order delivered with one recipe, the kitchen's ticket agreeing, stock never
// negative, onHand = initial + bought − consumed, and consumed equal to the
// recipes of the delivered orders.
func (h *harness) checkServedExactlyOnce(ids []string) {
	h.t.Helper()
	book := h.recipes()
	orders := h.allOrders()
	tickets := h.deliveredTickets()
	want := map[string]int{}
	for _, id := range ids {
		o, ok := orders[id]
		if !ok {
			h.t.Errorf("order %s is missing", id)
			continue
		}
		if o.Status != "delivered" {
			h.t.Errorf("order %s is %s (%s)", id, o.Status, o.FailureReason)
			continue
		}
		r, ok := book[o.Recipe]
		if !ok {
			h.t.Errorf("order %s has recipe %q, not in the book", id, o.Recipe)
			continue
		}
		if tk := tickets[id]; tk.Recipe != o.Recipe {
			h.t.Errorf("order %s: orders says %q, kitchen says %q", id, o.Recipe, tk.Recipe)
		}
		for _, it := range r.Ingredients {
			want[it.Ingredient] += it.Quantity
		}
	}
	for name, l := range h.inventory() {
		if l.OnHand < 0 {
			h.t.Errorf("%s: negative stock %d", name, l.OnHand)
		}
		if l.OnHand != l.Initial+l.Bought-l.Consumed {
			h.t.Errorf("%s: onHand %d != initial %d + bought %d - consumed %d", name, l.OnHand, l.Initial, l.Bought, l.Consumed)
		}
		if l.Consumed != want[name] {
			h.t.Errorf("%s: consumed %d, but the delivered recipes need %d", name, l.Consumed, want[name])
		}
	}
}

func TestBurstOnRealRedisAndPostgres(t *testing.T) {
	h := startSystem(t, setup{realServices: true, market: marketsim.Config{MaxQuantity: 5, Seed: 42}})
	var ids []string
	for range 5 {
		ids = append(ids, h.place(100)...)
	}
	h.waitDone(500, 2*time.Minute)
	h.checkServedExactlyOnce(ids)
	h.checkCountsPublished(500)
}

func TestBurstEmbedded(t *testing.T) {
	h := startSystem(t, setup{market: marketsim.Config{MaxQuantity: 5, Seed: 42}})
	ids := h.place(300)
	h.waitDone(300, 2*time.Minute)
	h.checkServedExactlyOnce(ids)
	h.checkCountsPublished(300)
}

// checkCountsPublished waits until the counts orders-app keeps in Redis for
// the live feed say n delivered.
func (h *harness) checkCountsPublished(n int) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var c events.OrderCounts
	for time.Now().Before(deadline) {
		if data, err := h.rdb.Get(context.Background(), h.streams.Counts).Bytes(); err == nil && json.Unmarshal(data, &c) == nil &&
			c.Delivered == n && c.Placed == n && c.InProgress == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Errorf("orders-app keeps counts %+v for the feed, want %d delivered", c, n)
}

// loginThrough logs the manager in at the gateway web and returns the token.
func loginThrough(t *testing.T, web, password string) string {
	t.Helper()
	body := strings.NewReader(`{"username":"manager","password":"` + password + `"}`)
	resp, err := http.Post(web+"/api/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Token == "" {
		t.Fatalf("logging in at %s: %d %v", web, resp.StatusCode, err)
	}
	return out.Token
}
