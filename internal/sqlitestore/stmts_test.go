package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/sqlitestore"
)

const insertT = `INSERT INTO t (x) VALUES (?)`

func openWithOutbox(t *testing.T) *sql.DB {
	t.Helper()
	migrations := fstest.MapFS{"00001_t.sql": {Data: []byte("-- +goose Up\nCREATE TABLE t (x INTEGER);\n" +
		"CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event BLOB NOT NULL);\n-- +goose Down\nDROP TABLE t;\n")}}
	db, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "svc.db"), migrations, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Many more transactions at once than the database has connections, each
// running the prepared statements: none waits for a connection of its own
// to prepare on, and every row and event is stored once.
func TestPreparedStatementsServeConcurrentTransactions(t *testing.T) {
	db := openWithOutbox(t)
	ctx := context.Background()
	stmts, err := sqlitestore.Prepare(ctx, db, insertT)
	if err != nil {
		t.Fatal(err)
	}
	defer stmts.Close()
	const writers, each = 24, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := sqlitestore.InTx(ctx, db, func(tx *sql.Tx) error {
					ins, err := stmts.In(ctx, tx, insertT)
					if err != nil {
						return err
					}
					defer ins.Close()
					if _, err := ins.ExecContext(ctx, w*each+i); err != nil {
						return err
					}
					env := events.MustNew("test", fmt.Sprint(w*each+i), time.Now(), events.OrderPlaced{BatchID: "b"})
					return sqlitestore.InsertOutbox(ctx, stmts, tx, []events.Envelope{env})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	var rows, distinct, outbox int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT x) FROM t`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&outbox); err != nil {
		t.Fatal(err)
	}
	if rows != writers*each || distinct != rows || outbox != rows {
		t.Fatalf("%d rows (%d distinct), %d events; want %d of each", rows, distinct, outbox, writers*each)
	}
}

// A query that was not prepared at open still runs, prepared for its
// transaction alone; a rolled-back transaction leaves nothing.
func TestAQueryNotPreparedRunsAndRollsBack(t *testing.T) {
	db := openWithOutbox(t)
	ctx := context.Background()
	stmts, err := sqlitestore.Prepare(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer stmts.Close()
	boom := fmt.Errorf("boom")
	err = sqlitestore.InTx(ctx, db, func(tx *sql.Tx) error {
		ins, err := stmts.In(ctx, tx, insertT)
		if err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, 1); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("InTx: %v", err)
	}
	if err := sqlitestore.InTx(ctx, db, func(tx *sql.Tx) error {
		ins, err := stmts.In(ctx, tx, insertT)
		if err != nil {
			return err
		}
		_, err = ins.ExecContext(ctx, 2)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var xs []int
	rows, err := db.Query(`SELECT x FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x int
		_ = rows.Scan(&x)
		xs = append(xs, x)
	}
	if len(xs) != 1 || xs[0] != 2 {
		t.Fatalf("rows %v, want only the committed 2", xs)
	}
	if _, err := sqlitestore.Prepare(ctx, db, `INSERT INTO nowhere VALUES (1)`); err == nil {
		t.Fatal("a statement on a missing table was prepared")
	}
}
