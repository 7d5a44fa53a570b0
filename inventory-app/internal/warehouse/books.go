package warehouse

import (
	"context"
	"fmt"
	"sync"
)

// Books answers reads on every replica, leader or standby: what the store
// holds and, while this replica leads, the live figures of its warehouse
// (what the waiting orders need, what is being bought), which only the
// leader knows exactly. A standby reads the demand from the store and knows
// nothing of the market.
type Books struct {
	store Store

	mu   sync.RWMutex
	live *Warehouse
}

// NewBooks returns the books of store.
func NewBooks(store Store) *Books { return &Books{store: store} }

// Attach shows w's live figures, until Detach(w).
func (b *Books) Attach(w *Warehouse) {
	b.mu.Lock()
	b.live = w
	b.mu.Unlock()
}

// Detach stops showing w's figures; a later warehouse's stay.
func (b *Books) Detach(w *Warehouse) {
	b.mu.Lock()
	if b.live == w {
		b.live = nil
	}
	b.mu.Unlock()
}

func (b *Books) warehouse() *Warehouse {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.live
}

// Inventory returns the stored stock of every ingredient, in catalogue
// order, with the demand of the waiting orders.
func (b *Books) Inventory(ctx context.Context) (Inventory, error) {
	if w := b.warehouse(); w != nil {
		return w.Inventory(ctx)
	}
	levels, err := b.store.Stock(ctx)
	if err != nil {
		return Inventory{}, fmt.Errorf("reading stock: %w", err)
	}
	orders, needs, err := b.store.Backlog(ctx)
	if err != nil {
		return Inventory{}, fmt.Errorf("reading the waiting orders: %w", err)
	}
	demand := NeedsOf(needs)
	inv := Inventory{WaitingOrders: orders, Ingredients: make([]IngredientState, 0, len(levels))}
	for _, l := range levels {
		st := IngredientState{Level: l}
		if i, ok := IndexOf(l.Ingredient); ok {
			st.Demand = demand[i]
		}
		inv.Ingredients = append(inv.Ingredients, st)
	}
	return inv, nil
}

// Purchases returns market purchases newest first.
func (b *Books) Purchases(ctx context.Context, q PurchaseQuery) (PurchasePage, error) {
	return purchases(ctx, b.store, q)
}

// Reservation returns the reservation of an order, or ErrNotFound.
func (b *Books) Reservation(ctx context.Context, orderID string) (Reservation, error) {
	return reservation(ctx, b.store, orderID)
}

// Buying lists the ingredients the leader's buyers are at the market for;
// none on a standby.
func (b *Books) Buying() []string {
	if w := b.warehouse(); w != nil {
		return w.Buying()
	}
	return nil
}

// Waiting is how many orders the leader's clerk has waiting; 0 on a
// standby, so that a sum over the replicas counts each order once.
func (b *Books) Waiting() int {
	if w := b.warehouse(); w != nil {
		return w.Waiting()
	}
	return 0
}
