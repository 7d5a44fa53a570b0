package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/comanda-dev/comanda/internal/tracing/spans"
)

// Source names orders-app in the events it emits.
const Source = "orders-app"

// Service holds the use cases of orders-app.
type Service struct {
	store       Store
	maxQuantity int
	published   func() // wakes the outbox relay
	delivered   func(seconds float64)
	keyTTL      time.Duration
	log         *slog.Logger
	// unkeyed stores the placements without an idempotency key in groups.
	unkeyed *placeGroup
	tracer  trace.Tracer // nil: tracing is off
	stamp   func(context.Context, []events.Envelope)
}

// OnDelivered registers fn to receive the placed→delivered time of every
// order that becomes delivered, once its change is stored.
func (s *Service) OnDelivered(fn func(seconds float64)) { s.delivered = fn }

// NewService returns the use cases over store. maxQuantity caps the dishes of
// one request; published is called after new events were stored.
func NewService(store Store, maxQuantity int, published func(), log *slog.Logger) *Service {
	if published == nil {
		published = func() {}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, maxQuantity: maxQuantity, published: published, keyTTL: DefaultKeyTTL, log: log,
		unkeyed: &placeGroup{commit: store.Place}}
}

// Trace gives each placed dish a span (t nil: tracing is off), and has
// stamp (tracing.Stamp) give its events their trace; see place.
func (s *Service) Trace(t trace.Tracer, stamp func(context.Context, []events.Envelope)) {
	s.tracer, s.stamp = t, stamp
}

// KeepKeys sets how long idempotency keys are kept (DefaultKeyTTL unless
// set).
func (s *Service) KeepKeys(ttl time.Duration) { s.keyTTL = ttl }

// MaxQuantity is the most dishes one placement may order.
func (s *Service) MaxQuantity() int { return s.maxQuantity }

// Batch is the answer to a placement.
type Batch struct {
	ID       string
	Quantity int
	// OrderIDs are in ascending order, the same on every answer.
	OrderIDs []string
	PlacedAt time.Time
	// Replayed says the answer is that of an earlier request with the same
	// idempotency key.
	Replayed bool
}

// placeAttempts bounds how often a keyed placement that lost the race for its
// key tries to read the winner's answer (or take over an expired key).
const placeAttempts = 3

// Place orders quantity dishes at once. With a key (the client's
// Idempotency-Key), the same request sent again answers the batch the first
// one placed, even while they race: the key is stored with the orders in one
// transaction, so the loser of a race waits for the winner's commit and
// answers what it placed. The same key with another quantity is refused.
func (s *Service) Place(ctx context.Context, quantity int, key string) (Batch, error) {
	if key != "" {
		if err := CheckKey(key); err != nil {
			return Batch{}, err
		}
	}
	if quantity < 1 || quantity > s.maxQuantity {
		return Batch{}, &invalid.Error{Field: "quantity", Message: fmt.Sprintf("must be a whole number between 1 and %d", s.maxQuantity)}
	}
	if key == "" {
		return s.place(ctx, quantity, nil)
	}
	hash := requestHash(quantity)
	for range placeAttempts {
		b, err := s.placedWith(ctx, key, hash)
		if !errors.Is(err, ErrNotFound) {
			return b, err
		}
		b, err = s.place(ctx, quantity, &Key{Key: key, RequestHash: hash, ExpiresAt: clock.Now().Add(s.keyTTL)})
		if !errors.Is(err, ErrKeyTaken) {
			return b, err
		}
		// Another request with this key committed first: answer its batch.
	}
	return Batch{}, ErrKeyBusy
}

// placedWith answers the placement that holds key, or ErrNotFound.
func (s *Service) placedWith(ctx context.Context, key, hash string) (Batch, error) {
	k, ids, err := s.store.Keyed(ctx, key, clock.Now())
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Batch{}, err
		}
		return Batch{}, fmt.Errorf("reading the placement of an idempotency key: %w", err)
	}
	if k.RequestHash != hash {
		return Batch{}, ErrKeyReused
	}
	return Batch{ID: k.BatchID, Quantity: k.Quantity, OrderIDs: ids, PlacedAt: k.PlacedAt, Replayed: true}, nil
}

func (s *Service) place(ctx context.Context, quantity int, key *Key) (Batch, error) {
	batchID := uuid.Must(uuid.NewV7()).String()
	at := clock.Now()
	p := Placement{
		Orders: make([]Order, quantity),
		Steps:  make([]Step, quantity),
		Outbox: make([]events.Envelope, quantity),
		Key:    key,
	}
	ids := make([]string, quantity)
	for i := range quantity {
		id := uuid.Must(uuid.NewV7()).String()
		env, err := events.New(Source, id, at, events.OrderPlaced{BatchID: batchID, PlacedAt: at})
		if err != nil {
			return Batch{}, err
		}
		ids[i] = id
		p.Orders[i] = Order{ID: id, BatchID: batchID, Progress: Placed, PlacedAt: at, UpdatedAt: at}
		p.Steps[i] = Step{EventID: env.ID, OrderID: id, Status: Placed, At: at}
		p.Outbox[i] = env
	}
	if key != nil {
		key.BatchID, key.Quantity, key.PlacedAt = batchID, quantity, at
	}
	store := s.store.Place
	if key == nil {
		store = s.unkeyed.place
	}
	// One dish continues the request's trace; each of many starts its own,
	// linked to the request, so that a burst is a trace per dish rather
	// than one too large to read. The events carry them (stamped here: a
	// commit may hold other requests' placements).
	var roots spans.Batch
	if quantity > 1 {
		ctx, roots = spans.StartRoots(ctx, s.tracer, "place order", trace.SpanKindProducer, ids, attribute.String("comanda.batch_id", batchID))
	}
	if s.stamp != nil {
		s.stamp(ctx, p.Outbox)
	}
	err := store(ctx, p)
	roots.End(err)
	if err != nil {
		if errors.Is(err, ErrKeyTaken) {
			return Batch{}, err
		}
		return Batch{}, fmt.Errorf("placing %d orders: %w", quantity, err)
	}
	s.published()
	// Sorted as a replayed answer reads them back.
	slices.Sort(ids)
	return Batch{ID: batchID, Quantity: quantity, OrderIDs: ids, PlacedAt: at}, nil
}

// Get returns one order with its timeline.
func (s *Service) Get(ctx context.Context, id string) (Order, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Order{}, ErrNotFound
	}
	return s.store.Get(ctx, id)
}

// Page is one page of order history.
type Page struct {
	Orders []Order
	// Next is the id to pass as Query.After for the next page; empty on the
	// last page.
	Next string
}

// MaxPage is the largest page List returns.
const MaxPage = 500

// List returns order history, newest first.
func (s *Service) List(ctx context.Context, q Query) (Page, error) {
	if q.Status != "" && !q.Status.Valid() {
		return Page{}, &invalid.Error{Field: "status", Message: fmt.Sprintf("unknown status %q", q.Status)}
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > MaxPage {
		return Page{}, &invalid.Error{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxPage)}
	}
	if q.After != "" {
		if _, err := uuid.Parse(q.After); err != nil {
			return Page{}, &invalid.Error{Field: "cursor", Message: "not a cursor this service issued"}
		}
	}
	if q.BatchID != "" {
		if _, err := uuid.Parse(q.BatchID); err != nil {
			return Page{}, &invalid.Error{Field: "batch", Message: "not a batch id"}
		}
	}
	want := q.Limit
	q.Limit++ // one more tells whether a next page exists
	orders, err := s.store.List(ctx, q)
	if err != nil {
		return Page{}, fmt.Errorf("listing orders: %w", err)
	}
	p := Page{Orders: orders}
	if len(orders) > want {
		p.Orders = orders[:want]
		p.Next = p.Orders[want-1].ID
	}
	return p, nil
}

// Stats counts orders by status.
type Stats struct {
	Total      int
	ByStatus   map[Status]int
	InProgress int
}

// Stats returns counts by status.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	counts, err := s.store.Counts(ctx)
	if err != nil {
		return Stats{}, fmt.Errorf("counting orders: %w", err)
	}
	st := Stats{ByStatus: make(map[Status]int, len(Statuses))}
	for _, status := range Statuses {
		n := counts[status]
		st.ByStatus[status] = n
		st.Total += n
		if slices.Contains(InProgress, status) {
			st.InProgress += n
		}
	}
	return st, nil
}

// Apply records changes reported by other services. Changes for orders this
// store does not know are ignored: they cannot become true later.
func (s *Service) Apply(ctx context.Context, changes []Change) error {
	ids := make([]string, 0, len(changes))
	known := changes[:0:0]
	for _, c := range changes {
		if _, err := uuid.Parse(c.OrderID); err != nil {
			s.log.Debug("status change for an id that is no order id", "orderId", c.OrderID)
			continue
		}
		ids = append(ids, c.OrderID)
		known = append(known, c)
	}
	changes = known
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var latencies []float64
	err := s.store.Update(ctx, ids, func(orders map[string]*Order) ([]Step, error) {
		latencies = latencies[:0] // the store may run fn again after a conflict
		steps := make([]Step, 0, len(changes))
		for _, c := range changes {
			o, ok := orders[c.OrderID]
			if !ok {
				s.log.Debug("status change for an unknown order", "orderId", c.OrderID, "status", c.Status)
				continue
			}
			if o.Apply(c) && c.Status == Delivered && o.Progress == Delivered {
				latencies = append(latencies, o.DeliveredAt.Sub(o.PlacedAt).Seconds())
			}
			steps = append(steps, Step{EventID: c.EventID, OrderID: c.OrderID, Status: c.Status, At: c.At, Detail: c.Reason})
		}
		return steps, nil
	})
	if err == nil && s.delivered != nil {
		for _, l := range latencies {
			s.delivered(l)
		}
	}
	return err
}

// ErrNotFailed reports a reopen of an order that has not failed, or whose
// failure was recorded by another dead letter than the one replayed.
var ErrNotFailed = errors.New("order has not failed")

// Reopening asks to clear the failure of an order whose dead letter was
// replayed.
type Reopening struct {
	OrderID string
	// FailedBy is the id of the replayed dead letter's event: only the
	// failure it recorded is cleared.
	FailedBy string
	// Reason is written in the order's timeline.
	Reason string
}

// Reopen clears the failures of orders whose dead-lettered messages were put
// back on their streams, in one transaction, and records each in the
// timeline. It reports, per order id, whether the order was reopened; orders
// that are unknown, have not failed or failed again are left as they are.
func (s *Service) Reopen(ctx context.Context, rs []Reopening) (map[string]bool, error) {
	at := clock.Now()
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		if _, err := uuid.Parse(r.OrderID); err == nil {
			ids = append(ids, r.OrderID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	reopened := map[string]bool{}
	if len(ids) == 0 {
		return reopened, nil
	}
	err := s.store.Update(ctx, ids, func(orders map[string]*Order) ([]Step, error) {
		clear(reopened) // the store may run fn again after a conflict
		var steps []Step
		for _, r := range rs {
			o, ok := orders[r.OrderID]
			if !ok || !o.Reopen(at, r.FailedBy) {
				continue
			}
			reopened[r.OrderID] = true
			steps = append(steps, Step{EventID: uuid.Must(uuid.NewV7()).String(), OrderID: r.OrderID, Status: o.Status(), At: at, Detail: r.Reason})
		}
		return steps, nil
	})
	if err != nil {
		return nil, fmt.Errorf("reopening %d orders: %w", len(ids), err)
	}
	return reopened, nil
}
