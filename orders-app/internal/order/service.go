package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/comanda-dev/comanda/internal/events"
)

// Source names orders-app in the events it emits.
const Source = "orders-app"

// InvalidError reports bad input from a client; Field names what is wrong.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

// Service holds the use cases of orders-app.
type Service struct {
	store       Store
	maxQuantity int
	published   func() // wakes the outbox relay
	delivered   func(seconds float64)
	log         *slog.Logger
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
	return &Service{store: store, maxQuantity: maxQuantity, published: published, log: log}
}

// MaxQuantity is the most dishes one placement may order.
func (s *Service) MaxQuantity() int { return s.maxQuantity }

// Now is the clock of stored times: UTC, to the microsecond, which is what
// every store keeps.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Batch is the answer to a placement.
type Batch struct {
	ID       string
	Quantity int
	OrderIDs []string
	PlacedAt time.Time
}

// Place orders quantity dishes at once.
func (s *Service) Place(ctx context.Context, quantity int) (Batch, error) {
	if quantity < 1 || quantity > s.maxQuantity {
		return Batch{}, &InvalidError{Field: "quantity", Message: fmt.Sprintf("must be a whole number between 1 and %d", s.maxQuantity)}
	}
	batchID := uuid.Must(uuid.NewV7()).String()
	at := Now()
	orders := make([]Order, quantity)
	steps := make([]Step, quantity)
	envs := make([]events.Envelope, quantity)
	ids := make([]string, quantity)
	for i := range quantity {
		id := uuid.Must(uuid.NewV7()).String()
		env, err := events.New(Source, id, at, events.OrderPlaced{BatchID: batchID, PlacedAt: at})
		if err != nil {
			return Batch{}, err
		}
		ids[i] = id
		orders[i] = Order{ID: id, BatchID: batchID, Progress: Placed, PlacedAt: at, UpdatedAt: at}
		steps[i] = Step{EventID: env.ID, OrderID: id, Status: Placed, At: at}
		envs[i] = env
	}
	if err := s.store.Place(ctx, orders, steps, envs); err != nil {
		return Batch{}, fmt.Errorf("placing %d orders: %w", quantity, err)
	}
	s.published()
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
		return Page{}, &InvalidError{Field: "status", Message: fmt.Sprintf("unknown status %q", q.Status)}
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > MaxPage {
		return Page{}, &InvalidError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxPage)}
	}
	if q.After != "" {
		if _, err := uuid.Parse(q.After); err != nil {
			return Page{}, &InvalidError{Field: "cursor", Message: "not a cursor this service issued"}
		}
	}
	if q.BatchID != "" {
		if _, err := uuid.Parse(q.BatchID); err != nil {
			return Page{}, &InvalidError{Field: "batch", Message: "not a batch id"}
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

// ErrNotFailed reports a reopen of an order that has not failed.
var ErrNotFailed = errors.New("order has not failed")

// Reopen clears the failure of an order whose dead-lettered message is being
// replayed, and records it in the timeline.
func (s *Service) Reopen(ctx context.Context, orderID, reason string) error {
	at := Now()
	return s.store.Update(ctx, []string{orderID}, func(orders map[string]*Order) ([]Step, error) {
		o, ok := orders[orderID]
		if !ok {
			return nil, ErrNotFound
		}
		if !o.Reopen(at) {
			return nil, ErrNotFailed
		}
		return []Step{{EventID: uuid.Must(uuid.NewV7()).String(), OrderID: orderID, Status: o.Status(), At: at, Detail: reason}}, nil
	})
}
