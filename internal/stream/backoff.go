package stream

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff returns the wait before attempt n (1-based): exponential from base,
// capped at max, with jitter (half fixed, half random) so that retrying
// consumers spread out.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
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
