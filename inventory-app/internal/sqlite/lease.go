package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

// The replicas that share a SQLite file share a machine, so its clock judges
// the lease.
var clock = time.Now

// AcquireLease implements warehouse.Store.
func (s *Store) AcquireLease(ctx context.Context, holder string, ttl time.Duration) (warehouse.Lease, error) {
	var l warehouse.Lease
	err := sqlitestore.InTx(ctx, s.SQL, func(tx *sql.Tx) error {
		var err error
		if l, err = readLease(ctx, tx); err != nil {
			return err
		}
		now := clock()
		if l.Holder != "" && l.Holder != holder && now.Before(l.Expires) {
			return nil // another replica leads
		}
		l = warehouse.Lease{Holder: holder, Token: l.Token + 1, Expires: now.Add(ttl)}
		_, err = tx.ExecContext(ctx, `INSERT INTO leader_lease (id, holder, token, expires_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at`,
			l.Holder, int64(l.Token), sqlitestore.Millis(l.Expires))
		if err != nil {
			return fmt.Errorf("taking the lease: %w", err)
		}
		return nil
	})
	if err != nil {
		return warehouse.Lease{}, fmt.Errorf("acquiring the warehouse lease: %w", err)
	}
	return l, nil
}

// RenewLease implements warehouse.Store.
func (s *Store) RenewLease(ctx context.Context, holder string, tok warehouse.Token, ttl time.Duration) error {
	res, err := s.SQL.ExecContext(ctx, `UPDATE leader_lease SET expires_at = ? WHERE id = 1 AND holder = ? AND token = ?`,
		sqlitestore.Millis(clock().Add(ttl)), holder, int64(tok))
	if err != nil {
		return fmt.Errorf("renewing the warehouse lease: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("renewing the warehouse lease of token %d: %w", tok, warehouse.ErrFenced)
	}
	return nil
}

// ReleaseLease implements warehouse.Store. The token stays: the next leader
// takes a greater one.
func (s *Store) ReleaseLease(ctx context.Context, holder string, tok warehouse.Token) error {
	_, err := s.SQL.ExecContext(ctx, `UPDATE leader_lease SET holder = '', expires_at = 0 WHERE id = 1 AND holder = ? AND token = ?`,
		holder, int64(tok))
	if err != nil {
		return fmt.Errorf("releasing the warehouse lease: %w", err)
	}
	return nil
}

// Lease implements warehouse.Store.
func (s *Store) Lease(ctx context.Context) (warehouse.Lease, error) {
	l, err := readLease(ctx, s.SQL)
	if err != nil {
		return l, fmt.Errorf("reading the warehouse lease: %w", err)
	}
	return l, nil
}

type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readLease(ctx context.Context, q rowQueryer) (warehouse.Lease, error) {
	var l warehouse.Lease
	var tok, expires int64
	err := q.QueryRowContext(ctx, `SELECT holder, token, expires_at FROM leader_lease WHERE id = 1`).Scan(&l.Holder, &tok, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return warehouse.Lease{}, nil
	}
	if err != nil {
		return l, fmt.Errorf("reading the lease: %w", err)
	}
	l.Token, l.Expires = warehouse.Token(tok), sqlitestore.FromMillis(expires)
	return l, nil
}

// fence refuses a write transaction of any token but the lease's newest.
// Every transaction holds the write lock from its start, so no lease can
// change between this check and the commit.
func fence(ctx context.Context, q rowQueryer, tok warehouse.Token) error {
	l, err := readLease(ctx, q)
	if err != nil {
		return err
	}
	if l.Token != tok {
		return fmt.Errorf("writing under token %d, the lease is at %d: %w", tok, l.Token, warehouse.ErrFenced)
	}
	return nil
}
