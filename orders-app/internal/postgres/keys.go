package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// claimKey stores a placement's idempotency key, or takes over an expired
// one, as the first statement of the placement's transaction. A racing
// placement with the same key blocks on the key's index entry until this
// transaction ends, before it copies a single order; then it finds the key
// taken (or, after a rollback, takes it).
func claimKey(ctx context.Context, tx pgx.Tx, k order.Key) error {
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (idempotency_key, request_hash, batch_id, quantity, placed_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (idempotency_key) DO UPDATE SET request_hash = EXCLUDED.request_hash, batch_id = EXCLUDED.batch_id,
			quantity = EXCLUDED.quantity, placed_at = EXCLUDED.placed_at, expires_at = EXCLUDED.expires_at
		WHERE idempotency_keys.expires_at <= EXCLUDED.placed_at`,
		k.Key, k.RequestHash, k.BatchID, k.Quantity, k.PlacedAt, k.ExpiresAt)
	if err != nil {
		return fmt.Errorf("storing idempotency key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return order.ErrKeyTaken
	}
	return nil
}

// Keyed implements order.Store.
func (s *Store) Keyed(ctx context.Context, key string, now time.Time) (order.Key, []string, error) {
	k := order.Key{Key: key}
	err := s.pool.QueryRow(ctx, `SELECT request_hash, batch_id::text, quantity, placed_at, expires_at FROM idempotency_keys
		WHERE idempotency_key = $1 AND expires_at > $2`, key, now).
		Scan(&k.RequestHash, &k.BatchID, &k.Quantity, &k.PlacedAt, &k.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, nil, order.ErrNotFound
	}
	if err != nil {
		return k, nil, fmt.Errorf("reading idempotency key: %w", err)
	}
	k.PlacedAt, k.ExpiresAt = k.PlacedAt.UTC(), k.ExpiresAt.UTC()
	rows, err := s.pool.Query(ctx, `SELECT id::text FROM orders WHERE batch_id = $1 ORDER BY id`, k.BatchID)
	if err != nil {
		return k, nil, fmt.Errorf("reading batch %s: %w", k.BatchID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return k, nil, fmt.Errorf("reading batch %s: %w", k.BatchID, err)
	}
	return k, ids, nil
}

// PurgeKeys implements order.Store. Keys being taken over by a placement
// right now are skipped rather than waited for.
func (s *Store) PurgeKeys(ctx context.Context, now time.Time, limit int) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE idempotency_key IN (
		SELECT idempotency_key FROM idempotency_keys WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, now, limit)
	if err != nil {
		return 0, fmt.Errorf("deleting expired idempotency keys: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
