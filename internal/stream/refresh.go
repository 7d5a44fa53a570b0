package stream

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// refreshLoop touches every entry the consumer holds every MinIdle/4, so that
// entries queued behind busy workers, in flight, waiting for a redelivery or
// for their acknowledgement never look idle to another consumer's
// reclaimer. An entry another consumer took over meanwhile is marked lost
// and not worked on further.
func (c *Consumer) refreshLoop(ctx context.Context) {
	t := time.NewTicker(c.opt.refreshEvery())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, s := range c.opt.Streams {
			if err := c.touch(ctx, s); err != nil && ctx.Err() == nil {
				c.redis.fail()
				c.log.Warn("touching held entries", "stream", s, "err", err)
			}
		}
	}
}

// touch resets the idle time of the held entries of stream and stores their
// delivery counts.
func (c *Consumer) touch(ctx context.Context, stream string) error {
	held := c.held.entries(stream)
	for batch := range slices.Chunk(held, 256) {
		args := make([]any, 0, 2+2*len(batch))
		args = append(args, c.opt.Group, c.opt.Consumer)
		for _, e := range batch {
			args = append(args, e.id, strconv.FormatInt(e.deliveries, 10))
		}
		lost, err := touchScript.Run(ctx, c.rdb, []string{stream}, args...).StringSlice()
		if err != nil {
			return err
		}
		if n := c.held.markLost(stream, lost); n > 0 {
			c.log.Warn("entries were taken over by another consumer", "stream", stream, "count", n)
		}
	}
	c.redis.ok()
	return nil
}
