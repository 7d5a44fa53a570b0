package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Statements are a store's hot statements, prepared once when it opens and
// bound to each transaction that runs them: SQLite compiles a statement in
// about as long as it takes to run a small one, and a burst runs the same
// few thousands of times.
//
// They are prepared at open, not on first use: preparing on the database
// takes a connection of its own, and inside a transaction that holds the
// write lock every other connection may be waiting for that lock.
type Statements struct {
	prepared map[string]*sql.Stmt
}

// Prepare prepares queries on db, with the outbox's insert.
func Prepare(ctx context.Context, db *sql.DB, queries ...string) (*Statements, error) {
	s := &Statements{prepared: map[string]*sql.Stmt{}}
	for _, q := range append([]string{insertOutbox}, queries...) {
		if _, ok := s.prepared[q]; ok {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("preparing %q: %w", q, err)
		}
		s.prepared[q] = st
	}
	return s, nil
}

// In returns query bound to tx: the statement prepared at open, or, for a
// query that was not, one prepared for tx alone. Either is closed with tx.
func (s *Statements) In(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if s != nil {
		if st, ok := s.prepared[query]; ok {
			return tx.StmtContext(ctx, st), nil
		}
	}
	return tx.PrepareContext(ctx, query)
}

// Close releases the statements; the store closes them before its database.
func (s *Statements) Close() error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, st := range s.prepared {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
