package leader_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/leader"
	"github.com/comanda-dev/comanda/inventory-app/internal/sqlite"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

const (
	ttl   = 600 * time.Millisecond
	renew = 150 * time.Millisecond
	poll  = 50 * time.Millisecond
)

// cutStore is a store a test can cut a replica off from: its lease calls
// fail as they would with the database out of reach.
type cutStore struct {
	leader.Store
	cut atomic.Bool
}

var errCut = errors.New("store out of reach")

func (s *cutStore) AcquireLease(ctx context.Context, holder string, ttl time.Duration) (warehouse.Lease, error) {
	if s.cut.Load() {
		return warehouse.Lease{}, errCut
	}
	return s.Store.AcquireLease(ctx, holder, ttl)
}

func (s *cutStore) RenewLease(ctx context.Context, holder string, tok warehouse.Token, ttl time.Duration) error {
	if s.cut.Load() {
		return errCut
	}
	return s.Store.RenewLease(ctx, holder, tok, ttl)
}

func (s *cutStore) ReleaseLease(ctx context.Context, holder string, tok warehouse.Token) error {
	if s.cut.Load() {
		return errCut
	}
	return s.Store.ReleaseLease(ctx, holder, tok)
}

// terms records every term that ran, to check that no two overlap.
type terms struct {
	mu  sync.Mutex
	log []span
}

type span struct {
	holder     string
	tok        warehouse.Token
	start, end time.Time
}

func (ts *terms) lead(holder string) func(context.Context, warehouse.Token) error {
	return func(ctx context.Context, tok warehouse.Token) error {
		s := span{holder: holder, tok: tok, start: time.Now()}
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // parts take a moment to stop
		s.end = time.Now()
		ts.mu.Lock()
		ts.log = append(ts.log, s)
		ts.mu.Unlock()
		return nil
	}
}

func (ts *terms) check(t *testing.T) []span {
	t.Helper()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for i := 1; i < len(ts.log); i++ {
		prev, cur := ts.log[i-1], ts.log[i]
		if !prev.end.Before(cur.start) || cur.tok <= prev.tok {
			t.Errorf("term %+v overlaps or does not follow %+v", cur, prev)
		}
	}
	return ts.log
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "inventory.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type replica struct {
	e     *leader.Elector
	store *cutStore
	stop  context.CancelFunc
	done  chan struct{}
}

func startReplica(t *testing.T, store leader.Store, holder string, ts *terms) *replica {
	t.Helper()
	cs := &cutStore{Store: store}
	e, err := leader.New(cs, leader.Options{Holder: holder, TTL: ttl, RenewEvery: renew, PollEvery: poll,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{e: e, store: cs, stop: cancel, done: make(chan struct{})}
	go func() { defer close(r.done); _ = e.Run(ctx, ts.lead(holder)) }()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

func leading(r *replica) bool { _, ok := r.e.Leading(); return ok }

func TestOneReplicaLeadsAndAStandbyTakesOverWhenItIsCutOff(t *testing.T) {
	store := openStore(t)
	var ts terms
	a := startReplica(t, store, "a", &ts)
	testkit.Eventually(t, "a leads", time.Second, func() bool { return leading(a) })
	b := startReplica(t, store, "b", &ts)
	time.Sleep(3 * ttl)
	if !leading(a) || leading(b) || b.e.Role() != "standby" || a.e.Role() != "leader" {
		t.Fatalf("a leading %v, b leading %v: want a alone", leading(a), leading(b))
	}

	// a loses the store: it must end its term before its lease expires,
	// and b takes over once it has.
	a.store.cut.Store(true)
	cutAt := time.Now()
	took := testkit.Eventually(t, "b takes over", 2*ttl+poll+time.Second, func() bool { return leading(b) })
	if leading(a) {
		t.Error("a still claims the lead after b took over")
	}
	if took < ttl-renew {
		t.Errorf("b took over %s after the cut, before a's lease (%s) could have expired", took, ttl)
	}
	t.Logf("b took over %s after a was cut off", time.Since(cutAt).Round(time.Millisecond))

	// a comes back as a standby.
	a.store.cut.Store(false)
	time.Sleep(3 * ttl)
	if leading(a) || !leading(b) {
		t.Errorf("after a came back: a leading %v, b leading %v; want b alone", leading(a), leading(b))
	}
	b.stop()
	<-b.done
	_ = b.e.Release(context.Background())
	testkit.Eventually(t, "a leads again once b released", 2*poll+time.Second, func() bool { return leading(a) })
	a.stop()
	<-a.done
	log := ts.check(t)
	if len(log) != 3 || log[0].holder != "a" || log[1].holder != "b" || log[2].holder != "a" {
		t.Errorf("terms %+v, want a, b, a", log)
	}
}

func TestRacingReplicasElectExactlyOne(t *testing.T) {
	store := openStore(t)
	var ts terms
	var rs []*replica
	for _, h := range []string{"p", "q", "r", "s"} {
		rs = append(rs, startReplica(t, store, h, &ts))
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		for _, r := range rs {
			if leading(r) {
				n++
			}
		}
		if n > 1 {
			t.Fatalf("%d replicas lead at once", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, r := range rs {
		r.stop()
		<-r.done
	}
	if log := ts.check(t); len(log) != 1 {
		t.Errorf("%d terms, want one leader all along", len(log))
	}
}

func TestAFencedTermEndsAtOnce(t *testing.T) {
	store := openStore(t)
	var ts terms
	a := startReplica(t, store, "a", &ts)
	testkit.Eventually(t, "a leads", time.Second, func() bool { return leading(a) })
	tok, _ := a.e.Leading()
	a.e.Fenced(tok + 1) // another term's: ignored
	time.Sleep(50 * time.Millisecond)
	if !leading(a) {
		t.Fatal("a report about another term ended this one")
	}
	a.e.Fenced(tok)
	if took := testkit.Eventually(t, "the term ends", time.Second, func() bool { t2, ok := a.e.Leading(); return !ok || t2 != tok }); took > renew {
		t.Errorf("the term ended %s after it was fenced", took)
	}
	// It stands by and, the lease being free, leads again under a new token.
	testkit.Eventually(t, "a leads again", time.Second, func() bool { t2, ok := a.e.Leading(); return ok && t2 > tok })
}

func TestOptionsThatCannotWorkAreRefused(t *testing.T) {
	good := leader.Options{TTL: 8 * time.Second, RenewEvery: 2 * time.Second, PollEvery: time.Second}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]leader.Options{
		"renew as slow as the lease": {TTL: 8 * time.Second, RenewEvery: 8 * time.Second, PollEvery: time.Second},
		"renew at half the lease":    {TTL: 8 * time.Second, RenewEvery: 4 * time.Second, PollEvery: time.Second},
		"no renewal":                 {TTL: 8 * time.Second, PollEvery: time.Second},
		"no poll":                    {TTL: 8 * time.Second, RenewEvery: 2 * time.Second},
		"poll slower than the lease": {TTL: 8 * time.Second, RenewEvery: 2 * time.Second, PollEvery: 9 * time.Second},
		"tiny lease":                 {TTL: 100 * time.Millisecond, RenewEvery: 10 * time.Millisecond, PollEvery: 10 * time.Millisecond},
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
