package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Seed implements warehouse.Store: $setOnInsert leaves stocked ingredients
// as they are.
func (s *Store) Seed(ctx context.Context, ingredients []string, initial int) error {
	models := make([]mongodrv.WriteModel, 0, len(ingredients))
	for _, ing := range ingredients {
		models = append(models, mongodrv.NewUpdateOneModel().
			SetFilter(bson.M{"_id": ing}).
			SetUpdate(bson.M{"$setOnInsert": bson.M{"initial": initial, "bought": 0, "consumed": 0}}).
			SetUpsert(true))
	}
	_, err := s.stock.BulkWrite(ctx, models)
	if _, dup := onlyDuplicates(err); err != nil && !dup {
		// A duplicate means another process seeded the same ingredient
		// at the same moment: it is stocked, which is all Seed promises.
		return fmt.Errorf("seeding stock: %w", err)
	}
	return nil
}

// Stock implements warehouse.Store.
func (s *Store) Stock(ctx context.Context) ([]warehouse.Level, error) {
	levels, err := s.readStock(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading stock: %w", err)
	}
	return levels, nil
}

func (s *Store) readStock(ctx context.Context) ([]warehouse.Level, error) {
	cur, err := s.stock.Find(ctx, bson.M{})
	if err != nil {
		return nil, err
	}
	var docs []stockDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	levels := make([]warehouse.Level, len(docs))
	for i, d := range docs {
		levels[i] = d.level()
	}
	sortLevels(levels)
	return levels, nil
}
