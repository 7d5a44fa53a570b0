package warehouse

import (
	"context"
	"errors"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
)

var (
	// ErrNotFound reports an order id that no reservation has.
	ErrNotFound = errors.New("reservation not found")
	// ErrInsufficientStock reports a reservation the stock cannot cover; the
	// store changed nothing.
	ErrInsufficientStock = errors.New("insufficient stock")
	// ErrAlreadyExists reports a purchase recorded before; the store changed
	// nothing.
	ErrAlreadyExists = errors.New("already exists")
)

// AnnounceReserved builds the events of reservations inside the store's
// transaction: after is the stock once all of them are taken.
type AnnounceReserved func(reserved []Reservation, after []Level) ([]events.Envelope, error)

// AnnouncePurchase builds the event of a purchase inside the store's
// transaction: after is the ingredient's stock once it is counted.
type AnnouncePurchase func(after Level) (events.Envelope, error)

// ShortNote is the ingredients-short event of a waiting order.
type ShortNote struct {
	OrderID string
	Event   events.Envelope
}

// Store keeps stock, reservations, purchases and the events that announce
// them. Every method that changes stock does so conditionally, in one
// transaction with its events, so stock never goes negative and the books
// balance whatever runs concurrently.
type Store interface {
	// Seed creates the stock of every ingredient with initial units, once:
	// ingredients already stocked keep their levels.
	Seed(ctx context.Context, ingredients []string, initial int) error
	// Stock returns the levels in catalogue order.
	Stock(ctx context.Context) ([]Level, error)

	// Enqueue stores requests as waiting reservations with increasing
	// sequence numbers (in the order given) and returns those it created.
	// A request whose order already has a reservation creates nothing.
	Enqueue(ctx context.Context, reqs []Request) ([]Reservation, error)
	// Waiting returns every waiting reservation in sequence order.
	Waiting(ctx context.Context) ([]Reservation, error)
	// Reservation returns the reservation of an order, or ErrNotFound.
	Reservation(ctx context.Context, orderID string) (Reservation, error)
	// Reserve takes the ingredients of the waiting reservations among
	// orderIDs and marks them reserved at at, all or nothing: when the stock
	// cannot cover every one of them it changes nothing and returns
	// ErrInsufficientStock. Orders that are not waiting (unknown, or
	// reserved before) are skipped. In the same transaction it stores the
	// events announce returns. It returns the reservations it made, in
	// sequence order.
	Reserve(ctx context.Context, orderIDs []string, at time.Time, announce AnnounceReserved) ([]Reservation, error)
	// NoteShort marks waiting reservations as told they are short and
	// stores their events, each at most once; it returns how many it noted.
	NoteShort(ctx context.Context, notes []ShortNote) (int, error)

	// RecordPurchase stores a purchase, adds its quantity to the bought
	// units and stores the event announce returns, in one transaction. A
	// purchase id recorded before changes nothing and returns
	// ErrAlreadyExists.
	RecordPurchase(ctx context.Context, p Purchase, announce AnnouncePurchase) (Level, error)
	// Purchases returns purchases newest first, after q.After when set.
	Purchases(ctx context.Context, q PurchaseQuery) ([]Purchase, error)

	// PublishPending publishes stored events (see outbox.Store).
	PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error)
	Ping(ctx context.Context) error
	Close()
}
