package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Reserve implements warehouse.Store in one transaction: it reads the
// orders still waiting, takes each ingredient's total with a decrement whose
// filter requires initial + bought − consumed ≥ the quantity (no match: the
// whole transaction is abandoned and nothing stays), and marks the orders
// reserved only while they wait. Two racing transactions write the same
// documents, so the server lets one commit and the driver retries the other
// against the new state.
func (s *Store) Reserve(ctx context.Context, tok warehouse.Token, orderIDs []string, at time.Time, announce warehouse.AnnounceReserved) ([]warehouse.Reservation, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	var reserved []warehouse.Reservation
	err := s.inTx(ctx, func(ctx context.Context) error {
		reserved = nil
		if err := s.fence(ctx, tok, laneClerk); err != nil {
			return err
		}
		waiting, err := s.findReservations(ctx, bson.M{"_id": bson.M{"$in": orderIDs}, "status": string(warehouse.Waiting)})
		if err != nil {
			return fmt.Errorf("reading reservations: %w", err)
		}
		if len(waiting) == 0 {
			return nil
		}
		var total warehouse.Needs
		ids := make([]string, len(waiting))
		for i, r := range waiting {
			total.Add(r.Needs())
			ids[i] = r.OrderID
		}
		for _, it := range total.Items() {
			if err := s.take(ctx, it); err != nil {
				return err
			}
		}
		res, err := s.reservations.UpdateMany(ctx,
			bson.M{"_id": bson.M{"$in": ids}, "status": string(warehouse.Waiting)},
			bson.M{"$set": bson.M{"status": string(warehouse.Reserved), "reservedAt": at}})
		if err != nil {
			return fmt.Errorf("marking reservations: %w", err)
		}
		if res.MatchedCount != int64(len(ids)) {
			return fmt.Errorf("marking reservations: %d of %d changed meanwhile", int64(len(ids))-res.MatchedCount, len(ids))
		}
		for i := range waiting {
			waiting[i].Status, waiting[i].ReservedAt = warehouse.Reserved, at
		}
		after, err := s.readStock(ctx)
		if err != nil {
			return fmt.Errorf("reading stock: %w", err)
		}
		envs, err := announce(waiting, after)
		if err != nil {
			return err
		}
		if err := s.insertOutbox(ctx, tok, envs); err != nil {
			return err
		}
		reserved = waiting
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reserved, nil
}

// take consumes it only if it is on hand.
func (s *Store) take(ctx context.Context, it warehouse.Item) error {
	onHand := bson.M{"$subtract": bson.A{bson.M{"$add": bson.A{"$initial", "$bought"}}, "$consumed"}}
	res, err := s.stock.UpdateOne(ctx,
		bson.M{"_id": it.Ingredient, "$expr": bson.M{"$gte": bson.A{onHand, it.Quantity}}},
		bson.M{"$inc": bson.M{"consumed": it.Quantity}})
	if err != nil {
		return fmt.Errorf("taking %d %s: %w", it.Quantity, it.Ingredient, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("taking %d %s: %w", it.Quantity, it.Ingredient, warehouse.ErrInsufficientStock)
	}
	return nil
}
