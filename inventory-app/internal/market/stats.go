package market

import "sync/atomic"

// Stats counts the client's market calls since it started.
type Stats struct {
	// Calls counts requests sent to the market.
	Calls int64
	// Zeros counts answers of 0 (none available now).
	Zeros int64
	// Errors counts failed calls other than timeouts: refused connections,
	// non-2xx answers, garbage.
	Errors int64
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
}

type counters struct {
	calls, zeros, errors, timeouts, units, rejected, opens atomic.Int64
}
