package warehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/comanda-dev/comanda/internal/tracing/spans"
	"go.opentelemetry.io/otel/trace"
)

// Market sells ingredients: Buy answers how many units of one ingredient it
// sold, 0 meaning none now. Errors are transient: the buyer waits and asks
// again. ctx decides whether a call is sent; a call sent runs to its answer
// (bounded by the market's own timeout) even if ctx ends meanwhile, so that
// what the market sold is booked.
type Market interface {
	Buy(ctx context.Context, ingredient string) (int, error)
}

// Options configure a Warehouse.
type Options struct {
	// InitialStock is what every ingredient starts with, the first time the
	// store is seeded; later starts keep the stored levels.
	InitialStock int
	// RetryMin and RetryMax bound the buyers' backoff after a zero answer or
	// a failed call (exponential with jitter, reset after a purchase).
	RetryMin, RetryMax time.Duration
	// CallsPerIngredient bounds the market calls one ingredient's buyer
	// keeps in flight (default 1). More than one are sent only while the
	// shortfall is larger than what the calls in flight could bring, so
	// parallel calls never buy more than one call would.
	CallsPerIngredient int
	// Token is the fencing token of the leadership term this warehouse
	// serves (see Store); 0 for a store nobody ever led.
	Token Token
	// Fenced, when set, is called once, the first time the store refuses a
	// write because a newer leader exists: the term is over, and the
	// caller stops the warehouse at once rather than at its next renewal.
	Fenced func()
	// Published is called after events were stored (wakes the outbox relay).
	Published func()
	Logger    *slog.Logger
	// Tracer, when set, traces reservations, short notes and market calls
	// in the orders' traces (spans.go).
	Tracer trace.Tracer
}

// Caps of one clerk pass: they bound a store transaction, and the clerk
// runs another pass at once when one was reached.
const (
	maxGrantsPerPass = 256
	maxShortsPerPass = 512
)

// Warehouse serves ingredient requests: one clerk reserves fairly, one buyer
// per ingredient buys the shortfall.
type Warehouse struct {
	store  Store
	market Market
	opt    Options
	log    *slog.Logger

	// mu guards the in-memory mirror below. The warehouse is the only
	// writer of its store, so the mirror stays exact: it changes only after
	// the store committed the same change.
	mu     sync.Mutex
	queue  queue
	demand Needs // units needed by the waiting orders
	onHand Needs // mirror of the stored stock
	// unbooked are units the market sold that the booker has not stored
	// yet: the buyers count them as bought, the clerk does not.
	unbooked Needs
	buying   [NumIngredients]bool
	// largest is the most the market answered to one call, for any
	// ingredient: in the store's recent purchases, or since. A buyer keeps
	// several calls in flight only while each could bring this much and
	// the shortfall still needs it. It is the market's, not an
	// ingredient's, and survives a change of leader through the store: a
	// buyer that judged by its own first answers (one or two units, say)
	// would send more calls than the shortfall needs, and overbuy by up to
	// the calls in flight times the difference.
	largest int

	// resyncing excludes purchases while the clerk reloads the stock
	// mirror, so that no purchase is counted twice or lost in the mirror.
	resyncing sync.RWMutex

	fencedOnce sync.Once

	// Wake-ups hold one slot: many coalesce into one pass.
	clerkWake chan struct{}
	buyerWake [NumIngredients]chan struct{}

	// bookings carries the market's answers from the buyers to the booker.
	bookings chan booking
}

// New seeds the stock (the first time), loads the stock and the waiting
// reservations from the store, and returns a warehouse ready to Run. A
// restarted warehouse, or a standby that took the lease over, resumes the
// orders that were waiting.
func New(ctx context.Context, store Store, market Market, opt Options) (*Warehouse, error) {
	if opt.InitialStock < 0 {
		return nil, errors.New("warehouse: initial stock must not be negative")
	}
	if opt.RetryMin <= 0 || opt.RetryMax < opt.RetryMin {
		return nil, errors.New("warehouse: retry bounds must satisfy 0 < min <= max")
	}
	if opt.Published == nil {
		opt.Published = func() {}
	}
	if opt.Fenced == nil {
		opt.Fenced = func() {}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	w := &Warehouse{store: store, market: market, opt: opt, log: opt.Logger, queue: newQueue(), clerkWake: make(chan struct{}, 1)}
	for i := range w.buyerWake {
		w.buyerWake[i] = make(chan struct{}, 1)
	}
	if err := store.Seed(ctx, Ingredients(), opt.InitialStock); err != nil {
		return nil, fmt.Errorf("seeding stock: %w", err)
	}
	levels, err := store.Stock(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading stock: %w", err)
	}
	w.onHand = onHandOf(levels)
	waiting, err := store.Waiting(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading waiting reservations: %w", err)
	}
	for _, r := range waiting {
		w.track(r, trace.SpanContext{})
	}
	if len(waiting) > 0 {
		w.log.Info("resuming waiting orders", "count", len(waiting))
	}
	recent, err := store.Purchases(ctx, PurchaseQuery{Limit: MaxPage})
	if err != nil {
		return nil, fmt.Errorf("loading recent purchases: %w", err)
	}
	for _, p := range recent {
		w.largest = max(w.largest, p.Quantity)
	}
	return w, nil
}

// track adds a waiting reservation to the mirror, in the trace sc of its
// request; the caller holds mu or owns w.
func (w *Warehouse) track(r Reservation, sc trace.SpanContext) {
	p := &pending{orderID: r.OrderID, seq: r.Seq, needs: r.Needs(), noted: r.ShortNoted, trace: sc}
	if w.queue.add(p) {
		w.demand.Add(p.needs)
	}
}

// Run serves until ctx ends: the clerk and the buyers stop at once, a
// purchase the market already answered is still recorded.
func (w *Warehouse) Run(ctx context.Context) error {
	w.bookings = make(chan booking, maxBookings)
	booked := make(chan struct{})
	go func() { defer close(booked); w.booker(ctx) }()
	var wg, buyers sync.WaitGroup
	wg.Go(func() { w.clerk(ctx) })
	for i := range NumIngredients {
		buyers.Go(func() { w.buyer(ctx, i) })
	}
	w.wakeClerk()
	w.wakeBuyers()
	// The buyers book what the market sold them, calls answered after
	// shutdown began included; the booker stops after them.
	buyers.Wait()
	close(w.bookings)
	<-booked
	wg.Wait()
	return nil
}

func (w *Warehouse) wakeClerk() {
	select {
	case w.clerkWake <- struct{}{}:
	default:
	}
}

// wakeBuyers wakes the buyer of every ingredient in shortfall.
func (w *Warehouse) wakeBuyers() {
	w.mu.Lock()
	var short [NumIngredients]bool
	for i := range short {
		short[i] = w.demand[i] > w.onHand[i]+w.unbooked[i]
	}
	w.mu.Unlock()
	for i, s := range short {
		if s {
			select {
			case w.buyerWake[i] <- struct{}{}:
			default:
			}
		}
	}
}

// Request stores ingredient requests as waiting reservations and wakes the
// clerk and the buyers. A request delivered again creates nothing.
func (w *Warehouse) Request(ctx context.Context, reqs []Request) error {
	for _, r := range reqs {
		if err := r.validate(); err != nil {
			return fmt.Errorf("request of order %s: %w", r.OrderID, err)
		}
	}
	// On an error the store still returns what it stored: a redelivery
	// would find those stored and create nothing, so they are tracked now
	// or never.
	created, err := w.store.Enqueue(ctx, w.opt.Token, reqs)
	if len(created) > 0 {
		w.mu.Lock()
		for _, r := range created {
			w.track(r, spans.Of(ctx, r.OrderID))
		}
		w.mu.Unlock()
		w.wakeBuyers()
		w.wakeClerk()
	}
	if err != nil {
		return fmt.Errorf("storing %d ingredient requests: %w", len(reqs), w.fenced(err))
	}
	return nil
}

// fenced passes err on, and ends the term on the first write the store
// refused because a newer leader exists.
func (w *Warehouse) fenced(err error) error {
	if errors.Is(err, ErrFenced) {
		w.fencedOnce.Do(func() {
			w.log.Warn("a newer warehouse leader exists; this one stops", "token", w.opt.Token)
			w.opt.Fenced()
		})
	}
	return err
}
