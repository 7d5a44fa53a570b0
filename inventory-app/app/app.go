// Package app wires inventory-app: its store, the market client, the leader
// election, the warehouse's term (stream consumer, clerk and buyers) while
// this replica leads, the outbox relay, the live feed and the HTTP API. main
// and the all-in-one runner both call Run.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/instrument"
	"github.com/comanda-dev/comanda/inventory-app/docs"
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
	*lifecycle.Service
	cfg     Config
	store   warehouse.Store
	market  *market.Client
	books   *warehouse.Books
	elector *leader.Elector
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
// cfg.Addr. The warehouse is loaded when this replica wins the lease. Run
// serves it; Close closes one that will not run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting inventory-app", "config", cfg)
	s, err := lifecycle.Open(ctx, "inventory-app", cfg.Common, log)
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
		return nil, fmt.Errorf("opening inventory store: %w", err)
	}
	s.OnClose(store.Close)
	a := &App{Service: s, cfg: cfg, store: store}

	// The farmers market: under an adaptive limit, timed out, behind a
	// circuit breaker.
	a.market, err = market.New(market.Config{
		URL: cfg.MarketURL, Timeout: cfg.MarketTimeout, Concurrency: cfg.MarketConcurrency,
		ConcurrencyFloor: cfg.MarketConcurrencyFloor, ConcurrencyInitial: cfg.MarketConcurrencyInitial,
		BreakerFailures: cfg.MarketBreakerFailures, BreakerCooldown: cfg.MarketBreakerCooldown, Logger: log,
		ObserveLatency: marketLatency(s.Registry).Observe,
		Wrap:           func(rt http.RoundTripper) http.RoundTripper { return instrument.Transport(s.Tracing, rt) },
	})
	if err != nil {
		return nil, err
	}

	// The election, and the relay, which publishes only under the lease;
	// leading runs a term (lead); leaving gives the lease up, so that a
	// standby takes over at once.
	opt := cfg.election()
	opt.Logger = log
	if a.elector, err = leader.New(store, opt); err != nil {
		return nil, err
	}
	s.Publish(leaderOutbox{store: store, elector: a.elector})
	s.Worker(func(ctx context.Context) error { return a.elector.Run(ctx, a.lead) })
	s.AfterRun(a.release)

	// The books answer reads on every replica, the leader's live figures
	// included while this one leads.
	a.books = warehouse.NewBooks(store)
	s.ReportGroups(stream.GroupRef{Stream: s.Streams.Kitchen, Group: consumer.Group})
	registerWarehouseMetrics(s.Registry, a.books)
	registerLeaderMetrics(s.Registry, a.elector)
	registerMarketMetrics(s.Registry, a.market)

	// The HTTP API and the live feed. A standby is ready: it serves reads
	// and the feed; its role says whether it leads.
	api.New(a.books, a.market).Register(s.Serve(lifecycle.HTTPOptions{
		Timeout: cfg.RequestTimeout,
		Docs:    &docs.Spec, MapError: api.MapError,
		Ready: []httpx.Check{{Name: "store", Ping: store.Ping}},
		Notes: []httpx.Note{{Name: "role", Value: a.elector.Role}},
	}))
	hub := feed.NewHub(s.Redis, a.books, feed.Options{Streams: s.Streams, Interval: cfg.FeedInterval, Registry: s.Registry, Logger: log})
	hub.Register(s.HTTP, s.Sessions, cfg.WSAllowedOrigins)
	s.Worker(hub.Run)
	if err = s.Listen(cfg.Addr); err != nil {
		return nil, err
	}
	return a, nil
}

// openStore opens MongoDB when configured, else a SQLite file; a database
// still coming up delays the start rather than failing it.
func openStore(ctx context.Context, cfg Config, tr *tracing.Provider, log *slog.Logger) (warehouse.Store, error) {
	if cfg.MongoURL != "" {
		return lifecycle.Await(ctx, log, "mongodb", func(ctx context.Context) (*mongo.Store, error) {
			return mongo.Open(ctx, cfg.MongoURL, cfg.MongoDatabase, tr)
		})
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "inventory.db"), tr)
}

// release gives the warehouse lease up once every part stopped (a term's
// market calls already answered are recorded by then).
func (a *App) release(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.elector.Release(rctx); err != nil {
		a.Log.Warn("releasing the warehouse lease; a standby takes over when it expires", "err", err)
	}
}
