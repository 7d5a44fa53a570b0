package order

import (
	"context"
	"errors"

	"github.com/comanda-dev/comanda/internal/events"
)

// ErrNotFound reports an order id that no order has.
var ErrNotFound = errors.New("order not found")

// Store keeps orders, their timelines and the events that announce them.
type Store interface {
	// Place stores new orders, a "placed" step for each and the events that
	// announce them, all or nothing.
	Place(ctx context.Context, orders []Order, steps []Step, outbox []events.Envelope) error
	// Get returns one order with its timeline, or ErrNotFound.
	Get(ctx context.Context, id string) (Order, error)
	// List returns orders newest first, after Query.After when set.
	List(ctx context.Context, q Query) ([]Order, error)
	// Counts returns how many orders have each status.
	Counts(ctx context.Context) (map[Status]int, error)
	// Update locks the orders with the given ids (those that exist), calls fn
	// with them, and stores in one transaction the orders fn changed and the
	// steps it returns; steps whose event was already recorded are skipped.
	Update(ctx context.Context, ids []string, fn func(orders map[string]*Order) ([]Step, error)) error
	// PublishPending publishes stored events (see outbox.Store).
	PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error)
	Ping(ctx context.Context) error
	Close()
}

// Query selects a page of orders.
type Query struct {
	Status  Status // empty: any
	BatchID string // empty: any
	After   string // id of the last order of the previous page
	Limit   int
}
