package kitchen

import "github.com/comanda-dev/comanda/internal/events"

// The domain keeps its own types; the contract's (package events) are built
// from them where events are made, and read only by the consumers.

// EventItems are the recipe's ingredients as the events carry them.
func (r Recipe) EventItems() []events.Item {
	out := make([]events.Item, len(r.Ingredients))
	for i, it := range r.Ingredients {
		out[i] = events.Item{Ingredient: it.Ingredient, Quantity: it.Quantity}
	}
	return out
}
