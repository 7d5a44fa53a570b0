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

// itemRow is an item as stored in the items JSON column.
type itemRow struct {
	Ingredient string `json:"ingredient"`
	Quantity   int    `json:"quantity"`
}

func encodeItems(items []warehouse.Item) (string, error) {
	rows := make([]itemRow, len(items))
	for i, it := range items {
		rows[i] = itemRow(it)
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func decodeItems(raw string) ([]warehouse.Item, error) {
	var rows []itemRow
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		return nil, fmt.Errorf("decoding items: %w", err)
	}
	items := make([]warehouse.Item, len(rows))
	for i, r := range rows {
		items[i] = warehouse.Item(r)
	}
	return items, nil
}

const reservationColumns = `seq, order_id, recipe, items, status, short_noted, requested_at, reserved_at`

type scanner interface{ Scan(dest ...any) error }

func scanReservation(row scanner) (warehouse.Reservation, error) {
	var r warehouse.Reservation
	var items, status string
	var requested int64
	var reserved sql.NullInt64
	if err := row.Scan(&r.Seq, &r.OrderID, &r.Recipe, &items, &status, &r.ShortNoted, &requested, &reserved); err != nil {
		return r, err
	}
	var err error
	if r.Items, err = decodeItems(items); err != nil {
		return r, err
	}
	r.Status = warehouse.Status(status)
	r.RequestedAt = sqlitestore.FromMillis(requested)
	if reserved.Valid {
		r.ReservedAt = sqlitestore.FromMillis(reserved.Int64)
	}
	return r, nil
}

func queryReservations(ctx context.Context, q queryer, query string, args ...any) ([]warehouse.Reservation, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []warehouse.Reservation
	for rows.Next() {
		r, err := scanReservation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Enqueue implements warehouse.Store.
func (s *Store) Enqueue(ctx context.Context, tok warehouse.Token, reqs []warehouse.Request) ([]warehouse.Reservation, error) {
	var created []warehouse.Reservation
	err := sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		if err := fence(ctx, tx, tok); err != nil {
			return err
		}
		ins, err := s.Stmts.In(ctx, tx, insertReservation)
		if err != nil {
			return fmt.Errorf("storing reservations: %w", err)
		}
		defer ins.Close()
		for _, r := range reqs {
			items, err := encodeItems(r.Items)
			if err != nil {
				return err
			}
			var seq int64
			err = ins.QueryRowContext(ctx, r.OrderID, r.Recipe, items, sqlitestore.Millis(r.At)).Scan(&seq)
			if errors.Is(err, sql.ErrNoRows) {
				continue // the order has its reservation already
			}
			if err != nil {
				return fmt.Errorf("storing reservation of %s: %w", r.OrderID, err)
			}
			created = append(created, warehouse.Reservation{
				OrderID: r.OrderID, Seq: seq, Recipe: r.Recipe, Items: r.Items,
				Status: warehouse.Waiting, RequestedAt: sqlitestore.FromMillis(sqlitestore.Millis(r.At)),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// Waiting implements warehouse.Store.
func (s *Store) Waiting(ctx context.Context) ([]warehouse.Reservation, error) {
	out, err := queryReservations(ctx, s.SQL, `SELECT `+reservationColumns+` FROM reservations WHERE status = 'waiting' ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("reading waiting reservations: %w", err)
	}
	return out, nil
}

// Backlog implements warehouse.Store.
func (s *Store) Backlog(ctx context.Context) (int, []warehouse.Item, error) {
	var orders int
	// Through the (status, seq) index: only the waiting rows are read.
	if err := s.SQL.QueryRowContext(ctx, `SELECT count(*) FROM reservations WHERE status = 'waiting'`).Scan(&orders); err != nil {
		return 0, nil, fmt.Errorf("counting waiting reservations: %w", err)
	}
	rows, err := s.SQL.QueryContext(ctx, `SELECT it.value ->> '$.ingredient', sum(it.value ->> '$.quantity')
		FROM reservations AS r, json_each(r.items) AS it WHERE r.status = 'waiting' GROUP BY 1`)
	if err != nil {
		return 0, nil, fmt.Errorf("summing waiting reservations: %w", err)
	}
	defer rows.Close()
	var needs []warehouse.Item
	for rows.Next() {
		var it warehouse.Item
		if err := rows.Scan(&it.Ingredient, &it.Quantity); err != nil {
			return 0, nil, fmt.Errorf("summing waiting reservations: %w", err)
		}
		needs = append(needs, it)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("summing waiting reservations: %w", err)
	}
	return orders, needs, nil
}

// Reservation implements warehouse.Store.
func (s *Store) Reservation(ctx context.Context, orderID string) (warehouse.Reservation, error) {
	r, err := scanReservation(s.SQL.QueryRowContext(ctx, `SELECT `+reservationColumns+` FROM reservations WHERE order_id = ?`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, warehouse.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("reading reservation of %s: %w", orderID, err)
	}
	return r, nil
}

// NoteShort implements warehouse.Store.
func (s *Store) NoteShort(ctx context.Context, tok warehouse.Token, notes []warehouse.ShortNote) (int, error) {
	noted := 0
	err := sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		noted = 0
		if err := fence(ctx, tx, tok); err != nil {
			return err
		}
		upd, err := s.Stmts.In(ctx, tx, noteShort)
		if err != nil {
			return fmt.Errorf("noting short orders: %w", err)
		}
		defer upd.Close()
		var envs []events.Envelope
		for _, n := range notes {
			res, err := upd.ExecContext(ctx, n.OrderID)
			if err != nil {
				return fmt.Errorf("noting %s short: %w", n.OrderID, err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				envs = append(envs, n.Event)
			}
		}
		noted = len(envs)
		return sqlitestore.InsertOutbox(ctx, s.Stmts, tx, envs)
	})
	if err != nil {
		return 0, err
	}
	return noted, nil
}
