package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/kitchen-app/app"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen/storetest"
)

type backend struct {
	name  string
	start func(t *testing.T) (app.Config, *redis.Client)
}

var backends = []backend{
	{"postgres+redis", func(t *testing.T) (app.Config, *redis.Client) {
		rdb := testkit.Redis(t)
		url, schema := testkit.PostgresSchema(t)
		cfg := baseConfig(t, rdb)
		cfg.DatabaseURL, cfg.DatabaseSchema = url, schema
		return cfg, rdb
	}},
	{"sqlite+miniredis", func(t *testing.T) (app.Config, *redis.Client) {
		rdb := testkit.Miniredis(t)
		cfg := baseConfig(t, rdb)
		cfg.DataDir = t.TempDir()
		return cfg, rdb
	}},
}

func baseConfig(t *testing.T, rdb *redis.Client) app.Config {
	cfg, err := config.Load[app.Config]()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.RedisURL = "redis://" + rdb.Options().Addr
	cfg.StreamPrefix = testkit.Prefix(t, rdb)
	cfg.ReclaimIdle = time.Second
	cfg.CookTime = 0
	cfg.DatabaseURL = ""
	return cfg
}

type server struct {
	base    string
	rdb     *redis.Client
	streams events.Streams
}

func start(t *testing.T, b backend) server {
	t.Helper()
	cfg, rdb := b.start(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("kitchen-app stopped with %v", err)
		}
	})
	return server{base: "http://" + a.Addr(), rdb: rdb, streams: events.StreamNames(cfg.StreamPrefix)}
}

func TestAPI(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, b)
			t.Run("probes, metrics and documentation", func(t *testing.T) { probes(t, s) })
			t.Run("bad requests get the JSON error shape", func(t *testing.T) { badRequests(t, s) })
			t.Run("recipe book", func(t *testing.T) { recipes(t, s) })
			t.Run("every order is cooked once, however often its messages come", func(t *testing.T) { serveOnce(t, s) })
			t.Run("a reservation for an unknown order is dead-lettered", func(t *testing.T) { unknownReservation(t, s) })
		})
	}
}

func probes(t *testing.T, s server) {
	for path, want := range map[string]string{
		"/health":                       `"status":"ok"`,
		"/ready":                        `"status":"ready"`,
		"/metrics":                      "go_goroutines",
		"/documentation/doc.json":       "Comanda kitchen-app",
		"/documentation/index.html":     "swagger",
		"/api/v1/tickets/stats":         `"byStage"`,
		"/api/v1/tickets?status=failed": `"tickets":[]`,
	} {
		status, body := s.do(t, "GET", path)
		if status != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %.200s, want 200 with %s", path, status, body, want)
		}
	}
}

func badRequests(t *testing.T, s server) {
	cases := []struct {
		name, path string
		status     int
		code       string
	}{
		{"unknown status", "/api/v1/tickets?status=bogus", 422, "invalid_status"},
		{"queued is an order's stage, never a ticket's", "/api/v1/tickets?status=queued", 422, "invalid_status"},
		{"limit not a number", "/api/v1/tickets?limit=abc", 400, "invalid_limit"},
		{"limit too big", "/api/v1/tickets?limit=1001", 422, "invalid_limit"},
		{"limit negative", "/api/v1/tickets?limit=-1", 422, "invalid_limit"},
		{"unknown ticket", "/api/v1/tickets/019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f", 404, "ticket_not_found"},
		{"malformed order id", "/api/v1/tickets/not-an-id", 404, "ticket_not_found"},
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

func recipes(t *testing.T, s server) {
	var got struct {
		Recipes []struct {
			Name        string
			Ingredients []events.Item
		}
	}
	s.getJSON(t, "/api/v1/recipes", &got)
	if len(got.Recipes) != len(storetest.Book) {
		t.Fatalf("%d recipes, want %d", len(got.Recipes), len(storetest.Book))
	}
	for i, want := range storetest.Book {
		r := got.Recipes[i]
		if r.Name != want.Name || !reflect.DeepEqual(r.Ingredients, want.EventItems()) {
			t.Errorf("recipe %d: %+v, want %+v", i, r, want)
		}
	}
}

type ticketView struct {
	OrderID, Recipe, Stage, FailureReason string
	Since, CreatedAt, UpdatedAt           time.Time
}

type statsView struct {
	ByStage map[string]int
	Total   int
}

func serveOnce(t *testing.T, s server) {
	ctx := context.Background()
	pub := stream.NewPublisher(s.rdb, stream.PublisherOptions{})
	inventory := actAsInventory(t, s)

	ids := make([]string, 20)
	batch := uuid.Must(uuid.NewV7()).String()
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7()).String()
	}
	for range 2 { // every order.placed delivered twice
		for _, id := range ids {
			now := time.Now()
			e := events.MustNew("orders-app", id, now, events.OrderPlaced{BatchID: batch, PlacedAt: now})
			if _, err := pub.Publish(ctx, stream.Record{Stream: s.streams.Orders, Event: e}); err != nil {
				t.Fatal(err)
			}
		}
	}

	var st statsView
	testkit.Eventually(t, "every dish delivered", 10*time.Second, func() bool {
		s.getJSON(t, "/api/v1/tickets/stats", &st)
		return st.ByStage["delivered"] == len(ids)
	})
	if st.Total != len(ids) || len(st.ByStage) != 4 {
		t.Errorf("stats %+v, want %d tickets, all delivered, and all four stages", st, len(ids))
	}
	testkit.Eventually(t, "kitchen group caught up", 10*time.Second, func() bool {
		for _, stream := range []string{s.streams.Orders, s.streams.Inventory} {
			p, err := s.rdb.XPending(ctx, stream, "kitchen").Result()
			if err != nil || p.Count != 0 {
				return false
			}
		}
		return true
	})
	testkit.Eventually(t, "kitchen events published", 10*time.Second, func() bool { return testkit.EventCount(t, s.rdb, s.streams.Kitchen) >= int64(4*len(ids)) })
	// Give a wrongly repeated event time to show up: the relay polls every
	// 100ms.
	time.Sleep(400 * time.Millisecond)
	if n := testkit.EventCount(t, s.rdb, s.streams.Kitchen); n != int64(4*len(ids)) {
		t.Errorf("kitchen stream holds %d events, want exactly 4 per order (%d)", n, 4*len(ids))
	}
	testkit.Eventually(t, "inventory saw every kitchen event", 10*time.Second, func() bool { return inventory.len() == 4*len(ids) })

	book := map[string][]events.Item{}
	for _, r := range storetest.Book {
		book[r.Name] = r.EventItems()
	}
	perOrder := inventory.byOrder()
	for _, id := range ids {
		var tk ticketView
		s.getJSON(t, "/api/v1/tickets/"+id, &tk)
		if tk.Stage != "delivered" || book[tk.Recipe] == nil || tk.FailureReason != "" {
			t.Errorf("ticket %+v, want delivered with a recipe of the book", tk)
		}
		want := []string{events.TypeRecipePicked, events.TypeIngredientsRequested, events.TypeCookingStarted, events.TypeDishDelivered}
		var got []string
		for _, e := range perOrder[id] {
			got = append(got, e.Type)
		}
		if !slices.Equal(got, want) {
			t.Errorf("order %s: kitchen events %v, want %v", id, got, want)
		}
		if req := perOrder[id]; len(req) > 1 {
			p, err := events.DecodePayload[events.IngredientsRequested](req[1])
			if err != nil || p.Recipe != tk.Recipe || !reflect.DeepEqual(p.Ingredients, book[tk.Recipe]) {
				t.Errorf("order %s of %s requested %+v (%v)", id, tk.Recipe, p, err)
			}
		}
	}

	var inProgress, delivered struct{ Tickets []ticketView }
	s.getJSON(t, "/api/v1/tickets", &inProgress)
	if len(inProgress.Tickets) != 0 {
		t.Errorf("%d tickets still in progress", len(inProgress.Tickets))
	}
	s.getJSON(t, "/api/v1/tickets?status=delivered&limit=5", &delivered)
	if len(delivered.Tickets) != 5 {
		t.Fatalf("%d delivered tickets with limit 5", len(delivered.Tickets))
	}
	for i := 1; i < len(delivered.Tickets); i++ {
		if delivered.Tickets[i].CreatedAt.Before(delivered.Tickets[i-1].CreatedAt) {
			t.Errorf("delivered tickets are not oldest first: %+v", delivered.Tickets)
		}
	}
}

func unknownReservation(t *testing.T, s server) {
	ctx := context.Background()
	before := testkit.EventCount(t, s.rdb, s.streams.Kitchen)
	id := uuid.Must(uuid.NewV7()).String()
	e := events.MustNew("inventory-app", id, time.Now(), events.IngredientsReserved{Ingredients: []events.Item{{Ingredient: "cheese", Quantity: 2}}})
	if _, err := stream.NewPublisher(s.rdb, stream.PublisherOptions{}).Publish(ctx, stream.Record{Stream: s.streams.Inventory, Event: e}); err != nil {
		t.Fatal(err)
	}
	dlq := stream.NewDeadLetterQueue(s.rdb, s.streams.DeadLetter, stream.PublisherOptions{})
	var dls []stream.DeadLetter
	testkit.Eventually(t, "reservation dead-lettered", 10*time.Second, func() bool {
		var err error
		dls, err = dlq.List(ctx, "", 10)
		return err == nil && len(dls) > 0
	})
	if dl := dls[0]; dl.OrderID != id || dl.Group != "kitchen" || dl.Type != events.TypeIngredientsReserved || !strings.Contains(dl.Reason, "not found") {
		t.Errorf("dead letter %+v", dl)
	}
	if status, _ := s.do(t, "GET", "/api/v1/tickets/"+id); status != 404 {
		t.Errorf("the dead letter opened a ticket")
	}
	if n := testkit.EventCount(t, s.rdb, s.streams.Kitchen); n != before {
		t.Errorf("the unknown reservation produced %d kitchen events", n-before)
	}
}

// inventory plays the warehouse: it reads the kitchen stream from the start
// and answers every ingredients-requested with a reservation, twice, as a
// redelivery would.
type inventory struct {
	mu   sync.Mutex
	seen []events.Envelope
}

func actAsInventory(t *testing.T, s server) *inventory {
	inv := &inventory{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	pub := stream.NewPublisher(s.rdb, stream.PublisherOptions{})
	go func() {
		defer close(done)
		_ = stream.Tail(ctx, s.rdb, []string{s.streams.Kitchen}, stream.TailOptions{From: map[string]string{s.streams.Kitchen: "0-0"}, Poll: 10 * time.Millisecond},
			func(msgs []stream.Message) error {
				for _, m := range msgs {
					inv.mu.Lock()
					inv.seen = append(inv.seen, m.Event)
					inv.mu.Unlock()
					p, err := events.DecodePayload[events.IngredientsRequested](m.Event)
					if err != nil {
						continue // another kitchen event
					}
					r := events.MustNew("inventory-app", m.Event.OrderID, time.Now(), events.IngredientsReserved{Ingredients: p.Ingredients})
					for range 2 {
						if _, err := pub.Publish(ctx, stream.Record{Stream: s.streams.Inventory, Event: r}); err != nil {
							return err
						}
					}
				}
				return nil
			})
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return inv
}

func (inv *inventory) len() int {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return len(inv.seen)
}

func (inv *inventory) byOrder() map[string][]events.Envelope {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	out := map[string][]events.Envelope{}
	for _, e := range inv.seen {
		out[e.OrderID] = append(out[e.OrderID], e)
	}
	return out
}

func (s server) do(t *testing.T, method, path string) (int, []byte) {
	t.Helper()
	return testkit.Do(t, method, s.base+path, "", nil)
}

func (s server) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	testkit.GetJSON(t, s.base+path, v)
}
