package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

// countsPublisher keeps the orders' counts by state in Redis for the live
// feed, read from the store once a second and written when they change.
type countsPublisher struct {
	svc *order.Service
	rdb redis.UniversalClient
	key string
	log *slog.Logger
}

func (p countsPublisher) Run(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last events.OrderCounts
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		st, err := p.svc.Stats(ctx)
		if err != nil {
			continue // the store is away: the last counts stand meanwhile
		}
		c := events.OrderCounts{
			Placed: st.Total, InProgress: st.InProgress,
			Delivered: st.ByStatus[order.Delivered], Failed: st.ByStatus[order.Failed],
		}
		if c == last {
			continue
		}
		c.At = time.Now().UTC()
		data, _ := json.Marshal(c)
		if err := p.rdb.Set(ctx, p.key, data, 0).Err(); err != nil {
			if ctx.Err() == nil {
				p.log.Debug("publishing order counts", "err", err)
			}
			continue
		}
		c.At = time.Time{}
		last = c
	}
}
