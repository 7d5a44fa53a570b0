// Package lifecycle is the skeleton every Comanda service is built on
// (Service: Redis, metrics, the relay, consumers from the shared settings,
// the HTTP app with its probes, docs and authenticated API group, the
// listener, an ordered Close), and runs its parts, shutting them down in the
// order that loses nothing: stop taking requests and messages and let
// in-flight ones finish, then publish what the outbox still holds.
//
// The package must not import any app.
package lifecycle

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/outbox"
)

// Parts are what a service runs.
type Parts struct {
	Name     string
	Log      *slog.Logger
	HTTP     *fiber.App
	Listener net.Listener
	// Grace bounds how long in-flight HTTP requests may finish.
	Grace time.Duration
	// Workers run until their context ends and then drain (stream
	// consumers, the warehouse).
	Workers []func(context.Context) error
	// Relay publishes the outbox; it stops last. A service that publishes
	// nothing (the gateway) has none.
	Relay *outbox.Relay
}

// Run serves until ctx ends or a part fails, then shuts down in order.
func Run(ctx context.Context, p Parts) error {
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	relayDone := make(chan error, 1)
	if p.Relay != nil {
		go func() { relayDone <- p.Relay.Run(relayCtx) }()
	} else {
		relayDone <- nil
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return httpx.ServeListener(gctx, p.HTTP, p.Listener, p.Grace) })
	for _, w := range p.Workers {
		g.Go(func() error { return w(gctx) })
	}
	p.Log.Info(p.Name+" ready", "addr", p.Listener.Addr().String())
	err := g.Wait()
	stopRelay()
	<-relayDone
	p.Log.Info(p.Name + " stopped")
	return err
}
