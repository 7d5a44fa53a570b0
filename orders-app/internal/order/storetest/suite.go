// Package storetest is the contract every order.Store adapter passes: one
// suite, run against PostgreSQL and SQLite.
package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// Run runs the contract against stores made by newStore (a fresh, empty store
// per call).
func Run(t *testing.T, newStore func(t *testing.T) order.Store) {
	ctx := context.Background()

	t.Run("place and get", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		orders, steps, envs := batch(3)
		mustPlace(t, s, orders, steps, envs)
		got, err := s.Get(ctx, orders[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		want := orders[1]
		if got.ID != want.ID || got.BatchID != want.BatchID || got.Progress != order.Placed || !got.PlacedAt.Equal(want.PlacedAt) || got.Status() != order.Placed {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if len(got.Timeline) != 1 || got.Timeline[0].Status != order.Placed || got.Timeline[0].EventID != steps[1].EventID {
			t.Errorf("timeline %+v", got.Timeline)
		}
	})

	t.Run("get unknown order", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if _, err := s.Get(ctx, uuid.Must(uuid.NewV7()).String()); !errors.Is(err, order.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})

	t.Run("place is all or nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		orders, steps, envs := batch(3)
		mustPlace(t, s, orders[:1], steps[:1], envs[:1])
		// The second placement repeats an id: nothing of it may remain.
		if err := s.Place(ctx, order.Placement{Orders: orders, Steps: steps, Outbox: envs}); err == nil {
			t.Fatal("placing a duplicate id succeeded")
		}
		counts, err := s.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[order.Placed] != 1 {
			t.Errorf("%d orders stored, want 1", counts[order.Placed])
		}
		if n := len(outboxtest.Drain(t, s)); n != 1 {
			t.Errorf("%d events in outbox, want 1", n)
		}
	})

	t.Run("list newest first with pages and filters", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a, sa, ea := batch(5)
		b, sb, eb := batch(4)
		mustPlace(t, s, a, sa, ea)
		mustPlace(t, s, b, sb, eb)
		var all []string
		after := ""
		for {
			page, err := s.List(ctx, order.Query{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page {
				all = append(all, o.ID)
			}
			if len(page) < 3 {
				break
			}
			after = page[len(page)-1].ID
		}
		var want []string
		for _, o := range slices.Concat(a, b) {
			want = append(want, o.ID)
		}
		slices.Reverse(want)
		if !slices.Equal(all, want) {
			t.Errorf("pages gave %v, want newest first %v", all, want)
		}
		byBatch, err := s.List(ctx, order.Query{BatchID: a[0].BatchID, Limit: 100})
		if err != nil || len(byBatch) != 5 {
			t.Errorf("batch filter: %d orders, %v", len(byBatch), err)
		}
		apply(t, s, change(b[0].ID, order.Queued, "pizza"))
		queued, err := s.List(ctx, order.Query{Status: order.Queued, Limit: 100})
		if err != nil || len(queued) != 1 || queued[0].ID != b[0].ID || queued[0].Recipe != "pizza" {
			t.Errorf("status filter: %+v, %v", queued, err)
		}
	})

	t.Run("update moves forward only and records each event once", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		orders, steps, envs := batch(1)
		mustPlace(t, s, orders, steps, envs)
		id := orders[0].ID
		delivered := change(id, order.Delivered, "salad")
		apply(t, s, change(id, order.Queued, "salad"), delivered)
		apply(t, s, delivered)                            // repeated
		apply(t, s, change(id, order.Preparing, "salad")) // late
		apply(t, s, failed(id, "too late to fail"))       // after delivery
		got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status() != order.Delivered || got.Recipe != "salad" || got.DeliveredAt.IsZero() || got.FailureReason != "" {
			t.Errorf("got %+v", got)
		}
		var seen []order.Status
		for _, st := range got.Timeline {
			seen = append(seen, st.Status)
		}
		// The late preparing and the refused failure are still history.
		if len(seen) != 5 || seen[0] != order.Placed {
			t.Errorf("timeline %v, want placed + 4 distinct events", seen)
		}
		counts, _ := s.Counts(ctx)
		if counts[order.Delivered] != 1 || counts[order.Placed] != 0 {
			t.Errorf("counts %v", counts)
		}
	})

	t.Run("failure and reopen", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		orders, steps, envs := batch(1)
		mustPlace(t, s, orders, steps, envs)
		id := orders[0].ID
		apply(t, s, change(id, order.Queued, "pizza"), failed(id, "unknown ingredient \"saffron\""))
		got, _ := s.Get(ctx, id)
		if got.Status() != order.Failed || got.FailureReason != "unknown ingredient \"saffron\"" {
			t.Fatalf("got %+v", got)
		}
		counts, _ := s.Counts(ctx)
		if counts[order.Failed] != 1 {
			t.Errorf("counts %v", counts)
		}
		err := s.Update(ctx, []string{id}, func(m map[string]*order.Order) ([]order.Step, error) {
			m[id].Reopen(clock.Now(), "")
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = s.Get(ctx, id)
		if got.Status() != order.Queued {
			t.Errorf("after reopen: %s", got.Status())
		}
	})

	t.Run("update with an error stores nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		orders, steps, envs := batch(1)
		mustPlace(t, s, orders, steps, envs)
		id := orders[0].ID
		boom := errors.New("boom")
		err := s.Update(ctx, []string{id, uuid.Must(uuid.NewV7()).String()}, func(m map[string]*order.Order) ([]order.Step, error) {
			if len(m) != 1 {
				t.Errorf("unknown ids must be absent from the map, got %d entries", len(m))
			}
			m[id].Apply(change(id, order.Preparing, "pizza"))
			return []order.Step{{EventID: uuid.Must(uuid.NewV7()).String(), OrderID: id, Status: order.Preparing, At: clock.Now()}}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		got, _ := s.Get(ctx, id)
		if got.Progress != order.Placed || len(got.Timeline) != 1 {
			t.Errorf("a failed update left %+v", got)
		}
	})

	t.Run("concurrent updates of one order lose nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		orders, steps, envs := batch(1)
		mustPlace(t, s, orders, steps, envs)
		id := orders[0].ID
		statuses := []order.Status{order.Queued, order.WaitingIngredients, order.Preparing, order.Delivered}
		var wg sync.WaitGroup
		for range 4 { // every status from four racing consumers
			for _, st := range statuses {
				wg.Go(func() {
					c := change(id, st, "burger")
					c.EventID = uuid.NewSHA1(uuid.NameSpaceOID, []byte(id+string(st))).String() // the same event, delivered four times
					if err := s.Update(ctx, []string{id}, func(m map[string]*order.Order) ([]order.Step, error) {
						m[id].Apply(c)
						return []order.Step{{EventID: c.EventID, OrderID: id, Status: st, At: c.At}}, nil
					}); err != nil {
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
		got, _ := s.Get(ctx, id)
		if got.Status() != order.Delivered || len(got.Timeline) != 5 {
			t.Errorf("status %s with %d steps, want delivered with 5", got.Status(), len(got.Timeline))
		}
	})

	keys(t, newStore)
	failures(t, newStore)

	outboxtest.Run(t, func(t *testing.T) outboxtest.Outbox {
		s := newStore(t)
		return outboxtest.Outbox{Store: s, Emit: func(t *testing.T, n int) []events.Envelope {
			orders, steps, envs := batch(n)
			mustPlace(t, s, orders, steps, envs)
			return envs
		}}
	})
}

func batch(n int) ([]order.Order, []order.Step, []events.Envelope) {
	batchID := uuid.Must(uuid.NewV7()).String()
	at := clock.Now()
	var orders []order.Order
	var steps []order.Step
	var envs []events.Envelope
	for range n {
		id := uuid.Must(uuid.NewV7()).String()
		env := events.MustNew(order.Source, id, at, events.OrderPlaced{BatchID: batchID, PlacedAt: at})
		orders = append(orders, order.Order{ID: id, BatchID: batchID, Progress: order.Placed, PlacedAt: at, UpdatedAt: at})
		steps = append(steps, order.Step{EventID: env.ID, OrderID: id, Status: order.Placed, At: at})
		envs = append(envs, env)
	}
	return orders, steps, envs
}

func mustPlace(t *testing.T, s order.Store, orders []order.Order, steps []order.Step, envs []events.Envelope) {
	t.Helper()
	if err := s.Place(context.Background(), order.Placement{Orders: orders, Steps: steps, Outbox: envs}); err != nil {
		t.Fatal(err)
	}
}

func change(id string, st order.Status, recipe string) order.Change {
	time.Sleep(time.Microsecond) // distinct times keep the timeline order stable
	return order.Change{EventID: uuid.Must(uuid.NewV7()).String(), OrderID: id, Status: st, At: clock.Now(), Recipe: recipe}
}

func failed(id, reason string) order.Change {
	c := change(id, order.Failed, "")
	c.Reason = reason
	return c
}

// apply runs changes through the domain rule, as the service does.
func apply(t *testing.T, s order.Store, changes ...order.Change) {
	t.Helper()
	svc := order.NewService(s, 10, nil, nil)
	if err := svc.Apply(context.Background(), changes); err != nil {
		t.Fatal(err)
	}
}
