// Package sqlite is the SQLite adapter of order.Store, used by the embedded
// run.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps orders in a SQLite file.
type Store struct {
	*sqlitestore.DB
}

var _ order.Store = (*Store)(nil)

// Open opens (or creates) the database file and migrates it.
func Open(ctx context.Context, path string, tr *tracing.Provider) (*Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	db, err := sqlitestore.OpenDB(ctx, path, sub, tr, insertOrder, insertStep, insertStepOnce, updateOrder)
	if err != nil {
		return nil, err
	}
	return &Store{DB: db}, nil
}

// The statements of a burst, prepared once (see sqlitestore.Statements).
const (
	insertOrder    = `INSERT INTO orders (id, batch_id, status, progress, placed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`
	insertStep     = `INSERT INTO order_steps (event_id, order_id, status, at, detail) VALUES (?, ?, ?, ?, ?)`
	insertStepOnce = insertStep + ` ON CONFLICT (event_id) DO NOTHING`
	updateOrder    = `UPDATE orders SET status = ?, progress = ?, recipe = ?, failure_reason = ?, failed_by = ?, recovers_at = ?, updated_at = ?, delivered_at = ? WHERE id = ?`
)

// Place implements order.Store. The transaction holds SQLite's write lock
// from its start, so a racing placement with the same key begins only after
// this one ended, and finds the key taken.
func (s *Store) Place(ctx context.Context, p order.Placement) error {
	return sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		if p.Key != nil {
			if err := claimKey(ctx, tx, *p.Key); err != nil {
				return err
			}
		}
		ins, err := s.Stmts.In(ctx, tx, insertOrder)
		if err != nil {
			return fmt.Errorf("storing orders: %w", err)
		}
		defer ins.Close()
		for _, o := range p.Orders {
			if _, err := ins.ExecContext(ctx, o.ID, o.BatchID, string(o.Status()), string(o.Progress), sqlitestore.Micros(o.PlacedAt), sqlitestore.Micros(o.UpdatedAt)); err != nil {
				return fmt.Errorf("storing order %s: %w", o.ID, err)
			}
		}
		if err := s.insertSteps(ctx, tx, p.Steps, false); err != nil {
			return err
		}
		return sqlitestore.InsertOutbox(ctx, s.Stmts, tx, p.Outbox)
	})
}

func (s *Store) insertSteps(ctx context.Context, tx *sql.Tx, steps []order.Step, ignoreRepeats bool) error {
	if len(steps) == 0 {
		return nil
	}
	q := insertStep
	if ignoreRepeats {
		q = insertStepOnce
	}
	ins, err := s.Stmts.In(ctx, tx, q)
	if err != nil {
		return fmt.Errorf("storing steps: %w", err)
	}
	defer ins.Close()
	for _, st := range steps {
		if _, err := ins.ExecContext(ctx, st.EventID, st.OrderID, string(st.Status), sqlitestore.Micros(st.At), st.Detail); err != nil {
			return fmt.Errorf("storing step of %s: %w", st.OrderID, err)
		}
	}
	return nil
}

const orderColumns = `id, batch_id, progress, recipe, failure_reason, failed_by, recovers_at, placed_at, updated_at, delivered_at`

type scanner interface{ Scan(dest ...any) error }

func scanOrder(row scanner) (order.Order, error) {
	var o order.Order
	var progress, recoversAt string
	var placed, updated int64
	var delivered sql.NullInt64
	if err := row.Scan(&o.ID, &o.BatchID, &progress, &o.Recipe, &o.FailureReason, &o.FailedBy, &recoversAt, &placed, &updated, &delivered); err != nil {
		return o, err
	}
	o.Progress, o.RecoversAt = order.Status(progress), order.Status(recoversAt)
	o.PlacedAt, o.UpdatedAt = sqlitestore.FromMicros(placed), sqlitestore.FromMicros(updated)
	if delivered.Valid {
		o.DeliveredAt = sqlitestore.FromMicros(delivered.Int64)
	}
	return o, nil
}

func queryOrders(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]order.Order, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []order.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Get implements order.Store.
func (s *Store) Get(ctx context.Context, id string) (order.Order, error) {
	o, err := scanOrder(s.SQL.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, order.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("reading order %s: %w", id, err)
	}
	rows, err := s.SQL.QueryContext(ctx, `SELECT event_id, status, at, detail FROM order_steps WHERE order_id = ? ORDER BY at, event_id`, id)
	if err != nil {
		return o, fmt.Errorf("reading timeline of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		st := order.Step{OrderID: id}
		var status string
		var at int64
		if err := rows.Scan(&st.EventID, &status, &at, &st.Detail); err != nil {
			return o, fmt.Errorf("reading timeline of %s: %w", id, err)
		}
		st.Status, st.At = order.Status(status), sqlitestore.FromMicros(at)
		o.Timeline = append(o.Timeline, st)
	}
	return o, rows.Err()
}

// List implements order.Store.
func (s *Store) List(ctx context.Context, q order.Query) ([]order.Order, error) {
	query := `SELECT ` + orderColumns + ` FROM orders WHERE 1 = 1`
	var args []any
	if q.Status != "" {
		query += ` AND status = ?`
		args = append(args, string(q.Status))
	}
	if q.BatchID != "" {
		query += ` AND batch_id = ?`
		args = append(args, q.BatchID)
	}
	if q.After != "" {
		query += ` AND id < ?`
		args = append(args, q.After)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, q.Limit)
	out, err := queryOrders(ctx, s.SQL, query, args...)
	if err != nil {
		return nil, fmt.Errorf("listing orders: %w", err)
	}
	return out, nil
}

// Counts implements order.Store.
func (s *Store) Counts(ctx context.Context) (map[order.Status]int, error) {
	rows, err := s.SQL.QueryContext(ctx, `SELECT status, count(*) FROM orders GROUP BY status`)
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

// Update implements order.Store. Transactions take SQLite's write lock when
// they begin, so the read and the write below are one critical section.
func (s *Store) Update(ctx context.Context, ids []string, fn func(map[string]*order.Order) ([]order.Step, error)) error {
	return sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		var loaded []order.Order
		if len(ids) > 0 {
			var err error
			loaded, err = queryOrders(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...)
			if err != nil {
				return fmt.Errorf("loading orders: %w", err)
			}
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
		var upd *sql.Stmt
		for _, before := range loaded {
			after := orders[before.ID]
			if !after.ChangedFrom(before) {
				continue
			}
			if upd == nil {
				if upd, err = s.Stmts.In(ctx, tx, updateOrder); err != nil {
					return fmt.Errorf("storing orders: %w", err)
				}
				defer upd.Close()
			}
			var delivered sql.NullInt64
			if !after.DeliveredAt.IsZero() {
				delivered = sql.NullInt64{Int64: sqlitestore.Micros(after.DeliveredAt), Valid: true}
			}
			if _, err := upd.ExecContext(ctx,
				string(after.Status()), string(after.Progress), after.Recipe, after.FailureReason, after.FailedBy, string(after.RecoversAt), sqlitestore.Micros(after.UpdatedAt), delivered, after.ID); err != nil {
				return fmt.Errorf("storing order %s: %w", after.ID, err)
			}
		}
		return s.insertSteps(ctx, tx, steps, true)
	})
}
