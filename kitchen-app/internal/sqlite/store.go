// Package sqlite is the SQLite adapter of kitchen.Store, used by the embedded
// run.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/kitchen-app/internal/kitchen"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps the recipe book and the tickets in a SQLite file.
type Store struct {
	*sqlitestore.DB
}

var _ kitchen.Store = (*Store)(nil)

// Open opens (or creates) the database file and migrates it.
func Open(ctx context.Context, path string, tr *tracing.Provider) (*Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	db, err := sqlitestore.OpenDB(ctx, path, sub, tr, insertTicket, updateTicket)
	if err != nil {
		return nil, err
	}
	return &Store{DB: db}, nil
}

// The statements of a burst, prepared once (see sqlitestore.Statements).
const (
	insertTicket = `INSERT INTO tickets (order_id, recipe, stage, failure_reason, since, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`
	updateTicket = `UPDATE tickets SET stage = ?, failure_reason = ?, since = ?, updated_at = ? WHERE order_id = ?`
)

// Recipes implements kitchen.Store.
func (s *Store) Recipes(ctx context.Context) ([]kitchen.Recipe, error) {
	rows, err := s.SQL.QueryContext(ctx, `SELECT r.name, i.ingredient, i.quantity FROM recipes r
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

// CreateTickets implements kitchen.Store.
func (s *Store) CreateTickets(ctx context.Context, tickets []kitchen.Ticket, fn func([]kitchen.Ticket) []events.Envelope) error {
	return sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		ins, err := s.Stmts.In(ctx, tx, insertTicket)
		if err != nil {
			return fmt.Errorf("storing tickets: %w", err)
		}
		defer ins.Close()
		created := make([]kitchen.Ticket, 0, len(tickets))
		for _, t := range tickets {
			res, err := ins.ExecContext(ctx, t.OrderID, t.Recipe, string(t.Stage), t.FailureReason, sqlitestore.Micros(t.Since), sqlitestore.Micros(t.CreatedAt), sqlitestore.Micros(t.UpdatedAt))
			if err != nil {
				return fmt.Errorf("storing ticket %s: %w", t.OrderID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("storing ticket %s: %w", t.OrderID, err)
			} else if n == 1 {
				created = append(created, t)
			}
		}
		return sqlitestore.InsertOutbox(ctx, s.Stmts, tx, fn(created))
	})
}

const ticketColumns = `order_id, recipe, stage, failure_reason, since, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanTicket(row scanner) (kitchen.Ticket, error) {
	var t kitchen.Ticket
	var stage string
	var since, created, updated int64
	if err := row.Scan(&t.OrderID, &t.Recipe, &stage, &t.FailureReason, &since, &created, &updated); err != nil {
		return t, err
	}
	t.Stage = kitchen.Stage(stage)
	t.Since, t.CreatedAt, t.UpdatedAt = sqlitestore.FromMicros(since), sqlitestore.FromMicros(created), sqlitestore.FromMicros(updated)
	return t, nil
}

// Get implements kitchen.Store.
func (s *Store) Get(ctx context.Context, orderID string) (kitchen.Ticket, error) {
	t, err := scanTicket(s.SQL.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE order_id = ?`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, kitchen.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("reading ticket %s: %w", orderID, err)
	}
	return t, nil
}

// List implements kitchen.Store.
func (s *Store) List(ctx context.Context, q kitchen.Query) ([]kitchen.Ticket, error) {
	if len(q.Stages) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(q.Stages)+1)
	for _, st := range q.Stages {
		args = append(args, string(st))
	}
	args = append(args, q.Limit)
	rows, err := s.SQL.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE stage IN (?`+strings.Repeat(",?", len(q.Stages)-1)+`)
		ORDER BY created_at, order_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing tickets: %w", err)
	}
	defer rows.Close()
	var out []kitchen.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("listing tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Counts implements kitchen.Store.
func (s *Store) Counts(ctx context.Context) (map[kitchen.Stage]int, error) {
	rows, err := s.SQL.QueryContext(ctx, `SELECT stage, count(*) FROM tickets GROUP BY stage`)
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

// Update implements kitchen.Store.
func (s *Store) Update(ctx context.Context, orderIDs []string, fn func(map[string]*kitchen.Ticket) ([]events.Envelope, error)) error {
	return sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		before := make(map[string]kitchen.Ticket, len(orderIDs))
		// Chunked: SQLite bounds the number of parameters of one statement.
		for ids := range slices.Chunk(orderIDs, 500) {
			args := make([]any, len(ids))
			for i, id := range ids {
				args[i] = id
			}
			rows, err := tx.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE order_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...)
			if err != nil {
				return fmt.Errorf("loading %d tickets: %w", len(ids), err)
			}
			for rows.Next() {
				t, err := scanTicket(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("loading tickets: %w", err)
				}
				before[t.OrderID] = t
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("loading tickets: %w", err)
			}
		}
		after := make(map[string]*kitchen.Ticket, len(before))
		for id, t := range before {
			after[id] = &t
		}
		envs, err := fn(after)
		if err != nil {
			return err
		}
		var upd *sql.Stmt
		for id, t := range after {
			if !t.ChangedFrom(before[id]) {
				continue
			}
			if upd == nil {
				if upd, err = s.Stmts.In(ctx, tx, updateTicket); err != nil {
					return fmt.Errorf("storing tickets: %w", err)
				}
				defer upd.Close()
			}
			if _, err := upd.ExecContext(ctx, string(t.Stage), t.FailureReason, sqlitestore.Micros(t.Since), sqlitestore.Micros(t.UpdatedAt), id); err != nil {
				return fmt.Errorf("storing ticket %s: %w", id, err)
			}
		}
		return sqlitestore.InsertOutbox(ctx, s.Stmts, tx, envs)
	})
}
