package marketsim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestLatencyIsWaited(t *testing.T) {
	const latency = 80 * time.Millisecond
	s := seeded(1, func(c *Config) { c.Latency = latency; c.LatencyJitter = 40 * time.Millisecond })
	for range 3 {
		start := time.Now()
		a := buy(t, s.Handler(), "cheese")
		if took := time.Since(start); took < latency {
			t.Fatalf("answered after %s, before the %s latency", took, latency)
		}
		if !a.wellKnown {
			t.Fatalf("%d %q", a.status, a.body)
		}
	}
}

func TestLatencyEndsWhenClientLeaves(t *testing.T) {
	s := seeded(1, func(c *Config) { c.Latency = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, BuyPath+"?ingredient=cheese", nil)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Handler().ServeHTTP(rec, req)
	}()

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler still sleeps after its client left")
	}
	if rec.Body.Len() != 0 {
		t.Fatalf("answered %q to a client that left", rec.Body)
	}
	if st := s.Stats(); st.Calls != 1 || st.Cancelled != 1 || st.Sold+st.Zeros != 0 {
		t.Fatalf("stats %+v, want one cancelled call", st)
	}
}
