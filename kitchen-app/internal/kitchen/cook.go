package kitchen

import (
	"context"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
)

// Cook serves an order whose ingredients were reserved: it starts cooking,
// waits the cooking time and delivers the dish, each step stored with its
// event. Steps already taken are not repeated, so a redelivered reservation
// of a delivered dish changes nothing. When ctx ends while the dish cooks,
// Cook returns the error and leaves the ticket preparing: the reservation
// stays pending and is delivered again. An order without a ticket gives
// ErrNotFound.
func (s *Service) Cook(ctx context.Context, orderID string) error {
	if !validOrderID(orderID) {
		return fmt.Errorf("cooking order %q: %w", orderID, ErrNotFound)
	}
	served := false
	err := s.transition(ctx, orderID, func(t *Ticket) []events.Envelope {
		served = t.Stage == Delivered
		if !t.StartCooking(Now()) {
			return nil
		}
		return []events.Envelope{events.MustNew(Source, t.OrderID, t.UpdatedAt, events.CookingStarted{Recipe: t.Recipe})}
	})
	if err != nil {
		return fmt.Errorf("starting to cook order %s: %w", orderID, err)
	}
	if served {
		return nil
	}
	if err := s.wait(ctx); err != nil {
		return fmt.Errorf("cooking order %s: %w", orderID, err)
	}
	err = s.transition(ctx, orderID, func(t *Ticket) []events.Envelope {
		if !t.Deliver(Now()) {
			return nil
		}
		return []events.Envelope{events.MustNew(Source, t.OrderID, t.UpdatedAt, events.DishDelivered{Recipe: t.Recipe})}
	})
	if err != nil {
		return fmt.Errorf("delivering order %s: %w", orderID, err)
	}
	return nil
}

// transition stores one change of a ticket with its events, in one
// transaction, and wakes the relay when there are events.
func (s *Service) transition(ctx context.Context, orderID string, fn func(*Ticket) []events.Envelope) error {
	stored := 0
	err := s.store.Update(ctx, orderID, func(t *Ticket) ([]events.Envelope, error) {
		envs := fn(t)
		stored = len(envs)
		return envs, nil
	})
	if err == nil && stored > 0 {
		s.published()
	}
	return err
}

func (s *Service) wait(ctx context.Context) error {
	if s.cookTime <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(s.cookTime)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
