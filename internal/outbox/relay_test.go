package outbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox"
	"github.com/comanda-dev/comanda/internal/outbox/outboxtest"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// memStore is an outbox in memory: the relay's contract is with Redis, which
// these tests use for real.
type memStore struct {
	mu   sync.Mutex
	envs []events.Envelope
}

func (s *memStore) add(envs ...events.Envelope) {
	s.mu.Lock()
	s.envs = append(s.envs, envs...)
	s.mu.Unlock()
}

func (s *memStore) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := s.envs[:min(limit, len(s.envs))]
	if len(batch) == 0 {
		return 0, nil
	}
	if err := publish(ctx, batch); err != nil {
		return 0, err
	}
	s.envs = s.envs[len(batch):]
	return len(batch), nil
}

func (s *memStore) OutboxLen(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.envs), nil
}

func placed(n int) []events.Envelope {
	out := make([]events.Envelope, n)
	for i := range out {
		out[i] = events.MustNew("test", testkit.RandomHex(8), time.Now(), events.OrderPlaced{BatchID: "b", PlacedAt: time.Now()})
	}
	return out
}

func runRelay(t *testing.T, r *outbox.Relay) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// The in-memory outbox keeps the contract the relay relies on.
func TestInMemoryOutbox(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T) outboxtest.Outbox {
		s := &memStore{}
		return outboxtest.Outbox{Store: s, OneAtATime: true, Emit: func(_ *testing.T, n int) []events.Envelope {
			envs := placed(n)
			s.add(envs...)
			return envs
		}}
	})
}

// A group that stops consuming while ten times the cap is published: the
// stream stops growing near the cap, the rest waits in the outbox, and once
// the group is back every event arrives, once, and the stream empties.
func TestRelayHoldsTheOutboxWhileAGroupIsBehind(t *testing.T) {
	rdb := testkit.Redis(t)
	streams := events.StreamNames(testkit.Prefix(t, rdb))
	ctx := context.Background()
	if err := stream.EnsureGroups(ctx, rdb, events.GroupKitchen, streams.Orders); err != nil {
		t.Fatal(err)
	}
	const capacity, total = 1000, 10_000
	store := &memStore{}
	sent := placed(total)
	store.add(sent...)
	r := outbox.NewRelay(store, stream.NewPublisher(rdb, stream.PublisherOptions{}), rdb, streams, outbox.Options{Batch: 200, Backlog: capacity})
	runRelay(t, r)
	testkit.Eventually(t, "the relay holding back", 10*time.Second, func() bool { return r.HeldBack() != "" })
	time.Sleep(300 * time.Millisecond)
	n, _ := rdb.XLen(ctx, streams.Orders).Result()
	if n < capacity || n >= capacity+200 {
		t.Errorf("stream holds %d entries with a cap of %d and batches of 200", n, capacity)
	}
	if left, _ := store.OutboxLen(ctx); left != total-int(n) {
		t.Errorf("outbox holds %d, stream %d, of %d events", left, n, total)
	}

	// The group comes back and the trimmer follows its acknowledgements.
	seen := map[string]int{}
	var mu sync.Mutex
	c, err := stream.NewConsumer(rdb, stream.Options{
		Group: events.GroupKitchen, Streams: []string{streams.Orders}, DeadLetter: streams.DeadLetter,
		Read: 500, Block: 50 * time.Millisecond,
	}, func(_ context.Context, msgs []stream.Message) error {
		mu.Lock()
		for _, m := range msgs {
			seen[m.Event.OrderID]++
		}
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = c.Run(cctx) }()
	trimmer := stream.NewTrimmer(rdb, streams, 50*time.Millisecond, nil, nil)
	go func() { _ = trimmer.Run(cctx) }()
	testkit.Eventually(t, "every event consumed", 60*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == total })
	for _, e := range sent {
		if seen[e.OrderID] != 1 {
			t.Fatalf("order %s seen %d times", e.OrderID, seen[e.OrderID])
		}
	}
	testkit.Eventually(t, "the relay publishing again", 10*time.Second, func() bool { return r.HeldBack() == "" })
	testkit.Eventually(t, "the stream trimmed", 10*time.Second, func() bool { n, _ := rdb.XLen(ctx, streams.Orders).Result(); return n <= 100 })
}

// With replicas to wait for and none that answers, nothing is forgotten:
// the events stay in the outbox.
func TestRelayKeepsWhatNoReplicaConfirmed(t *testing.T) {
	rdb := testkit.Redis(t)
	streams := events.StreamNames(testkit.Prefix(t, rdb))
	store := &memStore{}
	store.add(placed(10)...)
	pub := stream.NewPublisher(rdb, stream.PublisherOptions{WaitReplicas: 1, WaitTimeout: 50 * time.Millisecond})
	_, err := pub.Publish(context.Background(), stream.Record{Stream: streams.Orders, Event: placed(1)[0]})
	if !errors.Is(err, stream.ErrNotReplicated) {
		t.Fatalf("publishing with a replica to wait for on a single node: %v, want ErrNotReplicated", err)
	}
	r := outbox.NewRelay(store, pub, rdb, streams, outbox.Options{Every: 10 * time.Millisecond})
	runRelay(t, r)
	time.Sleep(500 * time.Millisecond)
	if left, _ := store.OutboxLen(context.Background()); left != 10 {
		t.Errorf("%d of 10 unconfirmed events left in the outbox", left)
	}
}
