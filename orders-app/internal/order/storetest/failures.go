package storetest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// failures is the contract of failed orders and their replays: what a store
// keeps of a failure lets a replayed message move the order on, and lets a
// reopen clear only the failure it replays.
func failures(t *testing.T, newStore func(t *testing.T) order.Store) {
	ctx := context.Background()

	one := func(t *testing.T) (order.Store, string) {
		s := newStore(t)
		orders, steps, envs := batch(1)
		mustPlace(t, s, orders, steps, envs)
		return s, orders[0].ID
	}
	get := func(t *testing.T, s order.Store, id string) order.Order {
		t.Helper()
		o, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	t.Run("a failed order moves on once it gets past what failed", func(t *testing.T) {
		t.Parallel()
		s, id := one(t)
		apply(t, s, change(id, order.Queued, "salad"), change(id, order.WaitingIngredients, "salad"))
		dl := deadLetter(id, order.Preparing)
		apply(t, s, dl)
		o := get(t, s, id)
		if o.Status() != order.Failed || o.FailedBy != dl.EventID || o.RecoversAt != order.Preparing {
			t.Fatalf("after the dead letter: %+v", o)
		}
		// A late copy of the message that failed proves nothing.
		apply(t, s, change(id, order.WaitingIngredients, "salad"))
		if o := get(t, s, id); o.Status() != order.Failed {
			t.Errorf("a late waiting_ingredients reopened the order: %s", o.Status())
		}
		// The replayed message was handled after all: the kitchen cooks.
		apply(t, s, change(id, order.Preparing, "salad"))
		if o := get(t, s, id); o.Status() != order.Preparing || o.FailureReason != "" {
			t.Errorf("after cooking started: %s (%q)", o.Status(), o.FailureReason)
		}
		// A redelivered copy of the dead letter does not fail it again.
		apply(t, s, dl)
		if o := get(t, s, id); o.Status() != order.Preparing {
			t.Errorf("a redelivered dead letter failed the order again: %s", o.Status())
		}
	})

	t.Run("a reopen clears only the failure it replays", func(t *testing.T) {
		t.Parallel()
		s, id := one(t)
		svc := order.NewService(s, 10, nil, nil)
		apply(t, s, change(id, order.Queued, "pizza"))
		first, second := deadLetter(id, order.WaitingIngredients), deadLetter(id, order.WaitingIngredients)
		apply(t, s, first, second) // the replayed message failed again
		reopened, err := svc.Reopen(ctx, []order.Reopening{{OrderID: id, FailedBy: first.EventID, Reason: "replayed"}})
		if err != nil {
			t.Fatal(err)
		}
		if reopened[id] || get(t, s, id).Status() != order.Failed {
			t.Fatalf("the reopen of the first dead letter cleared the second's failure")
		}
		reopened, err = svc.Reopen(ctx, []order.Reopening{{OrderID: id, FailedBy: second.EventID, Reason: "replayed"}, {OrderID: uuid.NewString()}})
		if err != nil {
			t.Fatal(err)
		}
		o := get(t, s, id)
		if !reopened[id] || len(reopened) != 1 || o.Status() != order.Queued {
			t.Errorf("reopen of the latest dead letter: %v, order %s", reopened, o.Status())
		}
		if last := o.Timeline[len(o.Timeline)-1]; last.Detail != "replayed" || last.Status != order.Queued {
			t.Errorf("timeline ends with %+v", last)
		}
		apply(t, s, second)
		if o := get(t, s, id); o.Status() != order.Queued {
			t.Errorf("a redelivered dead letter failed the reopened order: %s", o.Status())
		}
	})

	t.Run("a failure the order is already past is ignored", func(t *testing.T) {
		t.Parallel()
		s, id := one(t)
		apply(t, s, change(id, order.Preparing, "burger"), deadLetter(id, order.Queued))
		if o := get(t, s, id); o.Status() != order.Preparing {
			t.Errorf("a stale dead letter failed an order cooking: %s", o.Status())
		}
	})
}

// deadLetter is the failure a dead letter reports, recovering at the given
// status.
func deadLetter(id string, recoversAt order.Status) order.Change {
	c := failed(id, "unknown ingredient")
	c.RecoversAt = recoversAt
	return c
}
