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
	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// keys is the contract of idempotent placement: a key is stored with its
// batch, all or nothing; one of many racing placements wins it; it expires.
func keys(t *testing.T, newStore func(t *testing.T) order.Store) {
	ctx := context.Background()

	t.Run("the same key answers the same batch", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		svc := order.NewService(s, 100, nil, nil)
		key := uuid.NewString()
		first, err := svc.Place(ctx, 3, key)
		if err != nil {
			t.Fatal(err)
		}
		again, err := svc.Place(ctx, 3, key)
		if err != nil {
			t.Fatal(err)
		}
		if first.Replayed || !again.Replayed {
			t.Errorf("replayed flags: first %v, again %v", first.Replayed, again.Replayed)
		}
		if again.ID != first.ID || again.Quantity != 3 || !slices.Equal(again.OrderIDs, first.OrderIDs) || !again.PlacedAt.Equal(first.PlacedAt) {
			t.Errorf("again answered %+v, first %+v", again, first)
		}
		if n := total(t, s); n != 3 {
			t.Errorf("%d orders stored, want 3", n)
		}
		if n := len(outboxtest.Drain(t, s)); n != 3 {
			t.Errorf("%d events in outbox, want 3", n)
		}
		// Without a key, or with another, each request is a new batch.
		other, err := svc.Place(ctx, 3, uuid.NewString())
		if err != nil || other.ID == first.ID {
			t.Errorf("another key: %+v, %v", other, err)
		}
		if _, err := svc.Place(ctx, 3, ""); err != nil {
			t.Fatal(err)
		}
		if n := total(t, s); n != 9 {
			t.Errorf("%d orders stored, want 9", n)
		}
	})

	t.Run("the same key with another request is refused and stores nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		svc := order.NewService(s, 100, nil, nil)
		key := uuid.NewString()
		if _, err := svc.Place(ctx, 2, key); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Place(ctx, 5, key); !errors.Is(err, order.ErrKeyReused) {
			t.Errorf("another quantity under the key: %v, want ErrKeyReused", err)
		}
		if n := total(t, s); n != 2 {
			t.Errorf("%d orders stored, want 2", n)
		}
	})

	t.Run("malformed keys and quantities store nothing", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		svc := order.NewService(s, 100, nil, nil)
		var keyErr *order.KeyError
		for _, key := range []string{string(make([]byte, order.MaxKeyLength+1)), "tab\there", "é-key", "nul\x00"} {
			if _, err := svc.Place(ctx, 1, key); !errors.As(err, &keyErr) {
				t.Errorf("key %q: %v, want a KeyError", key, err)
			}
		}
		key := uuid.NewString()
		var bad *invalid.Error
		if _, err := svc.Place(ctx, 0, key); !errors.As(err, &bad) {
			t.Errorf("quantity 0: %v", err)
		}
		// A refused request does not hold the key.
		if b, err := svc.Place(ctx, 1, key); err != nil || b.Replayed {
			t.Errorf("key after a refused request: %+v, %v", b, err)
		}
		if n := total(t, s); n != 1 {
			t.Errorf("%d orders stored, want 1", n)
		}
	})

	t.Run("racing placements with one key make one batch", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		svc := order.NewService(s, 100, nil, nil)
		key := uuid.NewString()
		const racers = 12
		answers := make([]order.Batch, racers)
		errs := make([]error, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				<-start
				answers[i], errs[i] = svc.Place(ctx, 4, key)
			})
		}
		close(start)
		wg.Wait()
		fresh := 0
		for i := range racers {
			if errs[i] != nil {
				t.Fatalf("racer %d: %v", i, errs[i])
			}
			if !answers[i].Replayed {
				fresh++
			}
			if answers[i].ID != answers[0].ID || !slices.Equal(answers[i].OrderIDs, answers[0].OrderIDs) || answers[i].Quantity != 4 {
				t.Errorf("racer %d answered %+v, racer 0 %+v", i, answers[i], answers[0])
			}
		}
		if fresh != 1 {
			t.Errorf("%d racers placed a batch, want 1", fresh)
		}
		if n := total(t, s); n != 4 {
			t.Errorf("%d orders stored, want 4", n)
		}
	})

	t.Run("a key held by a live placement is taken, and nothing of the loser is stored", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		key := uuid.NewString()
		now := clock.Now()
		a := keyed(2, key, now.Add(time.Hour))
		if err := s.Place(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.Place(ctx, keyed(3, key, now.Add(time.Hour))); !errors.Is(err, order.ErrKeyTaken) {
			t.Fatalf("second placement under a live key: %v, want ErrKeyTaken", err)
		}
		k, ids, err := s.Keyed(ctx, key, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if k.BatchID != a.Key.BatchID || k.Quantity != 2 || k.RequestHash != a.Key.RequestHash || !k.PlacedAt.Equal(a.Key.PlacedAt) || !k.ExpiresAt.Equal(a.Key.ExpiresAt) {
			t.Errorf("key read back as %+v, stored %+v", k, *a.Key)
		}
		if want := sortedIDs(a); !slices.Equal(ids, want) {
			t.Errorf("ids %v, want %v", ids, want)
		}
		if n := total(t, s); n != 2 {
			t.Errorf("%d orders stored, want 2", n)
		}
		if n := len(outboxtest.Drain(t, s)); n != 2 {
			t.Errorf("%d events in outbox, want 2", n)
		}
	})

	t.Run("an expired key is forgotten, taken over and purged in bounded batches", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		now := clock.Now()
		expired := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
		for _, key := range expired {
			if err := s.Place(ctx, keyed(1, key, now.Add(-time.Minute))); err != nil {
				t.Fatal(err)
			}
		}
		live := uuid.NewString()
		if err := s.Place(ctx, keyed(1, live, now.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Keyed(ctx, expired[0], clock.Now()); !errors.Is(err, order.ErrNotFound) {
			t.Errorf("expired key: %v, want ErrNotFound", err)
		}
		// A placement may take an expired key over before the purge runs.
		takeover := keyed(2, expired[0], now.Add(time.Hour))
		if err := s.Place(ctx, takeover); err != nil {
			t.Fatalf("taking over an expired key: %v", err)
		}
		if k, _, err := s.Keyed(ctx, expired[0], clock.Now()); err != nil || k.BatchID != takeover.Key.BatchID {
			t.Errorf("after takeover: %+v, %v", k, err)
		}
		var purged []int
		for {
			n, err := s.PurgeKeys(ctx, clock.Now(), 1)
			if err != nil {
				t.Fatal(err)
			}
			purged = append(purged, n)
			if n == 0 {
				break
			}
		}
		if !slices.Equal(purged, []int{1, 1, 0}) {
			t.Errorf("purges with a limit of 1 deleted %v, want [1 1 0]", purged)
		}
		for _, key := range []string{live, expired[0]} {
			if _, _, err := s.Keyed(ctx, key, clock.Now()); err != nil {
				t.Errorf("live key %s purged: %v", key, err)
			}
		}
		if n := total(t, s); n != 6 {
			t.Errorf("%d orders left, want 6: purging keys keeps orders", n)
		}
		// The service purges until nothing expired is left.
		n, err := order.NewService(s, 10, nil, nil).PurgeKeys(ctx)
		if err != nil || n != 0 {
			t.Errorf("service purge: %d, %v", n, err)
		}
	})
}

// keyed is a placement of n orders under key.
func keyed(n int, key string, expires time.Time) order.Placement {
	orders, steps, envs := batch(n)
	return order.Placement{Orders: orders, Steps: steps, Outbox: envs, Key: &order.Key{
		Key: key, RequestHash: uuid.NewString(), BatchID: orders[0].BatchID, Quantity: n,
		PlacedAt: orders[0].PlacedAt, ExpiresAt: expires,
	}}
}

func sortedIDs(p order.Placement) []string {
	var ids []string
	for _, o := range p.Orders {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	return ids
}

func total(t *testing.T, s order.Store) int {
	t.Helper()
	counts, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
