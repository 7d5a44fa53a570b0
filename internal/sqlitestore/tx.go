package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
)

// InTx runs fn in a transaction (which takes the write lock as it begins, see
// Open) and commits it, or rolls it back when fn fails.
func InTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}
