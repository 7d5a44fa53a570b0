package order

import (
	"context"
	"fmt"
	"time"

	"github.com/comanda-dev/comanda/internal/clock"
)

// purgeBatch bounds one delete of expired keys, so that a purge never holds
// locks long or builds a huge transaction after a busy day.
const purgeBatch = 1000

// PurgeKeys deletes every idempotency key that expired, a bounded batch at a
// time, and returns how many it deleted.
func (s *Service) PurgeKeys(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.PurgeKeys(ctx, clock.Now(), purgeBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("purging expired idempotency keys: %w", err)
		}
		if n < purgeBatch {
			return total, nil
		}
	}
}

// PurgeKeysEvery returns a worker that purges expired keys every interval
// until its context ends. A failed purge is logged and tried again at the
// next tick: keys outliving their time a little harms nobody.
func (s *Service) PurgeKeysEvery(interval time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
			if n, err := s.PurgeKeys(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("purging idempotency keys; trying again later", "purged", n, "err", err)
			} else if n > 0 {
				s.log.Debug("purged expired idempotency keys", "purged", n)
			}
		}
	}
}
