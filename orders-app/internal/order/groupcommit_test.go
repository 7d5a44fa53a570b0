package order

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// heldStore records every transaction Place gets and holds the first until
// released, so that placements pile up behind it.
type heldStore struct {
	Store // only Place is called
	mu    sync.Mutex
	txs   []Placement
	hold  chan struct{}
	held  chan struct{} // closed once the first transaction is being held
	once  sync.Once
	fail  error
}

func newHeldStore() *heldStore {
	return &heldStore{hold: make(chan struct{}), held: make(chan struct{})}
}

func (h *heldStore) Place(ctx context.Context, p Placement) error {
	h.once.Do(func() {
		close(h.held)
		<-h.hold
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.txs = append(h.txs, p)
	return h.fail
}

func (h *heldStore) transactions() []Placement {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Placement(nil), h.txs...)
}

// waitQueued waits until n placements wait behind the one being stored.
func waitQueued(t *testing.T, s *Service, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.unkeyed.mu.Lock()
		got := len(s.unkeyed.queue)
		s.unkeyed.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d placements queued, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPlacementsThatArriveDuringACommitShareTheNext(t *testing.T) {
	st := newHeldStore()
	s := NewService(st, 100, nil, nil)
	ctx := context.Background()
	first := make(chan Batch, 1)
	go func() {
		b, err := s.Place(ctx, 2, "")
		if err != nil {
			t.Error(err)
		}
		first <- b
	}()
	<-st.held
	const waiting = 20
	var wg sync.WaitGroup
	batches := make([]Batch, waiting)
	for i := range waiting {
		wg.Go(func() {
			b, err := s.Place(ctx, i%3+1, "")
			if err != nil {
				t.Error(err)
			}
			batches[i] = b
		})
	}
	waitQueued(t, s, waiting)
	close(st.hold)
	wg.Wait()
	batches = append(batches, <-first)

	txs := st.transactions()
	if len(txs) != 2 {
		t.Fatalf("%d transactions for 21 placements of which 20 waited for the first, want 2", len(txs))
	}
	stored := map[string]string{} // order id → batch id
	for _, tx := range txs {
		if len(tx.Orders) != len(tx.Steps) || len(tx.Orders) != len(tx.Outbox) || tx.Key != nil {
			t.Fatalf("a transaction of %d orders, %d steps, %d events, key %v", len(tx.Orders), len(tx.Steps), len(tx.Outbox), tx.Key)
		}
		for i, o := range tx.Orders {
			if tx.Steps[i].OrderID != o.ID || tx.Outbox[i].OrderID != o.ID {
				t.Fatalf("order %s stored with the step of %s and the event of %s", o.ID, tx.Steps[i].OrderID, tx.Outbox[i].OrderID)
			}
			stored[o.ID] = o.BatchID
		}
	}
	total := 0
	for _, b := range batches {
		total += b.Quantity
		if len(b.OrderIDs) != b.Quantity {
			t.Fatalf("batch %s answers %d ids for %d dishes", b.ID, len(b.OrderIDs), b.Quantity)
		}
		for _, id := range b.OrderIDs {
			if stored[id] != b.ID {
				t.Fatalf("order %s of batch %s stored as of batch %q", id, b.ID, stored[id])
			}
		}
	}
	if total != len(stored) {
		t.Fatalf("%d dishes answered, %d orders stored", total, len(stored))
	}
}

func TestAStoreFaultFailsEveryMemberOfItsGroupAndNoOther(t *testing.T) {
	st := newHeldStore()
	st.fail = errors.New("disk I/O error")
	s := NewService(st, 100, nil, nil)
	ctx := context.Background()
	errs := make(chan error, 6)
	go func() { _, err := s.Place(ctx, 1, ""); errs <- err }()
	<-st.held
	for range 5 {
		go func() { _, err := s.Place(ctx, 1, ""); errs <- err }()
	}
	waitQueued(t, s, 5)
	close(st.hold)
	for range 6 {
		if err := <-errs; !errors.Is(err, st.fail) {
			t.Fatalf("a member of a failed group answered %v", err)
		}
	}
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	if _, err := s.Place(ctx, 1, ""); err != nil {
		t.Fatalf("the placement after the fault: %v", err)
	}
}

// The request that leads a group may go away; the group is stored, and the
// others are answered.
func TestALeaderThatGivesUpDoesNotFailItsGroup(t *testing.T) {
	st := newHeldStore()
	s := NewService(st, 100, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	lead := make(chan error, 1)
	go func() { _, err := s.Place(ctx, 1, ""); lead <- err }()
	<-st.held
	other := make(chan error, 1)
	go func() { _, err := s.Place(context.Background(), 1, ""); other <- err }()
	waitQueued(t, s, 1)
	cancel()
	close(st.hold)
	if err := <-lead; err != nil {
		t.Fatalf("the leader's placement, stored though its request ended: %v", err)
	}
	if err := <-other; err != nil {
		t.Fatalf("the other placement: %v", err)
	}
	if n := len(st.transactions()); n != 2 {
		t.Fatalf("%d transactions, want 2", n)
	}
}

func TestKeyedPlacementsHaveTransactionsOfTheirOwn(t *testing.T) {
	st := newHeldStore()
	close(st.hold)
	s := NewService(st, 100, nil, nil)
	// A group in progress that never ends: a keyed placement must not
	// wait for it.
	s.unkeyed.busy = true
	done := make(chan error, 1)
	go func() { _, err := s.Place(context.Background(), 3, "key-0001"); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a keyed placement waited for the group of unkeyed ones")
	}
	txs := st.transactions()
	if len(txs) != 1 || txs[0].Key == nil || len(txs[0].Orders) != 3 {
		t.Fatalf("transactions %+v, want the keyed placement alone", txs)
	}
}

func TestAGroupStaysWithinItsBound(t *testing.T) {
	g := &placeGroup{}
	for _, n := range []int{1500, 400, 100, 1, 1800, 5} {
		g.queue = append(g.queue, &groupMember{p: Placement{Orders: make([]Order, n)}})
	}
	var sizes [][]int
	for len(g.queue) > 0 {
		var s []int
		for _, m := range g.take() {
			s = append(s, len(m.p.Orders))
		}
		sizes = append(sizes, s)
	}
	want := [][]int{{1500, 400, 100}, {1, 1800, 5}}
	if len(sizes) != len(want) {
		t.Fatalf("groups %v, want %v", sizes, want)
	}
	for i := range want {
		if len(sizes[i]) != len(want[i]) {
			t.Fatalf("groups %v, want %v", sizes, want)
		}
		for j := range want[i] {
			if sizes[i][j] != want[i][j] {
				t.Fatalf("groups %v, want %v", sizes, want)
			}
		}
	}
	g.queue = []*groupMember{{p: Placement{Orders: make([]Order, 5000)}}, {p: Placement{Orders: make([]Order, 1)}}}
	if first := g.take(); len(first) != 1 || len(first[0].p.Orders) != 5000 {
		t.Fatalf("a placement past the bound is stored alone, whole")
	}
}

func (h *heldStore) Keyed(context.Context, string, time.Time) (Key, []string, error) {
	return Key{}, nil, ErrNotFound
}
