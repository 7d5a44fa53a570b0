package warehouse

import (
	"time"

	"github.com/comanda-dev/comanda/internal/retry"
)

// retryWait is the wait before retry n (1-based): exponential from RetryMin,
// capped at RetryMax, with jitter so that buyers failing together spread out,
// and never below RetryMin, so a broken market is not asked faster than
// configured.
func (w *Warehouse) retryWait(n int) time.Duration {
	return max(w.opt.RetryMin, retry.Backoff(n, w.opt.RetryMin, w.opt.RetryMax))
}
