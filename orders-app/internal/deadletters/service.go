package deadletters

import (
	"context"
	"log/slog"

	"github.com/comanda-dev/comanda/internal/stream"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// Queue is what the administration needs of the dead-letter stream.
type Queue interface {
	// List returns up to limit dead letters older than before (all when
	// before is empty), newest first; stream.ErrBadCursor when before is
	// no entry id.
	List(ctx context.Context, before string, limit int) ([]stream.DeadLetter, error)
	// ReplayAll puts the messages of the given dead letters back on their
	// streams, one outcome per id.
	ReplayAll(ctx context.Context, ids []string) ([]stream.Replayed, error)
	// OfGroup returns the oldest dead letters (at most limit) a consumer
	// group gave up on, and whether there are more.
	OfGroup(ctx context.Context, group string, limit int) ([]stream.DeadLetter, bool, error)
}

// Service lists and replays dead letters.
type Service struct {
	queue  Queue
	orders *order.Service
	log    *slog.Logger
}

// New returns the use case over queue and the orders it reopens.
func New(queue Queue, orders *order.Service, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{queue: queue, orders: orders, log: log}
}
