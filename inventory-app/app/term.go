package app

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/inventory-app/internal/consumer"
	"github.com/comanda-dev/comanda/inventory-app/internal/leader"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// lead runs one leadership term under tok: it loads the warehouse from the
// store (the stock and every waiting order, the previous leader's
// included), then runs the stream consumer, the clerk and the buyers until
// the term ends, and returns once all of them stopped. Everything they
// write carries tok, so that if this replica lost the lease without
// noticing, the store refuses it.
func (a *App) lead(ctx context.Context, tok warehouse.Token) error {
	w, err := warehouse.New(ctx, a.store, a.market, warehouse.Options{
		InitialStock: a.cfg.InitialStock, RetryMin: a.cfg.MarketRetryMin, RetryMax: a.cfg.MarketRetryMax,
		CallsPerIngredient: a.cfg.MarketCallsPerIngredient,
		Token:              tok, Fenced: func() { a.elector.Fenced(tok) },
		Published: a.Relay.Notify, Logger: a.Log.With("token", int64(tok)), Tracer: a.Tracing.Tracer(),
	})
	if err != nil {
		return fmt.Errorf("loading the warehouse: %w", err)
	}
	// The previous leader's consumer is dead or fenced: what it read and
	// never acknowledged is this term's at once, not after RECLAIM_IDLE.
	c, err := stream.NewConsumer(a.Redis, a.Options(lifecycle.ConsumerOptions{
		Group: consumer.Group, Streams: []string{a.Streams.Kitchen}, Types: consumer.Types, Exclusive: true,
	}), consumer.Handler(w))
	if err != nil {
		return err
	}
	a.books.Attach(w)
	defer a.books.Detach(w)
	a.Relay.Notify() // the previous leader may have left events unpublished
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return c.Run(gctx) })
	g.Go(func() error { return w.Run(gctx) })
	return g.Wait()
}

// leaderOutbox is the relay's view of the store: it publishes under the
// current term's token, and nothing while this replica stands by, so one
// relay runs for the life of the process and stops last at shutdown.
type leaderOutbox struct {
	store   warehouse.Store
	elector *leader.Elector
}

func (o leaderOutbox) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	tok, leading := o.elector.Leading()
	if !leading {
		return 0, nil
	}
	n, err := o.store.PublishPending(ctx, tok, limit, publish)
	if errors.Is(err, warehouse.ErrFenced) {
		o.elector.Fenced(tok)
	}
	return n, err
}

func (o leaderOutbox) OutboxLen(ctx context.Context) (int, error) { return o.store.OutboxLen(ctx) }
