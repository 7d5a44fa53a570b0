package consumer_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/kitchen-app/internal/consumer"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen/storetest"
	"github.com/comanda-dev/comanda/kitchen-app/internal/postgres"
	"github.com/comanda-dev/comanda/kitchen-app/internal/sqlite"
)

var backends = map[string]func(t *testing.T) kitchen.Store{
	"postgres": func(t *testing.T) kitchen.Store {
		url, schema := testkit.PostgresSchema(t)
		s, err := postgres.Open(context.Background(), url, schema, 16, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	},
	"sqlite": func(t *testing.T) kitchen.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "kitchen.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	},
}

// kit is one kitchen under test: its store, and the two handlers the app
// gives its consumers.
type kit struct {
	store  kitchen.Store
	svc    *kitchen.Service
	orders stream.Handler
	cook   stream.Handler
}

func newKit(t *testing.T, store kitchen.Store, seed uint64, cookTime time.Duration) kit {
	t.Helper()
	svc, err := kitchen.NewService(context.Background(), store, kitchen.Options{Random: kitchen.RandomSource(seed), CookTime: cookTime})
	if err != nil {
		t.Fatal(err)
	}
	return kit{store: store, svc: svc, orders: consumer.Orders(svc), cook: consumer.Cook(svc)}
}

func forEachBackend(t *testing.T, test func(t *testing.T, newStore func(t *testing.T) kitchen.Store)) {
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, newStore)
		})
	}
}

func TestPlacedTwiceOpensOneTicket(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T) kitchen.Store) {
		k := newKit(t, newStore(t), 7, 0)
		id := newID()
		msg := placed(id)
		k.handle(t, k.orders, msg)
		first := k.ticket(t, id)
		if first.Stage != kitchen.WaitingIngredients {
			t.Errorf("new ticket is %s, want waiting_ingredients", first.Stage)
		}
		// Each redelivery would pick again (1 in 6 the same), so five of
		// them all keeping the first recipe is no accident.
		for range 5 {
			k.handle(t, k.orders, msg)
			if got := k.ticket(t, id); got.Recipe != first.Recipe || !got.UpdatedAt.Equal(first.UpdatedAt) {
				t.Fatalf("redelivery changed the ticket from %+v to %+v", first, got)
			}
		}
		k.handle(t, k.orders, msg, msg) // twice in one batch
		envs := outboxtest.Drain(t, k.store)
		if len(envs) != 2 || envs[0].Type != events.TypeRecipePicked || envs[1].Type != events.TypeIngredientsRequested {
			t.Fatalf("outbox holds %v, want exactly recipe-picked and ingredients-requested", types(envs))
		}
		req, err := events.DecodePayload[events.IngredientsRequested](envs[1])
		if err != nil {
			t.Fatal(err)
		}
		if req.Recipe != first.Recipe || !slices.Equal(req.Ingredients, bookRecipe(first.Recipe).EventItems()) {
			t.Errorf("requested %+v for a ticket of %s", req, first.Recipe)
		}
		for _, e := range envs {
			if e.OrderID != id || e.Source != "kitchen-app" {
				t.Errorf("event %s has order %q and source %q", e.Type, e.OrderID, e.Source)
			}
		}
	})
}

func TestReservedTwiceCooksOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T) kitchen.Store) {
		k := newKit(t, newStore(t), 7, time.Millisecond)
		id := newID()
		k.handle(t, k.orders, placed(id))
		outboxtest.Drain(t, k.store)
		msg := reserved(id)
		k.handle(t, k.cook, msg)
		k.handle(t, k.cook, msg)
		var wg sync.WaitGroup
		for range 4 { // and redelivered to several cooks at once
			wg.Go(func() {
				if err := k.cook(context.Background(), []stream.Message{msg}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		envs := outboxtest.Drain(t, k.store)
		if got := types(envs); !slices.Equal(got, []string{events.TypeCookingStarted, events.TypeDishDelivered}) {
			t.Errorf("outbox holds %v, want one cooking-started and one dish-delivered", got)
		}
		if got := k.ticket(t, id); got.Stage != kitchen.Delivered {
			t.Errorf("ticket is %s, want delivered", got.Stage)
		}
	})
}

func TestUnservableMessagesArePermanent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T) kitchen.Store) {
		k := newKit(t, newStore(t), 7, 0)
		for name, c := range map[string]struct {
			h   stream.Handler
			msg stream.Message
		}{
			"reservation for an unknown order": {k.cook, reserved(newID())},
			"reservation without an order id":  {k.cook, reserved("not-an-order")},
			"placed without an order id":       {k.orders, placed("not-an-order")},
		} {
			if err := c.h(context.Background(), []stream.Message{c.msg}); !errors.Is(err, stream.ErrPermanent) {
				t.Errorf("%s: got %v, want a permanent error", name, err)
			}
		}
		bad := placed(newID())
		bad.Event.Payload = []byte(`{"batchId":""}`)
		if err := k.orders(context.Background(), []stream.Message{bad}); !errors.Is(err, events.ErrMalformed) {
			t.Errorf("placed without a batch: got %v, want ErrMalformed", err)
		}
		if n := len(outboxtest.Drain(t, k.store)); n != 0 {
			t.Errorf("unservable messages stored %d events", n)
		}
	})
}

func TestDeadLetterFailsTicketUntilIngredientsArrive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T) kitchen.Store) {
		k := newKit(t, newStore(t), 7, 0)
		id := newID()
		k.handle(t, k.orders, placed(id))
		dl := deadLettered(id, "unknown ingredient \"saffron\"")
		k.handle(t, k.orders, dl)
		failed := k.ticket(t, id)
		if failed.Stage != kitchen.Failed || !strings.Contains(failed.FailureReason, "inventory could not handle kitchen.ingredients-requested: unknown ingredient") {
			t.Fatalf("after a dead letter: %+v", failed)
		}
		k.handle(t, k.orders, deadLettered(id, "another reason"))
		if again := k.ticket(t, id); again.FailureReason != failed.FailureReason || !again.UpdatedAt.Equal(failed.UpdatedAt) {
			t.Errorf("a second dead letter changed the failed ticket to %+v", again)
		}
		k.handle(t, k.orders, deadLettered(newID(), "an order the kitchen never took"), deadLettered("", "no order"))

		k.handle(t, k.cook, reserved(id))
		revived := k.ticket(t, id)
		if revived.Stage != kitchen.Delivered || revived.FailureReason != "" {
			t.Fatalf("a reservation after the failure left %+v, want delivered", revived)
		}
		k.handle(t, k.orders, dl)
		if got := k.ticket(t, id); got.Stage != kitchen.Delivered {
			t.Errorf("a dead letter after delivery moved the ticket to %s", got.Stage)
		}
		if got := types(outboxtest.Drain(t, k.store)); len(got) != 4 {
			t.Errorf("outbox holds %v, want picked, requested, started, delivered", got)
		}
	})
}

func TestInterruptedCookingResumes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T) kitchen.Store) {
		k := newKit(t, newStore(t), 7, 300*time.Millisecond)
		id := newID()
		k.handle(t, k.orders, placed(id))
		outboxtest.Drain(t, k.store)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		err := k.cook(ctx, []stream.Message{reserved(id)})
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, stream.ErrPermanent) {
			t.Fatalf("interrupted cooking: got %v, want a retryable deadline error", err)
		}
		if got := k.ticket(t, id); got.Stage != kitchen.Preparing {
			t.Errorf("interrupted ticket is %s, want preparing", got.Stage)
		}
		k.handle(t, k.cook, reserved(id)) // the redelivery
		if got := types(outboxtest.Drain(t, k.store)); !slices.Equal(got, []string{events.TypeCookingStarted, events.TypeDishDelivered}) {
			t.Errorf("outbox holds %v, want one cooking-started and one dish-delivered", got)
		}
	})
}

func TestRandomRecipesCoverTheBookRepeatably(t *testing.T) {
	ids := make([]string, 600)
	for i := range ids {
		ids[i] = newID()
	}
	pick := func(t *testing.T, newStore func(*testing.T) kitchen.Store, seed uint64) []string {
		k := newKit(t, newStore(t), seed, 0)
		for batch := range slices.Chunk(ids, 256) {
			msgs := make([]stream.Message, len(batch))
			for i, id := range batch {
				msgs[i] = placed(id)
			}
			k.handle(t, k.orders, msgs...)
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = k.ticket(t, id).Recipe
		}
		return out
	}
	forEachBackend(t, func(t *testing.T, newStore func(*testing.T) kitchen.Store) {
		first := pick(t, newStore, 42)
		counts := map[string]int{}
		for _, r := range first {
			counts[r]++
		}
		for _, r := range storetest.Book {
			// 100 expected; below 50 is beyond chance.
			if counts[r.Name] < 50 {
				t.Errorf("%s picked %d times of 600: %v", r.Name, counts[r.Name], counts)
			}
		}
		if len(counts) != len(storetest.Book) {
			t.Errorf("picked recipes outside the book: %v", counts)
		}
		if again := pick(t, newStore, 42); !slices.Equal(again, first) {
			t.Error("the same seed picked different recipes")
		}
		if other := pick(t, newStore, 43); slices.Equal(other, first) {
			t.Error("another seed picked the very same 600 recipes")
		}
	})
}

func (k kit) handle(t *testing.T, h stream.Handler, msgs ...stream.Message) {
	t.Helper()
	if err := h(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
}

func (k kit) ticket(t *testing.T, id string) kitchen.Ticket {
	t.Helper()
	tk, err := k.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("ticket of %s: %v", id, err)
	}
	return tk
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func message(e events.Envelope) stream.Message {
	return stream.Message{ID: "1-1", Stream: "test", Event: e, Deliveries: 1}
}

func placed(id string) stream.Message {
	now := time.Now()
	return message(events.MustNew("orders-app", id, now, events.OrderPlaced{BatchID: newID(), PlacedAt: now}))
}

func reserved(id string) stream.Message {
	return message(events.MustNew("inventory-app", id, time.Now(), events.IngredientsReserved{
		Ingredients: []events.Item{{Ingredient: "cheese", Quantity: 2}},
	}))
}

func deadLettered(id, reason string) stream.Message {
	return message(events.MustNew("inventory", id, time.Now(), events.DeadLettered{
		Stream: "test:kitchen", MessageID: "1-1", Group: "inventory", Type: events.TypeIngredientsRequested,
		Deliveries: 5, Reason: reason, Event: []byte(`{}`),
	}))
}

func bookRecipe(name string) kitchen.Recipe {
	for _, r := range storetest.Book {
		if r.Name == name {
			return r
		}
	}
	return kitchen.Recipe{}
}

func types(envs []events.Envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.Type
	}
	return out
}
