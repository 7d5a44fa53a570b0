package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// Reserve implements warehouse.Store: it sums the needs of the orders still
// waiting, takes each ingredient's total with a conditional decrement (no
// row changes when on hand would go negative, and then nothing of the batch
// stays), and marks the orders reserved only while they wait.
func (s *Store) Reserve(ctx context.Context, tok warehouse.Token, orderIDs []string, at time.Time, announce warehouse.AnnounceReserved) ([]warehouse.Reservation, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	var reserved []warehouse.Reservation
	err := sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		reserved = nil
		if err := fence(ctx, tx, tok); err != nil {
			return err
		}
		waiting, err := s.waitingAmong(ctx, tx, orderIDs)
		if err != nil {
			return err
		}
		if len(waiting) == 0 {
			return nil
		}
		var total warehouse.Needs
		for _, r := range waiting {
			total.Add(r.Needs())
		}
		if err := s.take(ctx, tx, total); err != nil {
			return err
		}
		mark, err := s.Stmts.In(ctx, tx, markReserved)
		if err != nil {
			return fmt.Errorf("marking reservations: %w", err)
		}
		defer mark.Close()
		for i := range waiting {
			res, err := mark.ExecContext(ctx, sqlitestore.Millis(at), waiting[i].OrderID)
			if err != nil {
				return fmt.Errorf("marking %s reserved: %w", waiting[i].OrderID, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				// Cannot happen under the write lock; refuse rather than
				// count stock for an order reserved twice.
				return fmt.Errorf("reservation of %s changed during the transaction", waiting[i].OrderID)
			}
			waiting[i].Status, waiting[i].ReservedAt = warehouse.Reserved, at
		}
		after, err := readStock(ctx, tx)
		if err != nil {
			return fmt.Errorf("reading stock: %w", err)
		}
		envs, err := announce(waiting, after)
		if err != nil {
			return err
		}
		if err := sqlitestore.InsertOutbox(ctx, s.Stmts, tx, envs); err != nil {
			return err
		}
		reserved = waiting
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reserved, nil
}

func (s *Store) waitingAmong(ctx context.Context, tx *sql.Tx, orderIDs []string) ([]warehouse.Reservation, error) {
	var out []warehouse.Reservation
	// Chunked: SQLite bounds the number of parameters of one statement.
	for ids := range slices.Chunk(orderIDs, 500) {
		// "+status" keeps SQLite from walking the (status, seq) index over
		// every waiting order: the ids are looked up by primary key.
		rs, err := queryReservations(ctx, tx, `SELECT `+reservationColumns+` FROM reservations
			WHERE order_id IN (`+placeholders(len(ids))+`) AND +status = 'waiting'`, anys(ids)...)
		if err != nil {
			return nil, fmt.Errorf("reading reservations: %w", err)
		}
		out = append(out, rs...)
	}
	sortBySeq(out)
	return out, nil
}

// take consumes total, every ingredient only if it is on hand.
func (s *Store) take(ctx context.Context, tx *sql.Tx, total warehouse.Needs) error {
	dec, err := s.Stmts.In(ctx, tx, takeStock)
	if err != nil {
		return fmt.Errorf("taking stock: %w", err)
	}
	defer dec.Close()
	for _, it := range total.Items() {
		res, err := dec.ExecContext(ctx, it.Quantity, it.Ingredient)
		if err != nil {
			return fmt.Errorf("taking %d %s: %w", it.Quantity, it.Ingredient, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("taking %d %s: %w", it.Quantity, it.Ingredient, warehouse.ErrInsufficientStock)
		}
	}
	return nil
}
