package order

import (
	"context"
	"errors"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
)

// ErrNotFound reports an order id that no order has, or an idempotency key
// that no live placement holds.
var ErrNotFound = errors.New("order not found")

// Placement is a batch of new orders with what records and announces them.
type Placement struct {
	Orders []Order
	// Steps holds a "placed" step for each order.
	Steps []Step
	// Outbox holds the events that announce the orders.
	Outbox []events.Envelope
	// Key, when set, ties the batch to the client's idempotency key.
	Key *Key
}

// Store keeps orders, their timelines and the events that announce them.
type Store interface {
	// Place stores a placement, all or nothing. When it carries a key that a
	// placement which has not expired holds, it stores nothing and returns
	// ErrKeyTaken; a racing placement with the same key is waited for
	// (until it commits or rolls back), never stored beside it. An expired
	// key is taken over.
	Place(ctx context.Context, p Placement) error
	// Keyed returns the key and the order ids (ascending) of the placement
	// that holds key, unless it expired by now; else ErrNotFound.
	Keyed(ctx context.Context, key string, now time.Time) (Key, []string, error)
	// PurgeKeys deletes up to limit keys that expired by now and returns how
	// many it deleted. The orders they placed stay.
	PurgeKeys(ctx context.Context, now time.Time, limit int) (int, error)
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
	// OutboxLen counts the events waiting to be published.
	OutboxLen(ctx context.Context) (int, error)
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
