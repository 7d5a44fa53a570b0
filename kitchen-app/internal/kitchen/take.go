package kitchen

import (
	"context"
	"fmt"

	"github.com/comanda-dev/comanda/internal/clock"
	"github.com/comanda-dev/comanda/internal/events"
)

// TakeOrders opens a ticket for each placed order that has none yet: it picks
// a random recipe and asks the warehouse for its ingredients. An order the
// kitchen already took keeps its recipe and is not announced again, so a
// redelivered order.placed changes nothing.
func (s *Service) TakeOrders(ctx context.Context, orderIDs []string) error {
	at := clock.Now()
	seen := make(map[string]bool, len(orderIDs))
	tickets := make([]Ticket, 0, len(orderIDs))
	for _, id := range orderIDs {
		if !validOrderID(id) {
			return fmt.Errorf("%w: %q", ErrInvalidOrderID, id)
		}
		if seen[id] {
			continue // the same message twice in one batch
		}
		seen[id] = true
		tickets = append(tickets, Ticket{
			OrderID: id, Recipe: s.pick().Name, Stage: WaitingIngredients,
			Since: at, CreatedAt: at, UpdatedAt: at,
		})
	}
	if len(tickets) == 0 {
		return nil
	}
	stored := 0
	err := s.store.CreateTickets(ctx, tickets, func(created []Ticket) []events.Envelope {
		// Every recipe picked, then every request: each order's events
		// in its order, and runs of one type for the relay to pack.
		envs := make([]events.Envelope, 2*len(created))
		for i, t := range created {
			r, _ := s.book.Recipe(t.Recipe)
			envs[i] = events.MustNew(Source, t.OrderID, t.CreatedAt, events.RecipePicked{Recipe: r.Name, Ingredients: r.EventItems()})
			envs[len(created)+i] = events.MustNew(Source, t.OrderID, t.CreatedAt, events.IngredientsRequested{Recipe: r.Name, Ingredients: r.EventItems()})
		}
		stored = len(envs)
		return envs
	})
	if err != nil {
		return fmt.Errorf("creating %d tickets: %w", len(tickets), err)
	}
	if stored > 0 {
		s.published()
	}
	return nil
}
