package market

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterReadsEveryForm(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		headers map[string]string
		want    time.Duration
		ok      bool
	}{
		{"seconds", map[string]string{"Retry-After": "2"}, 2 * time.Second, true},
		{"zero", map[string]string{"Retry-After": "0"}, 0, true},
		{"http date", map[string]string{"Retry-After": now.Add(3 * time.Second).Format(http.TimeFormat)}, 3 * time.Second, true},
		{"date past", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"milliseconds first", map[string]string{"Retry-After": "1", "Retry-After-Ms": "50"}, 50 * time.Millisecond, true},
		{"bad milliseconds fall back", map[string]string{"Retry-After": "1", "Retry-After-Ms": "soon"}, time.Second, true},
		{"capped", map[string]string{"Retry-After": "86400"}, maxRetryAfter, true},
		{"negative", map[string]string{"Retry-After": "-1"}, 0, false},
		{"fraction", map[string]string{"Retry-After": "0.5"}, 0, false},
		{"garbage", map[string]string{"Retry-After": "later"}, 0, false},
		{"none", nil, 0, false},
	}
	for _, tc := range cases {
		h := http.Header{}
		for k, v := range tc.headers {
			h.Set(k, v)
		}
		got, ok := retryAfter(h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %s, %v; want %s, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
