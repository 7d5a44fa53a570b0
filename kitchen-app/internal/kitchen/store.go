package kitchen

import (
	"context"
	"errors"

	"github.com/comanda-dev/comanda/internal/events"
)

// ErrNotFound reports an order the kitchen has no ticket for.
var ErrNotFound = errors.New("ticket not found")

// Store keeps the recipe book, the tickets and the events that announce
// their changes.
type Store interface {
	// Recipes returns the recipe book sorted by name, each recipe's
	// ingredients sorted by name.
	Recipes(ctx context.Context) ([]Recipe, error)
	// CreateTickets inserts the tickets whose order has none yet and, in the
	// same transaction, stores the events fn returns for the ones it created
	// (in the order given). A ticket that exists already is left as it is
	// and is not passed to fn, so a repeated call creates and announces
	// nothing; fn may get an empty slice.
	CreateTickets(ctx context.Context, tickets []Ticket, fn func(created []Ticket) []events.Envelope) error
	// Get returns the ticket of an order, or ErrNotFound.
	Get(ctx context.Context, orderID string) (Ticket, error)
	// List returns tickets in the given stages, oldest first.
	List(ctx context.Context, q Query) ([]Ticket, error)
	// Counts returns how many tickets are in each stage.
	Counts(ctx context.Context) (map[Stage]int, error)
	// Update locks the tickets of orders, calls fn with those that exist
	// (keyed by order id; an order without a ticket is absent) and stores,
	// in one transaction, the tickets fn changed and the events it returns.
	// Nothing is stored when fn fails. One transaction for many tickets is
	// how the kitchen keeps up with a burst.
	Update(ctx context.Context, orderIDs []string, fn func(tickets map[string]*Ticket) ([]events.Envelope, error)) error
	// PublishPending publishes stored events (see outbox.Store).
	PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error)
	// OutboxLen counts the events waiting to be published.
	OutboxLen(ctx context.Context) (int, error)
	Ping(ctx context.Context) error
	Close()
}

// Query selects tickets.
type Query struct {
	Stages []Stage // at least one
	Limit  int
}
