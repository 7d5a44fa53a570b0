package kitchen

import (
	"context"
	"fmt"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
)

// Failure says an order cannot be served: a message of its life was
// dead-lettered.
type Failure struct {
	OrderID string
	Reason  string
}

// Fail marks the tickets of failed orders failed, unless their dish was
// delivered. Failures of orders the kitchen has no ticket for are ignored:
// there is nothing of theirs to stop.
func (s *Service) Fail(ctx context.Context, failures []Failure) error {
	at := clock.Now()
	reasons := make(map[string]string, len(failures))
	ids := make([]string, 0, len(failures))
	for _, f := range failures {
		if !validOrderID(f.OrderID) {
			s.log.Debug("dead letter without an order id", "orderId", f.OrderID)
			continue
		}
		if _, seen := reasons[f.OrderID]; !seen {
			ids = append(ids, f.OrderID)
		}
		reasons[f.OrderID] = f.Reason
	}
	if len(ids) == 0 {
		return nil
	}
	err := s.store.Update(ctx, ids, func(tickets map[string]*Ticket) ([]events.Envelope, error) {
		for _, id := range ids {
			t, ok := tickets[id]
			if !ok {
				s.log.Debug("dead letter of an order the kitchen never took", "orderId", id)
				continue
			}
			t.Fail(reasons[id], at)
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("failing the tickets of %d orders: %w", len(ids), err)
	}
	return nil
}
