package stream_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/fault"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// runFaultSuite injects the faults the consumer must ride out: a store that
// stops answering, Redis taken away, a handler so slow that entries wait
// longer than the reclaim idle time, consumers that die.
func runFaultSuite(t *testing.T, setup func(*testing.T) env) {
	t.Run("an infrastructure fault pauses reading and counts no delivery", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 200)
		var down atomic.Bool
		down.Store(true)
		duringOutage, seen := newSeen(), newSeen()
		c := e.consumer(t, stream.Options{
			Read: 20, Chunk: 10, Workers: 2, MinIdle: 200 * time.Millisecond, ReclaimEvery: 50 * time.Millisecond,
			MaxDeliveries: 1, RetryBase: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond,
		}, func(_ context.Context, msgs []stream.Message) error {
			if down.Load() {
				duringOutage.add(msgs...)
				return fault.Unavailable(errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"))
			}
			seen.add(msgs...)
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the consumer paused", patience, c.Paused)
		time.Sleep(time.Second) // five reclaim idle times
		if n := duringOutage.len(); n > 20 {
			t.Errorf("the consumer went on reading during the outage: %d messages handed out, one read is 20", n)
		}
		down.Store(false)
		testkit.Eventually(t, "every message handled", patience, func() bool { return seen.len() == len(ids) })
		stop()
		if c.Paused() {
			t.Error("the consumer is still paused after the store came back")
		}
		if n := e.len(t, e.streams.DeadLetter); n != 0 {
			t.Errorf("%d messages dead-lettered because of an outage", n)
		}
		for _, m := range seen.all() {
			if m.Deliveries != 1 {
				t.Fatalf("message %s counts %d deliveries after an outage", m.ID, m.Deliveries)
			}
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("Redis taken away and back loses nothing and counts nothing", func(t *testing.T) {
		e := setup(t)
		proxy := testkit.StartProxy(t, e.rdb.Options().Addr)
		via := redis.NewClient(&redis.Options{Addr: proxy.Addr(), ContextTimeoutEnabled: true, DialTimeout: 200 * time.Millisecond})
		t.Cleanup(func() { _ = via.Close() })
		ids := e.publishPlaced(t, 300)
		seen := newSeen()
		var handled atomic.Int64
		opt := stream.Options{
			Group: "g", Streams: []string{e.streams.Orders}, DeadLetter: e.streams.DeadLetter, Block: 50 * time.Millisecond,
			Read: 10, Chunk: 5, MinIdle: 200 * time.Millisecond, ReclaimEvery: 50 * time.Millisecond, MaxDeliveries: 1,
			RetryBase: 5 * time.Millisecond, RetryMax: 100 * time.Millisecond,
		}
		c, err := stream.NewConsumer(via, opt, func(_ context.Context, msgs []stream.Message) error {
			seen.add(msgs...)
			handled.Add(int64(len(msgs)))
			time.Sleep(2 * time.Millisecond)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		stop := run(t, c)
		testkit.Eventually(t, "50 messages handled", patience, func() bool { return handled.Load() >= 50 })
		proxy.Cut()
		time.Sleep(1500 * time.Millisecond) // longer than the reclaim idle time
		proxy.Restore()
		testkit.Eventually(t, "every message handled", patience, func() bool { return seen.len() == len(ids) })
		testkit.Eventually(t, "nothing pending", patience, func() bool { return e.pending(t, e.streams.Orders, "g") == 0 })
		stop()
		if n := e.len(t, e.streams.DeadLetter); n != 0 {
			t.Errorf("%d messages dead-lettered because Redis went away", n)
		}
		for _, m := range seen.all() {
			if m.Deliveries != 1 {
				t.Fatalf("message %s counts %d deliveries after a Redis outage", m.ID, m.Deliveries)
			}
		}
	})
	t.Run("entries queued behind a slow handler stay with their consumer", func(t *testing.T) {
		e := setup(t)
		first := e.publishPlaced(t, 30)
		e.ensureGroup(t, e.streams.Orders, "g")
		var mu sync.Mutex
		by := map[string][]string{} // order id -> consumers that handled it
		handler := func(name string, pause time.Duration) stream.Handler {
			return func(_ context.Context, msgs []stream.Message) error {
				time.Sleep(pause)
				mu.Lock()
				for _, m := range msgs {
					by[m.Event.OrderID] = append(by[m.Event.OrderID], name)
				}
				mu.Unlock()
				return nil
			}
		}
		common := stream.Options{Read: 30, Chunk: 1, MinIdle: 200 * time.Millisecond, ReclaimEvery: 50 * time.Millisecond}
		slowOpt := common
		slowOpt.Consumer, slowOpt.Workers = "slow", 1
		slow := run(t, e.consumer(t, slowOpt, handler("slow", 50*time.Millisecond)))
		// The slow consumer holds all of the first 30: the last waits 1.5s
		// in its queue, seven reclaim idle times.
		testkit.Eventually(t, "the slow consumer holding the first 30", patience, func() bool { return e.pending(t, e.streams.Orders, "g") == int64(e.entriesOf(30)) })
		second := e.publishPlaced(t, 30)
		fastOpt := common
		fastOpt.Consumer, fastOpt.Workers = "fast", 4
		fast := run(t, e.consumer(t, fastOpt, handler("fast", 0)))
		testkit.Eventually(t, "all 60 handled", patience, func() bool { mu.Lock(); defer mu.Unlock(); return len(by) == 60 })
		time.Sleep(300 * time.Millisecond)
		slow()
		fast()
		for _, id := range first {
			if got := by[id]; !slices.Equal(got, []string{"slow"}) {
				t.Errorf("order %s, queued at the slow consumer, was handled by %v", id, got)
			}
		}
		for _, id := range second {
			if got := by[id]; len(got) != 1 {
				t.Errorf("order %s was handled by %v", id, got)
			}
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("consumers that died are removed once they hold nothing", func(t *testing.T) {
		e := setup(t)
		ctx := context.Background()
		ids := e.publishPlaced(t, 5)
		e.ensureGroup(t, e.streams.Orders, "g")
		if err := e.rdb.XGroupCreateConsumer(ctx, e.streams.Orders, "g", "gone-empty").Err(); err != nil {
			t.Fatal(err)
		}
		if err := e.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "gone-holding", Streams: []string{e.streams.Orders, ">"}, Count: 5}).Err(); err != nil {
			t.Fatal(err)
		}
		consumers := func() map[string]redis.XInfoConsumer {
			cs, err := e.rdb.XInfoConsumers(ctx, e.streams.Orders, "g").Result()
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]redis.XInfoConsumer{}
			for _, c := range cs {
				m[c.Name] = c
			}
			return m
		}
		// Removal needs the server to report how long a consumer has been
		// silent; the embedded run's in-process Redis reports it only for
		// consumers that claimed something, so there they stay listed.
		reportsIdle := consumers()["gone-empty"].Idle >= 0
		seen := newSeen()
		c := e.consumer(t, stream.Options{Consumer: "alive", MinIdle: 200 * time.Millisecond, ReclaimEvery: 50 * time.Millisecond, ForgetAfter: 400 * time.Millisecond},
			func(_ context.Context, msgs []stream.Message) error { seen.add(msgs...); return nil })
		stop := run(t, c)
		testkit.Eventually(t, "every message handled", patience, func() bool { return seen.len() == len(ids) })
		if reportsIdle {
			testkit.Eventually(t, "only the live consumer listed", patience, func() bool {
				cs := consumers()
				_, alive := cs["alive"]
				return len(cs) == 1 && alive
			})
		} else {
			t.Log("this Redis does not report consumers' idle time: removal not observable here")
		}
		stop()
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("an exclusive consumer takes over a gone leader's entries at once", func(t *testing.T) {
		e := setup(t)
		ctx := context.Background()
		ids := e.publishPlaced(t, 10)
		e.ensureGroup(t, e.streams.Orders, "g")
		if err := e.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "old-leader", Streams: []string{e.streams.Orders, ">"}, Count: 10}).Err(); err != nil {
			t.Fatal(err)
		}
		seen := newSeen()
		c := e.consumer(t, stream.Options{Exclusive: true, MinIdle: time.Minute},
			func(_ context.Context, msgs []stream.Message) error { seen.add(msgs...); return nil })
		stop := run(t, c)
		testkit.Eventually(t, "every message handled", patience, func() bool { return seen.len() == len(ids) }) // well before the minute
		stop()
		for _, m := range seen.all() {
			if m.Deliveries != 2 {
				t.Errorf("taken-over message %s counts %d deliveries, want 2", m.ID, m.Deliveries)
			}
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("a replay no replica confirmed is reported unavailable", func(t *testing.T) {
		e := setup(t)
		e.publishPlaced(t, 1)
		c := e.consumer(t, stream.Options{}, func(context.Context, []stream.Message) error {
			return stream.Permanent(errors.New("recipe book is empty"))
		})
		stop := run(t, c)
		testkit.Eventually(t, "the message dead-lettered", patience, func() bool { return e.len(t, e.streams.DeadLetter) == 1 })
		stop()
		dlq := stream.NewDeadLetterQueue(e.rdb, e.streams.DeadLetter, stream.PublisherOptions{WaitReplicas: 1, WaitTimeout: 20 * time.Millisecond})
		dl, err := dlq.List(context.Background(), "", 1)
		if err != nil || len(dl) != 1 {
			t.Fatalf("listing: %v %v", dl, err)
		}
		_, err = dlq.Replay(context.Background(), dl[0].ID)
		if !errors.Is(err, stream.ErrNotReplicated) || !fault.IsUnavailable(err) {
			t.Errorf("replay with no replica to confirm it: %v, want an unavailable ErrNotReplicated", err)
		}
	})
	t.Run("lag and backlog are reported truthfully after trimming", func(t *testing.T) {
		e := setup(t)
		ctx := context.Background()
		e.pub = stream.NewPublisher(e.rdb, stream.PublisherOptions{}) // lag counts entries
		e.publishPlaced(t, 300)
		e.ensureGroup(t, e.streams.Orders, events.GroupKitchen)
		read := e.readIDs(t, events.GroupKitchen, "k", 200)
		if err := e.rdb.XAck(ctx, e.streams.Orders, events.GroupKitchen, read[:150]...).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.NewTrimmer(e.rdb, e.streams, 0, nil, nil).Trim(ctx, e.streams.Orders); err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(stream.NewGroupCollector(e.rdb, []stream.GroupRef{{Stream: e.streams.Orders, Group: events.GroupKitchen}}, e.streams.DeadLetter))
		got := map[string]float64{}
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			for _, m := range f.GetMetric() {
				got[f.GetName()] = m.GetGauge().GetValue()
			}
		}
		want := map[string]float64{"stream_group_lag": 100, "stream_group_pending": 50, "stream_group_backlog": 150}
		for name, v := range want {
			if got[name] != v {
				t.Errorf("%s = %v, want %v (all: %v)", name, got[name], v, got)
			}
		}
	})
	t.Run("settings that cannot work are refused", func(t *testing.T) {
		e := setup(t)
		for _, opt := range []stream.Options{
			{MinIdle: 50 * time.Millisecond},
			{MinIdle: time.Second, ReclaimEvery: 2 * time.Second},
			{MinIdle: time.Second, AckEvery: 500 * time.Millisecond},
			{Read: 10, Chunk: 20},
		} {
			opt.Group, opt.Streams, opt.DeadLetter = "g", []string{e.streams.Orders}, e.streams.DeadLetter
			if _, err := stream.NewConsumer(e.rdb, opt, func(context.Context, []stream.Message) error { return nil }); err == nil {
				t.Errorf("options %+v accepted", opt)
			}
		}
	})
	t.Run("the trimmer removes only what every group acknowledged", func(t *testing.T) {
		e := setup(t)
		ctx := context.Background()
		tr := stream.NewTrimmer(e.rdb, e.streams, 0, nil, nil)
		e.pub = stream.NewPublisher(e.rdb, stream.PublisherOptions{}) // trimming is by entry
		e.publishPlaced(t, 1000)
		ids := e.entryIDs(t, e.streams.Orders)
		// The kitchen group, which the contract says reads this stream,
		// does not exist yet: nothing may go, and the group is created.
		if n, err := tr.Trim(ctx, e.streams.Orders); err != nil || n != 0 {
			t.Fatalf("trim before the readers' group exists: %d, %v", n, err)
		}
		read := func(group, consumer string, n int64) []string { return e.readIDs(t, group, consumer, n) }
		kitchen := read("kitchen", "k", 600)
		if err := e.rdb.XAck(ctx, e.streams.Orders, "kitchen", kitchen[:500]...).Err(); err != nil {
			t.Fatal(err)
		}
		e.ensureGroup(t, e.streams.Orders, "audit")
		audit := read("audit", "a", 300)
		if err := e.rdb.XAck(ctx, e.streams.Orders, "audit", audit...).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Trim(ctx, e.streams.Orders); err != nil {
			t.Fatal(err)
		}
		kept := e.entryIDs(t, e.streams.Orders)
		if len(kept) < 700 || !slices.Contains(kept, ids[300]) || kept[len(kept)-1] != ids[999] {
			t.Fatalf("after trimming, %d entries from %s: the audit group's unread entries from %s must stay", len(kept), kept[0], ids[300])
		}
		// Both groups catch up: the stream empties, up to a node of entries
		// Redis trims only whole.
		if err := e.rdb.XAck(ctx, e.streams.Orders, "kitchen", kitchen[500:]...).Err(); err != nil {
			t.Fatal(err)
		}
		for _, g := range []string{"kitchen", "audit"} {
			rest := read(g, "x", 1000)
			if err := e.rdb.XAck(ctx, e.streams.Orders, g, rest...).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tr.Trim(ctx, e.streams.Orders); err != nil {
			t.Fatal(err)
		}
		if n := e.len(t, e.streams.Orders); n > 100 {
			t.Errorf("%d entries stay after every group acknowledged all", n)
		}
	})
}
