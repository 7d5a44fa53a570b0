package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// RecordPurchase implements warehouse.Store in one transaction: the
// purchase (its id is the _id, so a repeat is a duplicate key), the bought
// units and the event.
func (s *Store) RecordPurchase(ctx context.Context, tok warehouse.Token, p warehouse.Purchase, announce warehouse.AnnouncePurchase) (warehouse.Level, error) {
	var after warehouse.Level
	ids := p.OrderIDs
	if ids == nil {
		ids = []string{}
	}
	doc := purchaseDoc{ID: p.ID, Ingredient: p.Ingredient, Quantity: p.Quantity, OrderIDs: ids, At: p.At.UTC().Truncate(time.Millisecond)}
	err := s.inTx(ctx, func(ctx context.Context) error {
		if err := s.fence(ctx, tok, laneBuyer(p.Ingredient)); err != nil {
			return err
		}
		if _, err := s.purchases.InsertOne(ctx, doc); err != nil {
			if mongodrv.IsDuplicateKeyError(err) {
				return fmt.Errorf("purchase %s: %w", p.ID, warehouse.ErrAlreadyExists)
			}
			return fmt.Errorf("storing purchase: %w", err)
		}
		var d stockDoc
		err := s.stock.FindOneAndUpdate(ctx, bson.M{"_id": p.Ingredient}, bson.M{"$inc": bson.M{"bought": p.Quantity}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
		if errors.Is(err, mongodrv.ErrNoDocuments) {
			return fmt.Errorf("counting purchase of %s: the ingredient is not stocked", p.Ingredient)
		}
		if err != nil {
			return fmt.Errorf("counting purchase of %s: %w", p.Ingredient, err)
		}
		after = d.level()
		env, err := announce(after)
		if err != nil {
			return err
		}
		return s.insertOutbox(ctx, tok, []events.Envelope{env})
	})
	if err != nil {
		return warehouse.Level{}, err
	}
	return after, nil
}

// Purchases implements warehouse.Store.
func (s *Store) Purchases(ctx context.Context, q warehouse.PurchaseQuery) ([]warehouse.Purchase, error) {
	filter := bson.M{}
	if q.Ingredient != "" {
		filter["ingredient"] = q.Ingredient
	}
	if q.After != "" {
		filter["_id"] = bson.M{"$lt": q.After}
	}
	cur, err := s.purchases.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, fmt.Errorf("listing purchases: %w", err)
	}
	var docs []purchaseDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("listing purchases: %w", err)
	}
	out := make([]warehouse.Purchase, len(docs))
	for i, d := range docs {
		out[i] = d.purchase()
	}
	return out, nil
}
