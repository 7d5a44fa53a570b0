package stream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// The same suite runs against the machine's Redis and against miniredis,
// which the embedded run uses.
func TestStreamsOnRedis(t *testing.T)     { runSuite(t, testkit.Redis, 1) }
func TestStreamsOnMiniredis(t *testing.T) { runSuite(t, testkit.Miniredis, 1) }

// The same suite with the relays' form of a burst: events packed several to
// an entry. Every guarantee holds event by event.
func TestPackedStreamsOnRedis(t *testing.T)     { runSuite(t, testkit.Redis, 8) }
func TestPackedStreamsOnMiniredis(t *testing.T) { runSuite(t, testkit.Miniredis, 8) }

type env struct {
	rdb     *redis.Client
	streams events.Streams
	pub     *stream.Publisher
	pack    int // events an entry carries, at most
}

func runSuite(t *testing.T, client func(testing.TB) *redis.Client, pack int) {
	setup := func(t *testing.T) env {
		t.Parallel()
		rdb := client(t)
		s := events.StreamNames(testkit.Prefix(t, rdb))
		return env{rdb: rdb, streams: s, pack: pack, pub: stream.NewPublisher(rdb, stream.PublisherOptions{Pack: pack})}
	}
	t.Run("every message handled once and acknowledged", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 1000)
		seen := newSeen()
		c := e.consumer(t, stream.Options{Workers: 4, Chunk: 50}, func(_ context.Context, msgs []stream.Message) error {
			seen.add(msgs...)
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "every message handled", patience, func() bool { return seen.len() == len(ids) })
		stop()
		if d := seen.dups(); d != 0 {
			t.Errorf("%d messages handled more than once without a failure", d)
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("batch failure isolates the poison message", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 20)
		poison := ids[7]
		var handled sync.Map
		c := e.consumer(t, stream.Options{Chunk: 20}, func(_ context.Context, msgs []stream.Message) error {
			for _, m := range msgs {
				if m.Event.OrderID == poison {
					return stream.Permanent(errors.New("recipe book has no such dish"))
				}
			}
			for _, m := range msgs {
				handled.Store(m.Event.OrderID, true)
			}
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "all but the poison handled and the poison dead-lettered", patience, func() bool { return count(&handled) == 19 && e.len(t, e.streams.DeadLetter) == 1 })
		stop()
		dl := e.deadLetters(t)
		if dl[0].OrderID != poison {
			t.Errorf("dead letter is for %s, want %s", dl[0].OrderID, poison)
		}
		p, err := events.DecodePayload[events.DeadLettered](dl[0])
		if err != nil {
			t.Fatal(err)
		}
		if p.Group != "g" || p.Stream != e.streams.Orders || p.Type != events.TypeOrderPlaced || p.Reason == "" {
			t.Errorf("dead letter lacks its origin: %+v", p)
		}
		if orig, err := events.Decode(p.Event); err != nil || orig.OrderID != poison {
			t.Errorf("dead letter does not carry the original event: %v %+v", err, orig)
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("undecodable entry is dead-lettered without calling the handler", func(t *testing.T) {
		e := setup(t)
		e.rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: e.streams.Orders, Values: map[string]any{"type": "order.placed", "order": "o-1", "event": "{not json"}})
		e.publishPlaced(t, 3)
		var calls atomic.Int64
		c := e.consumer(t, stream.Options{}, func(_ context.Context, msgs []stream.Message) error {
			calls.Add(int64(len(msgs)))
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the good messages handled and the bad entry dead-lettered", patience, func() bool { return calls.Load() == 3 && e.len(t, e.streams.DeadLetter) == 1 })
		stop()
		if dl := e.deadLetters(t); dl[0].OrderID != "o-1" {
			t.Errorf("dead letter keeps the order id: got %q", dl[0].OrderID)
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("a stream's events keep the order they were published in", func(t *testing.T) {
		e := setup(t)
		var recs []stream.Record
		var want []string
		for i := range 40 {
			var env events.Envelope
			if i%7 == 3 || i%7 == 4 { // runs of two among runs of five
				env = events.MustNew("t", fmt.Sprint(i), time.Now(), events.DishDelivered{Recipe: "salad"})
			} else {
				env = events.MustNew("t", fmt.Sprint(i), time.Now(), events.CookingStarted{Recipe: "salad"})
			}
			recs = append(recs, stream.Record{Stream: e.streams.Kitchen, Event: env})
			want = append(want, env.ID)
		}
		ids, err := e.pub.Publish(context.Background(), recs...)
		if err != nil || len(ids) != len(recs) {
			t.Fatalf("publish: %d ids, %v", len(ids), err)
		}
		var got []string
		for _, env := range testkit.StreamEvents(t, e.rdb, e.streams.Kitchen) {
			got = append(got, env.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("the stream holds its events in another order than published")
		}
		if n, most := e.len(t, e.streams.Kitchen), int64(len(recs)); n > most || (e.pack > 1 && n >= most) {
			t.Errorf("%d events in %d entries with packs of %d", len(recs), n, e.pack)
		}
	})
	t.Run("an event of a pack that does not decode is dead-lettered alone", func(t *testing.T) {
		e := setup(t)
		good := []events.Envelope{placed(t), placed(t)}
		pack := fmt.Sprintf(`[%s,{"id":"","type":"order.placed","orderId":"o-bad"},%s]`, good[0].Encode(), good[1].Encode())
		ctx := context.Background()
		e.rdb.XAdd(ctx, &redis.XAddArgs{Stream: e.streams.Orders, Values: map[string]any{"type": "order.placed", "count": 3, "events": pack}})
		e.rdb.XAdd(ctx, &redis.XAddArgs{Stream: e.streams.Orders, Values: map[string]any{"type": "order.placed", "count": 2, "events": "[not json"}})
		seen := newSeen()
		c := e.consumer(t, stream.Options{}, func(_ context.Context, msgs []stream.Message) error {
			seen.add(msgs...)
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the good pack handled and both bad entries dead-lettered", patience, func() bool { return seen.len() == 2 && e.len(t, e.streams.DeadLetter) == 2 })
		testkit.Eventually(t, "nothing pending", patience, func() bool { return e.pending(t, e.streams.Orders, "g") == 0 })
		stop()
		for _, g := range good {
			if _, ok := seen.msgs[g.ID]; !ok {
				t.Errorf("event %s of the pack was not handled", g.ID)
			}
		}
		var raws []string
		for _, dl := range e.deadLetters(t) {
			p, err := events.DecodePayload[events.DeadLettered](dl)
			if err != nil {
				t.Fatal(err)
			}
			raws = append(raws, string(p.Event))
		}
		if !strings.Contains(raws[0], `"o-bad"`) || strings.Contains(raws[0], good[0].ID) {
			t.Errorf("the first dead letter should carry the bad event alone: %s", raws[0])
		}
		if !strings.Contains(raws[1], "[not json") {
			t.Errorf("the second dead letter should carry the entry as stored: %s", raws[1])
		}
	})
	t.Run("a pack whose consumers died past the maximum is dead-lettered event by event", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 3)
		e.ensureGroup(t, e.streams.Orders, "g")
		if err := e.rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: "g", Consumer: "crashed", Streams: []string{e.streams.Orders, ">"}, Count: 10}).Err(); err != nil {
			t.Fatal(err)
		}
		var calls atomic.Int64
		c := e.consumer(t, stream.Options{MinIdle: 200 * time.Millisecond, ReclaimEvery: 20 * time.Millisecond, MaxDeliveries: 1}, func(_ context.Context, msgs []stream.Message) error {
			calls.Add(int64(len(msgs)))
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the over-delivered entries dead-lettered", patience, func() bool { return e.len(t, e.streams.DeadLetter) == 3 })
		testkit.Eventually(t, "nothing pending", patience, func() bool { return e.pending(t, e.streams.Orders, "g") == 0 })
		stop()
		if n := calls.Load(); n != 0 {
			t.Errorf("the handler saw %d events past their maximum deliveries", n)
		}
		var orders []string
		for _, dl := range e.deadLetters(t) {
			orders = append(orders, dl.OrderID)
		}
		slices.Sort(orders)
		slices.Sort(ids)
		if !slices.Equal(orders, ids) {
			t.Errorf("dead letters for %v, want one for each of %v", orders, ids)
		}
	})
	t.Run("transient failure is retried with backoff", func(t *testing.T) {
		e := setup(t)
		e.publishPlaced(t, 1)
		var calls atomic.Int64
		c := e.consumer(t, stream.Options{Retries: 3, RetryBase: 5 * time.Millisecond}, func(context.Context, []stream.Message) error {
			if calls.Add(1) < 3 {
				return errors.New("database is restarting")
			}
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the third try", patience, func() bool { return calls.Load() == 3 })
		stop()
		e.assertPending(t, e.streams.Orders, "g", 0)
		if n := e.len(t, e.streams.DeadLetter); n != 0 {
			t.Errorf("%d dead letters after a recovered failure", n)
		}
	})
	t.Run("entries left by a crashed consumer are reclaimed", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 50)
		// A consumer reads everything and dies before acknowledging.
		e.ensureGroup(t, e.streams.Orders, "g")
		got, err := e.rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: "g", Consumer: "crashed", Streams: []string{e.streams.Orders, ">"}, Count: 100}).Result()
		if err != nil || len(got[0].Messages) != e.entriesOf(50) {
			t.Fatalf("crashed consumer read %v, %v", got, err)
		}
		seen := newSeen()
		c := e.consumer(t, stream.Options{MinIdle: 200 * time.Millisecond, ReclaimEvery: 50 * time.Millisecond}, func(_ context.Context, msgs []stream.Message) error {
			seen.add(msgs...)
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the crashed consumer's entries handled", patience, func() bool { return seen.len() == len(ids) })
		stop()
		for _, m := range seen.all() {
			if m.Deliveries < 2 {
				t.Fatalf("reclaimed message reports %d deliveries", m.Deliveries)
			}
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("message failing every delivery is dead-lettered after the maximum", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 2)
		var calls atomic.Int64
		c := e.consumer(t, stream.Options{
			MinIdle: 200 * time.Millisecond, ReclaimEvery: 20 * time.Millisecond,
			MaxDeliveries: 3, Retries: -1, Chunk: 1,
		}, func(_ context.Context, msgs []stream.Message) error {
			if msgs[0].Event.OrderID == ids[0] {
				calls.Add(1)
				return errors.New("kitchen on fire")
			}
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the failing message dead-lettered", patience, func() bool { return e.len(t, e.streams.DeadLetter) == 1 })
		stop()
		if n := calls.Load(); n != 3 {
			t.Errorf("handler called %d times, want exactly MaxDeliveries=3", n)
		}
		p, _ := events.DecodePayload[events.DeadLettered](e.deadLetters(t)[0])
		if p.Deliveries != 3 || p.Reason != "not handled after 3 deliveries: kitchen on fire" {
			t.Errorf("dead letter: %+v", p)
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("unwanted types are acknowledged unseen", func(t *testing.T) {
		e := setup(t)
		e.publishPlaced(t, 5)
		e.publish(t, e.streams.Orders, events.MustNew("t", "o-x", time.Now(), events.DishDelivered{Recipe: "salad"}))
		var calls atomic.Int64
		c := e.consumer(t, stream.Options{Types: []string{events.TypeDishDelivered}}, func(_ context.Context, msgs []stream.Message) error {
			calls.Add(int64(len(msgs)))
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "the one wanted type handled", patience, func() bool { return calls.Load() == 1 })
		testkit.Eventually(t, "nothing pending", patience, func() bool { return e.pending(t, e.streams.Orders, "g") == 0 })
		stop()
	})
	t.Run("shutdown drains in-flight handlers and acknowledges them", func(t *testing.T) {
		e := setup(t)
		e.publishPlaced(t, 4)
		started := make(chan struct{}, 4)
		var finished atomic.Int64
		c := e.consumer(t, stream.Options{Workers: 4, Chunk: 1}, func(ctx context.Context, _ []stream.Message) error {
			started <- struct{}{}
			time.Sleep(200 * time.Millisecond)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			finished.Add(1)
			return nil
		})
		stop := run(t, c)
		for range 4 {
			<-started
		}
		stop() // returns only when Run has returned
		if finished.Load() != 4 {
			t.Errorf("%d of 4 in-flight handlers finished", finished.Load())
		}
		e.assertPending(t, e.streams.Orders, "g", 0)
	})
	t.Run("dead letters are listed newest first and replayed once", func(t *testing.T) {
		e := setup(t)
		ids := e.publishPlaced(t, 3)
		var fixed atomic.Bool
		var handled sync.Map
		c := e.consumer(t, stream.Options{Chunk: 1}, func(_ context.Context, msgs []stream.Message) error {
			if !fixed.Load() {
				return stream.Permanent(errors.New("recipe book is empty"))
			}
			handled.Store(msgs[0].Event.OrderID, true)
			return nil
		})
		stop := run(t, c)
		testkit.Eventually(t, "three dead letters", patience, func() bool { return e.len(t, e.streams.DeadLetter) == 3 })
		ctx := context.Background()
		dlq := stream.NewDeadLetterQueue(e.rdb, e.streams.DeadLetter, stream.PublisherOptions{})
		page, err := dlq.List(ctx, "", 2)
		if err != nil || len(page) != 2 || page[0].OrderID != ids[2] || page[1].OrderID != ids[1] {
			t.Fatalf("first page: %+v, %v", page, err)
		}
		rest, err := dlq.List(ctx, page[1].ID, 2)
		if err != nil || len(rest) != 1 || rest[0].OrderID != ids[0] || rest[0].Reason == "" || rest[0].Group != "g" {
			t.Fatalf("second page: %+v, %v", rest, err)
		}
		fixed.Store(true)
		dl, err := dlq.Replay(ctx, rest[0].ID)
		if err != nil || dl.OrderID != ids[0] {
			t.Fatalf("replay: %+v, %v", dl, err)
		}
		if _, err := dlq.Replay(ctx, rest[0].ID); !errors.Is(err, stream.ErrNoSuchEntry) {
			t.Errorf("second replay: %v, want ErrNoSuchEntry", err)
		}
		testkit.Eventually(t, "the replayed message handled", patience, func() bool { _, ok := handled.Load(ids[0]); return ok })
		stop()
		if n := e.len(t, e.streams.DeadLetter); n != 2 {
			t.Errorf("%d dead letters left, want 2", n)
		}
	})
	runFaultSuite(t, setup)
	t.Run("tails never hold back trimming and leave no group behind", func(t *testing.T) {
		e := setup(t)
		ctx := context.Background()
		tailGroups := func() []string {
			groups, err := e.rdb.XInfoGroups(ctx, e.streams.Orders).Result()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, g := range groups {
				if strings.HasPrefix(g.Name, stream.TailGroupPrefix) {
					out = append(out, g.Name)
				}
			}
			return out
		}
		// The tail of a process that died: its group, and no mark.
		e.ensureGroup(t, e.streams.Orders, stream.TailGroupPrefix+"dead")
		e.pub = stream.NewPublisher(e.rdb, stream.PublisherOptions{}) // trimming is by entry
		e.publishPlaced(t, 1000)
		// The kitchen, the stream's reader, takes and acknowledges all.
		e.ensureGroup(t, e.streams.Orders, events.GroupKitchen)
		read := e.readIDs(t, events.GroupKitchen, "k", 1000)
		if err := e.rdb.XAck(ctx, e.streams.Orders, events.GroupKitchen, read...).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.NewTrimmer(e.rdb, e.streams, 0, nil, nil).Trim(ctx, e.streams.Orders); err != nil {
			t.Fatal(err)
		}
		if n := e.len(t, e.streams.Orders); n > 100 {
			t.Errorf("%d entries kept for a tail that never read them", n)
		}
		time.Sleep(150 * time.Millisecond)
		tctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- stream.Tail(tctx, e.rdb, []string{e.streams.Orders}, stream.TailOptions{StaleAfter: 100 * time.Millisecond, Poll: 10 * time.Millisecond}, func([]stream.Message) error { return nil })
		}()
		deadline := time.Now().Add(10 * time.Second)
		for g := tailGroups(); len(g) != 1 || g[0] == stream.TailGroupPrefix+"dead"; g = tailGroups() {
			if time.Now().After(deadline) {
				t.Fatalf("tail groups %v: want the new tail's alone", g)
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if g := tailGroups(); len(g) != 0 {
			t.Errorf("groups %v left after the tails stopped", g)
		}
	})
	t.Run("tail fans out every event to every reader and resumes", func(t *testing.T) {
		e := setup(t)
		first := e.publishPlaced(t, 3)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		results := make([]*seenSet, 2)
		for i := range results {
			results[i] = newSeen()
			wg.Go(func() {
				_ = stream.Tail(ctx, e.rdb, []string{e.streams.Orders, e.streams.Kitchen}, stream.TailOptions{Poll: 10 * time.Millisecond}, func(msgs []stream.Message) error {
					results[i].add(msgs...)
					return nil
				})
			})
		}
		time.Sleep(200 * time.Millisecond) // both readers are past "$"
		e.publishPlaced(t, 5)
		e.publish(t, e.streams.Kitchen, events.MustNew("t", "o-k", time.Now(), events.DishDelivered{Recipe: "salad"}))
		for _, r := range results {
			testkit.Eventually(t, "six messages read", patience, func() bool { return r.len() == 6 })
		}
		cancel()
		wg.Wait()
		// A reader that resumes from an entry id sees exactly what followed it.
		got := newSeen()
		firstIDs := e.entryIDs(t, e.streams.Orders)
		rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer rcancel()
		_ = stream.Tail(rctx, e.rdb, []string{e.streams.Orders}, stream.TailOptions{From: map[string]string{e.streams.Orders: firstIDs[e.entriesOf(len(first))-1]}, Poll: 10 * time.Millisecond}, func(msgs []stream.Message) error {
			got.add(msgs...)
			if got.len() >= 5 {
				rcancel()
			}
			return nil
		})
		if got.len() != 5 {
			t.Errorf("resumed reader saw %d entries, want 5", got.len())
		}
	})
}

func placed(t testing.TB) events.Envelope {
	return events.MustNew("test", testkit.RandomHex(8), time.Now(), events.OrderPlaced{BatchID: "b", PlacedAt: time.Now()})
}

func (e env) publishPlaced(t testing.TB, n int) []string {
	t.Helper()
	var recs []stream.Record
	var orders []string
	for range n {
		env := placed(t)
		orders = append(orders, env.OrderID)
		recs = append(recs, stream.Record{Stream: e.streams.Orders, Event: env})
	}
	if _, err := e.pub.Publish(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	return orders
}

// entriesOf is how many entries n events published at once take.
func (e env) entriesOf(n int) int { return (n + e.pack - 1) / e.pack }

func (e env) publish(t testing.TB, s string, env events.Envelope) {
	t.Helper()
	if _, err := e.pub.Publish(context.Background(), stream.Record{Stream: s, Event: env}); err != nil {
		t.Fatal(err)
	}
}

func (e env) consumer(t testing.TB, opt stream.Options, h stream.Handler) *stream.Consumer {
	t.Helper()
	opt.Group = "g"
	opt.Streams = []string{e.streams.Orders}
	opt.DeadLetter = e.streams.DeadLetter
	if opt.Block == 0 {
		opt.Block = 50 * time.Millisecond
	}
	c, err := stream.NewConsumer(e.rdb, opt, h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e env) ensureGroup(t testing.TB, s, g string) {
	if err := e.rdb.XGroupCreateMkStream(context.Background(), s, g, "0").Err(); err != nil {
		t.Fatal(err)
	}
}

func (e env) len(t testing.TB, s string) int64 {
	n, err := e.rdb.XLen(context.Background(), s).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e env) pending(t testing.TB, s, g string) int64 {
	p, err := e.rdb.XPending(context.Background(), s, g).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}

func (e env) assertPending(t testing.TB, s, g string, want int64) {
	t.Helper()
	if got := e.pending(t, s, g); got != want {
		t.Errorf("%d entries pending in %s/%s, want %d", got, s, g, want)
	}
}

// readIDs reads up to n new entries of the orders stream as consumer of
// group, acknowledging nothing, and returns their ids.
func (e env) readIDs(t testing.TB, group, consumer string, n int64) []string {
	t.Helper()
	res, err := e.rdb.XReadGroup(context.Background(), &redis.XReadGroupArgs{Group: group, Consumer: consumer, Streams: []string{e.streams.Orders, ">"}, Count: n}).Result()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, x := range res[0].Messages {
		ids = append(ids, x.ID)
	}
	return ids
}

func (e env) entryIDs(t testing.TB, s string) []string {
	xs, err := e.rdb.XRange(context.Background(), s, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = x.ID
	}
	return ids
}

func (e env) deadLetters(t testing.TB) []events.Envelope {
	t.Helper()
	xs, err := e.rdb.XRange(context.Background(), e.streams.DeadLetter, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Envelope
	for _, x := range xs {
		env, err := events.Decode([]byte(x.Values["event"].(string)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, env)
	}
	return out
}

// run starts c and returns a function that stops it and waits for Run.
func run(t testing.TB, c *stream.Consumer) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("consumer: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("consumer did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// patience is how long a test waits for consumers to get where it expects.
const patience = 15 * time.Second

type seenSet struct {
	mu   sync.Mutex
	msgs map[string]stream.Message
	dup  int
}

func newSeen() *seenSet { return &seenSet{msgs: map[string]stream.Message{}} }

func (s *seenSet) add(msgs ...stream.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		key := m.Event.ID
		if _, ok := s.msgs[key]; ok {
			s.dup++
		}
		s.msgs[key] = m
	}
}

func (s *seenSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

func (s *seenSet) dups() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dup
}

func (s *seenSet) all() []stream.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []stream.Message
	for _, m := range s.msgs {
		out = append(out, m)
	}
	return out
}

func count(m *sync.Map) int {
	n := 0
	m.Range(func(_, _ any) bool { n++; return true })
	return n
}
