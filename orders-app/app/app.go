// Package app wires orders-app: its stores, stream consumer, outbox relay and
// HTTP API. main and the all-in-one runner both call Run.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/orders-app/docs"
	"github.com/comanda-dev/comanda/orders-app/internal/api"
	"github.com/comanda-dev/comanda/orders-app/internal/consumer"
	"github.com/comanda-dev/comanda/orders-app/internal/deadletters"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
	"github.com/comanda-dev/comanda/orders-app/internal/postgres"
	"github.com/comanda-dev/comanda/orders-app/internal/sqlite"
)

// App is a started orders-app: New opens everything, Run serves.
type App struct {
	*lifecycle.Service
}

// Run starts orders-app and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// New opens the stores and Redis and listens on cfg.Addr. Run serves it;
// Close closes one that will not run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting orders-app", "config", cfg)
	s, err := lifecycle.Open(ctx, "orders-app", cfg.Common, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	store, err := openStore(ctx, cfg, s.Tracing, log)
	if err != nil {
		return nil, fmt.Errorf("opening order store: %w", err)
	}
	s.OnClose(store.Close)

	// The relay publishes placed orders; the consumer applies status
	// changes from the kitchen and dead letters; the counts by status go to
	// Redis for the live feed; expired idempotency keys are purged.
	relay := s.Publish(store)
	svc := order.NewService(store, cfg.MaxQuantity, relay.Notify, log)
	svc.OnDelivered(deliveryLatency(s.Registry).Observe)
	svc.KeepKeys(cfg.IdempotencyTTL)
	svc.Trace(s.Tracing.Tracer(), tracing.Stamp)
	registerStatusCollector(s.Registry, svc)
	s.Worker(svc.PurgeKeysEvery(keyPurgeInterval))
	s.Worker(countsPublisher{svc: svc, rdb: s.Redis, key: s.Streams.Counts, log: log}.Run)
	if _, err = s.Consume(lifecycle.ConsumerOptions{
		Group: consumer.Group, Streams: []string{s.Streams.Kitchen, s.Streams.DeadLetter}, Types: consumer.Types, Workers: 2,
	}, consumer.Handler(svc)); err != nil {
		return nil, err
	}
	s.ReportGroups(stream.GroupRef{Stream: s.Streams.Kitchen, Group: consumer.Group}, stream.GroupRef{Stream: s.Streams.DeadLetter, Group: consumer.Group})

	dlq := stream.NewDeadLetterQueue(s.Redis, s.Streams.DeadLetter, stream.PublisherOptions{WaitReplicas: cfg.RedisWaitReplicas, WaitTimeout: cfg.RedisWaitTimeout})
	api.New(svc, deadletters.New(dlq, svc, log)).Register(s.Serve(lifecycle.HTTPOptions{
		Timeout: cfg.RequestTimeout,
		Docs:    &docs.Spec, MapError: api.MapError,
		Ready: []httpx.Check{{Name: "database", Ping: store.Ping}},
	}))
	if err = s.Listen(cfg.Addr); err != nil {
		return nil, err
	}
	return &App{s}, nil
}

// openStore opens PostgreSQL when configured, else a SQLite file; a
// database still coming up delays the start rather than failing it.
func openStore(ctx context.Context, cfg Config, tr *tracing.Provider, log *slog.Logger) (order.Store, error) {
	if cfg.DatabaseURL != "" {
		return lifecycle.Await(ctx, log, "postgresql", func(ctx context.Context) (*postgres.Store, error) {
			return postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema, cfg.DatabaseMaxConns, tr)
		})
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "orders.db"), tr)
}
