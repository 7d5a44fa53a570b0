package warehouse

import (
	"context"
	"math/rand/v2"
	"time"
)

// retryWait is the wait before retry n (1-based): exponential from RetryMin,
// capped at RetryMax, with jitter so that buyers failing together spread out,
// and never below RetryMin, so a broken market is not asked faster than
// configured.
func (w *Warehouse) retryWait(n int) time.Duration {
	lo, hi := w.opt.RetryMin, w.opt.RetryMax
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return max(lo, d/2+rand.N(d/2+1))
}

// sleep waits for d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
