// Package retry holds the one way Comanda waits between attempts: an
// exponential backoff with jitter, and a sleep that ends with its context.
//
// The package must not import any app.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff returns the wait before attempt n (1-based): exponential from
// base, capped at max, with jitter (half fixed, half random) so that
// processes retrying together spread out.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}

// Sleep waits for d or until ctx ends; it reports whether d elapsed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
