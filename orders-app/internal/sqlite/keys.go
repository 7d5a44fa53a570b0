package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// claimKey stores a placement's idempotency key, or takes over an expired
// one, inside the placement's transaction.
func claimKey(ctx context.Context, tx *sql.Tx, k order.Key) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (idempotency_key, request_hash, batch_id, quantity, placed_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (idempotency_key) DO UPDATE SET request_hash = excluded.request_hash, batch_id = excluded.batch_id,
			quantity = excluded.quantity, placed_at = excluded.placed_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= excluded.placed_at`,
		k.Key, k.RequestHash, k.BatchID, k.Quantity, sqlitestore.Micros(k.PlacedAt), sqlitestore.Micros(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("storing idempotency key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("storing idempotency key: %w", err)
	}
	if n == 0 {
		return order.ErrKeyTaken
	}
	return nil
}

// Keyed implements order.Store.
func (s *Store) Keyed(ctx context.Context, key string, now time.Time) (order.Key, []string, error) {
	k := order.Key{Key: key}
	var placed, expires int64
	err := s.SQL.QueryRowContext(ctx, `SELECT request_hash, batch_id, quantity, placed_at, expires_at FROM idempotency_keys
		WHERE idempotency_key = ? AND expires_at > ?`, key, sqlitestore.Micros(now)).
		Scan(&k.RequestHash, &k.BatchID, &k.Quantity, &placed, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return k, nil, order.ErrNotFound
	}
	if err != nil {
		return k, nil, fmt.Errorf("reading idempotency key: %w", err)
	}
	k.PlacedAt, k.ExpiresAt = sqlitestore.FromMicros(placed), sqlitestore.FromMicros(expires)
	rows, err := s.SQL.QueryContext(ctx, `SELECT id FROM orders WHERE batch_id = ? ORDER BY id`, k.BatchID)
	if err != nil {
		return k, nil, fmt.Errorf("reading batch %s: %w", k.BatchID, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return k, nil, fmt.Errorf("reading batch %s: %w", k.BatchID, err)
		}
		ids = append(ids, id)
	}
	return k, ids, rows.Err()
}

// PurgeKeys implements order.Store.
func (s *Store) PurgeKeys(ctx context.Context, now time.Time, limit int) (int, error) {
	var n int64
	err := sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE idempotency_key IN (
			SELECT idempotency_key FROM idempotency_keys WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`, sqlitestore.Micros(now), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deleting expired idempotency keys: %w", err)
	}
	return int(n), nil
}
