package warehouse_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/sqlite"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// book is the restaurant's recipe book (DESIGN.md §1).
var book = map[string][]warehouse.Item{
	"rice with chicken": {{Ingredient: "rice", Quantity: 2}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "chicken", Quantity: 1}},
	"rice with meat":    {{Ingredient: "rice", Quantity: 2}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "meat", Quantity: 1}},
	"burger":            {{Ingredient: "meat", Quantity: 1}, {Ingredient: "cheese", Quantity: 1}, {Ingredient: "ketchup", Quantity: 1}, {Ingredient: "lettuce", Quantity: 1}},
	"french fries":      {{Ingredient: "potato", Quantity: 3}, {Ingredient: "ketchup", Quantity: 1}},
	"pizza":             {{Ingredient: "cheese", Quantity: 2}, {Ingredient: "tomato", Quantity: 3}},
	"salad":             {{Ingredient: "lemon", Quantity: 1}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "tomato", Quantity: 2}, {Ingredient: "lettuce", Quantity: 2}},
}

var recipeNames = []string{"rice with chicken", "rice with meat", "burger", "french fries", "pizza", "salad"}

// rigConfig tunes a warehouse under test.
type rigConfig struct {
	initial  int
	market   marketsim.Config
	timeout  time.Duration
	retryMin time.Duration
	retryMax time.Duration
	cooldown time.Duration
	dbPath   string
	parallel int // calls per ingredient
	// token is the warehouse's fencing token; fenced its Fenced callback.
	token  warehouse.Token
	fenced func()
}

// rig is a warehouse over a SQLite store, buying from the simulator through
// a handler that watches how many calls per ingredient are in flight. A
// relay goroutine collects the outbox in order; a watcher checks the books
// while the warehouse works.
type rig struct {
	t      *testing.T
	cfg    rigConfig
	store  *sqlite.Store
	sim    *marketsim.Simulator
	client *market.Client
	w      *warehouse.Warehouse

	mu         sync.Mutex
	inFlight   map[string]int
	maxFlight  map[string]int
	log        []events.Envelope
	published  map[string]bool // event ids in log
	violations []string

	stop func()
}

func quiet() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newRig(t *testing.T, cfg rigConfig) *rig {
	t.Helper()
	if cfg.timeout == 0 {
		cfg.timeout = time.Second
	}
	if cfg.retryMin == 0 {
		cfg.retryMin, cfg.retryMax = time.Millisecond, 20*time.Millisecond
	}
	if cfg.cooldown == 0 {
		cfg.cooldown = 100 * time.Millisecond
	}
	if cfg.dbPath == "" {
		cfg.dbPath = filepath.Join(t.TempDir(), "inventory.db")
	}
	cfg.market.Seed = 42
	r := &rig{t: t, cfg: cfg, sim: marketsim.New(cfg.market), inFlight: map[string]int{}, maxFlight: map[string]int{}}
	h := r.sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ing := req.URL.Query().Get("ingredient")
		r.mu.Lock()
		r.inFlight[ing]++
		r.maxFlight[ing] = max(r.maxFlight[ing], r.inFlight[ing])
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			r.inFlight[ing]--
			r.mu.Unlock()
		}()
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	var err error
	r.client, err = market.New(market.Config{
		URL: srv.URL + marketsim.BuyPath, Timeout: cfg.timeout, Concurrency: 10,
		BreakerFailures: 5, BreakerCooldown: cfg.cooldown, Logger: quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.open()
	return r
}

// open opens the store and a warehouse over it.
func (r *rig) open() {
	r.t.Helper()
	var err error
	r.store, err = sqlite.Open(context.Background(), r.cfg.dbPath, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(r.store.Close)
	r.w, err = warehouse.New(context.Background(), r.store, r.client, warehouse.Options{
		InitialStock: r.cfg.initial, RetryMin: r.cfg.retryMin, RetryMax: r.cfg.retryMax, Logger: quiet(),
		CallsPerIngredient: r.cfg.parallel, Token: r.cfg.token, Fenced: r.cfg.fenced,
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// run starts the warehouse, the relay and the watcher; stop ends them.
func (r *rig) run() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = r.w.Run(ctx) })
	wg.Go(func() {
		// Not faster: under -race each SQLite query costs about a
		// millisecond, and a busier watcher would starve the warehouse.
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			r.drain()
			r.watch()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			r.drain()
		})
	}
	r.t.Cleanup(r.stop)
}

func (r *rig) drain() {
	for {
		n, err := r.store.PublishPending(context.Background(), r.cfg.token, 500, func(_ context.Context, envs []events.Envelope) error {
			// A batch whose removal from the outbox failed (a busy
			// file) comes again, as a relay publishes it again and
			// consumers absorb it: the log keeps each event once, so
			// that what it counts is what the warehouse emitted.
			r.mu.Lock()
			if r.published == nil {
				r.published = map[string]bool{}
			}
			for _, e := range envs {
				if !r.published[e.ID] {
					r.published[e.ID] = true
					r.log = append(r.log, e)
				}
			}
			r.mu.Unlock()
			return nil
		})
		if err != nil || n == 0 {
			return
		}
	}
}

// watch records any moment at which the books do not balance.
func (r *rig) watch() {
	levels, err := r.store.Stock(context.Background())
	if err != nil {
		return
	}
	for _, l := range levels {
		if l.OnHand() < 0 || l.OnHand() != l.Initial+l.Bought-l.Consumed {
			r.mu.Lock()
			r.violations = append(r.violations, l.Ingredient)
			r.mu.Unlock()
		}
	}
}

func request(t *testing.T, orderID, recipe string, items []warehouse.Item) warehouse.Request {
	t.Helper()
	req, err := warehouse.NewRequest(orderID, recipe, items, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// randomOrders picks n recipes from the book with a seeded source.
func randomOrders(t *testing.T, n int, seed uint64) []warehouse.Request {
	rng := rand.New(rand.NewPCG(seed, seed))
	reqs := make([]warehouse.Request, n)
	for i := range reqs {
		name := recipeNames[rng.IntN(len(recipeNames))]
		reqs[i] = request(t, newID(), name, book[name])
	}
	return reqs
}

func (r *rig) request(reqs ...warehouse.Request) {
	r.t.Helper()
	if err := r.w.Request(context.Background(), reqs); err != nil {
		r.t.Fatal(err)
	}
}

// waitReserved waits until every order has its reservation.
func (r *rig) waitReserved(reqs []warehouse.Request, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for _, req := range reqs {
		for {
			res, err := r.store.Reservation(context.Background(), req.OrderID)
			if err == nil && res.Status == warehouse.Reserved {
				break
			}
			if time.Now().After(deadline) {
				inv, _ := r.w.Inventory(context.Background())
				r.t.Fatalf("order %s not reserved within %s (%v); inventory %+v; market %+v", req.OrderID, within, err, inv, r.client.Stats())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func (r *rig) events() []events.Envelope {
	r.drain()
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Envelope(nil), r.log...)
}

// checkBooks asserts what must hold once every order is served: nothing
// ever went negative, on hand = initial + bought − consumed, consumed is
// the sum of the orders, bought is the sum of the recorded purchases, every
// order has exactly one reserved event, and nothing waits any more.
func (r *rig) checkBooks(reqs []warehouse.Request) {
	r.t.Helper()
	ctx := context.Background()
	r.mu.Lock()
	if len(r.violations) > 0 {
		r.t.Errorf("the books did not balance at some moment: %v", r.violations)
	}
	r.mu.Unlock()
	want := map[string]int{}
	for _, req := range reqs {
		for _, it := range req.Items {
			want[it.Ingredient] += it.Quantity
		}
	}
	bought := r.purchasedUnits()
	inv, err := r.w.Inventory(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	if inv.WaitingOrders != 0 {
		r.t.Errorf("%d orders still waiting", inv.WaitingOrders)
	}
	for _, st := range inv.Ingredients {
		l := st.Level
		if l.OnHand() < 0 || l.Initial != r.cfg.initial {
			r.t.Errorf("%s: %+v", l.Ingredient, l)
		}
		if l.Consumed != want[l.Ingredient] {
			r.t.Errorf("%s: consumed %d, the orders need %d", l.Ingredient, l.Consumed, want[l.Ingredient])
		}
		if l.Bought != bought[l.Ingredient] {
			r.t.Errorf("%s: bought %d, purchases sum to %d", l.Ingredient, l.Bought, bought[l.Ingredient])
		}
		if st.Demand != 0 {
			r.t.Errorf("%s: demand %d with nothing waiting", l.Ingredient, st.Demand)
		}
	}
	perOrder := map[string]int{}
	for _, e := range r.events() {
		if e.Type == events.TypeIngredientsReserved {
			perOrder[e.OrderID]++
		}
	}
	for _, req := range reqs {
		if perOrder[req.OrderID] != 1 {
			r.t.Errorf("order %s has %d reserved events, want 1", req.OrderID, perOrder[req.OrderID])
		}
	}
}

// purchasedUnits sums the recorded purchases per ingredient.
func (r *rig) purchasedUnits() map[string]int {
	r.t.Helper()
	sum := map[string]int{}
	after := ""
	for {
		page, err := r.w.Purchases(context.Background(), warehouse.PurchaseQuery{After: after, Limit: warehouse.MaxPage})
		if err != nil {
			r.t.Fatal(err)
		}
		for _, p := range page.Purchases {
			sum[p.Ingredient] += p.Quantity
			if len(p.OrderIDs) > warehouse.MaxServedOrders {
				r.t.Errorf("purchase %s names %d orders", p.ID, len(p.OrderIDs))
			}
		}
		if page.Next == "" {
			return sum
		}
		after = page.Next
	}
}

func (r *rig) purchaseCount() int {
	n := 0
	after := ""
	for {
		page, err := r.w.Purchases(context.Background(), warehouse.PurchaseQuery{After: after, Limit: warehouse.MaxPage})
		if err != nil {
			r.t.Fatal(err)
		}
		n += len(page.Purchases)
		if page.Next == "" {
			return n
		}
		after = page.Next
	}
}
