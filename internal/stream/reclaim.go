package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

func (c *Consumer) reclaimLoop(ctx, hctx context.Context) {
	t := time.NewTicker(c.opt.ReclaimEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, s := range c.opt.Streams {
				if err := c.reclaim(ctx, hctx, s); err != nil && ctx.Err() == nil {
					c.log.Warn("reclaiming pending entries", "stream", s, "err", err)
				}
			}
		}
	}
}

// reclaim takes over entries idle past MinIdle — left by a crashed consumer,
// or by a handler that kept failing — and hands them to the workers again, or
// to the dead-letter stream once they had MaxDeliveries.
func (c *Consumer) reclaim(ctx, hctx context.Context, stream string) error {
	start := "0-0"
	for range 64 { // bounded per round; the next round continues
		entries, next, err := c.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: stream, Group: c.opt.Group, Consumer: c.opt.Consumer,
			MinIdle: c.opt.MinIdle, Start: start, Count: int64(c.opt.Read),
		}).Result()
		if err != nil {
			return fmt.Errorf("claiming idle entries: %w", err)
		}
		entries = c.notInFlight(entries)
		if len(entries) > 0 {
			counts, err := c.deliveryCounts(ctx, stream, entries)
			if err != nil {
				return err
			}
			var retry []redis.XMessage
			for _, x := range entries {
				if counts[x.ID] > c.opt.MaxDeliveries {
					c.giveUp(hctx, stream, x, counts[x.ID])
					continue
				}
				retry = append(retry, x)
			}
			c.opt.Metrics.reclaim(stream, c.opt.Group, len(entries))
			c.log.Info("reclaimed pending entries", "stream", stream, "count", len(entries))
			if !c.dispatch(hctx, c.admit(hctx, stream, retry, counts)) {
				return nil
			}
		}
		if next == "0-0" || next == "" {
			return nil
		}
		start = next
	}
	return nil
}

func (c *Consumer) notInFlight(entries []redis.XMessage) []redis.XMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := entries[:0]
	for _, x := range entries {
		if _, busy := c.inflight[x.ID]; !busy {
			out = append(out, x)
		}
	}
	return out
}

func (c *Consumer) deliveryCounts(ctx context.Context, stream string, entries []redis.XMessage) (map[string]int64, error) {
	cmds := make([]*redis.XPendingExtCmd, len(entries))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, x := range entries {
			cmds[i] = p.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: c.opt.Group, Start: x.ID, End: x.ID, Count: 1})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading delivery counts: %w", err)
	}
	counts := make(map[string]int64, len(entries))
	for _, cmd := range cmds {
		for _, p := range cmd.Val() {
			counts[p.ID] = p.RetryCount
		}
	}
	return counts, nil
}

func (c *Consumer) giveUp(ctx context.Context, stream string, x redis.XMessage, deliveries int64) {
	c.mu.Lock()
	last := c.lastErr[x.ID]
	c.mu.Unlock()
	reason := fmt.Sprintf("not handled after %d deliveries", deliveries-1)
	if last != "" {
		reason += ": " + last
	} else {
		reason += " (consumers stopped before acknowledging it)"
	}
	order, _ := x.Values[fieldOrder].(string)
	typ, _ := x.Values[fieldType].(string)
	c.deadLetter(ctx, deadEntry{stream: stream, id: x.ID, typ: typ, order: order, raw: rawEvent(x), deliveries: deliveries - 1}, reason)
}
