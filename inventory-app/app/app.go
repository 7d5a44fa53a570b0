// Package app wires inventory-app: its store, the market client, the
// warehouse (clerk and buyers), the stream consumer, the outbox relay and the
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
	_ "github.com/comanda-dev/comanda/inventory-app/docs" // registers the swagger spec
	"github.com/comanda-dev/comanda/inventory-app/internal/api"
	"github.com/comanda-dev/comanda/inventory-app/internal/consumer"
	"github.com/comanda-dev/comanda/inventory-app/internal/feed"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/mongo"
	"github.com/comanda-dev/comanda/inventory-app/internal/sqlite"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// App is a started inventory-app: New opens everything, Run serves.
//
// Run one replica per store: the warehouse is a single writer (its clerk
// and buyers keep the waiting list and the stock in memory). A second
// replica would allocate from a stale mirror and buy twice; the store's
// conditional updates would still keep stock non-negative and every order
// reserved at most once.
type App struct {
	cfg       Config
	log       *slog.Logger
	store     warehouse.Store
	rdb       *redis.Client
	market    *market.Client
	warehouse *warehouse.Warehouse
	relay     *outbox.Relay
	trimmer   *stream.Trimmer
	consumer  *stream.Consumer
	feed      *feed.Hub
	http      *fiber.App
	ln        net.Listener
}

// Run starts inventory-app and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// New opens the store and Redis, loads the warehouse and listens on
// cfg.Addr.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting inventory-app", "config", cfg)
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

	// 1. The store: MongoDB when configured, else a SQLite file.
	if cfg.MongoURL != "" {
		a.store, err = mongo.Open(ctx, cfg.MongoURL, cfg.MongoDatabase)
	} else {
		a.store, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "inventory.db"))
	}
	if err != nil {
		return nil, fmt.Errorf("opening inventory store: %w", err)
	}

	// 2. Redis, which carries the streams.
	a.rdb, err = lifecycle.ConnectRedis(ctx, log, cfg.RedisURL, 32)
	if err != nil {
		return nil, err
	}
	streams := events.StreamNames(cfg.StreamPrefix)

	// 3. The farmers market: bounded, timed out, behind a circuit breaker.
	a.market, err = market.New(market.Config{
		URL: cfg.MarketURL, Timeout: cfg.MarketTimeout, Concurrency: cfg.MarketConcurrency,
		BreakerFailures: cfg.MarketBreakerFailures, BreakerCooldown: cfg.MarketBreakerCooldown, Logger: log,
		ObserveLatency: marketLatency(reg).Observe,
	})
	if err != nil {
		return nil, err
	}

	// 4. The warehouse: seeds the stock once and resumes the orders that
	// were waiting, before the consumer adds new ones.
	a.relay = lifecycle.Relay(a.store, a.rdb, cfg.Common, reg, log)
	a.trimmer = lifecycle.Trimmer(a.rdb, cfg.Common, streamMetrics, log)
	a.warehouse, err = warehouse.New(ctx, a.store, a.market, warehouse.Options{
		InitialStock: cfg.InitialStock, RetryMin: cfg.MarketRetryMin, RetryMax: cfg.MarketRetryMax,
		CallsPerIngredient: cfg.MarketCallsPerIngredient,
		Published:          a.relay.Notify, Logger: log,
	})
	if err != nil {
		return nil, err
	}

	// 5. The consumer stores the kitchen's requests.
	a.consumer, err = stream.NewConsumer(a.rdb, stream.Options{
		Group:         consumer.Group,
		Streams:       []string{streams.Kitchen},
		Types:         consumer.Types,
		DeadLetter:    streams.DeadLetter,
		Read:          256,
		MinIdle:       cfg.ReclaimIdle,
		MaxDeliveries: cfg.MaxDeliveries,
		DrainTimeout:  cfg.ShutdownTimeout / 2,
		Metrics:       streamMetrics,
		Logger:        log,
	}, consumer.Handler(a.warehouse))
	if err != nil {
		return nil, err
	}

	reg.MustRegister(stream.NewGroupCollector(a.rdb, []stream.GroupRef{
		{Stream: streams.Kitchen, Group: consumer.Group},
	}, streams.DeadLetter))
	registerWarehouseMetrics(reg, a.warehouse)

	// 6. The HTTP API.
	keys, err := auth.ForService(cfg.Common, log)
	if err != nil {
		return nil, err
	}
	registerMarketMetrics(reg, a.market)
	a.http = httpx.New(httpx.Options{
		Service:  "inventory-app",
		Logger:   log,
		MapError: api.MapError,
		Registry: reg,
		Ready: []httpx.Check{
			{Name: "store", Ping: a.store.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }},
		},
		Notes: []httpx.Note{{Name: "heldBack", Value: a.relay.HeldBack}},
	})
	a.http.Get("/documentation/*", swagger.New(swagger.Config{InstanceName: "inventory", Title: "Comanda inventory-app"}))
	api.New(a.warehouse, a.market, cfg.RequestTimeout).Register(a.http.Group("/api/v1", auth.RequireForWrites(keys)))
	a.feed = feed.NewHub(a.rdb, a.warehouse, feed.Options{Streams: streams, Interval: cfg.FeedInterval, Registry: reg, Logger: log})
	a.feed.Register(a.http, keys, cfg.WSAllowedOrigins)
	a.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	return a, nil
}

// Addr is the address the API listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx ends, then shuts down in order: stop taking requests
// and messages and let in-flight ones finish, stop the clerk and the buyers
// (a purchase the market already answered is still recorded), publish what
// the outbox still holds, close the clients.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	return lifecycle.Run(ctx, lifecycle.Parts{
		Name: "inventory-app", Log: a.log, HTTP: a.http, Listener: a.ln, Grace: a.cfg.ShutdownTimeout / 2,
		Workers: []func(context.Context) error{a.consumer.Run, a.warehouse.Run, a.feed.Run, a.trimmer.Run},
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
