package market

import (
	"errors"
	"log/slog"
	"time"

	"github.com/sony/gobreaker/v2"
)

// newBreaker opens after failures consecutive failed calls and lets one probe
// through after cooldown. Zero answers are answers: they count as successes.
// Calls abandoned because the caller went away are not the market's fault
// and do not count at all; nor do 429s, which prove the market up and only
// busy: the limiter answers those (see Client.Buy).
func newBreaker(failures int, cooldown time.Duration, c *counters, log *slog.Logger) *gobreaker.CircuitBreaker[int] {
	return gobreaker.NewCircuitBreaker[int](gobreaker.Settings{
		Name:        "farmers-market",
		MaxRequests: 1,
		Timeout:     cooldown,
		ReadyToTrip: func(counts gobreaker.Counts) bool {
			return counts.ConsecutiveFailures >= uint32(failures)
		},
		IsExcluded: func(err error) bool { return errors.Is(err, errAbandoned) || errors.Is(err, ErrBusy) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				c.opens.Add(1)
				log.Warn("market circuit breaker opened: pausing market calls", "from", from.String(), "cooldown", cooldown)
				return
			}
			log.Info("market circuit breaker changed state", "from", from.String(), "to", to.String())
		},
	})
}
