package market_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/internal/testkit"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
)

type fixture struct {
	sim      *marketsim.Simulator
	client   *market.Client
	inFlight atomic.Int64
	maxSeen  atomic.Int64
}

func setup(t *testing.T, sim marketsim.Config, tweak func(*market.Config)) *fixture {
	t.Helper()
	sim.Seed = 42
	f := &fixture{sim: marketsim.New(sim)}
	h := f.sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for {
			m := f.maxSeen.Load()
			if n <= m || f.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := market.Config{
		URL: srv.URL + marketsim.BuyPath, Timeout: time.Second, Concurrency: 10,
		BreakerFailures: 5, BreakerCooldown: time.Hour,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := market.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	return f
}

func TestBuyReturnsWhatTheMarketSold(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5}, nil)
	total := 0
	for range 50 {
		q, err := f.client.Buy(context.Background(), "tomato")
		if err != nil || q < 0 || q > 5 {
			t.Fatalf("got %d, %v", q, err)
		}
		total += q
	}
	st, sim := f.client.Stats(), f.sim.Stats()
	if st.Calls != 50 || st.UnitsBought != int64(total) || sim.UnitsSold != int64(total) || st.Zeros != sim.Zeros || st.Errors != 0 {
		t.Errorf("client %+v, market %+v, bought %d", st, sim, total)
	}
}

func TestGarbageIsAnErrorNeverAQuantity(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, MalformedRate: 1}, func(c *market.Config) { c.BreakerFailures = 1000 })
	for range 40 { // every kind of garbage, several times
		q, err := f.client.Buy(context.Background(), "rice")
		if !errors.Is(err, market.ErrMalformed) || q != 0 {
			t.Fatalf("got %d, %v; want ErrMalformed", q, err)
		}
	}
	if st := f.client.Stats(); st.Errors != 40 || st.UnitsBought != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestBreakerOpensAfterConsecutiveFailuresAndProbesAfterCooldown(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, ErrorRate: 1}, func(c *market.Config) { c.BreakerCooldown = 100 * time.Millisecond })
	for i := range 5 {
		if _, err := f.client.Buy(context.Background(), "meat"); !errors.Is(err, market.ErrStatus) {
			t.Fatalf("call %d: %v, want ErrStatus", i, err)
		}
	}
	for range 20 {
		if _, err := f.client.Buy(context.Background(), "meat"); !errors.Is(err, market.ErrUnavailable) {
			t.Fatalf("open breaker: %v, want ErrUnavailable", err)
		}
	}
	st := f.client.Stats()
	if st.Calls != 5 || st.Rejected != 20 || st.BreakerOpens != 1 || st.Breaker != "open" {
		t.Fatalf("stats %+v: want 5 calls, 20 rejected, open", st)
	}
	if f.sim.Stats().Calls != 5 {
		t.Errorf("the market saw %d calls through an open breaker", f.sim.Stats().Calls)
	}
	f.sim.Set(marketsim.Config{MaxQuantity: 5})
	time.Sleep(150 * time.Millisecond)
	if st := f.client.Stats(); st.Breaker != "half-open" {
		t.Errorf("after the cooldown the breaker is %s", st.Breaker)
	}
	if _, err := f.client.Buy(context.Background(), "meat"); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if st := f.client.Stats(); st.Breaker != "closed" {
		t.Errorf("after a good probe the breaker is %s", st.Breaker)
	}
}

func TestZeroAnswersDoNotOpenTheBreaker(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, ZeroRate: 1}, nil)
	for range 30 {
		if q, err := f.client.Buy(context.Background(), "onion"); err != nil || q != 0 {
			t.Fatalf("got %d, %v; want 0", q, err)
		}
	}
	if st := f.client.Stats(); st.Zeros != 30 || st.Breaker != "closed" || st.BreakerOpens != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestSlowAnswersTimeOut(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, Latency: time.Second}, func(c *market.Config) { c.Timeout = 30 * time.Millisecond })
	start := time.Now()
	if _, err := f.client.Buy(context.Background(), "lemon"); !errors.Is(err, market.ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("a 30ms timeout took %s", d)
	}
	if st := f.client.Stats(); st.Timeouts != 1 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A caller that leaves while its call waits for a slot sends nothing, and
// that is not the market's fault.
func TestCallerLeavingBeforeTheCallIsSentSendsNothing(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, Latency: 300 * time.Millisecond}, func(c *market.Config) {
		c.Concurrency, c.BreakerFailures = 1, 2
	})
	busy := make(chan struct{})
	go func() { defer close(busy); _, _ = f.client.Buy(context.Background(), "lemon") }() // holds the only slot
	testkit.Eventually(t, "the slot taken", 5*time.Second, func() bool { return f.inFlight.Load() == 1 })
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		_, err := f.client.Buy(ctx, "lemon")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want the caller's own deadline", err)
		}
	}
	<-busy
	if st, sim := f.client.Stats(), f.sim.Stats(); st.Calls != 1 || sim.Calls != 1 || st.Breaker != "closed" || st.Timeouts != 0 || st.Errors != 0 {
		t.Errorf("calls that were never sent reached the market or counted against it: client %+v, market %+v", st, sim)
	}
}

// A call already sent is not abandoned when its caller leaves (a warehouse
// shutting down): the market has sold, so its answer comes back, within the
// timeout, to be booked.
func TestACallSentOutlivesItsCaller(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, Latency: 100 * time.Millisecond}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	q, err := f.client.Buy(ctx, "lemon")
	if err != nil {
		t.Fatalf("a call sent before its caller left failed: %v", err)
	}
	if st, sim := f.client.Stats(), f.sim.Stats(); st.UnitsBought != int64(q) || sim.UnitsSold != int64(q) || sim.Calls != 1 {
		t.Errorf("answer %d; client %+v, market %+v", q, st, sim)
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	f := setup(t, marketsim.Config{MaxQuantity: 5, Latency: 5 * time.Millisecond}, func(c *market.Config) { c.Concurrency = 3 })
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, err := f.client.Buy(context.Background(), "potato"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := f.maxSeen.Load(); m != 3 {
		t.Errorf("at most %d calls were in flight, want exactly the bound 3", m)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := market.Config{URL: "http://127.0.0.1:1/buy", Timeout: time.Second, Concurrency: 1, BreakerFailures: 1, BreakerCooldown: time.Second}
	for name, tweak := range map[string]func(*market.Config){
		"relative url": func(c *market.Config) { c.URL = "/buy" },
		"ftp url":      func(c *market.Config) { c.URL = "ftp://x/buy" },
		"no timeout":   func(c *market.Config) { c.Timeout = 0 },
		"concurrency":  func(c *market.Config) { c.Concurrency = 0 },
		"failures":     func(c *market.Config) { c.BreakerFailures = 0 },
		"cooldown":     func(c *market.Config) { c.BreakerCooldown = 0 },
	} {
		cfg := good
		tweak(&cfg)
		if _, err := market.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := market.New(good); err != nil {
		t.Error(err)
	}
}
