// Package storetest is the contract every warehouse.Store adapter passes:
// one suite, run against SQLite always and MongoDB when MONGO_URL is set.
package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Run runs the contract against stores made by newStore (a fresh, empty store
// per call).
func Run(t *testing.T, newStore func(t *testing.T) warehouse.Store) {
	runLease(t, newStore)
	t.Run("seed is idempotent", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		if err := s.Seed(ctx, warehouse.Ingredients(), 9); err != nil {
			t.Fatal(err)
		}
		levels := stock(t, s)
		var names []string
		for _, l := range levels {
			names = append(names, l.Ingredient)
			if l.Initial != 5 || l.Bought != 0 || l.Consumed != 0 || l.OnHand() != 5 {
				t.Errorf("after a second seed: %+v, want the first seed's 5", l)
			}
		}
		if !slices.Equal(names, warehouse.Ingredients()) {
			t.Errorf("stock lists %v, want the catalogue in order", names)
		}
	})

	t.Run("enqueue is idempotent with increasing sequence", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		a, b, c := request("pizza", 2, 3), request("salad", 1, 1), request("burger", 1, 1)
		created := enqueue(t, s, a, b, c, a) // a twice in one batch
		if len(created) != 3 || created[0].OrderID != a.OrderID || created[1].OrderID != b.OrderID || created[2].OrderID != c.OrderID {
			t.Fatalf("created %+v, want a, b, c once each", created)
		}
		if !(created[0].Seq < created[1].Seq && created[1].Seq < created[2].Seq) {
			t.Errorf("sequence numbers %d, %d, %d do not increase", created[0].Seq, created[1].Seq, created[2].Seq)
		}
		d := request("french fries", 3, 1)
		again := enqueue(t, s, c, a, d, b)
		if len(again) != 1 || again[0].OrderID != d.OrderID || again[0].Seq <= created[2].Seq {
			t.Fatalf("redelivery created %+v, want only d after c", again)
		}
		waiting, err := s.Waiting(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range waiting {
			ids = append(ids, r.OrderID)
		}
		if !slices.Equal(ids, []string{a.OrderID, b.OrderID, c.OrderID, d.OrderID}) {
			t.Errorf("waiting %v, want a, b, c, d in sequence order", ids)
		}
		got, err := s.Reservation(ctx, a.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if got.OrderID != a.OrderID || got.Recipe != a.Recipe || got.Status != warehouse.Waiting || got.ShortNoted ||
			!slices.Equal(got.Items, a.Items) || !got.RequestedAt.Equal(a.At) || !got.ReservedAt.IsZero() || got.Seq != created[0].Seq {
			t.Errorf("reservation %+v, want %+v", got, a)
		}
		if _, err := s.Reservation(ctx, uuid.Must(uuid.NewV7()).String()); !errors.Is(err, warehouse.ErrNotFound) {
			t.Errorf("unknown order: %v, want ErrNotFound", err)
		}
	})

	t.Run("reserve is all or nothing", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		a, b := request("pizza", 3, 2), request("pizza", 3, 2) // tomato 3, cheese 2 each; 5 of each on hand
		enqueue(t, s, a, b)
		before := stock(t, s)
		_, err := s.Reserve(ctx, 0, []string{a.OrderID, b.OrderID}, now(), announce)
		if !errors.Is(err, warehouse.ErrInsufficientStock) {
			t.Fatalf("reserving 6 tomatoes out of 5: %v, want ErrInsufficientStock", err)
		}
		if after := stock(t, s); !slices.Equal(before, after) {
			t.Errorf("a refused batch changed stock: %+v -> %+v", before, after)
		}
		for _, r := range []warehouse.Request{a, b} {
			if got, _ := s.Reservation(ctx, r.OrderID); got.Status != warehouse.Waiting {
				t.Errorf("a refused batch reserved %s", r.OrderID)
			}
		}
		if envs := outboxtest.Drain(t, relayed(s)); len(envs) != 0 {
			t.Errorf("a refused batch stored %d events", len(envs))
		}

		at := now()
		reserved, err := s.Reserve(ctx, 0, []string{a.OrderID}, at, announce)
		if err != nil || len(reserved) != 1 || reserved[0].OrderID != a.OrderID || reserved[0].Status != warehouse.Reserved {
			t.Fatalf("reserving a alone: %+v, %v", reserved, err)
		}
		tomato := level(t, s, "tomato")
		if tomato.Consumed != 3 || tomato.OnHand() != 2 {
			t.Errorf("tomato after reserving 3: %+v", tomato)
		}
		got, _ := s.Reservation(ctx, a.OrderID)
		if got.Status != warehouse.Reserved || !got.ReservedAt.Equal(at) {
			t.Errorf("stored reservation %+v", got)
		}
		envs := outboxtest.Drain(t, relayed(s))
		if len(envs) != 1 || envs[0].OrderID != a.OrderID || envs[0].Type != events.TypeIngredientsReserved {
			t.Fatalf("events %+v, want one reserved event for a", envs)
		}
		p, err := events.DecodePayload[events.IngredientsReserved](envs[0])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(p.Stock, events.StockLevel{Ingredient: "tomato", OnHand: 2}) || !slices.Contains(p.Stock, events.StockLevel{Ingredient: "cheese", OnHand: 3}) {
			t.Errorf("event stock %+v, want the levels after the reservation", p.Stock)
		}
		balanced(t, s)
	})

	t.Run("repeated reserve of an order is a no-op", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		a, c := request("salad", 2, 1), request("burger", 1, 1)
		enqueue(t, s, a, c)
		if _, err := s.Reserve(ctx, 0, []string{a.OrderID}, now(), announce); err != nil {
			t.Fatal(err)
		}
		before := stock(t, s)
		again, err := s.Reserve(ctx, 0, []string{a.OrderID}, now(), announce)
		if err != nil || len(again) != 0 {
			t.Fatalf("second reserve: %+v, %v; want nothing reserved, no error", again, err)
		}
		if after := stock(t, s); !slices.Equal(before, after) {
			t.Errorf("second reserve changed stock: %+v -> %+v", before, after)
		}
		mixed, err := s.Reserve(ctx, 0, []string{a.OrderID, c.OrderID, uuid.Must(uuid.NewV7()).String()}, now(), announce)
		if err != nil || len(mixed) != 1 || mixed[0].OrderID != c.OrderID {
			t.Fatalf("reserve of a (done), c and an unknown order: %+v, %v; want c only", mixed, err)
		}
		if envs := outboxtest.Drain(t, relayed(s)); len(envs) != 2 {
			t.Errorf("%d reserved events, want one per order", len(envs))
		}
		consumedMatches(t, s, []string{a.OrderID, c.OrderID})
	})

	t.Run("racing reservations never overdraw and reserve each order once", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		rng := rand.New(rand.NewPCG(42, 1))
		var reqs []warehouse.Request
		var ids []string
		for range 16 {
			r := randomRequest(rng)
			reqs = append(reqs, r)
			ids = append(ids, r.OrderID)
		}
		enqueue(t, s, reqs...)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				grng := rand.New(rand.NewPCG(uint64(g), 7))
				for range 12 {
					// Overlapping batches of one to three orders.
					batch := make([]string, 1+grng.IntN(3))
					for i := range batch {
						batch[i] = ids[grng.IntN(len(ids))]
					}
					_, err := s.Reserve(ctx, 0, batch, now(), announce)
					if err != nil && !errors.Is(err, warehouse.ErrInsufficientStock) {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		for _, l := range stock(t, s) {
			if l.OnHand() < 0 {
				t.Errorf("%s went negative: %+v", l.Ingredient, l)
			}
		}
		perOrder := map[string]int{}
		for _, e := range outboxtest.Drain(t, relayed(s)) {
			perOrder[e.OrderID]++
		}
		reserved := 0
		for _, id := range ids {
			r, _ := s.Reservation(ctx, id)
			want := 0
			if r.Status == warehouse.Reserved {
				want = 1
				reserved++
			}
			if perOrder[id] != want {
				t.Errorf("order %s (%s) has %d reserved events", id, r.Status, perOrder[id])
			}
		}
		if reserved == 0 || reserved == len(ids) {
			t.Errorf("%d of %d orders reserved: the stock should cover only some", reserved, len(ids))
		}
		consumedMatches(t, s, ids)
		balanced(t, s)
	})

	t.Run("short orders are noted once", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		a, b := request("pizza", 3, 2), request("salad", 2, 1)
		enqueue(t, s, a, b)
		notes := []warehouse.ShortNote{note(a.OrderID), note(b.OrderID)}
		if n, err := s.NoteShort(ctx, 0, notes[:1]); err != nil || n != 1 {
			t.Fatalf("first note: %d, %v", n, err)
		}
		if n, err := s.NoteShort(ctx, 0, notes); err != nil || n != 1 {
			t.Fatalf("second note of a with b: %d, %v; want b only", n, err)
		}
		if _, err := s.Reserve(ctx, 0, []string{b.OrderID}, now(), announce); err != nil {
			t.Fatal(err)
		}
		c := request("burger", 1, 1)
		enqueue(t, s, c)
		if _, err := s.Reserve(ctx, 0, []string{c.OrderID}, now(), announce); err != nil {
			t.Fatal(err)
		}
		if n, err := s.NoteShort(ctx, 0, []warehouse.ShortNote{note(c.OrderID)}); err != nil || n != 0 {
			t.Errorf("noting a reserved order: %d, %v; want 0", n, err)
		}
		waiting, _ := s.Waiting(ctx)
		if len(waiting) != 1 || waiting[0].OrderID != a.OrderID || !waiting[0].ShortNoted {
			t.Errorf("waiting %+v, want a, noted", waiting)
		}
		var shorts int
		for _, e := range outboxtest.Drain(t, relayed(s)) {
			if e.Type == events.TypeIngredientsShort {
				shorts++
			}
		}
		if shorts != 2 {
			t.Errorf("%d short events, want one for a and one for b", shorts)
		}
	})

	t.Run("purchases are recorded once with the stock increment", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		p := purchase("rice", 4, "o-1", "o-2")
		if err := record(s, 0, p); err != nil {
			t.Fatal(err)
		}
		if after := level(t, s, "rice"); after.Bought != 4 || after.OnHand() != 9 {
			t.Errorf("level after purchase %+v", after)
		}
		// Recording it again (an earlier attempt committed, its answer was
		// lost) changes nothing, also within a batch of new ones.
		zero := purchase("rice", 0)
		if err := record(s, 0, p, zero); err != nil {
			t.Fatalf("recording again: %v", err)
		}
		if l := level(t, s, "rice"); l.Bought != 4 || l.OnHand() != 9 {
			t.Errorf("rice %+v, want bought 4 once", l)
		}
		envs := outboxtest.Drain(t, relayed(s))
		if len(envs) != 2 {
			t.Fatalf("%d events, want one per recorded purchase", len(envs))
		}
		// Many answers, of several ingredients, in one transaction.
		batch := []warehouse.Purchase{purchase("rice", 2), purchase("onion", 3), purchase("rice", 1)}
		if err := record(s, 0, batch...); err != nil {
			t.Fatal(err)
		}
		if r, o := level(t, s, "rice"), level(t, s, "onion"); r.Bought != 7 || o.Bought != 3 {
			t.Errorf("after a batch: rice bought %d, onion %d; want 7 and 3", r.Bought, o.Bought)
		}
		if got := outboxtest.Drain(t, relayed(s)); len(got) != 3 || got[0].Type != events.TypeMarketBought {
			t.Errorf("a batch of 3 purchases stored %d events", len(got))
		}
		mb, err := events.DecodePayload[events.MarketBought](envs[0])
		if err != nil || mb.PurchaseID != p.ID || mb.Quantity != 4 || mb.OnHand != 9 || !slices.Equal(mb.OrderIDs, p.OrderIDs) {
			t.Errorf("market-bought %+v, %v", mb, err)
		}
		balanced(t, s)
	})

	t.Run("purchases list newest first with cursor and filter", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		var all, tomatoes []string
		for i := range 7 {
			ing := []string{"tomato", "rice"}[i%2]
			p := purchase(ing, i, fmt.Sprintf("o-%d", i))
			if err := record(s, 0, p); err != nil {
				t.Fatal(err)
			}
			all = append(all, p.ID)
			if ing == "tomato" {
				tomatoes = append(tomatoes, p.ID)
			}
		}
		slices.Reverse(all)
		slices.Reverse(tomatoes)
		if got := listAll(t, s, "", 3); !slices.Equal(got, all) {
			t.Errorf("pages gave %v, want newest first %v", got, all)
		}
		if got := listAll(t, s, "tomato", 2); !slices.Equal(got, tomatoes) {
			t.Errorf("tomato pages gave %v, want %v", got, tomatoes)
		}
		page, err := s.Purchases(ctx, warehouse.PurchaseQuery{Limit: 1})
		if err != nil || len(page) != 1 {
			t.Fatal(page, err)
		}
		if got := page[0]; got.Ingredient != "tomato" || got.Quantity != 6 || !slices.Equal(got.OrderIDs, []string{"o-6"}) || got.At.IsZero() {
			t.Errorf("newest purchase %+v", got)
		}
	})

	outboxtest.Run(t, func(t *testing.T) outboxtest.Outbox {
		s := seeded(t, newStore, 100)
		// Every adapter publishes under a lease, one relay at a time.
		return outboxtest.Outbox{Store: relayed(s), OneAtATime: true, Emit: func(t *testing.T, n int) []events.Envelope {
			var envs []events.Envelope
			for i := range n {
				p := purchase("lemon", 1, fmt.Sprintf("o-%02d", i))
				var stored events.Envelope
				err := s.RecordPurchases(ctx, 0, []warehouse.Purchase{p}, func(p warehouse.Purchase, after warehouse.Level) (events.Envelope, error) {
					e, err := announcePurchase(p, after)
					stored = e
					return e, err
				})
				if err != nil {
					t.Fatal(err)
				}
				envs = append(envs, stored)
			}
			return envs
		}}
	})
}
