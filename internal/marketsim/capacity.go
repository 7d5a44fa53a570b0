package marketsim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// admit takes a place among the calls in service, unless Capacity of them
// are there already; a refused call is told how long to wait. The caller of
// a successful admit calls leave once its answer is written.
func (s *Simulator) admit() (ok bool, capacity int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.Capacity > 0 && s.inService >= s.cfg.Capacity {
		if s.cfg.RetryAfter > 0 {
			return false, s.cfg.Capacity, s.cfg.RetryAfter
		}
		return false, s.cfg.Capacity, s.cfg.Latency
	}
	s.inService++
	return true, s.cfg.Capacity, 0
}

func (s *Simulator) leave() {
	s.mu.Lock()
	s.inService--
	s.mu.Unlock()
}

// writeBusy answers 429 Too Many Requests. Retry-After is in whole seconds,
// rounded up, as RFC 9110 (§10.2.3) spells it and as most real services
// send it (GitHub, Cloudflare; some send none at all and expect backoff).
// Whole seconds are far coarser than a market that answers in milliseconds,
// so the exact wait also goes in Retry-After-Ms, as Azure's services send
// it (retry-after-ms); a client that knows only the standard header waits
// longer than needed, never less.
func writeBusy(w http.ResponseWriter, capacity int, wait time.Duration) {
	h := w.Header()
	h.Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
	h.Set("Retry-After-Ms", strconv.FormatInt(int64((wait+time.Millisecond-1)/time.Millisecond), 10))
	writeError(w, http.StatusTooManyRequests, "too_many_requests",
		fmt.Sprintf("the market serves %d calls at once; ask again in %s", capacity, wait))
}
