// Package consumer turns the kitchen's ingredient requests into waiting
// reservations.
package consumer

import (
	"context"
	"fmt"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Group is the consumer group of inventory-app; it never changes.
const Group = events.GroupInventory

// Types are the event types the warehouse serves.
var Types = []string{events.TypeIngredientsRequested}

// Handler stores a batch of requests in one call and acknowledges them once
// stored; the clerk serves them afterwards. A request for an ingredient the
// warehouse does not stock can never be served: it is dead-lettered, and
// orders-app marks its order failed.
func Handler(w *warehouse.Warehouse) stream.Handler {
	return func(ctx context.Context, msgs []stream.Message) error {
		reqs := make([]warehouse.Request, 0, len(msgs))
		for _, m := range msgs {
			p, err := events.DecodePayload[events.IngredientsRequested](m.Event)
			if err != nil {
				return err
			}
			items := make([]warehouse.Item, len(p.Ingredients))
			for i, it := range p.Ingredients {
				items[i] = warehouse.Item{Ingredient: it.Ingredient, Quantity: it.Quantity}
			}
			req, err := warehouse.NewRequest(m.Event.OrderID, p.Recipe, items, m.Event.Time.UTC())
			if err != nil {
				return stream.Permanent(err)
			}
			reqs = append(reqs, req)
		}
		if err := w.Request(ctx, reqs); err != nil {
			return fmt.Errorf("storing %d ingredient requests: %w", len(reqs), err)
		}
		return nil
	}
}
