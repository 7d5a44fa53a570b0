// Package postgres is the PostgreSQL adapter of order.Store.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/pgstore"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps orders in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ order.Store = (*Store)(nil)

// Open connects, migrates the schema and returns the store.
func Open(ctx context.Context, url, schema string, maxConns int32, tr *tracing.Provider) (*Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	pool, err := pgstore.Open(ctx, url, schema, sub, maxConns, tr)
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close releases the pool.
func (s *Store) Close() { s.pool.Close() }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Place implements order.Store, copying rows in bulk.
func (s *Store) Place(ctx context.Context, p order.Placement) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if p.Key != nil {
			if err := claimKey(ctx, tx, *p.Key); err != nil {
				return err
			}
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"orders"},
			[]string{"id", "batch_id", "status", "progress", "placed_at", "updated_at"},
			pgx.CopyFromSlice(len(p.Orders), func(i int) ([]any, error) {
				o := p.Orders[i]
				return []any{o.ID, o.BatchID, string(o.Status()), string(o.Progress), o.PlacedAt, o.UpdatedAt}, nil
			}))
		if err != nil {
			return fmt.Errorf("storing orders: %w", err)
		}
		if err := copySteps(ctx, tx, p.Steps); err != nil {
			return err
		}
		return pgstore.InsertOutbox(ctx, tx, p.Outbox)
	})
}

func copySteps(ctx context.Context, tx pgx.Tx, steps []order.Step) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"order_steps"},
		[]string{"event_id", "order_id", "status", "at", "detail"},
		pgx.CopyFromSlice(len(steps), func(i int) ([]any, error) {
			st := steps[i]
			return []any{st.EventID, st.OrderID, string(st.Status), st.At, st.Detail}, nil
		}))
	if err != nil {
		return fmt.Errorf("storing steps: %w", err)
	}
	return nil
}

const orderColumns = `id::text, batch_id::text, progress, recipe, failure_reason, failed_by, recovers_at, placed_at, updated_at, delivered_at`

func scanOrder(row pgx.Row) (order.Order, error) {
	var o order.Order
	var progress, recoversAt string
	var delivered *time.Time
	if err := row.Scan(&o.ID, &o.BatchID, &progress, &o.Recipe, &o.FailureReason, &o.FailedBy, &recoversAt, &o.PlacedAt, &o.UpdatedAt, &delivered); err != nil {
		return o, err
	}
	o.Progress, o.RecoversAt = order.Status(progress), order.Status(recoversAt)
	o.PlacedAt = o.PlacedAt.UTC()
	o.UpdatedAt = o.UpdatedAt.UTC()
	if delivered != nil {
		o.DeliveredAt = delivered.UTC()
	}
	return o, nil
}

// Get implements order.Store.
func (s *Store) Get(ctx context.Context, id string) (order.Order, error) {
	o, err := scanOrder(s.pool.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, order.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("reading order %s: %w", id, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT event_id::text, status, at, detail FROM order_steps WHERE order_id = $1 ORDER BY at, event_id`, id)
	if err != nil {
		return o, fmt.Errorf("reading timeline of %s: %w", id, err)
	}
	o.Timeline, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (order.Step, error) {
		st := order.Step{OrderID: id}
		var status string
		err := r.Scan(&st.EventID, &status, &st.At, &st.Detail)
		st.Status = order.Status(status)
		st.At = st.At.UTC()
		return st, err
	})
	if err != nil {
		return o, fmt.Errorf("reading timeline of %s: %w", id, err)
	}
	return o, nil
}

// List implements order.Store.
func (s *Store) List(ctx context.Context, q order.Query) ([]order.Order, error) {
	sql := `SELECT ` + orderColumns + ` FROM orders WHERE true`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Status != "" {
		sql += ` AND status = ` + arg(string(q.Status))
	}
	if q.BatchID != "" {
		sql += ` AND batch_id = ` + arg(q.BatchID)
	}
	if q.After != "" {
		sql += ` AND id < ` + arg(q.After)
	}
	sql += ` ORDER BY id DESC LIMIT ` + arg(q.Limit)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("listing orders: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (order.Order, error) { return scanOrder(r) })
}

// Counts implements order.Store.
func (s *Store) Counts(ctx context.Context) (map[order.Status]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM orders GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("counting orders: %w", err)
	}
	defer rows.Close()
	counts := map[order.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("counting orders: %w", err)
		}
		counts[order.Status(st)] = n
	}
	return counts, rows.Err()
}

// Update implements order.Store. Rows are locked in id order, so concurrent
// updates of overlapping orders cannot deadlock.
func (s *Store) Update(ctx context.Context, ids []string, fn func(map[string]*order.Order) ([]order.Step, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, ids)
		if err != nil {
			return fmt.Errorf("locking orders: %w", err)
		}
		loaded, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (order.Order, error) { return scanOrder(r) })
		if err != nil {
			return fmt.Errorf("locking orders: %w", err)
		}
		orders := make(map[string]*order.Order, len(loaded))
		for i := range loaded {
			o := loaded[i]
			orders[o.ID] = &o
		}
		steps, err := fn(orders)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, before := range loaded {
			after := orders[before.ID]
			if !after.ChangedFrom(before) {
				continue
			}
			var delivered *time.Time
			if !after.DeliveredAt.IsZero() {
				delivered = &after.DeliveredAt
			}
			b.Queue(`UPDATE orders SET status = $2, progress = $3, recipe = $4, failure_reason = $5, failed_by = $6, recovers_at = $7, updated_at = $8, delivered_at = $9 WHERE id = $1`,
				after.ID, string(after.Status()), string(after.Progress), after.Recipe, after.FailureReason, after.FailedBy, string(after.RecoversAt), after.UpdatedAt, delivered)
		}
		for _, st := range steps {
			b.Queue(`INSERT INTO order_steps (event_id, order_id, status, at, detail) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`,
				st.EventID, st.OrderID, string(st.Status), st.At, st.Detail)
		}
		if b.Len() == 0 {
			return nil
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("storing order changes: %w", err)
		}
		return nil
	})
}

// PublishPending implements order.Store.
func (s *Store) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	return pgstore.PublishOutbox(ctx, s.pool, limit, publish)
}

// OutboxLen implements outbox.Store.
func (s *Store) OutboxLen(ctx context.Context) (int, error) {
	return pgstore.OutboxLen(ctx, s.pool)
}
