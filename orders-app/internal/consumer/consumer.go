// Package consumer turns the kitchen's events and dead letters into order
// status changes.
package consumer

import (
	"context"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// Group is the consumer group of orders-app; it never changes.
const Group = events.GroupOrders

// Types are the event types that move an order.
var Types = []string{
	events.TypeRecipePicked, events.TypeIngredientsRequested, events.TypeCookingStarted,
	events.TypeDishDelivered, events.TypeDeadLettered,
}

// Handler applies a batch of events to the orders in one transaction.
func Handler(svc *order.Service) stream.Handler {
	return func(ctx context.Context, msgs []stream.Message) error {
		changes := make([]order.Change, 0, len(msgs))
		for _, m := range msgs {
			c, err := toChange(m.Event)
			if err != nil {
				return err
			}
			changes = append(changes, c)
		}
		if err := svc.Apply(ctx, changes); err != nil {
			return fmt.Errorf("applying %d status changes: %w", len(changes), err)
		}
		return nil
	}
}

func toChange(e events.Envelope) (order.Change, error) {
	c := order.Change{EventID: e.ID, OrderID: e.OrderID, At: e.Time.UTC().Truncate(time.Microsecond)}
	var err error
	switch e.Type {
	case events.TypeRecipePicked:
		var p events.RecipePicked
		p, err = events.DecodePayload[events.RecipePicked](e)
		c.Status, c.Recipe = order.Queued, p.Recipe
	case events.TypeIngredientsRequested:
		var p events.IngredientsRequested
		p, err = events.DecodePayload[events.IngredientsRequested](e)
		c.Status, c.Recipe = order.WaitingIngredients, p.Recipe
	case events.TypeCookingStarted:
		var p events.CookingStarted
		p, err = events.DecodePayload[events.CookingStarted](e)
		c.Status, c.Recipe = order.Preparing, p.Recipe
	case events.TypeDishDelivered:
		var p events.DishDelivered
		p, err = events.DecodePayload[events.DishDelivered](e)
		c.Status, c.Recipe = order.Delivered, p.Recipe
	case events.TypeDeadLettered:
		var p events.DeadLettered
		p, err = events.DecodePayload[events.DeadLettered](e)
		c.Status, c.Reason = order.Failed, events.FailureReason(p)
		c.RecoversAt = recoversAt(p)
	default:
		return c, stream.Permanent(fmt.Errorf("orders-app does not handle %s", e.Type))
	}
	return c, err
}

// recoversAt is the least status whose arrival proves that a dead-lettered
// message was handled after all (replayed). A message another service gave
// up on shows it by what follows it: the status after the one it implies.
// A message orders-app itself gave up on shows it by its own status, which
// this service never recorded. Unknown types: only a delivery or a reopen
// can tell.
func recoversAt(p events.DeadLettered) order.Status {
	st, ok := events.Reached(p.Type)
	if !ok {
		return ""
	}
	if p.Group == Group {
		return st
	}
	return st.Next()
}
