package market

import (
	"net/http"
	"strconv"
	"time"
)

// maxRetryAfter bounds the wait a market may impose: past it a Retry-After
// is taken for a mistake (or a market closed for the day, which the buyers'
// backoff and the breaker handle better than a frozen client).
const maxRetryAfter = time.Minute

// retryAfter reads the wait an answer asks for: Retry-After-Ms when given
// (milliseconds, as Azure's services send beside the standard header),
// else Retry-After in whole seconds or as an HTTP date (RFC 9110 §10.2.3).
// Anything else is ignored: a garbled header must not stop the client.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseUint(v, 10, 32); err == nil {
			return min(time.Duration(ms)*time.Millisecond, maxRetryAfter), true
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseUint(v, 10, 32); err == nil {
		return min(time.Duration(s)*time.Second, maxRetryAfter), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}
