package stream

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
)

type deadEntry struct {
	stream, id, typ, order string
	raw                    []byte
	deliveries             int64
}

// deadLetter copies an entry to the dead-letter stream and acknowledges it,
// in one transaction, so the entry is never lost between the two.
func (c *Consumer) deadLetter(ctx context.Context, e deadEntry, reason string) {
	raw := json.RawMessage(e.raw)
	if !json.Valid(raw) {
		quoted, _ := json.Marshal(string(e.raw))
		raw = quoted
	}
	env := events.MustNew(c.opt.Group, e.order, time.Now(), events.DeadLettered{
		Stream: e.stream, MessageID: e.id, Group: c.opt.Group, Type: e.typ,
		Deliveries: e.deliveries, Reason: reason, Event: raw,
	})
	_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: c.opt.DeadLetter, Values: entryValues(env)})
		p.XAck(ctx, e.stream, c.opt.Group, e.id)
		return nil
	})
	c.mu.Lock()
	delete(c.inflight, e.id)
	if err != nil {
		c.lastErr[e.id] = reason
	} else {
		delete(c.lastErr, e.id)
	}
	c.mu.Unlock()
	if err != nil {
		c.log.Error("dead-lettering message; left pending", "stream", e.stream, "id", e.id, "orderId", e.order, "err", err)
		return
	}
	c.opt.Metrics.deadLetter(e.stream, c.opt.Group)
	c.log.Warn("message dead-lettered", "stream", e.stream, "id", e.id, "type", e.typ, "orderId", e.order, "reason", reason)
}
