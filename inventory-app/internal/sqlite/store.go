// Package sqlite is the SQLite adapter of warehouse.Store, used by the
// embedded run and the tests.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/sqlitestore"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/inventory-app/internal/warehouse"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store keeps the warehouse in a SQLite file. Every transaction takes the
// write lock when it begins (see sqlitestore.Open), so a read and the
// conditional writes that follow are one critical section.
type Store struct {
	*sqlitestore.DB
}

var _ warehouse.Store = (*Store)(nil)

// Open opens (or creates) the database file and migrates it.
func Open(ctx context.Context, path string, tr *tracing.Provider) (*Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	db, err := sqlitestore.OpenDB(ctx, path, sub, tr, insertPurchase, countPurchase, markReserved, takeStock, insertReservation, noteShort)
	if err != nil {
		return nil, err
	}
	return &Store{DB: db}, nil
}

// The statements of a burst, prepared once (see sqlitestore.Statements).
const (
	insertPurchase = `INSERT INTO purchases (id, ingredient, quantity, order_ids, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`
	countPurchase     = `UPDATE stock SET bought = bought + ? WHERE ingredient = ? RETURNING initial, bought, consumed`
	markReserved      = `UPDATE reservations SET status = 'reserved', reserved_at = ? WHERE order_id = ? AND status = 'waiting'`
	takeStock         = `UPDATE stock SET consumed = consumed + ?1 WHERE ingredient = ?2 AND initial + bought - consumed >= ?1`
	insertReservation = `INSERT INTO reservations (order_id, recipe, items, status, requested_at) VALUES (?, ?, ?, 'waiting', ?)
		ON CONFLICT (order_id) DO NOTHING RETURNING seq`
	noteShort = `UPDATE reservations SET short_noted = 1 WHERE order_id = ? AND status = 'waiting' AND short_noted = 0`
)

// PublishPending implements warehouse.Store. The fence is checked before
// the batch goes to Redis, so a stale leader publishes nothing twice; the
// delete that follows removes only what was just published, whoever leads.
func (s *Store) PublishPending(ctx context.Context, tok warehouse.Token, limit int, publish func(context.Context, []events.Envelope) error) (int, error) {
	return s.DB.PublishPending(ctx, limit, func(ctx context.Context, envs []events.Envelope) error {
		if err := fence(ctx, s.SQL, tok); err != nil {
			return fmt.Errorf("publishing %d events: %w", len(envs), err)
		}
		return publish(ctx, envs)
	})
}

// placeholders returns "?,?,…" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func sortBySeq(rs []warehouse.Reservation) {
	slices.SortFunc(rs, func(a, b warehouse.Reservation) int { return cmp.Compare(a.Seq, b.Seq) })
}
