package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
)

// InsertOutbox stores events in the outbox inside tx, in order, each
// carrying its order's trace (tracing.Stamp).
func InsertOutbox(ctx context.Context, tx pgx.Tx, envs []events.Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	tracing.Stamp(ctx, envs)
	if len(envs) < 32 {
		b := &pgx.Batch{}
		for _, e := range envs {
			b.Queue(`INSERT INTO outbox (event) VALUES ($1)`, e.Encode())
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("storing events: %w", err)
		}
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"outbox"}, []string{"event"}, pgx.CopyFromSlice(len(envs), func(i int) ([]any, error) {
		return []any{envs[i].Encode()}, nil
	}))
	if err != nil {
		return fmt.Errorf("storing %d events: %w", len(envs), err)
	}
	return nil
}

// PublishOutbox implements outbox.Store: it locks the oldest unpublished
// events (skipping those another relay holds), publishes them and deletes
// them in the same transaction.
func PublishOutbox(ctx context.Context, pool *pgxpool.Pool, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("beginning outbox transaction: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	rows, err := tx.Query(ctx, `SELECT seq, event FROM outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	if err != nil {
		return 0, fmt.Errorf("reading outbox: %w", err)
	}
	var seqs []int64
	var envs []events.Envelope
	for rows.Next() {
		var seq int64
		var raw []byte
		if err := rows.Scan(&seq, &raw); err != nil {
			return 0, fmt.Errorf("reading outbox: %w", err)
		}
		env, err := events.Decode(raw)
		if err != nil {
			return 0, fmt.Errorf("outbox entry %d: %w", seq, err)
		}
		seqs = append(seqs, seq)
		envs = append(envs, env)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reading outbox: %w", err)
	}
	if len(envs) == 0 {
		return 0, nil
	}
	if err := publish(ctx, envs); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE seq = ANY($1)`, seqs); err != nil {
		return 0, fmt.Errorf("deleting published events: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("committing outbox: %w", err)
	}
	return len(envs), nil
}

// OutboxLen implements outbox.Store: the events waiting to be published.
func OutboxLen(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting outbox: %w", err)
	}
	return n, nil
}
