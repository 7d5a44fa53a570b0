package api

import (
	"time"

	"github.com/comanda-dev/comanda/inventory-app/internal/market"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// InventoryResponse is the stock of every ingredient, in the warehouse's
// fixed order.
type InventoryResponse struct {
	Ingredients []IngredientView `json:"ingredients"`
	// WaitingOrders counts orders waiting for ingredients.
	WaitingOrders int `json:"waitingOrders" example:"3"`
}

// IngredientView is the stock of one ingredient: onHand = initial + bought − consumed.
type IngredientView struct {
	Ingredient string `json:"ingredient" example:"tomato"`
	OnHand     int    `json:"onHand" example:"4"`
	Initial    int    `json:"initial" example:"5"`
	Bought     int    `json:"bought" example:"12"`
	Consumed   int    `json:"consumed" example:"13"`
	// Demand is what the waiting orders still need.
	Demand int `json:"demand" example:"6"`
	// Buying says the warehouse is at the market for it.
	Buying bool `json:"buying" example:"true"`
}

// PurchaseView is one answer of the farmers market; quantity 0 means it had
// none.
type PurchaseView struct {
	ID           string `json:"id" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d90"`
	Ingredient   string `json:"ingredient" example:"tomato"`
	QuantitySold int    `json:"quantitySold" example:"3"`
	// OrderIDs are the waiting orders the purchase serves (at most 50).
	OrderIDs []string  `json:"orderIds" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f"`
	At       time.Time `json:"at"`
}

// PurchaseList is a page of purchases, newest first.
type PurchaseList struct {
	Purchases []PurchaseView `json:"purchases"`
	// NextCursor fetches the next page; absent on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
}

// MarketView counts the warehouse's calls to the farmers market.
type MarketView struct {
	Calls    int64 `json:"calls" example:"120"`
	Zeros    int64 `json:"zeros" example:"20"`
	Errors   int64 `json:"errors" example:"3"`
	Timeouts int64 `json:"timeouts" example:"1"`
	// UnitsBought sums the quantities sold.
	UnitsBought int64 `json:"unitsBought" example:"250"`
	// Rejected counts calls the open breaker refused without calling.
	Rejected int64 `json:"rejected" example:"0"`
	// BreakerOpens counts how many times the breaker opened.
	BreakerOpens int64  `json:"breakerOpens" example:"0"`
	Breaker      string `json:"breaker" enums:"closed,open,half-open" example:"closed"`
}

// ReservationView is the reservation of one order.
type ReservationView struct {
	OrderID     string     `json:"orderId" example:"019ab8f2-6c1e-7a3c-9d2e-3f4a5b6c7d8f"`
	Seq         int64      `json:"seq" example:"42"`
	Recipe      string     `json:"recipe" example:"pizza"`
	Status      string     `json:"status" enums:"waiting,reserved" example:"reserved"`
	Items       []ItemView `json:"items"`
	RequestedAt time.Time  `json:"requestedAt"`
	ReservedAt  *time.Time `json:"reservedAt,omitempty"`
}

// ItemView is a quantity of one ingredient.
type ItemView struct {
	Ingredient string `json:"ingredient" example:"tomato"`
	Quantity   int    `json:"quantity" example:"3"`
}

func inventoryResponse(inv warehouse.Inventory) InventoryResponse {
	resp := InventoryResponse{WaitingOrders: inv.WaitingOrders, Ingredients: make([]IngredientView, 0, len(inv.Ingredients))}
	for _, st := range inv.Ingredients {
		resp.Ingredients = append(resp.Ingredients, IngredientView{
			Ingredient: st.Ingredient, OnHand: st.OnHand(), Initial: st.Initial, Bought: st.Bought,
			Consumed: st.Consumed, Demand: st.Demand, Buying: st.Buying,
		})
	}
	return resp
}

func purchaseView(p warehouse.Purchase) PurchaseView {
	ids := p.OrderIDs
	if ids == nil {
		ids = []string{}
	}
	return PurchaseView{ID: p.ID, Ingredient: p.Ingredient, QuantitySold: p.Quantity, OrderIDs: ids, At: p.At}
}

func marketView(s market.Stats) MarketView {
	return MarketView{
		Calls: s.Calls, Zeros: s.Zeros, Errors: s.Errors, Timeouts: s.Timeouts, UnitsBought: s.UnitsBought,
		Rejected: s.Rejected, BreakerOpens: s.BreakerOpens, Breaker: s.Breaker,
	}
}

func reservationView(r warehouse.Reservation) ReservationView {
	v := ReservationView{
		OrderID: r.OrderID, Seq: r.Seq, Recipe: r.Recipe, Status: string(r.Status),
		Items: make([]ItemView, 0, len(r.Items)), RequestedAt: r.RequestedAt,
	}
	for _, it := range r.Items {
		v.Items = append(v.Items, ItemView{Ingredient: it.Ingredient, Quantity: it.Quantity})
	}
	if !r.ReservedAt.IsZero() {
		at := r.ReservedAt
		v.ReservedAt = &at
	}
	return v
}
