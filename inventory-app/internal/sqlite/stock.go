package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Seed implements warehouse.Store.
func (s *Store) Seed(ctx context.Context, ingredients []string, initial int) error {
	return sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO stock (ingredient, initial) VALUES (?, ?) ON CONFLICT (ingredient) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("seeding stock: %w", err)
		}
		defer ins.Close()
		for _, ing := range ingredients {
			if _, err := ins.ExecContext(ctx, ing, initial); err != nil {
				return fmt.Errorf("seeding %s: %w", ing, err)
			}
		}
		return nil
	})
}

// Stock implements warehouse.Store.
func (s *Store) Stock(ctx context.Context) ([]warehouse.Level, error) {
	levels, err := readStock(ctx, s.SQL)
	if err != nil {
		return nil, fmt.Errorf("reading stock: %w", err)
	}
	return levels, nil
}

func readStock(ctx context.Context, q queryer) ([]warehouse.Level, error) {
	rows, err := q.QueryContext(ctx, `SELECT ingredient, initial, bought, consumed FROM stock`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []warehouse.Level
	for rows.Next() {
		var l warehouse.Level
		if err := rows.Scan(&l.Ingredient, &l.Initial, &l.Bought, &l.Consumed); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortLevels(out)
	return out, nil
}

// sortLevels puts levels in catalogue order.
func sortLevels(levels []warehouse.Level) {
	slices.SortFunc(levels, func(a, b warehouse.Level) int {
		i, _ := warehouse.IndexOf(a.Ingredient)
		j, _ := warehouse.IndexOf(b.Ingredient)
		return i - j
	})
}
