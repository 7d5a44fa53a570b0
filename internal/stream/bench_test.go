package stream_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/testkit"
)

// BenchmarkStream measures the stream layer alone, on the machine's Redis and
// on miniredis (the embedded run's): b.N events published in pipelines of
// benchBatch, as an outbox relay does (one event an entry, or packed
// benchPack to an entry as the relays publish them), read by one consumer
// group with the services' read size, handed to a handler that stores
// nothing, and acknowledged. msgs/s is b.N over the time from the first
// publish to the last acknowledgement. make bench runs it (-benchtime=Nx);
// make test never does.
func BenchmarkStream(b *testing.B) {
	b.Run("redis", func(b *testing.B) { benchStream(b, testkit.Redis, 1) })
	b.Run("miniredis", func(b *testing.B) { benchStream(b, testkit.Miniredis, 1) })
	b.Run("redis_packed", func(b *testing.B) { benchStream(b, testkit.Redis, benchPack) })
	b.Run("miniredis_packed", func(b *testing.B) { benchStream(b, testkit.Miniredis, benchPack) })
}

// benchBatch is how many events one publish carries.
const benchBatch = 128

// benchPack is the services' default STREAM_PACK.
const benchPack = 64

func benchStream(b *testing.B, client func(testing.TB) *redis.Client, pack int) {
	rdb := client(b)
	streams := events.StreamNames(testkit.Prefix(b, rdb))
	pub := stream.NewPublisher(rdb, stream.PublisherOptions{Pack: pack})
	recs := make([]stream.Record, b.N)
	now := time.Now()
	for i := range recs {
		recs[i] = stream.Record{Stream: streams.Orders,
			Event: events.MustNew("bench", testkit.RandomHex(8), now, events.OrderPlaced{BatchID: "bench", PlacedAt: now})}
	}

	var handled atomic.Int64
	all := make(chan struct{})
	c, err := stream.NewConsumer(rdb, stream.Options{
		Group: "bench", Streams: []string{streams.Orders}, DeadLetter: streams.DeadLetter,
		Read: 256, Workers: 2, Block: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
	}, func(_ context.Context, msgs []stream.Message) error {
		if handled.Add(int64(len(msgs))) == int64(b.N) {
			close(all)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// The group exists before the clock starts, so that only the work is
	// timed.
	if err := stream.EnsureGroups(context.Background(), rdb, "bench", streams.Orders); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- c.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-stopped; err != nil {
			b.Error(err)
		}
	}()

	b.ResetTimer()
	for i := 0; i < len(recs); i += benchBatch {
		if _, err := pub.Publish(ctx, recs[i:min(i+benchBatch, len(recs))]...); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-all:
	case <-time.After(time.Minute + time.Duration(b.N)*time.Millisecond):
		b.Fatalf("%d of %d messages handled", handled.Load(), b.N)
	}
	// Acknowledgements go in batches: the last one closes the measure.
	for {
		p, err := rdb.XPending(ctx, streams.Orders, "bench").Result()
		if err != nil {
			b.Fatal(err)
		}
		if p.Count == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
