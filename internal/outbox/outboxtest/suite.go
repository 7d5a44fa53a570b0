package outboxtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox"
)

// Outbox is a fresh, empty outbox under test and the way to fill it.
type Outbox struct {
	Store outbox.Store
	// Emit stores n events in Store as its service does (each service
	// writes them with the effects they announce) and returns them in the
	// order they were stored.
	Emit func(t *testing.T, n int) []events.Envelope
	// OneAtATime says that the store lets one relay publish at a time (a
	// lock, a lease), so that racing relays still publish every event in
	// the order it was stored. A store that lets relays publish disjoint
	// batches side by side (SKIP LOCKED) promises the order of each batch
	// only.
	OneAtATime bool
}

// Run runs the contract against outboxes made by newOutbox (a fresh, empty
// one per call).
func Run(t *testing.T, newOutbox func(t *testing.T) Outbox) {
	ctx := context.Background()

	t.Run("outbox publishes in order, keeps what failed and never twice at once", func(t *testing.T) {
		t.Parallel()
		o := newOutbox(t)
		const total, head = 40, 3
		want := o.Emit(t, total)
		if len(want) != total {
			t.Fatalf("emit stored %d events, want %d", len(want), total)
		}
		if _, err := o.Store.PublishPending(ctx, 10, func(context.Context, []events.Envelope) error { return errors.New("redis down") }); err == nil {
			t.Error("publish error was swallowed")
		}
		var first []events.Envelope
		if _, err := o.Store.PublishPending(ctx, head, func(_ context.Context, b []events.Envelope) error { first = b; return nil }); err != nil {
			t.Fatal(err)
		}
		if !same(first, want[:head]) {
			t.Errorf("first events after a failed publish: %v, want the oldest in order %v", describe(first), describe(want[:head]))
		}

		var mu sync.Mutex
		var got []events.Envelope
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					n, err := o.Store.PublishPending(ctx, 7, func(_ context.Context, batch []events.Envelope) error {
						mu.Lock()
						defer mu.Unlock()
						got = append(got, batch...)
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if len(got) != total-head {
			t.Fatalf("published %d events, want the remaining %d exactly once", len(got), total-head)
		}
		waiting := map[string]bool{}
		for _, e := range want[head:] {
			waiting[e.ID] = true
		}
		seen := map[string]int{}
		for _, e := range got {
			if seen[e.ID]++; seen[e.ID] == 2 {
				t.Errorf("event %s (%s of %s) published twice", e.ID, e.Type, e.OrderID)
			}
			if !waiting[e.ID] {
				t.Errorf("published event %s (%s of %s), which was not waiting", e.ID, e.Type, e.OrderID)
			}
		}
		if len(seen) != total-head {
			t.Errorf("published %d distinct events, want the remaining %d", len(seen), total-head)
		}
		// One relay at a time, oldest first: batches arrive in order.
		if o.OneAtATime && !same(slices.Concat(first, got), want) {
			t.Errorf("published in order %v, want %v", describe(slices.Concat(first, got)), describe(want))
		}
	})
}

// same reports whether got holds the events of want, in the same order.
func same(got, want []events.Envelope) bool {
	return slices.EqualFunc(got, want, func(a, b events.Envelope) bool {
		return a.ID == b.ID && a.Type == b.Type && a.OrderID == b.OrderID
	})
}

func describe(envs []events.Envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = fmt.Sprintf("%s/%s", e.OrderID, e.Type)
	}
	return out
}
