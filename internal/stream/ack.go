package stream

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/retry"
)

// ackLoop sends acknowledgements in batches: one pipeline per AckEvery or per
// flushAt of them. An entry stays held until its acknowledgement reached
// Redis; while Redis does not answer, acknowledgements wait (with backoff)
// and are sent when it does.
func (c *Consumer) ackLoop() {
	const flushAt = 512
	pending := make(map[string][]string)
	n, failures := 0, 0
	var retryAt time.Time
	flush := func() bool {
		if n == 0 {
			return true
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for s, ids := range pending {
				p.XAck(ctx, s, c.opt.Group, ids...)
			}
			return nil
		})
		if err != nil {
			failures++
			c.redis.fail()
			retryAt = time.Now().Add(retry.Backoff(failures, c.opt.RetryBase, c.opt.RetryMax))
			c.log.Warn("acknowledging messages; retrying", "count", n, "err", err, "failures", failures)
			return false
		}
		failures = 0
		c.redis.ok()
		for s, ids := range pending {
			c.held.remove(s, ids...)
		}
		clear(pending)
		n = 0
		return true
	}
	tick := time.NewTicker(c.opt.AckEvery)
	defer tick.Stop()
	for {
		select {
		case a, ok := <-c.acks:
			if !ok {
				// Shutdown: a few more tries. What stays unacknowledged is
				// delivered again later; handlers are idempotent.
				for attempt := 1; attempt <= 3 && !flush(); attempt++ {
					time.Sleep(retry.Backoff(attempt, c.opt.RetryBase, c.opt.RetryMax))
				}
				return
			}
			pending[a.stream] = append(pending[a.stream], a.id)
			n++
			if n >= flushAt && time.Now().After(retryAt) {
				flush()
			}
		case <-tick.C:
			if time.Now().After(retryAt) {
				flush()
			}
		}
	}
}
