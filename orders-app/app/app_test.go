package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/orders-app/app"
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
	cfg.MaxQuantity = 10000
	cfg.ReclaimIdle = time.Second
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
	base := serve(t, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return server{base: base, rdb: rdb, streams: events.StreamNames(cfg.StreamPrefix)}
}

// serve runs orders-app on cfg until the test ends and returns its base URL.
func serve(t *testing.T, cfg app.Config, log *slog.Logger) string {
	t.Helper()
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
			t.Errorf("orders-app stopped with %v", err)
		}
	})
	return "http://" + a.Addr()
}

func TestAPI(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, b)
			t.Run("bad requests change nothing", func(t *testing.T) { badRequests(t, s) })
			t.Run("place, list, get and count", func(t *testing.T) { placeAndRead(t, s) })
			t.Run("status events move orders, once", func(t *testing.T) { statusEvents(t, s) })
			t.Run("dead letters fail orders and replay them", func(t *testing.T) { deadLetters(t, s) })
		})
	}
}

func badRequests(t *testing.T, s server) {
	huge := `{"quantity": 1, "pad": "` + strings.Repeat("x", 10<<20) + `"}`
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"not json", "POST", "/api/v1/orders", `quantity=3`, 400, "invalid_json"},
		{"empty body", "POST", "/api/v1/orders", ``, 400, "invalid_json"},
		{"quantity zero", "POST", "/api/v1/orders", `{"quantity":0}`, 422, "invalid_quantity"},
		{"quantity negative", "POST", "/api/v1/orders", `{"quantity":-1}`, 422, "invalid_quantity"},
		{"quantity absurd", "POST", "/api/v1/orders", `{"quantity":1000000000}`, 422, "invalid_quantity"},
		{"quantity over int", "POST", "/api/v1/orders", `{"quantity":1e40}`, 400, "invalid_json"},
		{"quantity as word", "POST", "/api/v1/orders", `{"quantity":"ten"}`, 400, "invalid_json"},
		{"quantity fractional", "POST", "/api/v1/orders", `{"quantity":2.5}`, 400, "invalid_json"},
		{"missing quantity", "POST", "/api/v1/orders", `{}`, 422, "invalid_quantity"},
		{"unknown field", "POST", "/api/v1/orders", `{"quantity":2,"dish":"pizza"}`, 400, "invalid_json"},
		{"two objects", "POST", "/api/v1/orders", `{"quantity":2}{"quantity":2}`, 400, "invalid_json"},
		{"array", "POST", "/api/v1/orders", `[{"quantity":2}]`, 400, "invalid_json"},
		{"10 MB body", "POST", "/api/v1/orders", huge, 413, "body_too_large"},
		{"unknown order", "GET", "/api/v1/orders/019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f", ``, 404, "order_not_found"},
		{"malformed order id", "GET", "/api/v1/orders/not-an-id", ``, 404, "order_not_found"},
		{"unknown status filter", "GET", "/api/v1/orders?status=eaten", ``, 422, "invalid_status"},
		{"limit not a number", "GET", "/api/v1/orders?limit=lots", ``, 400, "invalid_limit"},
		{"limit too big", "GET", "/api/v1/orders?limit=100000", ``, 422, "invalid_limit"},
		{"bad cursor", "GET", "/api/v1/orders?cursor=zzz", ``, 422, "invalid_cursor"},
		{"unknown dead letter", "POST", "/api/v1/dead-letters/1-1/replay", ``, 404, "dead_letter_not_found"},
		{"bad dead-letters cursor", "GET", "/api/v1/dead-letters?cursor=zzz", ``, 422, "invalid_cursor"},
		{"unknown route", "GET", "/api/v1/nothing", ``, 404, "not_found"},
	}
	for _, c := range cases {
		status, body := s.do(t, c.method, c.path, c.body)
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
	var stats struct{ Total int }
	s.getJSON(t, "/api/v1/orders/stats", &stats)
	if stats.Total != 0 {
		t.Errorf("bad requests stored %d orders", stats.Total)
	}
	if n := testkit.EventCount(t, s.rdb, s.streams.Orders); n != 0 {
		t.Errorf("bad requests published %d events", n)
	}
}

type placed struct {
	BatchID  string
	Quantity int
	OrderIDs []string
}

type orderView struct {
	ID, BatchID, Status, Recipe, FailureReason string
	PlacedAt                                   time.Time
	DeliveredAt                                *time.Time
	Timeline                                   []struct{ Status, Detail string }
}

func placeAndRead(t *testing.T, s server) {
	var p placed
	if status := s.postJSON(t, "/api/v1/orders", `{"quantity": 7}`, &p); status != 202 {
		t.Fatalf("place: %d", status)
	}
	if p.Quantity != 7 || len(p.OrderIDs) != 7 || p.BatchID == "" {
		t.Fatalf("place answered %+v", p)
	}
	var o orderView
	s.getJSON(t, "/api/v1/orders/"+p.OrderIDs[3], &o)
	if o.ID != p.OrderIDs[3] || o.Status != "placed" || o.BatchID != p.BatchID || len(o.Timeline) != 1 {
		t.Errorf("get: %+v", o)
	}
	var ids []string
	cursor := ""
	for {
		var page struct {
			Orders     []orderView
			NextCursor string
		}
		s.getJSON(t, "/api/v1/orders?limit=3&batch="+p.BatchID+"&cursor="+cursor, &page)
		for _, o := range page.Orders {
			ids = append(ids, o.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(ids) != 7 || ids[0] != p.OrderIDs[6] || ids[6] != p.OrderIDs[0] {
		t.Errorf("paged history %v is not the batch newest first", ids)
	}
	testkit.Eventually(t, "placed orders published", 10*time.Second, func() bool { return testkit.EventCount(t, s.rdb, s.streams.Orders) >= 7 })
}

func statusEvents(t *testing.T, s server) {
	var p placed
	s.postJSON(t, "/api/v1/orders", `{"quantity": 1}`, &p)
	id := p.OrderIDs[0]
	pub := stream.NewPublisher(s.rdb, stream.PublisherOptions{})
	now := time.Now()
	evs := []events.Envelope{
		events.MustNew("kitchen-app", id, now, events.RecipePicked{Recipe: "pizza", Ingredients: []events.Item{{Ingredient: "cheese", Quantity: 2}}}),
		events.MustNew("kitchen-app", id, now.Add(time.Millisecond), events.CookingStarted{Recipe: "pizza"}),
		events.MustNew("kitchen-app", id, now.Add(2*time.Millisecond), events.DishDelivered{Recipe: "pizza"}),
	}
	for range 2 { // every event delivered twice
		for _, e := range evs {
			if _, err := pub.Publish(context.Background(), stream.Record{Stream: s.streams.Kitchen, Event: e}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var o orderView
	testkit.Eventually(t, "order delivered", 10*time.Second, func() bool {
		s.getJSON(t, "/api/v1/orders/"+id, &o)
		return o.Status == "delivered"
	})
	testkit.Eventually(t, "group caught up", 10*time.Second, func() bool {
		p, err := s.rdb.XPending(context.Background(), s.streams.Kitchen, "orders").Result()
		return err == nil && p.Count == 0
	})
	s.getJSON(t, "/api/v1/orders/"+id, &o)
	if o.Recipe != "pizza" || o.DeliveredAt == nil || len(o.Timeline) != 4 {
		t.Errorf("after duplicated events: %+v", o)
	}
}

func deadLetters(t *testing.T, s server) {
	var p placed
	s.postJSON(t, "/api/v1/orders", `{"quantity": 1}`, &p)
	id := p.OrderIDs[0]
	original := events.MustNew("kitchen-app", id, time.Now(), events.IngredientsRequested{Recipe: "salad", Ingredients: []events.Item{{Ingredient: "saffron", Quantity: 1}}})
	dl := events.MustNew("inventory", id, time.Now(), events.DeadLettered{
		Stream: s.streams.Kitchen, MessageID: "1-1", Group: "inventory", Type: original.Type,
		Deliveries: 1, Reason: "unknown ingredient \"saffron\"", Event: original.Encode(),
	})
	if _, err := stream.NewPublisher(s.rdb, stream.PublisherOptions{}).Publish(context.Background(), stream.Record{Stream: s.streams.DeadLetter, Event: dl}); err != nil {
		t.Fatal(err)
	}
	var o orderView
	testkit.Eventually(t, "order failed", 10*time.Second, func() bool {
		s.getJSON(t, "/api/v1/orders/"+id, &o)
		return o.Status == "failed"
	})
	if !strings.Contains(o.FailureReason, "saffron") {
		t.Errorf("failure reason %q", o.FailureReason)
	}
	var list struct {
		DeadLetters []struct{ ID, OrderID, Reason string }
	}
	s.getJSON(t, "/api/v1/dead-letters", &list)
	if len(list.DeadLetters) != 1 || list.DeadLetters[0].OrderID != id {
		t.Fatalf("dead letters: %+v", list)
	}
	kitchenLen := testkit.EventCount(t, s.rdb, s.streams.Kitchen)
	if status, body := s.do(t, "POST", "/api/v1/dead-letters/"+list.DeadLetters[0].ID+"/replay", ""); status != 202 {
		t.Fatalf("replay: %d %s", status, body)
	}
	o = orderView{}
	s.getJSON(t, "/api/v1/orders/"+id, &o)
	// orders-app itself reads the replayed kitchen event, so the order may
	// already have moved on to waiting_ingredients.
	if o.Status == "failed" || o.FailureReason != "" {
		t.Errorf("after replay the order is %s (%s), want it reopened", o.Status, o.FailureReason)
	}
	if n := testkit.EventCount(t, s.rdb, s.streams.Kitchen); n != kitchenLen+1 {
		t.Errorf("replay put %d messages back, want 1", n-kitchenLen)
	}
	s.getJSON(t, "/api/v1/dead-letters", &list)
	if len(list.DeadLetters) != 0 {
		t.Errorf("replayed dead letter still listed")
	}
}

func (s server) do(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	return testkit.Do(t, method, s.base+path, body, nil)
}

func (s server) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	testkit.GetJSON(t, s.base+path, v)
}

func (s server) postJSON(t *testing.T, path, body string, v any) int {
	t.Helper()
	status, b := s.do(t, "POST", path, body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("POST %s: %v: %s", path, err, b)
	}
	return status
}

func TestEveryCallNeedsALiveSession(t *testing.T) {
	keys := testkit.NewKeys(t)
	var rdb *redis.Client
	var prefix string
	b := backend{"sqlite+miniredis", func(t *testing.T) (app.Config, *redis.Client) {
		cfg, r := backends[1].start(t)
		cfg.AuthPublicKeys = keys.Public
		rdb, prefix = r, cfg.StreamPrefix
		return cfg, r
	}}
	s := start(t, b)
	call := func(method, path, body, token string) int {
		t.Helper()
		var header http.Header
		if token != "" {
			header = http.Header{"Authorization": {"Bearer " + token}}
		}
		status, _ := testkit.Do(t, method, s.base+path, body, header)
		return status
	}
	if status, body := s.do(t, "POST", "/api/v1/orders", `{"quantity":1}`); status != 401 || !strings.Contains(string(body), `"unauthorized"`) {
		t.Errorf("write without a token: %d %s", status, body)
	}
	for _, path := range []string{"/api/v1/orders/stats", "/api/v1/orders", "/api/v1/dead-letters"} {
		if status := call("GET", path, "", ""); status != 401 {
			t.Errorf("read %s without a token: %d, want 401", path, status)
		}
	}
	for _, path := range []string{"/health", "/ready", "/metrics"} {
		if status := call("GET", path, "", ""); status != 200 {
			t.Errorf("%s without a token: %d, want 200 (probes and scrapers)", path, status)
		}
	}
	unopened, _ := keys.Signed(t, time.Minute)
	other, _ := testkit.NewKeys(t).Token(t, rdb, prefix, time.Minute)
	for name, token := range map[string]string{"a session never opened": unopened, "another key's token": other} {
		if status := call("GET", "/api/v1/orders/stats", "", token); status != 401 {
			t.Errorf("%s: %d, want 401", name, status)
		}
	}
	token, sess := keys.Token(t, rdb, prefix, time.Minute)
	if status := call("POST", "/api/v1/orders", `{"quantity":1}`, token); status != 202 {
		t.Errorf("write with a live session: %d", status)
	}
	if status := call("GET", "/api/v1/orders/stats", "", token); status != 200 {
		t.Errorf("read with a live session: %d", status)
	}
	if err := auth.NewRegistry(rdb, prefix).End(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "the ended session refused", 10*time.Second, func() bool { return call("GET", "/api/v1/orders/stats", "", token) == 401 })
}
