package consumer

import (
	"context"
	"errors"
	"fmt"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

// Orders opens a ticket for each placed order of a batch, in one
// transaction, and fails the tickets of dead-lettered orders.
func Orders(svc *kitchen.Service) stream.Handler {
	return func(ctx context.Context, msgs []stream.Message) error {
		var placed []string
		var failures []kitchen.Failure
		for _, m := range msgs {
			switch m.Event.Type {
			case events.TypeOrderPlaced:
				if _, err := events.DecodePayload[events.OrderPlaced](m.Event); err != nil {
					return err
				}
				placed = append(placed, m.Event.OrderID)
			case events.TypeDeadLettered:
				p, err := events.DecodePayload[events.DeadLettered](m.Event)
				if err != nil {
					return err
				}
				failures = append(failures, kitchen.Failure{
					OrderID: m.Event.OrderID,
					Reason:  fmt.Sprintf("%s could not handle %s: %s", p.Group, p.Type, p.Reason),
				})
			default:
				return stream.Permanent(fmt.Errorf("the kitchen does not take %s", m.Event.Type))
			}
		}
		if len(placed) > 0 {
			err := svc.TakeOrders(ctx, placed)
			if errors.Is(err, kitchen.ErrInvalidOrderID) {
				return stream.Permanent(err)
			}
			if err != nil {
				return fmt.Errorf("taking %d orders: %w", len(placed), err)
			}
		}
		if err := svc.Fail(ctx, failures); err != nil {
			return fmt.Errorf("failing %d orders: %w", len(failures), err)
		}
		return nil
	}
}
