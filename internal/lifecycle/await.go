package lifecycle

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/comanda-dev/comanda/internal/fault"
)

// Await calls open until it succeeds, waiting with backoff between attempts:
// a store or Redis that is still coming up (or briefly away) delays the
// start instead of failing it. A fault that waiting cannot cure — a bad
// address, refused credentials, a failed migration — returns at once, as
// does the end of ctx. Each attempt is bounded by attemptTimeout.
func Await[T any](ctx context.Context, log *slog.Logger, what string, open func(context.Context) (T, error)) (T, error) {
	const attemptTimeout = 15 * time.Second
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		v, err := open(actx)
		cancel()
		if err == nil {
			if attempt > 1 {
				log.Info(what+" answers", "attempts", attempt)
			}
			return v, nil
		}
		if ctx.Err() != nil || !fault.IsUnavailable(err) {
			return v, err
		}
		log.Warn(what+" does not answer yet; waiting", "err", err, "attempt", attempt, "retryIn", wait.String())
		t := time.NewTimer(wait + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return v, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}
