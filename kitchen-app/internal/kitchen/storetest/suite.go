// Package storetest is the contract every kitchen.Store adapter passes: one
// suite, run against PostgreSQL and SQLite.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

// Book is the recipe book every store starts with, as Recipes returns it.
var Book = []kitchen.Recipe{
	{Name: "burger", Ingredients: []kitchen.Item{{Ingredient: "cheese", Quantity: 1}, {Ingredient: "ketchup", Quantity: 1}, {Ingredient: "lettuce", Quantity: 1}, {Ingredient: "meat", Quantity: 1}}},
	{Name: "french fries", Ingredients: []kitchen.Item{{Ingredient: "ketchup", Quantity: 1}, {Ingredient: "potato", Quantity: 3}}},
	{Name: "pizza", Ingredients: []kitchen.Item{{Ingredient: "cheese", Quantity: 2}, {Ingredient: "tomato", Quantity: 3}}},
	{Name: "rice with chicken", Ingredients: []kitchen.Item{{Ingredient: "chicken", Quantity: 1}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "rice", Quantity: 2}}},
	{Name: "rice with meat", Ingredients: []kitchen.Item{{Ingredient: "meat", Quantity: 1}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "rice", Quantity: 2}}},
	{Name: "salad", Ingredients: []kitchen.Item{{Ingredient: "lemon", Quantity: 1}, {Ingredient: "lettuce", Quantity: 2}, {Ingredient: "onion", Quantity: 1}, {Ingredient: "tomato", Quantity: 2}}},
}

// Run runs the contract against stores made by newStore (a fresh store per
// call, holding the seeded recipe book and no tickets).
func Run(t *testing.T, newStore func(t *testing.T) kitchen.Store) {
	ctx := context.Background()

	t.Run("recipe book is seeded", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		got, err := s.Recipes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, Book) {
			t.Errorf("recipe book:\n got %+v\nwant %+v", got, Book)
		}
	})

	t.Run("create and get round-trip every field", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		in := tickets(2, "pizza")
		in[1].Stage, in[1].FailureReason = kitchen.Failed, "no cheese anywhere"
		mustCreate(t, s, in)
		for _, want := range in {
			got, err := s.Get(ctx, want.OrderID)
			if err != nil {
				t.Fatal(err)
			}
			if !sameTicket(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}
	})

	t.Run("create tickets once", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		first := tickets(3, "pizza")
		if created := mustCreate(t, s, first); !slices.Equal(ids(created), ids(first)) {
			t.Fatalf("first call created %v, want %v", ids(created), ids(first))
		}
		// The same orders again, with another recipe, and one new order.
		again := tickets(3, "salad")
		for i := range again {
			again[i].OrderID = first[i].OrderID
		}
		fresh := tickets(1, "burger")
		if created := mustCreate(t, s, append(again, fresh...)); !slices.Equal(ids(created), ids(fresh)) {
			t.Errorf("second call created %v, want only the new order %v", ids(created), ids(fresh))
		}
		if created := mustCreate(t, s, again); len(created) != 0 {
			t.Errorf("third call created %v, want nothing", ids(created))
		}
		got, err := s.Get(ctx, first[0].OrderID)
		if err != nil || got.Recipe != "pizza" {
			t.Errorf("a repeated create changed the recipe to %q (%v)", got.Recipe, err)
		}
		envs := outboxtest.Drain(t, s)
		want := slices.Concat(ids(first), ids(fresh))
		if len(envs) != 2*len(want) {
			t.Fatalf("%d events in outbox, want %d", len(envs), 2*len(want))
		}
		for i, id := range want {
			if envs[2*i].OrderID != id || envs[2*i].Type != events.TypeRecipePicked ||
				envs[2*i+1].OrderID != id || envs[2*i+1].Type != events.TypeIngredientsRequested {
				t.Errorf("events %d and %d are %s/%s and %s/%s, want picked then requested for %s", 2*i, 2*i+1,
					envs[2*i].OrderID, envs[2*i].Type, envs[2*i+1].OrderID, envs[2*i+1].Type, id)
			}
		}
	})

	t.Run("one create call with an order twice creates it once", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		in := tickets(2, "pizza")
		twin := in[0]
		twin.Recipe = "salad"
		created := mustCreate(t, s, append(in, twin))
		if !slices.Equal(ids(created), ids(in)) {
			t.Errorf("created %v, want %v", ids(created), ids(in))
		}
		if n := len(outboxtest.Drain(t, s)); n != 4 {
			t.Errorf("%d events in outbox, want 4", n)
		}
	})

	t.Run("racing creates of one order: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		recipes := []string{"pizza", "salad", "burger", "french fries"}
		for range 10 {
			id := uuid.Must(uuid.NewV7()).String()
			var wins atomic.Int32
			winner := make(chan string, len(recipes))
			var wg sync.WaitGroup
			for _, r := range recipes {
				wg.Go(func() {
					tk := tickets(1, r)
					tk[0].OrderID = id
					err := s.CreateTickets(ctx, tk, func(created []kitchen.Ticket) []events.Envelope {
						if len(created) > 0 {
							wins.Add(1)
							winner <- created[0].Recipe
						}
						return announce(created)
					})
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := wins.Load(); n != 1 {
				t.Fatalf("%d goroutines created the ticket of %s, want exactly 1", n, id)
			}
			got, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if w := <-winner; got.Recipe != w {
				t.Errorf("stored recipe %q, the winner picked %q", got.Recipe, w)
			}
		}
		if n := len(outboxtest.Drain(t, s)); n != 20 {
			t.Errorf("%d events in outbox, want 20 (one pair per order)", n)
		}
	})

	t.Run("get and update an unknown order", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := s.Get(ctx, id); !errors.Is(err, kitchen.ErrNotFound) {
			t.Errorf("get: got %v, want ErrNotFound", err)
		}
		err := s.Update(ctx, []string{id}, func(tickets map[string]*kitchen.Ticket) ([]events.Envelope, error) {
			if len(tickets) != 0 {
				t.Errorf("update handed %d tickets for an unknown order", len(tickets))
			}
			return nil, nil
		})
		if err != nil {
			t.Errorf("update of an unknown order: %v", err)
		}
	})

	t.Run("update stores the change and its events together", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		tk := tickets(1, "burger")
		id := tk[0].OrderID
		mustCreate(t, s, tk)
		outboxtest.Drain(t, s)

		boom := errors.New("boom")
		err := s.Update(ctx, []string{id}, func(tickets map[string]*kitchen.Ticket) ([]events.Envelope, error) {
			x := tickets[id]
			x.StartCooking(later())
			return []events.Envelope{started(*x)}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		if got, _ := s.Get(ctx, id); got.Stage != kitchen.WaitingIngredients {
			t.Errorf("a failed update left the ticket %s", got.Stage)
		}
		if n := len(outboxtest.Drain(t, s)); n != 0 {
			t.Errorf("a failed update stored %d events", n)
		}

		at := later()
		mustUpdate(t, s, id, func(x *kitchen.Ticket) []events.Envelope {
			x.StartCooking(at)
			return []events.Envelope{started(*x)}
		})
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := tk[0]
		want.Stage, want.Since, want.UpdatedAt = kitchen.Preparing, at, at
		if !sameTicket(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		envs := outboxtest.Drain(t, s)
		if len(envs) != 1 || envs[0].Type != events.TypeCookingStarted || envs[0].OrderID != id {
			t.Errorf("outbox holds %+v, want one cooking-started", envs)
		}

		mustUpdate(t, s, id, func(*kitchen.Ticket) []events.Envelope { return nil })
		if again, _ := s.Get(ctx, id); !sameTicket(again, got) {
			t.Errorf("an update without change altered the ticket: %+v", again)
		}
	})

	t.Run("one update moves many tickets, and only those it changed", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		tk := tickets(600, "pizza") // more than one statement's parameters
		mustCreate(t, s, tk)
		outboxtest.Drain(t, s)
		ids := make([]string, len(tk))
		for i, x := range tk {
			ids[i] = x.OrderID
		}
		unknown := uuid.Must(uuid.NewV7()).String()
		at := later()
		err := s.Update(ctx, append(ids, unknown), func(tickets map[string]*kitchen.Ticket) ([]events.Envelope, error) {
			if len(tickets) != len(ids) {
				t.Errorf("handed %d tickets for %d known orders", len(tickets), len(ids))
			}
			var envs []events.Envelope
			for i, id := range ids {
				if i%2 == 0 && tickets[id].StartCooking(at) {
					envs = append(envs, started(*tickets[id]))
				}
			}
			return envs, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			got, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]kitchen.Stage{true: kitchen.Preparing, false: kitchen.WaitingIngredients}[i%2 == 0]; got.Stage != want {
				t.Fatalf("ticket %d is %s, want %s", i, got.Stage, want)
			}
		}
		if n := len(outboxtest.Drain(t, s)); n != len(ids)/2 {
			t.Errorf("%d events stored, want %d", n, len(ids)/2)
		}
	})

	t.Run("racing updates of one ticket: it starts cooking once", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		tk := tickets(1, "salad")
		id := tk[0].OrderID
		mustCreate(t, s, tk)
		outboxtest.Drain(t, s)
		var moved atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				err := s.Update(ctx, []string{id}, func(tickets map[string]*kitchen.Ticket) ([]events.Envelope, error) {
					x := tickets[id]
					if !x.StartCooking(clock.Now()) {
						return nil, nil
					}
					moved.Add(1)
					return []events.Envelope{started(*x)}, nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := moved.Load(); n != 1 {
			t.Errorf("%d updates started cooking, want 1", n)
		}
		if n := len(outboxtest.Drain(t, s)); n != 1 {
			t.Errorf("%d events in outbox, want 1", n)
		}
	})

	t.Run("list by stage oldest first, and counts", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		tk := tickets(6, "pizza")
		// Created newest first, in separate calls: the order must come from
		// the creation times, not from the insertion order.
		for i := len(tk) - 1; i >= 0; i-- {
			mustCreate(t, s, tk[i:i+1])
		}
		at := later()
		mustUpdate(t, s, tk[1].OrderID, func(x *kitchen.Ticket) []events.Envelope { x.StartCooking(at); return nil })
		mustUpdate(t, s, tk[2].OrderID, func(x *kitchen.Ticket) []events.Envelope { x.Deliver(at); return nil })
		mustUpdate(t, s, tk[3].OrderID, func(x *kitchen.Ticket) []events.Envelope { x.Fail("no tomatoes", at); return nil })

		list := func(limit int, stages ...kitchen.Stage) []string {
			t.Helper()
			got, err := s.List(ctx, kitchen.Query{Stages: stages, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			return ids(got)
		}
		if got, want := list(100, kitchen.InProgress...), ids([]kitchen.Ticket{tk[0], tk[1], tk[4], tk[5]}); !slices.Equal(got, want) {
			t.Errorf("in progress: %v, want %v", got, want)
		}
		if got, want := list(2, kitchen.InProgress...), ids(tk[:2]); !slices.Equal(got, want) {
			t.Errorf("limit 2: %v, want %v", got, want)
		}
		failed, err := s.List(ctx, kitchen.Query{Stages: []kitchen.Stage{kitchen.Failed}, Limit: 10})
		if err != nil || len(failed) != 1 || failed[0].OrderID != tk[3].OrderID || failed[0].FailureReason != "no tomatoes" {
			t.Errorf("failed: %+v, %v", failed, err)
		}
		if got := list(10, kitchen.Delivered); len(got) != 1 {
			t.Errorf("delivered: %v, want one", got)
		}
		counts, err := s.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[kitchen.Stage]int{kitchen.WaitingIngredients: 3, kitchen.Preparing: 1, kitchen.Delivered: 1, kitchen.Failed: 1}
		if !maps(counts, want) {
			t.Errorf("counts %v, want %v", counts, want)
		}
	})

	outboxtest.Run(t, func(t *testing.T) outboxtest.Outbox {
		s := newStore(t)
		return outboxtest.Outbox{Store: s, Emit: func(t *testing.T, n int) []events.Envelope {
			if n%2 != 0 {
				t.Fatalf("a ticket stores its events in pairs: %d is odd", n)
			}
			_, envs := create(t, s, tickets(n/2, "french fries"))
			return envs
		}}
	})
}

var issued struct {
	sync.Mutex
	last time.Time
}

// later returns a store time after every one it returned before, so that
// creation order is unambiguous even on a coarse clock.
func later() time.Time {
	issued.Lock()
	defer issued.Unlock()
	t := clock.Now()
	if !t.After(issued.last) {
		t = issued.last.Add(time.Microsecond)
	}
	issued.last = t
	return t
}

// tickets returns n new tickets waiting for ingredients, created in order.
func tickets(n int, recipe string) []kitchen.Ticket {
	out := make([]kitchen.Ticket, n)
	for i := range out {
		at := later()
		out[i] = kitchen.Ticket{
			OrderID: uuid.Must(uuid.NewV7()).String(), Recipe: recipe, Stage: kitchen.WaitingIngredients,
			Since: at, CreatedAt: at, UpdatedAt: at,
		}
	}
	return out
}

func recipe(name string) kitchen.Recipe {
	for _, r := range Book {
		if r.Name == name {
			return r
		}
	}
	panic("no recipe " + name)
}

// announce is what the service stores for created tickets.
func announce(created []kitchen.Ticket) []events.Envelope {
	var envs []events.Envelope
	for _, t := range created {
		r := recipe(t.Recipe)
		envs = append(envs,
			events.MustNew(kitchen.Source, t.OrderID, t.CreatedAt, events.RecipePicked{Recipe: r.Name, Ingredients: r.EventItems()}),
			events.MustNew(kitchen.Source, t.OrderID, t.CreatedAt, events.IngredientsRequested{Recipe: r.Name, Ingredients: r.EventItems()}))
	}
	return envs
}

func started(t kitchen.Ticket) events.Envelope {
	return events.MustNew(kitchen.Source, t.OrderID, t.UpdatedAt, events.CookingStarted{Recipe: t.Recipe})
}

func mustCreate(t *testing.T, s kitchen.Store, in []kitchen.Ticket) []kitchen.Ticket {
	t.Helper()
	created, _ := create(t, s, in)
	return created
}

// create creates tickets as the service does and returns those created with
// the events stored for them.
func create(t *testing.T, s kitchen.Store, in []kitchen.Ticket) ([]kitchen.Ticket, []events.Envelope) {
	t.Helper()
	var created []kitchen.Ticket
	var envs []events.Envelope
	called := false
	err := s.CreateTickets(context.Background(), in, func(c []kitchen.Ticket) []events.Envelope {
		called, created, envs = true, c, announce(c)
		return envs
	})
	if err != nil {
		t.Fatal(err)
	}
	if !called {
		t.Fatal("CreateTickets did not call fn")
	}
	return created, envs
}

func mustUpdate(t *testing.T, s kitchen.Store, id string, fn func(*kitchen.Ticket) []events.Envelope) {
	t.Helper()
	err := s.Update(context.Background(), []string{id}, func(tickets map[string]*kitchen.Ticket) ([]events.Envelope, error) {
		return fn(tickets[id]), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ids(ts []kitchen.Ticket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.OrderID
	}
	return out
}

func sameTicket(a, b kitchen.Ticket) bool {
	return a.OrderID == b.OrderID && a.Recipe == b.Recipe && a.Stage == b.Stage && a.FailureReason == b.FailureReason &&
		a.Since.Equal(b.Since) && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		a.Since.Location() == time.UTC && a.CreatedAt.Location() == time.UTC
}

func maps(got, want map[kitchen.Stage]int) bool {
	for _, st := range kitchen.Stages {
		if got[st] != want[st] {
			return false
		}
	}
	return len(got) == len(want)
}
