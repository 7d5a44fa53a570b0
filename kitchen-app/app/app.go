// Package app wires kitchen-app: its store, stream consumers, outbox relay
// and HTTP API. main and the all-in-one runner both call Run.
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
	_ "github.com/comanda-dev/comanda/kitchen-app/docs" // registers the swagger spec
	"github.com/comanda-dev/comanda/kitchen-app/internal/api"
	"github.com/comanda-dev/comanda/kitchen-app/internal/consumer"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
	"github.com/comanda-dev/comanda/kitchen-app/internal/postgres"
	"github.com/comanda-dev/comanda/kitchen-app/internal/sqlite"
)

// App is a started kitchen-app: New opens everything, Run serves.
type App struct {
	cfg     Config
	log     *slog.Logger
	store   kitchen.Store
	rdb     *redis.Client
	relay   *outbox.Relay
	trimmer *stream.Trimmer
	// orders opens and fails tickets; cooks cook what the warehouse
	// reserved. They read different streams with the same group.
	orders *stream.Consumer
	cooks  *stream.Consumer
	http   *fiber.App
	ln     net.Listener
}

// Run starts kitchen-app and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// New opens the store and Redis, loads the recipe book and listens on
// cfg.Addr.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting kitchen-app", "config", cfg)
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

	// 1. The kitchen store: PostgreSQL when configured, else a SQLite file.
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
		if lite, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "kitchen.db")); err == nil {
			a.store = lite
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening kitchen store: %w", err)
	}

	// 2. Redis, which carries the streams.
	a.rdb, err = lifecycle.ConnectRedis(ctx, log, cfg.RedisURL, 32)
	if err != nil {
		return nil, err
	}
	streams := events.StreamNames(cfg.StreamPrefix)

	// 3. The kitchen (it loads the recipe book), the outbox relay that
	// publishes its events, and the consumers that feed it.
	a.relay = lifecycle.Relay(a.store, a.rdb, cfg.Common, reg, log)
	a.trimmer = lifecycle.Trimmer(a.rdb, cfg.Common, streamMetrics, log)
	svc, err := kitchen.NewService(ctx, a.store, kitchen.Options{
		Random:    kitchen.RandomSource(cfg.RandomSeed),
		CookTime:  cfg.CookTime,
		Published: a.relay.Notify,
		Logger:    log,
	})
	if err != nil {
		return nil, err
	}
	a.orders, err = stream.NewConsumer(a.rdb, stream.Options{
		Group:         consumer.Group,
		Streams:       []string{streams.Orders, streams.DeadLetter},
		Types:         consumer.OrderTypes,
		DeadLetter:    streams.DeadLetter,
		Read:          256,
		Workers:       2,
		MinIdle:       cfg.ReclaimIdle,
		MaxDeliveries: cfg.MaxDeliveries,
		DrainTimeout:  cfg.ShutdownTimeout / 2,
		Metrics:       streamMetrics,
		Logger:        log,
	}, consumer.Orders(svc))
	if err != nil {
		return nil, err
	}
	// A dish takes COOK_TIME, so dishes cook side by side: COOKS cooks,
	// each with a tray of up to COOK_TRAY dishes that share their two
	// transactions (started, delivered). A tray takes what has arrived and
	// never waits to fill up, so a trickle of orders cooks one by one.
	a.cooks, err = stream.NewConsumer(a.rdb, stream.Options{
		Group:         consumer.Group,
		Streams:       []string{streams.Inventory},
		Types:         consumer.CookTypes,
		DeadLetter:    streams.DeadLetter,
		Read:          max(128, cfg.CookTray),
		Chunk:         cfg.CookTray,
		Workers:       cfg.Cooks,
		MinIdle:       cfg.ReclaimIdle,
		MaxDeliveries: cfg.MaxDeliveries,
		DrainTimeout:  cfg.ShutdownTimeout / 2,
		Metrics:       streamMetrics,
		Logger:        log,
	}, consumer.Cook(svc))
	if err != nil {
		return nil, err
	}
	reg.MustRegister(stream.NewGroupCollector(a.rdb, []stream.GroupRef{
		{Stream: streams.Orders, Group: consumer.Group}, {Stream: streams.DeadLetter, Group: consumer.Group},
		{Stream: streams.Inventory, Group: consumer.Group},
	}, streams.DeadLetter))

	// 4. The HTTP API.
	sessions, err := auth.ForService(cfg.Common, a.rdb, log)
	if err != nil {
		return nil, err
	}
	a.http = httpx.New(httpx.Options{
		Service:  "kitchen-app",
		Logger:   log,
		MapError: api.MapError,
		Registry: reg,
		Ready: []httpx.Check{
			{Name: "database", Ping: a.store.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }},
		},
		Notes: []httpx.Note{{Name: "heldBack", Value: a.relay.HeldBack}},
	})
	a.http.Get("/documentation/*", swagger.New(swagger.Config{InstanceName: "kitchen", Title: "Comanda kitchen-app"}))
	api.New(svc, cfg.RequestTimeout).Register(a.http.Group("/api/v1", auth.Require(sessions)))
	a.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	return a, nil
}

// Addr is the address the API listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx ends, then shuts down in order: stop taking requests
// and messages, let in-flight ones (dishes on the stove included) finish,
// publish what the outbox still holds, close the clients.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	return lifecycle.Run(ctx, lifecycle.Parts{
		Name: "kitchen-app", Log: a.log, HTTP: a.http, Listener: a.ln, Grace: a.cfg.ShutdownTimeout / 2,
		Workers: []func(context.Context) error{a.orders.Run, a.cooks.Run, a.trimmer.Run},
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
