package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// runLease is the contract of the leader lease and of fencing.
func runLease(t *testing.T, newStore func(t *testing.T) warehouse.Store) {
	t.Run("the lease goes to one replica at a time, each under a greater token", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		if l, err := s.Lease(ctx); err != nil || l.Token != 0 || l.Holder != "" {
			t.Fatalf("a store nobody led has lease %+v, %v; want the zero lease", l, err)
		}
		a := acquire(t, s, "a", time.Hour)
		if !a.HeldBy("a") || a.Token != 1 || !a.Expires.After(time.Now().Add(50*time.Minute)) {
			t.Fatalf("first acquire: %+v, want a's under token 1 for an hour", a)
		}
		if l := acquire(t, s, "b", time.Hour); l.HeldBy("b") || !l.HeldBy("a") || l.Token != 1 {
			t.Fatalf("b acquired a held lease: %+v", l)
		}
		if err := s.RenewLease(ctx, "a", 1, time.Hour); err != nil {
			t.Fatalf("a renewing its lease: %v", err)
		}
		if err := s.RenewLease(ctx, "b", 1, time.Hour); !errors.Is(err, warehouse.ErrFenced) {
			t.Errorf("b renewing a's lease: %v, want ErrFenced", err)
		}
		// Released, the lease is free at once.
		if err := s.ReleaseLease(ctx, "a", 1); err != nil {
			t.Fatal(err)
		}
		b := acquire(t, s, "b", time.Hour)
		if !b.HeldBy("b") || b.Token != 2 {
			t.Fatalf("after a released: %+v, want b's under token 2", b)
		}
		err := s.RenewLease(ctx, "a", 1, time.Hour)
		if !errors.Is(err, warehouse.ErrFenced) || !fault.IsUnavailable(err) {
			t.Errorf("the old leader renewing: %v, want ErrFenced, an infrastructure fault", err)
		}
		if err := s.ReleaseLease(ctx, "a", 1); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.Lease(ctx); !l.HeldBy("b") || l.Token != 2 {
			t.Errorf("a stale release changed the lease: %+v", l)
		}
		// Acquiring again is a new term, even for the holder.
		if l := acquire(t, s, "b", time.Hour); !l.HeldBy("b") || l.Token != 3 {
			t.Errorf("b acquiring its own lease: %+v, want a new term, token 3", l)
		}
	})

	t.Run("an expired lease goes to the next replica that asks", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		acquire(t, s, "a", 300*time.Millisecond)
		if l := acquire(t, s, "b", time.Hour); l.HeldBy("b") {
			t.Fatalf("b took a lease that had not expired: %+v", l)
		}
		time.Sleep(500 * time.Millisecond)
		// Expired but taken by nobody: the holder may still renew it.
		if err := s.RenewLease(ctx, "a", 1, 300*time.Millisecond); err != nil {
			t.Fatalf("renewing an expired lease nobody took: %v", err)
		}
		if l := acquire(t, s, "b", time.Hour); l.HeldBy("b") {
			t.Fatalf("b took a renewed lease: %+v", l)
		}
		time.Sleep(500 * time.Millisecond)
		if l := acquire(t, s, "b", time.Hour); !l.HeldBy("b") || l.Token != 2 {
			t.Fatalf("b after a's lease expired: %+v, want b's under token 2", l)
		}
		if err := s.RenewLease(ctx, "a", 1, time.Hour); !errors.Is(err, warehouse.ErrFenced) {
			t.Errorf("a renewing after b took over: %v, want ErrFenced", err)
		}
	})

	t.Run("racing acquirers: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for round := range 3 {
			var mu sync.Mutex
			var won []string
			var wg sync.WaitGroup
			for g := range 8 {
				holder := fmt.Sprintf("r%d-%d", round, g)
				wg.Go(func() {
					l, err := s.AcquireLease(ctx, holder, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if l.HeldBy(holder) {
						mu.Lock()
						won = append(won, holder)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			l, err := s.Lease(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(won) != 1 || !l.HeldBy(won[0]) || l.Token != warehouse.Token(round+1) {
				t.Fatalf("round %d: %v won, the store says %+v; want exactly one winner under token %d", round, won, l, round+1)
			}
			if err := s.ReleaseLease(ctx, won[0], l.Token); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("a stale token's writes change nothing", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		waiting := request("pizza", 3, 2)
		enqueue(t, s, waiting) // before anyone led: token 0
		old := acquire(t, s, "old", time.Hour)
		if err := s.ReleaseLease(ctx, "old", old.Token); err != nil {
			t.Fatal(err)
		}
		cur := acquire(t, s, "new", time.Hour)
		if !cur.HeldBy("new") || cur.Token <= old.Token {
			t.Fatalf("new leader %+v after %+v", cur, old)
		}
		outboxtest.Drain(t, relayed(s))
		before := stock(t, s)

		for _, tok := range []warehouse.Token{0, old.Token} {
			fresh := request("salad", 1, 1)
			created, err := s.Enqueue(ctx, tok, []warehouse.Request{fresh})
			fenced(t, "enqueue", err)
			if len(created) != 0 {
				t.Errorf("a fenced enqueue reports %d created", len(created))
			}
			if _, err := s.Reservation(ctx, fresh.OrderID); !errors.Is(err, warehouse.ErrNotFound) {
				t.Errorf("a fenced enqueue stored a reservation: %v", err)
			}
			_, err = s.Reserve(ctx, tok, []string{waiting.OrderID}, now(), announce)
			fenced(t, "reserve", err)
			_, err = s.NoteShort(ctx, tok, []warehouse.ShortNote{note(waiting.OrderID)})
			fenced(t, "note short", err)
			p := purchase("tomato", 4, waiting.OrderID)
			fenced(t, "record purchase", record(s, tok, p))
			if got := listAll(t, s, "", 10); len(got) != 0 {
				t.Errorf("a fenced purchase was stored: %v", got)
			}
			if r, _ := s.Reservation(ctx, waiting.OrderID); r.Status != warehouse.Waiting || r.ShortNoted {
				t.Errorf("fenced writes changed the reservation: %+v", r)
			}
			if after := stock(t, s); !slices.Equal(before, after) {
				t.Errorf("fenced writes changed stock: %+v -> %+v", before, after)
			}
			if n, err := s.OutboxLen(ctx); err != nil || n != 0 {
				t.Errorf("fenced writes stored %d events (%v)", n, err)
			}
		}

		// The leader's own writes go through, and a stale relay publishes
		// none of them.
		if _, err := s.Reserve(ctx, cur.Token, []string{waiting.OrderID}, now(), announce); err != nil {
			t.Fatalf("the leader reserving: %v", err)
		}
		called := false
		_, err := s.PublishPending(ctx, old.Token, 10, func(context.Context, []events.Envelope) error { called = true; return nil })
		fenced(t, "publish", err)
		if called {
			t.Error("a fenced relay published")
		}
		n, err := s.PublishPending(ctx, cur.Token, 10, func(context.Context, []events.Envelope) error { return nil })
		if err != nil || n != 1 {
			t.Errorf("the leader's relay published %d, %v; want its one event", n, err)
		}
		balanced(t, s)
	})

	t.Run("backlog counts the waiting orders and sums their needs", func(t *testing.T) {
		t.Parallel()
		s := seeded(t, newStore, 5)
		if n, needs, err := s.Backlog(ctx); err != nil || n != 0 || len(needs) != 0 {
			t.Fatalf("empty backlog: %d %v %v", n, needs, err)
		}
		a, b, c := request("pizza", 3, 2), request("pizza", 1, 1), request("salad", 2, 1)
		enqueue(t, s, a, b, c)
		if _, err := s.Reserve(ctx, 0, []string{b.OrderID}, now(), announce); err != nil {
			t.Fatal(err)
		}
		n, needs, err := s.Backlog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := warehouse.NeedsOf(needs)
		want := warehouse.NeedsOf(append(slices.Clone(a.Items), c.Items...))
		if n != 2 || got != want {
			t.Errorf("backlog %d orders needing %v, want 2 needing %v", n, got.Items(), want.Items())
		}
	})
}

func acquire(t *testing.T, s warehouse.Store, holder string, ttl time.Duration) warehouse.Lease {
	t.Helper()
	l, err := s.AcquireLease(ctx, holder, ttl)
	if err != nil {
		t.Fatalf("%s acquiring: %v", holder, err)
	}
	return l
}

func fenced(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, warehouse.ErrFenced) || !fault.IsUnavailable(err) {
		t.Errorf("%s under a stale token: %v, want ErrFenced, an infrastructure fault", what, err)
	}
}
