package warehouse

import (
	"time"

	"github.com/comanda-dev/comanda/internal/events"
)

// Source names inventory-app in the events it emits.
const Source = "inventory-app"

func eventItems(items []Item) []events.Item {
	out := make([]events.Item, len(items))
	for i, it := range items {
		out[i] = events.Item{Ingredient: it.Ingredient, Quantity: it.Quantity}
	}
	return out
}

// reservedEvents announces each reservation with the stock of its
// ingredients right after it: the store reports the stock after the whole
// batch, so the levels are rolled back to before it and replayed in order.
func reservedEvents(reserved []Reservation, after []Level, at time.Time) ([]events.Envelope, error) {
	level := onHandOf(after)
	for _, r := range reserved {
		level.Add(r.Needs())
	}
	envs := make([]events.Envelope, 0, len(reserved))
	for _, r := range reserved {
		level.Sub(r.Needs())
		stock := make([]events.StockLevel, 0, len(r.Items))
		for _, it := range r.Items {
			i, _ := IndexOf(it.Ingredient)
			stock = append(stock, events.StockLevel{Ingredient: it.Ingredient, OnHand: level[i]})
		}
		env, err := events.New(Source, r.OrderID, at, events.IngredientsReserved{Ingredients: eventItems(r.Items), Stock: stock})
		if err != nil {
			return nil, err
		}
		envs = append(envs, env)
	}
	return envs, nil
}

func shortEvent(orderID string, missing Needs, at time.Time) (events.Envelope, error) {
	return events.New(Source, orderID, at, events.IngredientsShort{Missing: eventItems(missing.Items())})
}

func boughtEvent(p Purchase, after Level) (events.Envelope, error) {
	// A purchase serves several orders; the first one correlates it.
	orderID := ""
	if len(p.OrderIDs) > 0 {
		orderID = p.OrderIDs[0]
	}
	ids := p.OrderIDs
	if ids == nil {
		ids = []string{}
	}
	return events.New(Source, orderID, p.At, events.MarketBought{
		PurchaseID: p.ID, Ingredient: p.Ingredient, Quantity: p.Quantity, OrderIDs: ids, OnHand: after.OnHand(),
	})
}
