package warehouse

import (
	"context"
	"fmt"

	"github.com/comanda-dev/comanda/internal/invalid"
	"github.com/google/uuid"
)

// IngredientState is the stock of one ingredient and what the warehouse is
// doing about it.
type IngredientState struct {
	Level
	// Demand is the units the waiting orders still need.
	Demand int
	// Buying says the ingredient's buyer is at the market.
	Buying bool
}

// Inventory is the whole warehouse at one moment.
type Inventory struct {
	Ingredients   []IngredientState
	WaitingOrders int
}

// Inventory returns the stored stock of every ingredient, in catalogue
// order, with the demand of the waiting orders.
func (w *Warehouse) Inventory(ctx context.Context) (Inventory, error) {
	levels, err := w.store.Stock(ctx)
	if err != nil {
		return Inventory{}, fmt.Errorf("reading stock: %w", err)
	}
	w.mu.Lock()
	demand, buying, waiting := w.demand, w.buying, w.queue.len()
	w.mu.Unlock()
	inv := Inventory{WaitingOrders: waiting, Ingredients: make([]IngredientState, 0, len(levels))}
	for _, l := range levels {
		st := IngredientState{Level: l}
		if i, ok := IndexOf(l.Ingredient); ok {
			st.Demand, st.Buying = demand[i], buying[i]
		}
		inv.Ingredients = append(inv.Ingredients, st)
	}
	return inv, nil
}

// Purchases returns market purchases newest first.
func (w *Warehouse) Purchases(ctx context.Context, q PurchaseQuery) (PurchasePage, error) {
	return purchases(ctx, w.store, q)
}

func purchases(ctx context.Context, store Store, q PurchaseQuery) (PurchasePage, error) {
	if q.Ingredient != "" && !Known(q.Ingredient) {
		return PurchasePage{}, &invalid.Error{Field: "ingredient", Message: fmt.Sprintf("unknown ingredient %q", q.Ingredient)}
	}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > MaxPage {
		return PurchasePage{}, &invalid.Error{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxPage)}
	}
	if q.After != "" {
		if _, err := uuid.Parse(q.After); err != nil {
			return PurchasePage{}, &invalid.Error{Field: "cursor", Message: "not a cursor this service issued"}
		}
	}
	want := q.Limit
	q.Limit++ // one more tells whether a next page exists
	ps, err := store.Purchases(ctx, q)
	if err != nil {
		return PurchasePage{}, fmt.Errorf("listing purchases: %w", err)
	}
	page := PurchasePage{Purchases: ps}
	if len(ps) > want {
		page.Purchases = ps[:want]
		page.Next = page.Purchases[want-1].ID
	}
	return page, nil
}

// Reservation returns the reservation of an order, or ErrNotFound.
func (w *Warehouse) Reservation(ctx context.Context, orderID string) (Reservation, error) {
	return reservation(ctx, w.store, orderID)
}

func reservation(ctx context.Context, store Store, orderID string) (Reservation, error) {
	if orderID == "" {
		return Reservation{}, ErrNotFound
	}
	return store.Reservation(ctx, orderID)
}

// Buying lists the ingredients whose buyer is at the market now, in
// catalogue order. It reads memory only, so the live feed may call it often.
func (w *Warehouse) Buying() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for i, on := range w.buying {
		if on {
			out = append(out, catalogue[i])
		}
	}
	return out
}

// Waiting is how many orders wait for ingredients (memory only).
func (w *Warehouse) Waiting() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.queue.len()
}
