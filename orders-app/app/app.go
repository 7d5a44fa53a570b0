// Package app wires orders-app: its stores, stream consumer, outbox relay and
// HTTP API. main and the all-in-one runner both call Run.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/swagger"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/internal/outbox"
	"github.com/comanda-dev/comanda/internal/stream"
	_ "github.com/comanda-dev/comanda/orders-app/docs" // registers the swagger spec
	"github.com/comanda-dev/comanda/orders-app/internal/api"
	"github.com/comanda-dev/comanda/orders-app/internal/consumer"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
	"github.com/comanda-dev/comanda/orders-app/internal/postgres"
	"github.com/comanda-dev/comanda/orders-app/internal/replay"
	"github.com/comanda-dev/comanda/orders-app/internal/sqlite"
)

// App is a started orders-app: New opens everything, Run serves.
type App struct {
	cfg      Config
	log      *slog.Logger
	store    order.Store
	rdb      *redis.Client
	relay    *outbox.Relay
	trimmer  *stream.Trimmer
	counts   countsPublisher
	consumer *stream.Consumer
	http     *fiber.App
	ln       net.Listener
	// purgeKeys deletes expired idempotency keys in the background.
	purgeKeys func(context.Context) error
}

// Run starts orders-app and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// New opens the stores and Redis and listens on cfg.Addr.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting orders-app", "config", cfg)
	// A local, not the named result: returning nil must not hide what the
	// deferred clean-up closes.
	a := &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.close()
		}
	}()

	// Metrics are registered as the parts are built.
	reg := httpx.NewRegistry()
	streamMetrics := stream.NewMetrics(reg)

	// 1. The order store: PostgreSQL when configured, else a SQLite file.
	// A database still coming up delays the start rather than failing it.
	if cfg.DatabaseURL != "" {
		var pg *postgres.Store
		pg, err = lifecycle.Await(ctx, log, "postgresql", func(ctx context.Context) (*postgres.Store, error) {
			return postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema, cfg.DatabaseMaxConns)
		})
		if err == nil {
			a.store = pg
		}
	} else {
		var lite *sqlite.Store
		if lite, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "orders.db")); err == nil {
			a.store = lite
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening order store: %w", err)
	}

	// 2. Redis, which carries the streams.
	a.rdb, err = lifecycle.ConnectRedis(ctx, log, cfg.RedisURL, 32)
	if err != nil {
		return nil, err
	}
	streams := events.StreamNames(cfg.StreamPrefix)

	// 3. The outbox relay publishes placed orders; the consumer applies
	// status changes from the kitchen and dead letters.
	a.relay = lifecycle.Relay(a.store, a.rdb, cfg.Common, reg, log)
	a.trimmer = lifecycle.Trimmer(a.rdb, cfg.Common, streamMetrics, log)
	svc := order.NewService(a.store, cfg.MaxQuantity, a.relay.Notify, log)
	svc.OnDelivered(deliveryLatency(reg).Observe)
	svc.KeepKeys(cfg.IdempotencyTTL)
	a.purgeKeys = svc.PurgeKeysEvery(keyPurgeInterval)
	registerStatusCollector(reg, svc)
	a.counts = countsPublisher{svc: svc, rdb: a.rdb, key: streams.Counts, log: log}
	a.consumer, err = stream.NewConsumer(a.rdb, stream.Options{
		Group:         consumer.Group,
		Streams:       []string{streams.Kitchen, streams.DeadLetter},
		Types:         consumer.Types,
		DeadLetter:    streams.DeadLetter,
		Read:          256,
		Workers:       2,
		MinIdle:       cfg.ReclaimIdle,
		MaxDeliveries: cfg.MaxDeliveries,
		DrainTimeout:  cfg.ShutdownTimeout / 2,
		Metrics:       streamMetrics,
		Logger:        log,
	}, consumer.Handler(svc))
	if err != nil {
		return nil, err
	}
	reg.MustRegister(stream.NewGroupCollector(a.rdb, []stream.GroupRef{
		{Stream: streams.Kitchen, Group: consumer.Group}, {Stream: streams.DeadLetter, Group: consumer.Group},
	}, streams.DeadLetter))

	// 4. The HTTP API.
	sessions, err := auth.ForService(cfg.Common, a.rdb, log)
	if err != nil {
		return nil, err
	}
	a.http = httpx.New(httpx.Options{
		Service:  "orders-app",
		Logger:   log,
		MapError: api.MapError,
		Registry: reg,
		Ready: []httpx.Check{
			{Name: "database", Ping: a.store.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }},
		},
		Notes: []httpx.Note{{Name: "heldBack", Value: a.relay.HeldBack}},
	})
	a.http.Get("/documentation/*", swagger.New(swagger.Config{InstanceName: "orders", Title: "Comanda orders-app"}))
	dlq := stream.NewDeadLetterQueue(a.rdb, streams.DeadLetter, stream.PublisherOptions{WaitReplicas: cfg.RedisWaitReplicas, WaitTimeout: cfg.RedisWaitTimeout})
	api.New(svc, dlq, replay.New(dlq, svc, log), cfg.RequestTimeout).Register(a.http.Group("/api/v1", auth.Require(sessions)))
	a.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	return a, nil
}

// Addr is the address the API listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx ends, then shuts down in order: stop taking requests
// and messages, let in-flight ones finish, publish what the outbox still
// holds, close the clients.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	return lifecycle.Run(ctx, lifecycle.Parts{
		Name: "orders-app", Log: a.log, HTTP: a.http, Listener: a.ln, Grace: a.cfg.ShutdownTimeout / 2,
		Workers: []func(context.Context) error{a.consumer.Run, a.trimmer.Run, a.purgeKeys, a.counts.Run},
		Relay:   a.relay,
	})
}

func (a *App) close() {
	if a.ln != nil {
		_ = a.ln.Close()
	}
	if a.rdb != nil {
		_ = a.rdb.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}
