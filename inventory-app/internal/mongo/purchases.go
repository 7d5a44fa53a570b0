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

// RecordPurchases implements warehouse.Store in one transaction: the
// purchases (a purchase's id is its _id), the bought units and the events.
// Purchases recorded before are looked up first and left out: a duplicate
// key inside a transaction would abort all of it.
func (s *Store) RecordPurchases(ctx context.Context, tok warehouse.Token, ps []warehouse.Purchase, announce warehouse.AnnouncePurchase) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	for k, p := range ps {
		ids[k] = p.ID
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		if err := s.fence(ctx, tok, laneBooker); err != nil {
			return err
		}
		cur, err := s.purchases.Find(ctx, bson.M{"_id": bson.M{"$in": ids}}, options.Find().SetProjection(bson.M{"_id": 1}))
		if err != nil {
			return fmt.Errorf("looking up purchases: %w", err)
		}
		var found []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &found); err != nil {
			return fmt.Errorf("looking up purchases: %w", err)
		}
		recorded := make(map[string]bool, len(found))
		for _, f := range found {
			recorded[f.ID] = true
		}
		var envs []events.Envelope
		for _, p := range ps {
			if recorded[p.ID] {
				continue
			}
			orderIDs := p.OrderIDs
			if orderIDs == nil {
				orderIDs = []string{}
			}
			doc := purchaseDoc{ID: p.ID, Ingredient: p.Ingredient, Quantity: p.Quantity, OrderIDs: orderIDs, At: p.At.UTC().Truncate(time.Millisecond)}
			if _, err := s.purchases.InsertOne(ctx, doc); err != nil {
				return fmt.Errorf("storing purchase %s: %w", p.ID, err)
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
			env, err := announce(p, d.level())
			if err != nil {
				return err
			}
			envs = append(envs, env)
		}
		return s.insertOutbox(ctx, tok, envs)
	})
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
