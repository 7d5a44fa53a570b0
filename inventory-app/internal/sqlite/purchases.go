package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// RecordPurchases implements warehouse.Store.
func (s *Store) RecordPurchases(ctx context.Context, tok warehouse.Token, ps []warehouse.Purchase, announce warehouse.AnnouncePurchase) error {
	if len(ps) == 0 {
		return nil
	}
	return sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		if err := fence(ctx, tx, tok); err != nil {
			return err
		}
		ins, err := s.Stmts.In(ctx, tx, insertPurchase)
		if err != nil {
			return fmt.Errorf("storing purchases: %w", err)
		}
		defer ins.Close()
		count, err := s.Stmts.In(ctx, tx, countPurchase)
		if err != nil {
			return fmt.Errorf("counting purchases: %w", err)
		}
		defer count.Close()
		envs := make([]events.Envelope, 0, len(ps))
		for _, p := range ps {
			ids, err := json.Marshal(nonNil(p.OrderIDs))
			if err != nil {
				return err
			}
			res, err := ins.ExecContext(ctx, p.ID, p.Ingredient, p.Quantity, string(ids), sqlitestore.Millis(p.At))
			if err != nil {
				return fmt.Errorf("storing purchase: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // recorded before
			}
			after := warehouse.Level{Ingredient: p.Ingredient}
			err = count.QueryRowContext(ctx, p.Quantity, p.Ingredient).Scan(&after.Initial, &after.Bought, &after.Consumed)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("counting purchase of %s: the ingredient is not stocked", p.Ingredient)
			}
			if err != nil {
				return fmt.Errorf("counting purchase of %s: %w", p.Ingredient, err)
			}
			env, err := announce(p, after)
			if err != nil {
				return err
			}
			envs = append(envs, env)
		}
		return sqlitestore.InsertOutbox(ctx, s.Stmts, tx, envs)
	})
}

// Purchases implements warehouse.Store.
func (s *Store) Purchases(ctx context.Context, q warehouse.PurchaseQuery) ([]warehouse.Purchase, error) {
	query := `SELECT id, ingredient, quantity, order_ids, at FROM purchases WHERE 1 = 1`
	var args []any
	if q.Ingredient != "" {
		query += ` AND ingredient = ?`
		args = append(args, q.Ingredient)
	}
	if q.After != "" {
		query += ` AND id < ?`
		args = append(args, q.After)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, q.Limit)
	rows, err := s.SQL.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing purchases: %w", err)
	}
	defer rows.Close()
	var out []warehouse.Purchase
	for rows.Next() {
		var p warehouse.Purchase
		var ids string
		var at int64
		if err := rows.Scan(&p.ID, &p.Ingredient, &p.Quantity, &ids, &at); err != nil {
			return nil, fmt.Errorf("listing purchases: %w", err)
		}
		if err := json.Unmarshal([]byte(ids), &p.OrderIDs); err != nil {
			return nil, fmt.Errorf("purchase %s: decoding order ids: %w", p.ID, err)
		}
		p.At = sqlitestore.FromMillis(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing purchases: %w", err)
	}
	return out, nil
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
