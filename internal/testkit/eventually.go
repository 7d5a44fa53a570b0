package testkit

import (
	"testing"
	"time"
)

// Eventually waits until cond holds and returns how long that took, failing
// the test when it does not hold within the given time; what names the
// awaited state in the failure.
//
// It polls every millisecond at first, doubling the pause up to a
// five-hundredth of within: a condition that holds almost at once is seen
// at once, a short wait is timed finely, and a long one, often on a loaded
// system, does not add to the load by querying it a hundred times a second.
func Eventually(t testing.TB, what string, within time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	pause, most := time.Millisecond, max(within/500, time.Millisecond)
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(pause)
		pause = min(2*pause, most)
	}
	return time.Since(start)
}
