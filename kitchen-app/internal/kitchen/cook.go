package kitchen

import (
	"context"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
)

// Cook serves orders whose ingredients were reserved, together, as one cook
// works a tray: it starts cooking them, waits the cooking time and delivers
// the dishes, each step stored with its events in one transaction for the
// whole tray. Steps already taken are not repeated, so a redelivered
// reservation of a delivered dish changes nothing. When ctx ends while the
// dishes cook, Cook returns the error and leaves the tickets preparing: the
// reservations stay pending and are delivered again. An order without a
// ticket gives ErrNotFound, and nothing of the tray is stored.
func (s *Service) Cook(ctx context.Context, orderIDs ...string) error {
	for _, id := range orderIDs {
		if !validOrderID(id) {
			return fmt.Errorf("cooking order %q: %w", id, ErrNotFound)
		}
	}
	var cooking []string
	err := s.transition(ctx, orderIDs, func(tickets map[string]*Ticket) ([]events.Envelope, error) {
		cooking = cooking[:0] // the store may call fn again
		at := clock.Now()
		var envs []events.Envelope
		for _, id := range orderIDs {
			t, ok := tickets[id]
			if !ok {
				return nil, fmt.Errorf("cooking order %s: %w", id, ErrNotFound)
			}
			if t.Stage == Delivered {
				continue
			}
			if t.StartCooking(at) {
				envs = append(envs, events.MustNew(Source, t.OrderID, t.UpdatedAt, events.CookingStarted{Recipe: t.Recipe}))
			}
			cooking = append(cooking, id)
		}
		return envs, nil
	})
	if err != nil {
		return fmt.Errorf("starting to cook %d orders: %w", len(orderIDs), err)
	}
	if len(cooking) == 0 {
		return nil
	}
	if err := s.wait(ctx); err != nil {
		return fmt.Errorf("cooking %d orders: %w", len(cooking), err)
	}
	err = s.transition(ctx, cooking, func(tickets map[string]*Ticket) ([]events.Envelope, error) {
		at := clock.Now()
		var envs []events.Envelope
		for _, id := range cooking {
			if t, ok := tickets[id]; ok && t.Deliver(at) {
				envs = append(envs, events.MustNew(Source, t.OrderID, t.UpdatedAt, events.DishDelivered{Recipe: t.Recipe}))
			}
		}
		return envs, nil
	})
	if err != nil {
		return fmt.Errorf("delivering %d orders: %w", len(cooking), err)
	}
	return nil
}

// transition stores changes of tickets with their events, in one
// transaction, and wakes the relay when there are events.
func (s *Service) transition(ctx context.Context, orderIDs []string, fn func(map[string]*Ticket) ([]events.Envelope, error)) error {
	stored := 0
	err := s.store.Update(ctx, orderIDs, func(tickets map[string]*Ticket) ([]events.Envelope, error) {
		envs, err := fn(tickets)
		stored = len(envs)
		return envs, err
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
