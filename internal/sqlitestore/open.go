package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/instrument"
)

// Open opens (creating if needed) the SQLite database at path and applies
// migrations (goose SQL files at the root of the given file system).
//
// Every transaction takes the write lock when it begins (_txlock=immediate),
// and waits up to five seconds for it, so that read-then-write transactions
// never fail with SQLITE_BUSY under concurrency; WAL lets reads proceed
// meanwhile. With tr, every statement is a span (tracing.Provider.OpenSQL).
func Open(ctx context.Context, path string, migrations fs.FS, tr *tracing.Provider) (*sql.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating data folder: %w", err)
		}
	}
	if err := restrict(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	db, err := instrument.OpenSQL(tr, "sqlite", "file:"+path+"?"+q.Encode(), "sqlite")
	if err != nil {
		return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
	}
	// Files an earlier release created readable by all are closed to them
	// too (new files are created so, see restrict).
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(f, 0o600); err != nil && !os.IsNotExist(err) {
			_ = db.Close()
			return nil, fmt.Errorf("restricting sqlite %s: %w", f, err)
		}
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("loading migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("applying migrations to %s: %w", path, err)
	}
	return db, nil
}

// restrict creates the database file for its owner alone before SQLite
// opens it: SQLite gives its WAL and shared-memory files the database file's
// permissions.
func restrict(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("creating sqlite %s: %w", path, err)
	}
	return f.Close()
}
