package stream

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/events"
	"github.com/comanda-dev/comanda/internal/retry"
)

type deadEntry struct {
	stream, id, typ, order string
	raw                    []byte
	deliveries             int64
}

func deadMessage(m Message) deadEntry {
	return deadEntry{stream: m.Stream, id: m.ID, typ: m.Event.Type, order: m.Event.OrderID, raw: m.Event.Encode(), deliveries: m.Deliveries}
}

// deadPart is the dead letter of one event of entry x, as stored when it
// does not decode.
func deadPart(x redis.XMessage, p part) deadEntry {
	if p.err == nil {
		return deadMessage(p.m)
	}
	typ, _ := x.Values[fieldType].(string)
	order, _ := x.Values[fieldOrder].(string)
	return deadEntry{stream: p.m.Stream, id: p.m.ID, typ: typ, order: order, raw: p.raw, deliveries: p.m.Deliveries}
}

// deadLetter copies an event to the dead-letter stream and, when it is the
// last of its entry still to be handled, acknowledges the entry in the same
// transaction, so the event is never lost between the two. While
// Redis does not answer it retries; if the drain deadline passes first the
// entry stays pending and is judged again at its next delivery.
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
	// Only this event of the entry is left: no other can finish it
	// meanwhile, so the acknowledgement goes with the copy.
	last := c.held.parts(e.stream, e.id) <= 1
	for attempt := 1; ; attempt++ {
		_, err := c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.XAdd(ctx, &redis.XAddArgs{Stream: c.opt.DeadLetter, Values: entryValues(env)})
			if last {
				p.XAck(ctx, e.stream, c.opt.Group, e.id)
			}
			return nil
		})
		if err == nil {
			break
		}
		c.redis.fail()
		c.log.Warn("dead-lettering message; retrying", "stream", e.stream, "id", e.id, "orderId", e.order, "err", err, "attempt", attempt)
		if !retry.Sleep(ctx, retry.Backoff(attempt, c.opt.RetryBase, c.opt.RetryMax)) {
			return
		}
	}
	c.redis.ok()
	switch {
	case last:
		c.held.remove(e.stream, e.id)
	case c.held.partDone(e.stream, e.id):
		// The others finished while the copy was made.
		c.ackLater(e.stream, e.id)
	}
	c.opt.Metrics.deadLetter(e.stream, c.opt.Group)
	c.log.Warn("message dead-lettered", "stream", e.stream, "id", e.id, "type", e.typ, "orderId", e.order, "reason", reason)
}
