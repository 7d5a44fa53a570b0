package storetest

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

var ctx = context.Background()

func now() time.Time { return clock.Now() }

func seeded(t *testing.T, newStore func(t *testing.T) warehouse.Store, initial int) warehouse.Store {
	t.Helper()
	s := newStore(t)
	if err := s.Seed(ctx, warehouse.Ingredients(), initial); err != nil {
		t.Fatal(err)
	}
	return s
}

// request builds a request of two ingredients: the recipe's first two, in
// the quantities given.
func request(recipe string, q1, q2 int) warehouse.Request {
	pairs := map[string][2]string{
		"pizza": {"tomato", "cheese"}, "salad": {"lettuce", "lemon"},
		"burger": {"meat", "ketchup"}, "french fries": {"potato", "ketchup"},
	}[recipe]
	return warehouse.Request{
		OrderID: uuid.Must(uuid.NewV7()).String(), Recipe: recipe, At: now(),
		Items: []warehouse.Item{{Ingredient: pairs[0], Quantity: q1}, {Ingredient: pairs[1], Quantity: q2}},
	}
}

func randomRequest(rng *rand.Rand) warehouse.Request {
	ings := warehouse.Ingredients()
	var items []warehouse.Item
	for _, i := range rng.Perm(len(ings))[:1+rng.IntN(3)] {
		items = append(items, warehouse.Item{Ingredient: ings[i], Quantity: 1 + rng.IntN(3)})
	}
	// Tomato in every order makes the batches compete for it.
	if !slices.ContainsFunc(items, func(it warehouse.Item) bool { return it.Ingredient == "tomato" }) {
		items = append(items, warehouse.Item{Ingredient: "tomato", Quantity: 1})
	}
	return warehouse.Request{OrderID: uuid.Must(uuid.NewV7()).String(), Recipe: "random", Items: items, At: now()}
}

func enqueue(t *testing.T, s warehouse.Store, reqs ...warehouse.Request) []warehouse.Reservation {
	t.Helper()
	created, err := s.Enqueue(ctx, 0, reqs)
	if err != nil {
		t.Fatal(err)
	}
	return created
}

func announce(reserved []warehouse.Reservation, after []warehouse.Level) ([]events.Envelope, error) {
	onHand := map[string]int{}
	for _, l := range after {
		onHand[l.Ingredient] = l.OnHand()
	}
	var envs []events.Envelope
	for _, r := range reserved {
		var items []events.Item
		var levels []events.StockLevel
		for _, it := range r.Items {
			items = append(items, events.Item{Ingredient: it.Ingredient, Quantity: it.Quantity})
			levels = append(levels, events.StockLevel{Ingredient: it.Ingredient, OnHand: onHand[it.Ingredient]})
		}
		envs = append(envs, events.MustNew("test", r.OrderID, now(), events.IngredientsReserved{Ingredients: items, Stock: levels}))
	}
	return envs, nil
}

func note(orderID string) warehouse.ShortNote {
	return warehouse.ShortNote{OrderID: orderID, Event: events.MustNew("test", orderID, now(), events.IngredientsShort{Missing: []events.Item{{Ingredient: "tomato", Quantity: 1}}})}
}

func purchase(ing string, q int, orderIDs ...string) warehouse.Purchase {
	time.Sleep(time.Millisecond) // distinct times, as in real use
	if orderIDs == nil {
		orderIDs = []string{}
	}
	return warehouse.Purchase{ID: uuid.Must(uuid.NewV7()).String(), Ingredient: ing, Quantity: q, OrderIDs: orderIDs, At: now()}
}

// announcePurchase announces each purchase as the warehouse does.
func announcePurchase(p warehouse.Purchase, after warehouse.Level) (events.Envelope, error) {
	first := ""
	if len(p.OrderIDs) > 0 {
		first = p.OrderIDs[0]
	}
	return events.New("test", first, p.At, events.MarketBought{
		PurchaseID: p.ID, Ingredient: p.Ingredient, Quantity: p.Quantity, OrderIDs: p.OrderIDs, OnHand: after.OnHand(),
	})
}

// record records purchases in one call.
func record(s warehouse.Store, tok warehouse.Token, ps ...warehouse.Purchase) error {
	return s.RecordPurchases(ctx, tok, ps, announcePurchase)
}

func stock(t *testing.T, s warehouse.Store) []warehouse.Level {
	t.Helper()
	levels, err := s.Stock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) != warehouse.NumIngredients {
		t.Fatalf("stock lists %d ingredients", len(levels))
	}
	return levels
}

func level(t *testing.T, s warehouse.Store, ing string) warehouse.Level {
	t.Helper()
	for _, l := range stock(t, s) {
		if l.Ingredient == ing {
			return l
		}
	}
	t.Fatalf("no stock of %s", ing)
	return warehouse.Level{}
}

// balanced checks the books: nothing negative, and on hand is what came in
// minus what went out.
func balanced(t *testing.T, s warehouse.Store) {
	t.Helper()
	for _, l := range stock(t, s) {
		if l.Initial < 0 || l.Bought < 0 || l.Consumed < 0 || l.OnHand() < 0 || l.OnHand() != l.Initial+l.Bought-l.Consumed {
			t.Errorf("books of %s do not balance: %+v", l.Ingredient, l)
		}
	}
}

// consumedMatches checks that consumed is exactly the needs of the reserved
// orders among ids (every order the test enqueued).
func consumedMatches(t *testing.T, s warehouse.Store, ids []string) {
	t.Helper()
	want := map[string]int{}
	for _, id := range ids {
		r, err := s.Reservation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != warehouse.Reserved {
			continue
		}
		for _, it := range r.Items {
			want[it.Ingredient] += it.Quantity
		}
	}
	for _, l := range stock(t, s) {
		if l.Consumed != want[l.Ingredient] {
			t.Errorf("%s consumed %d, reserved orders need %d", l.Ingredient, l.Consumed, want[l.Ingredient])
		}
	}
}

// relayed is s's outbox as a relay that took no lease sees it: it
// publishes under token 0, which no lease has fenced yet.
func relayed(s warehouse.Store) outbox.Store { return unfencedOutbox{s} }

type unfencedOutbox struct{ s warehouse.Store }

func (o unfencedOutbox) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	return o.s.PublishPending(ctx, 0, limit, publish)
}

func (o unfencedOutbox) OutboxLen(ctx context.Context) (int, error) { return o.s.OutboxLen(ctx) }

func listAll(t *testing.T, s warehouse.Store, ing string, limit int) []string {
	t.Helper()
	var ids []string
	after := ""
	for {
		page, err := s.Purchases(ctx, warehouse.PurchaseQuery{Ingredient: ing, After: after, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			ids = append(ids, p.ID)
		}
		if len(page) < limit {
			return ids
		}
		after = page[len(page)-1].ID
	}
}
