package stream

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/retry"
)

// reclaimLoop takes over entries other consumers left idle — a consumer that
// died, or lost Redis for longer than MinIdle — and, now and then, removes
// consumers that died holding nothing. It reclaims only while the handler's
// infrastructure answers and Redis has answered for MinIdle in a row: a
// claim counts a delivery, which an outage must never cost a message.
func (c *Consumer) reclaimLoop(ctx, hctx context.Context) {
	if c.opt.Exclusive {
		c.takeOver(ctx, hctx)
	}
	t := time.NewTicker(c.opt.ReclaimEvery)
	defer t.Stop()
	lastForget := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if c.store.isDown() || c.redis.healthyFor() < c.opt.MinIdle {
			continue
		}
		for _, s := range c.opt.Streams {
			if err := c.reclaim(ctx, hctx, s, c.opt.MinIdle); err != nil && ctx.Err() == nil {
				c.redis.fail()
				c.log.Warn("reclaiming pending entries", "stream", s, "err", err)
			}
		}
		if time.Since(lastForget) >= c.opt.ForgetAfter/2 {
			lastForget = time.Now()
			for _, s := range c.opt.Streams {
				if err := c.forgetDead(ctx, s); err != nil && ctx.Err() == nil {
					c.log.Warn("removing dead consumers", "stream", s, "err", err)
				}
			}
		}
	}
}

// takeOver claims, at start, every entry the group has pending at other
// consumers, whatever their idle time: in an exclusive group they belong to
// a consumer that is gone (or fenced off by its store).
func (c *Consumer) takeOver(ctx, hctx context.Context) {
	for _, s := range c.opt.Streams {
		for attempt := 1; ; attempt++ {
			err := c.reclaim(ctx, hctx, s, 0)
			if err == nil || ctx.Err() != nil {
				break
			}
			c.log.Warn("taking over the group's pending entries; retrying", "stream", s, "err", err)
			if !retry.Sleep(ctx, retry.Backoff(attempt, c.opt.RetryBase, c.opt.RetryMax)) {
				return
			}
		}
	}
}

// reclaim claims the entries of stream idle for at least minIdle at other
// consumers and hands them to the workers, or to the dead-letter stream once
// they have had MaxDeliveries.
func (c *Consumer) reclaim(ctx, hctx context.Context, stream string, minIdle time.Duration) error {
	start := "-"
	for range 64 { // bounded per round; the next round continues
		res, err := claimScript.Run(ctx, c.rdb, []string{stream},
			c.opt.Group, c.opt.Consumer, minIdle.Milliseconds(), c.opt.Read, start).Slice()
		if err != nil {
			return fmt.Errorf("claiming idle entries: %w", err)
		}
		last, scanned, claimed, mine, err := parseClaim(res)
		if err != nil {
			return err
		}
		if orphans := c.orphans(stream, mine); len(orphans) > 0 {
			adopted, err := c.adopt(ctx, stream, orphans)
			if err != nil {
				return err
			}
			claimed = append(claimed, adopted...)
		}
		if len(claimed) > 0 {
			c.handOver(hctx, stream, claimed)
			if hctx.Err() != nil {
				return nil
			}
		}
		if scanned < c.opt.Read || last == "" {
			return nil
		}
		start = nextID(last)
	}
	return nil
}

type claimedEntry struct {
	x          redis.XMessage
	deliveries int64
}

func (c *Consumer) handOver(hctx context.Context, stream string, claimed []claimedEntry) {
	var retry []redis.XMessage
	counts := make(map[string]int64, len(claimed))
	for _, e := range claimed {
		counts[e.x.ID] = e.deliveries
		if e.deliveries > c.opt.MaxDeliveries {
			c.giveUp(hctx, stream, e.x, e.deliveries)
			continue
		}
		retry = append(retry, e.x)
	}
	c.opt.Metrics.reclaim(stream, c.opt.Group, len(claimed))
	c.log.Info("reclaimed pending entries", "stream", stream, "count", len(claimed))
	c.dispatch(hctx, c.admit(hctx, stream, retry, counts))
}

func (c *Consumer) giveUp(ctx context.Context, stream string, x redis.XMessage, deliveries int64) {
	reason := fmt.Sprintf("not handled after %d deliveries (consumers stopped before acknowledging it)", deliveries-1)
	if last := c.held.lastErr(stream, x.ID); last != "" {
		reason = fmt.Sprintf("not handled after %d deliveries: %s", deliveries-1, last)
	}
	if len(x.Values) == 0 {
		c.held.add(stream, x.ID, deliveries, 1)
		c.opt.Metrics.lose(stream, c.opt.Group)
		c.log.Error("pending entry was deleted from the stream before it was handled", "stream", stream, "id", x.ID)
		c.ackLater(stream, x.ID)
		return
	}
	parts := decodeEntry(stream, x)
	c.held.add(stream, x.ID, deliveries, len(parts))
	for _, p := range parts {
		p.m.Deliveries = deliveries - 1
		c.deadLetter(ctx, deadPart(x, p), reason)
	}
}

// forgetDead removes from the group the consumers of stream that hold
// nothing and have been silent for ForgetAfter: processes that stopped, whose
// names would otherwise pile up in the group forever.
func (c *Consumer) forgetDead(ctx context.Context, stream string) error {
	consumers, err := c.rdb.XInfoConsumers(ctx, stream, c.opt.Group).Result()
	if err != nil {
		return fmt.Errorf("listing consumers: %w", err)
	}
	for _, cn := range consumers {
		if cn.Name == c.opt.Consumer || cn.Pending > 0 || cn.Idle < c.opt.ForgetAfter {
			continue
		}
		n, err := forgetScript.Run(ctx, c.rdb, []string{stream}, c.opt.Group, cn.Name).Int()
		if err != nil {
			return fmt.Errorf("removing consumer %s: %w", cn.Name, err)
		}
		if n == 1 {
			c.log.Info("removed a consumer that stopped", "stream", stream, "removed", cn.Name, "idle", cn.Idle.String())
		}
	}
	return nil
}

// orphans returns the consumer's own idle entries that it does not hold.
func (c *Consumer) orphans(stream string, mine []heldEntry) []heldEntry {
	var out []heldEntry
	for _, e := range mine {
		if c.held.lost(stream, e.id) {
			out = append(out, e)
		}
	}
	return out
}

// adopt takes back entries Redis delivered to this consumer by a read whose
// answer was lost (Redis went away mid-reply): they are this consumer's
// work, never handed to a worker. Their delivery is not counted again, since
// no handler saw them.
func (c *Consumer) adopt(ctx context.Context, stream string, orphans []heldEntry) ([]claimedEntry, error) {
	for _, e := range orphans {
		c.held.add(stream, e.id, e.deliveries, 1) // admit counts its events
	}
	if err := c.touch(ctx, stream); err != nil {
		for _, e := range orphans {
			c.held.remove(stream, e.id)
		}
		return nil, fmt.Errorf("adopting entries: %w", err)
	}
	cmds := make([]*redis.XMessageSliceCmd, len(orphans))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range orphans {
			cmds[i] = p.XRange(ctx, stream, e.id, e.id)
		}
		return nil
	})
	if err != nil {
		for _, e := range orphans {
			c.held.remove(stream, e.id)
		}
		return nil, fmt.Errorf("reading adopted entries: %w", err)
	}
	out := make([]claimedEntry, 0, len(orphans))
	for i, e := range orphans {
		if c.held.lost(stream, e.id) { // taken over meanwhile
			c.held.remove(stream, e.id)
			continue
		}
		x := redis.XMessage{ID: e.id}
		if xs := cmds[i].Val(); len(xs) > 0 {
			x = xs[0]
		}
		out = append(out, claimedEntry{x: x, deliveries: e.deliveries})
	}
	if len(out) > 0 {
		c.log.Info("took back entries whose read was cut off", "stream", stream, "count", len(out))
	}
	return out, nil
}

// parseClaim reads claimScript's answer.
func parseClaim(res []any) (last string, scanned int, claimed []claimedEntry, mine []heldEntry, err error) {
	if len(res) != 4 {
		return "", 0, nil, nil, fmt.Errorf("claiming idle entries: unexpected answer %v", res)
	}
	last, _ = res[0].(string)
	n, _ := res[1].(int64)
	items, _ := res[2].([]any)
	for _, it := range items {
		parts, ok := it.([]any)
		if !ok || len(parts) != 3 {
			return "", 0, nil, nil, fmt.Errorf("claiming idle entries: unexpected entry %v", it)
		}
		id, _ := parts[0].(string)
		deliveries, _ := parts[1].(int64)
		fields, _ := parts[2].([]any)
		x := redis.XMessage{ID: id}
		if len(fields) > 0 {
			x.Values = make(map[string]any, len(fields)/2)
			for i := 0; i+1 < len(fields); i += 2 {
				k, _ := fields[i].(string)
				x.Values[k] = fields[i+1]
			}
		}
		claimed = append(claimed, claimedEntry{x: x, deliveries: deliveries})
	}
	own, _ := res[3].([]any)
	for _, it := range own {
		parts, ok := it.([]any)
		if !ok || len(parts) != 2 {
			return "", 0, nil, nil, fmt.Errorf("claiming idle entries: unexpected own entry %v", it)
		}
		id, _ := parts[0].(string)
		deliveries, _ := parts[1].(int64)
		mine = append(mine, heldEntry{id: id, deliveries: deliveries})
	}
	return last, int(n), claimed, mine, nil
}

// nextID returns the smallest entry id after id.
func nextID(id string) string {
	ms, seq, _ := strings.Cut(id, "-")
	s, _ := strconv.ParseUint(seq, 10, 64)
	return ms + "-" + strconv.FormatUint(s+1, 10)
}
