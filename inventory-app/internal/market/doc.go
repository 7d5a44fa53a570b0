// Package market is the warehouse's client of the farmers market:
// GET {url}?ingredient=<name> answers {"quantitySold": N}. The market may be
// slow, fail, time out, refuse (429) or answer garbage, so the calls in
// flight are bounded by a limit that adapts to the market's unannounced
// capacity (limit.go), every call is timed out, parsed strictly, and guarded
// by a circuit breaker that stops calling a market that keeps failing. Retrying is the caller's
// business: a call fails fast and says why.
//
// The package must not import inventory-app/internal/warehouse or any app.
package market
