package market

import (
	"sync/atomic"
	"time"
)

// Stats counts the client's market calls since it started.
type Stats struct {
	// Calls counts requests sent to the market.
	Calls int64
	// Zeros counts answers of 0 (none available now).
	Zeros int64
	// Errors counts failed calls other than timeouts and 429s: refused
	// connections, other non-2xx answers, garbage.
	Errors int64
	// Busy counts 429 Too Many Requests answers.
	Busy int64
	// Timeouts counts calls that took longer than the timeout.
	Timeouts int64
	// UnitsBought sums the quantities sold.
	UnitsBought int64
	// Rejected counts calls the open breaker refused without calling.
	Rejected int64
	// BreakerOpens counts how many times the breaker opened.
	BreakerOpens int64
	// Breaker is the breaker's state now: closed, open or half-open.
	Breaker string
	// Limit is how many calls may be in flight now; InFlight how many are.
	Limit    int
	InFlight int64
	// RetryAfterWait sums the time the market's Retry-After held every
	// call back.
	RetryAfterWait time.Duration
}

type counters struct {
	calls, zeros, errors, busy, timeouts, units, rejected, opens, inFlight atomic.Int64
}
