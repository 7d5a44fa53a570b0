// Package app wires inventory-app: its store, the market client, the leader
// election, the warehouse's term (stream consumer, clerk and buyers) while
// this replica leads, the outbox relay, the live feed and the HTTP API. main
// and the all-in-one runner both call Run.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

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
	"github.com/comanda-dev/comanda/inventory-app/internal/leader"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/mongo"
	"github.com/comanda-dev/comanda/inventory-app/internal/sqlite"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// App is a started inventory-app: New opens everything, Run serves.
//
// Replicas share one store and elect a leader with a lease kept in it. The
// leader alone reserves and buys: it runs the stream consumer, the clerk
// and the buyers (see lead), and its relay publishes the outbox. Every
// replica serves the API and the live feed; a standby waits to take over.
type App struct {
	cfg     Config
	log     *slog.Logger
	store   warehouse.Store
	rdb     *redis.Client
	streams events.Streams
	market  *market.Client
	books   *warehouse.Books
	elector *leader.Elector
	relay   *outbox.Relay
	trimmer *stream.Trimmer
	metrics *stream.Metrics
	feed    *feed.Hub
	http    *fiber.App
	ln      net.Listener
}

// Run starts inventory-app and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// New opens the store and Redis, prepares the election and listens on
// cfg.Addr. The warehouse is loaded when this replica wins the lease.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting inventory-app", "config", cfg)
	// A local, not the named result: returning nil must not hide what the
	// deferred clean-up closes.
	a := &App{cfg: cfg, log: log, streams: events.StreamNames(cfg.StreamPrefix)}
	defer func() {
		if err != nil {
			a.close()
		}
	}()

	// Metrics are registered as the parts are built.
	reg := httpx.NewRegistry()
	a.metrics = stream.NewMetrics(reg)

	// 1. The store: MongoDB when configured, else a SQLite file.
	// A database still coming up delays the start rather than failing it.
	if cfg.MongoURL != "" {
		var m *mongo.Store
		m, err = lifecycle.Await(ctx, log, "mongodb", func(ctx context.Context) (*mongo.Store, error) {
			return mongo.Open(ctx, cfg.MongoURL, cfg.MongoDatabase)
		})
		if err == nil {
			a.store = m
		}
	} else {
		var lite *sqlite.Store
		if lite, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "inventory.db")); err == nil {
			a.store = lite
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening inventory store: %w", err)
	}

	// 2. Redis, which carries the streams.
	a.rdb, err = lifecycle.ConnectRedis(ctx, log, cfg.RedisURL, 32)
	if err != nil {
		return nil, err
	}

	// 3. The farmers market: under an adaptive limit, timed out, behind a
	// circuit breaker.
	a.market, err = market.New(market.Config{
		URL: cfg.MarketURL, Timeout: cfg.MarketTimeout, Concurrency: cfg.MarketConcurrency,
		ConcurrencyFloor: cfg.MarketConcurrencyFloor, ConcurrencyInitial: cfg.MarketConcurrencyInitial,
		BreakerFailures: cfg.MarketBreakerFailures, BreakerCooldown: cfg.MarketBreakerCooldown, Logger: log,
		ObserveLatency: marketLatency(reg).Observe,
	})
	if err != nil {
		return nil, err
	}

	// 4. The election, and the relay, which publishes only under the
	// lease.
	opt := cfg.election()
	opt.Logger = log
	a.elector, err = leader.New(a.store, opt)
	if err != nil {
		return nil, err
	}
	a.relay = lifecycle.Relay(leaderOutbox{store: a.store, elector: a.elector}, a.rdb, cfg.Common, reg, log)
	a.trimmer = lifecycle.Trimmer(a.rdb, cfg.Common, a.metrics, log)

	// 5. The books answer reads on every replica, the leader's live
	// figures included while this one leads.
	a.books = warehouse.NewBooks(a.store)
	reg.MustRegister(stream.NewGroupCollector(a.rdb, []stream.GroupRef{
		{Stream: a.streams.Kitchen, Group: consumer.Group},
	}, a.streams.DeadLetter))
	registerWarehouseMetrics(reg, a.books)
	registerLeaderMetrics(reg, a.elector)
	registerMarketMetrics(reg, a.market)

	// 6. The HTTP API and the live feed.
	sessions, err := auth.ForService(cfg.Common, a.rdb, log)
	if err != nil {
		return nil, err
	}
	a.http = httpx.New(httpx.Options{
		Service:  "inventory-app",
		Logger:   log,
		MapError: api.MapError,
		Registry: reg,
		// A standby is ready: it serves reads and the feed. Its role says
		// whether it leads.
		Ready: []httpx.Check{
			{Name: "store", Ping: a.store.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }},
		},
		Notes: []httpx.Note{{Name: "heldBack", Value: a.relay.HeldBack}, {Name: "role", Value: a.elector.Role}},
	})
	a.http.Get("/documentation/*", swagger.New(swagger.Config{InstanceName: "inventory", Title: "Comanda inventory-app"}))
	api.New(a.books, a.market, cfg.RequestTimeout).Register(a.http.Group("/api/v1", auth.Require(sessions)))
	a.feed = feed.NewHub(a.rdb, a.books, feed.Options{Streams: a.streams, Interval: cfg.FeedInterval, Registry: reg, Logger: log})
	a.feed.Register(a.http, sessions, cfg.WSAllowedOrigins)
	a.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	return a, nil
}

// Addr is the address the API listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx ends, then shuts down in order: stop taking requests
// and messages and let in-flight ones finish, end the term (a purchase the
// market already answered is still recorded), publish what the outbox
// still holds, give the lease up so that a standby takes over at once,
// close the clients.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	err := lifecycle.Run(ctx, lifecycle.Parts{
		Name: "inventory-app", Log: a.log, HTTP: a.http, Listener: a.ln, Grace: a.cfg.ShutdownTimeout / 2,
		Workers: []func(context.Context) error{
			func(ctx context.Context) error { return a.elector.Run(ctx, a.lead) },
			a.feed.Run, a.trimmer.Run,
		},
		Relay: a.relay,
	})
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := a.elector.Release(rctx); rerr != nil {
		a.log.Warn("releasing the warehouse lease; a standby takes over when it expires", "err", rerr)
	}
	return err
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
