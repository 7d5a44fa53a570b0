// Package app wires kitchen-app: its store, stream consumers, outbox relay
// and HTTP API. main and the all-in-one runner both call Run.
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
	"github.com/comanda-dev/comanda/kitchen-app/docs"
	"github.com/comanda-dev/comanda/kitchen-app/internal/api"
	"github.com/comanda-dev/comanda/kitchen-app/internal/consumer"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
	"github.com/comanda-dev/comanda/kitchen-app/internal/postgres"
	"github.com/comanda-dev/comanda/kitchen-app/internal/sqlite"
)

// App is a started kitchen-app: New opens everything, Run serves.
type App struct {
	*lifecycle.Service
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
// cfg.Addr. Run serves it; Close closes one that will not run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting kitchen-app", "config", cfg)
	s, err := lifecycle.Open(ctx, "kitchen-app", cfg.Common, log)
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
		return nil, fmt.Errorf("opening kitchen store: %w", err)
	}
	s.OnClose(store.Close)

	// The kitchen (it loads the recipe book), the relay that publishes its
	// events, and the consumers that feed it: tickets open and fail from
	// the orders stream; cooks cook what the warehouse reserved.
	relay := s.Publish(store)
	svc, err := kitchen.NewService(ctx, store, kitchen.Options{
		Random: kitchen.RandomSource(cfg.RandomSeed), CookTime: cfg.CookTime, Published: relay.Notify, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	streams := s.Streams
	if _, err = s.Consume(lifecycle.ConsumerOptions{
		Group: consumer.Group, Streams: []string{streams.Orders, streams.DeadLetter}, Types: consumer.OrderTypes, Workers: 2,
	}, consumer.Orders(svc)); err != nil {
		return nil, err
	}
	// A dish takes COOK_TIME, so dishes cook side by side: COOKS cooks,
	// each with a tray of up to COOK_TRAY dishes that share their two
	// transactions (started, delivered). A tray takes what has arrived and
	// never waits to fill up, so a trickle of orders cooks one by one.
	if _, err = s.Consume(lifecycle.ConsumerOptions{
		Group: consumer.Group, Streams: []string{streams.Inventory}, Types: consumer.CookTypes,
		Read: max(128, cfg.CookTray), Chunk: cfg.CookTray, Workers: cfg.Cooks,
	}, consumer.Cook(svc)); err != nil {
		return nil, err
	}
	s.ReportGroups(stream.GroupRef{Stream: streams.Orders, Group: consumer.Group},
		stream.GroupRef{Stream: streams.DeadLetter, Group: consumer.Group}, stream.GroupRef{Stream: streams.Inventory, Group: consumer.Group})

	api.New(svc).Register(s.Serve(lifecycle.HTTPOptions{
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
func openStore(ctx context.Context, cfg Config, tr *tracing.Provider, log *slog.Logger) (kitchen.Store, error) {
	if cfg.DatabaseURL != "" {
		return lifecycle.Await(ctx, log, "postgresql", func(ctx context.Context) (*postgres.Store, error) {
			return postgres.Open(ctx, cfg.DatabaseURL, cfg.DatabaseSchema, cfg.DatabaseMaxConns, tr)
		})
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "kitchen.db"), tr)
}
