package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sync"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/tracing"
)

// DB is a service's SQLite file as its store holds it: the database, the
// statements of its hot path, and the lock that serialises outbox relays.
// A store embeds it and gains Close, Ping, PublishPending and OutboxLen.
type DB struct {
	SQL   *sql.DB
	Stmts *Statements
	// publishing serialises outbox relays: the file belongs to this
	// process, which reads its outbox without the write lock (see
	// PublishOutbox).
	publishing sync.Mutex
}

// OpenDB opens (or creates) the database file at path, applies the
// migrations and prepares queries (see Open and Prepare).
func OpenDB(ctx context.Context, path string, migrations fs.FS, tr *tracing.Provider, queries ...string) (*DB, error) {
	db, err := Open(ctx, path, migrations, tr)
	if err != nil {
		return nil, err
	}
	stmts, err := Prepare(ctx, db, queries...)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &DB{SQL: db, Stmts: stmts}, nil
}

// Close closes the statements and the database.
func (d *DB) Close() {
	_ = d.Stmts.Close()
	_ = d.SQL.Close()
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// PublishPending implements outbox.Store: one relay at a time publishes
// the oldest events (see PublishOutbox).
func (d *DB) PublishPending(ctx context.Context, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	d.publishing.Lock()
	defer d.publishing.Unlock()
	return PublishOutbox(ctx, d.SQL, limit, publish)
}

// OutboxLen implements outbox.Store: the events waiting to be published.
func (d *DB) OutboxLen(ctx context.Context) (int, error) {
	var n int
	if err := d.SQL.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting outbox: %w", err)
	}
	return n, nil
}
