package kitchen

import (
	"context"
	"errors"
	"fmt"

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
	at := Now()
	for _, f := range failures {
		if !validOrderID(f.OrderID) {
			s.log.Debug("dead letter without an order id", "orderId", f.OrderID)
			continue
		}
		err := s.store.Update(ctx, f.OrderID, func(t *Ticket) ([]events.Envelope, error) {
			t.Fail(f.Reason, at)
			return nil, nil
		})
		switch {
		case errors.Is(err, ErrNotFound):
			s.log.Debug("dead letter of an order the kitchen never took", "orderId", f.OrderID)
		case err != nil:
			return fmt.Errorf("failing the ticket of order %s: %w", f.OrderID, err)
		}
	}
	return nil
}
