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
)

// AnnounceReserved builds the events of reservations inside the store's
// transaction: after is the stock once all of them are taken.
type AnnounceReserved func(reserved []Reservation, after []Level) ([]events.Envelope, error)

// AnnouncePurchase builds the event of a purchase inside the store's
// transaction: after is the ingredient's stock once it is counted.
type AnnouncePurchase func(p Purchase, after Level) (events.Envelope, error)

// ShortNote is the ingredients-short event of a waiting order.
type ShortNote struct {
	OrderID string
	Event   events.Envelope
}

// Store keeps stock, reservations, purchases and the events that announce
// them, and the lease that makes one replica the warehouse's leader. Every
// method that changes stock does so conditionally, in one transaction with
// its events, so stock never goes negative and the books balance whatever
// runs concurrently.
//
// Every write takes the writer's fencing token and checks it inside its
// transaction: when a newer leader exists it changes nothing and returns
// ErrFenced, so a replica that lost the lease without knowing it (paused,
// cut off) cannot write over its successor's work.
type Store interface {
	// Seed creates the stock of every ingredient with initial units, once:
	// ingredients already stocked keep their levels. It is not fenced: it
	// only creates what is missing, the same for every replica.
	Seed(ctx context.Context, ingredients []string, initial int) error
	// Stock returns the levels in catalogue order.
	Stock(ctx context.Context) ([]Level, error)

	// Enqueue stores requests as waiting reservations with increasing
	// sequence numbers (in the order given, after every number handed out
	// before) and returns those it created. A request whose order already
	// has a reservation creates nothing. What it returns is exactly what it
	// stored: on an error it returns the reservations the store holds from
	// this call, if any (an ambiguous failure may have stored some), so that
	// the caller can serve them.
	Enqueue(ctx context.Context, tok Token, reqs []Request) ([]Reservation, error)
	// Waiting returns every waiting reservation in sequence order.
	Waiting(ctx context.Context) ([]Reservation, error)
	// Backlog counts the waiting reservations and sums what they need.
	Backlog(ctx context.Context) (orders int, needs []Item, err error)
	// Reservation returns the reservation of an order, or ErrNotFound.
	Reservation(ctx context.Context, orderID string) (Reservation, error)
	// Reserve takes the ingredients of the waiting reservations among
	// orderIDs and marks them reserved at at, all or nothing: when the stock
	// cannot cover every one of them it changes nothing and returns
	// ErrInsufficientStock. Orders that are not waiting (unknown, or
	// reserved before) are skipped. In the same transaction it stores the
	// events announce returns. It returns the reservations it made, in
	// sequence order.
	Reserve(ctx context.Context, tok Token, orderIDs []string, at time.Time, announce AnnounceReserved) ([]Reservation, error)
	// NoteShort marks waiting reservations as told they are short and
	// stores their events, each at most once; it returns how many it noted.
	NoteShort(ctx context.Context, tok Token, notes []ShortNote) (int, error)

	// RecordPurchases stores purchases, in the order given, each with its
	// quantity added to the bought units and the event announce returns,
	// all in one transaction: one commit for every market answer that came
	// back meanwhile. A purchase id recorded before changes nothing (an
	// earlier attempt committed, and its answer was lost).
	RecordPurchases(ctx context.Context, tok Token, ps []Purchase, announce AnnouncePurchase) error
	// Purchases returns purchases newest first, after q.After when set.
	Purchases(ctx context.Context, q PurchaseQuery) ([]Purchase, error)

	// PublishPending publishes stored events (see outbox.Store); a fenced
	// token publishes nothing.
	PublishPending(ctx context.Context, tok Token, limit int, publish func(context.Context, []events.Envelope) error) (int, error)
	// OutboxLen counts the events waiting to be published.
	OutboxLen(ctx context.Context) (int, error)

	// AcquireLease makes holder the leader for ttl when the lease is free,
	// expired, or holder's already, always under a new, greater token; it
	// returns the lease as it stands, which is holder's only if it won.
	// Expiry is judged by one clock every replica shares (the database
	// server's, or the one machine's).
	AcquireLease(ctx context.Context, holder string, ttl time.Duration) (Lease, error)
	// RenewLease extends holder's lease under tok by ttl from now, expired
	// or not, as long as no newer leader took it; otherwise it returns
	// ErrFenced.
	RenewLease(ctx context.Context, holder string, tok Token, ttl time.Duration) error
	// ReleaseLease gives the lease up at once, so that a standby need not
	// wait for it to expire; it does nothing when holder no longer holds it
	// under tok.
	ReleaseLease(ctx context.Context, holder string, tok Token) error
	// Lease returns the lease as stored (the zero Lease when nobody ever
	// led).
	Lease(ctx context.Context) (Lease, error)

	Ping(ctx context.Context) error
	Close()
}
