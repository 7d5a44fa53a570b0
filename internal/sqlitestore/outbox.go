package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
)

const insertOutbox = `INSERT INTO outbox (event) VALUES (?)`

// InsertOutbox stores events in the outbox inside tx, in order, with the
// store's prepared statements (see Statements; nil prepares for tx alone),
// each carrying its order's trace (tracing.Stamp).
func InsertOutbox(ctx context.Context, stmts *Statements, tx *sql.Tx, envs []events.Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	tracing.Stamp(ctx, envs)
	stmt, err := stmts.In(ctx, tx, insertOutbox)
	if err != nil {
		return fmt.Errorf("storing events: %w", err)
	}
	defer stmt.Close()
	for _, e := range envs {
		if _, err := stmt.ExecContext(ctx, e.Encode()); err != nil {
			return fmt.Errorf("storing event %s: %w", e.Type, err)
		}
	}
	return nil
}

// PublishOutbox implements outbox.Store. A SQLite file belongs to one process,
// which runs one relay, so it reads without holding the write lock while
// Redis answers, and deletes what was published afterwards.
func PublishOutbox(ctx context.Context, db *sql.DB, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, event FROM outbox ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return 0, fmt.Errorf("reading outbox: %w", err)
	}
	var seqs []any
	var envs []events.Envelope
	for rows.Next() {
		var seq int64
		var raw []byte
		if err := rows.Scan(&seq, &raw); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reading outbox: %w", err)
		}
		env, err := events.Decode(raw)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("outbox entry %d: %w", seq, err)
		}
		seqs = append(seqs, seq)
		envs = append(envs, env)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reading outbox: %w", err)
	}
	if len(envs) == 0 {
		return 0, nil
	}
	if err := publish(ctx, envs); err != nil {
		return 0, err
	}
	q := `DELETE FROM outbox WHERE seq IN (?` + strings.Repeat(",?", len(seqs)-1) + `)`
	if _, err := db.ExecContext(ctx, q, seqs...); err != nil {
		return 0, fmt.Errorf("deleting published events: %w", err)
	}
	return len(envs), nil
}
