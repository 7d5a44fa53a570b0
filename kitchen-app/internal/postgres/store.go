// Package postgres is the PostgreSQL adapter of kitchen.Store.
package postgres

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/pgstore"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps the recipe book and the tickets in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

var _ kitchen.Store = (*Store)(nil)

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

// Recipes implements kitchen.Store.
func (s *Store) Recipes(ctx context.Context) ([]kitchen.Recipe, error) {
	rows, err := s.pool.Query(ctx, `SELECT r.name, i.ingredient, i.quantity FROM recipes r
		JOIN recipe_ingredients i ON i.recipe = r.name ORDER BY r.name, i.ingredient`)
	if err != nil {
		return nil, fmt.Errorf("reading recipes: %w", err)
	}
	defer rows.Close()
	var out []kitchen.Recipe
	for rows.Next() {
		var name string
		var it kitchen.Item
		if err := rows.Scan(&name, &it.Ingredient, &it.Quantity); err != nil {
			return nil, fmt.Errorf("reading recipes: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, kitchen.Recipe{Name: name})
		}
		out[len(out)-1].Ingredients = append(out[len(out)-1].Ingredients, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading recipes: %w", err)
	}
	return out, nil
}

// CreateTickets implements kitchen.Store in one statement. Rows go in in
// order id order, so two transactions inserting overlapping orders wait for
// each other instead of deadlocking.
func (s *Store) CreateTickets(ctx context.Context, tickets []kitchen.Ticket, fn func([]kitchen.Ticket) []events.Envelope) error {
	sorted := slices.Clone(tickets)
	slices.SortStableFunc(sorted, func(a, b kitchen.Ticket) int { return cmp.Compare(a.OrderID, b.OrderID) })
	n := len(sorted)
	ids, recipes, stages, reasons := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	since, created, updated := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
	for i, t := range sorted {
		ids[i], recipes[i], stages[i], reasons[i] = t.OrderID, t.Recipe, string(t.Stage), t.FailureReason
		since[i], created[i], updated[i] = t.Since, t.CreatedAt, t.UpdatedAt
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO tickets (order_id, recipe, stage, failure_reason, since, created_at, updated_at)
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])
			ON CONFLICT (order_id) DO NOTHING
			RETURNING order_id::text`,
			ids, recipes, stages, reasons, since, created, updated)
		if err != nil {
			return fmt.Errorf("storing tickets: %w", err)
		}
		inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("storing tickets: %w", err)
		}
		return pgstore.InsertOutbox(ctx, tx, fn(createdOnly(tickets, inserted)))
	})
}

// createdOnly keeps the tickets whose order id was inserted, in the caller's
// order, each once.
func createdOnly(tickets []kitchen.Ticket, inserted []string) []kitchen.Ticket {
	fresh := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		fresh[id] = true
	}
	out := make([]kitchen.Ticket, 0, len(inserted))
	for _, t := range tickets {
		if fresh[t.OrderID] {
			out = append(out, t)
			delete(fresh, t.OrderID)
		}
	}
	return out
}

const ticketColumns = `order_id::text, recipe, stage, failure_reason, since, created_at, updated_at`

func scanTicket(row pgx.Row) (kitchen.Ticket, error) {
	var t kitchen.Ticket
	var stage string
	if err := row.Scan(&t.OrderID, &t.Recipe, &stage, &t.FailureReason, &t.Since, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return t, err
	}
	t.Stage = kitchen.Stage(stage)
	t.Since, t.CreatedAt, t.UpdatedAt = t.Since.UTC(), t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

// Get implements kitchen.Store.
func (s *Store) Get(ctx context.Context, orderID string) (kitchen.Ticket, error) {
	t, err := scanTicket(s.pool.QueryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE order_id = $1`, orderID))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, kitchen.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("reading ticket %s: %w", orderID, err)
	}
	return t, nil
}

// List implements kitchen.Store.
func (s *Store) List(ctx context.Context, q kitchen.Query) ([]kitchen.Ticket, error) {
	stages := make([]string, len(q.Stages))
	for i, st := range q.Stages {
		stages[i] = string(st)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE stage = ANY($1)
		ORDER BY created_at, order_id LIMIT $2`, stages, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("listing tickets: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (kitchen.Ticket, error) { return scanTicket(r) })
	if err != nil {
		return nil, fmt.Errorf("listing tickets: %w", err)
	}
	return out, nil
}

// Counts implements kitchen.Store.
func (s *Store) Counts(ctx context.Context) (map[kitchen.Stage]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT stage, count(*) FROM tickets GROUP BY stage`)
	if err != nil {
		return nil, fmt.Errorf("counting tickets: %w", err)
	}
	defer rows.Close()
	counts := map[kitchen.Stage]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("counting tickets: %w", err)
		}
		counts[kitchen.Stage(st)] = n
	}
	return counts, rows.Err()
}

// Update implements kitchen.Store. The row lock is held only for the
// transaction, which touches one ticket: cooks sharing a small pool wait
// Update implements kitchen.Store. The tickets are locked in order id
// order, so that replicas updating overlapping sets never deadlock.
func (s *Store) Update(ctx context.Context, orderIDs []string, fn func(map[string]*kitchen.Ticket) ([]events.Envelope, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE`, orderIDs)
		if err != nil {
			return fmt.Errorf("locking %d tickets: %w", len(orderIDs), err)
		}
		before := make(map[string]kitchen.Ticket, len(orderIDs))
		for rows.Next() {
			t, err := scanTicket(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("locking tickets: %w", err)
			}
			before[t.OrderID] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("locking tickets: %w", err)
		}
		after := make(map[string]*kitchen.Ticket, len(before))
		for id, t := range before {
			after[id] = &t
		}
		envs, err := fn(after)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for id, t := range after {
			if t.ChangedFrom(before[id]) {
				b.Queue(`UPDATE tickets SET stage = $2, failure_reason = $3, since = $4, updated_at = $5 WHERE order_id = $1`,
					id, string(t.Stage), t.FailureReason, t.Since, t.UpdatedAt)
			}
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("storing %d tickets: %w", b.Len(), err)
			}
		}
		return pgstore.InsertOutbox(ctx, tx, envs)
	})
}

// PublishPending implements kitchen.Store.
func (s *Store) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	return pgstore.PublishOutbox(ctx, s.pool, limit, publish)
}

// OutboxLen implements outbox.Store.
func (s *Store) OutboxLen(ctx context.Context) (int, error) {
	return pgstore.OutboxLen(ctx, s.pool)
}
