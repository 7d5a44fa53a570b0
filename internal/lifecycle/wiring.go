package lifecycle

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/outbox"
	"github.com/comanda-dev/comanda/internal/stream"
)

// ConnectRedis waits until Redis at url answers and returns a client tuned
// for stream work.
func ConnectRedis(ctx context.Context, log *slog.Logger, url string, poolSize int) (*redis.Client, error) {
	return Await(ctx, log, "redis", func(ctx context.Context) (*redis.Client, error) {
		return stream.Connect(ctx, url, poolSize)
	})
}

// Relay returns the outbox relay of a service, configured by the shared
// settings: the backlog cap of the streams, the events an entry packs and
// the replicas to wait for.
func Relay(store outbox.Store, rdb redis.UniversalClient, c config.Common, reg prometheus.Registerer, tracer trace.Tracer, log *slog.Logger) *outbox.Relay {
	pub := stream.NewPublisher(rdb, stream.PublisherOptions{WaitReplicas: c.RedisWaitReplicas, WaitTimeout: c.RedisWaitTimeout, Pack: c.StreamPack})
	streams := events.StreamNames(c.StreamPrefix)
	return outbox.NewRelay(store, pub, rdb, streams, outbox.Options{
		Backlog: c.BacklogEntries(), Trim: stream.NewTrimmer(rdb, streams, 0, nil, log).Trim, Registry: reg, Logger: log, Tracer: tracer,
	})
}

// Trimmer returns the trimmer of the work streams every service runs.
func Trimmer(rdb redis.UniversalClient, c config.Common, m *stream.Metrics, log *slog.Logger) *stream.Trimmer {
	return stream.NewTrimmer(rdb, events.StreamNames(c.StreamPrefix), 0, m, log)
}
