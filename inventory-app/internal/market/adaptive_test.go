package market_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comanda-dev/comanda/internal/marketsim"
	"github.com/comanda-dev/comanda/inventory-app/internal/market"
)

// These drive the client's adaptive limit over HTTP on loopback, against
// the simulator; the market's side of every call is recorded as it answers.

// answers records, in the order the market answered them, the status of
// every call, and the calls it was serving at once.
type answers struct {
	mu       sync.Mutex
	statuses []int
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	arrived  atomic.Int64
}

func (a *answers) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.arrived.Add(1)
		n := a.inFlight.Add(1)
		defer a.inFlight.Add(-1)
		for m := a.maxSeen.Load(); n > m && !a.maxSeen.CompareAndSwap(m, n); m = a.maxSeen.Load() {
		}
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		a.mu.Lock()
		a.statuses = append(a.statuses, rec.status)
		a.mu.Unlock()
	})
}

// longestRefusalRun is the most 429s the market answered in a row, and how
// many it answered in all.
func (a *answers) longestRefusalRun() (longest, refused, total int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	run := 0
	for _, s := range a.statuses {
		if s != http.StatusTooManyRequests {
			run = 0
			continue
		}
		run++
		refused++
		longest = max(longest, run)
	}
	return longest, refused, len(a.statuses)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func simMarket(t *testing.T, cfg marketsim.Config, tweak func(*market.Config)) (*marketsim.Simulator, *answers, *market.Client) {
	t.Helper()
	cfg.Seed = 42
	sim := marketsim.New(cfg)
	rec := &answers{}
	srv := httptest.NewServer(rec.wrap(sim.Handler()))
	t.Cleanup(srv.Close)
	mc := market.Config{
		URL: srv.URL + marketsim.BuyPath, Timeout: time.Second, Concurrency: 128,
		BreakerFailures: 1000, BreakerCooldown: time.Second, Logger: quiet(),
	}
	if tweak != nil {
		tweak(&mc)
	}
	c, err := market.New(mc)
	if err != nil {
		t.Fatal(err)
	}
	return sim, rec, c
}

// hammer keeps workers buying back to back, the worst a caller can do,
// until ctx ends; each time the limit is read it goes to seen.
func hammer(ctx context.Context, c *market.Client, workers int, seen func(market.Stats)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ing := []string{"tomato", "rice", "onion", "cheese"}[w%4]
			for ctx.Err() == nil {
				_, _ = c.Buy(ctx, ing)
				if seen != nil {
					seen(c.Stats())
				}
			}
		})
	}
	wg.Wait()
}

func hammerFor(d time.Duration, c *market.Client, workers int, seen func(market.Stats)) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	hammer(ctx, c, workers, seen)
}

func TestTheLimitGrowsUnderAFastMarketAndNeverPassesTheCeiling(t *testing.T) {
	_, rec, c := simMarket(t, marketsim.Config{MaxQuantity: 5, Latency: 20 * time.Millisecond}, func(m *market.Config) {
		m.Concurrency, m.ConcurrencyInitial = 48, 4
	})
	var highest atomic.Int64
	stop := hammerInBackground(c, 100, func(s market.Stats) {
		for m := highest.Load(); int64(s.Limit) > m && !highest.CompareAndSwap(m, int64(s.Limit)); m = highest.Load() {
		}
	})
	var grown int
	waitLimit(c, func(l int) bool { grown = l; return l >= 40 && rec.maxSeen.Load() >= 40 }, 10*time.Second)
	stop()
	if grown < 40 || rec.maxSeen.Load() < 40 {
		t.Fatalf("limit %d, at most %d calls at once, under a fast market that refused nothing; want near the ceiling 48 (stats %+v)",
			grown, rec.maxSeen.Load(), c.Stats())
	}
	if h := highest.Load(); h > 48 || rec.maxSeen.Load() > 48 {
		t.Fatalf("limit up to %d, %d calls at the market at once: past the ceiling 48", h, rec.maxSeen.Load())
	}
	if st := c.Stats(); st.InFlight != 0 {
		t.Errorf("%d calls in flight once every caller returned", st.InFlight)
	}
}

// hammerInBackground runs hammer until the returned stop is called, which
// waits for every caller to return.
func hammerInBackground(c *market.Client, workers int, seen func(market.Stats)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); hammer(ctx, c, workers, seen) }()
	return func() { cancel(); <-done }
}

// waitLimit polls the limit until ok accepts it or within passes, and
// returns the last limit read. The limit moves with answers, whose pace a
// loaded machine slows: a deadline, not a fixed wait.
func waitLimit(c *market.Client, ok func(int) bool, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		l := c.Stats().Limit
		if ok(l) || time.Now().After(deadline) {
			return l
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Against a market that serves N calls at once and refuses the rest, the
// limit settles near N, the market refuses a few calls in a row at most,
// and few in all — though the callers ask back to back.
func TestTheLimitConvergesNearTheMarketsCapacity(t *testing.T) {
	for _, capacity := range []int{8, 24} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			sim, rec, c := simMarket(t, marketsim.Config{MaxQuantity: 5, Latency: 20 * time.Millisecond, Capacity: capacity}, nil)
			var late []int
			var mu sync.Mutex
			began := time.Now()
			hammerFor(3*time.Second, c, 4*capacity, func(s market.Stats) {
				if time.Since(began) > 2*time.Second {
					mu.Lock()
					late = append(late, s.Limit)
					mu.Unlock()
				}
			})
			longest, refused, total := rec.longestRefusalRun()
			st := c.Stats()
			t.Logf("capacity %d: %d calls, %d refused (%.1f%%), at most %d in a row; limit in the last second %d..%d; Retry-After held calls %s",
				capacity, total, refused, 100*float64(refused)/float64(total), longest, minOf(late), maxOf(late), st.RetryAfterWait)
			if longest > capacity {
				t.Errorf("%d calls refused in a row, more than the capacity %d", longest, capacity)
			}
			if refused == 0 || st.Busy != int64(refused) || sim.Stats().Refused != int64(refused) {
				t.Errorf("market refused %d, client counted %d 429s, simulator %d: the limit never found the capacity, or miscounted",
					refused, st.Busy, sim.Stats().Refused)
			}
			if float64(refused) > 0.1*float64(total) {
				t.Errorf("%d of %d calls refused: over 10%%", refused, total)
			}
			if mid, hi := medianOf(late), maxOf(late); float64(mid) < 0.5*float64(capacity) || float64(hi) > 1.5*float64(capacity) {
				t.Errorf("limit at most %d and %d at the median in the last second, want near the capacity %d", hi, mid, capacity)
			}
			if st.RetryAfterWait <= 0 {
				t.Errorf("Retry-After never held a call back: %+v", st)
			}
		})
	}
}

func minOf(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func medianOf(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func maxOf(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func TestTimeoutsShrinkTheLimitToTheFloor(t *testing.T) {
	_, rec, c := simMarket(t, marketsim.Config{MaxQuantity: 5, Latency: time.Second}, func(m *market.Config) {
		m.Timeout, m.Concurrency, m.ConcurrencyFloor, m.ConcurrencyInitial = 40*time.Millisecond, 32, 2, 32
	})
	hammerFor(time.Second, c, 32, nil)
	if st := c.Stats(); st.Limit != 2 || st.Timeouts == 0 || st.Breaker != "closed" {
		t.Fatalf("after a second of timeouts the limit is %d, want the floor 2 (stats %+v)", st.Limit, st)
	}
	// Calls stay within the small limit while the market stays slow: two
	// at a time, each given up after 40ms, is at most two per 40ms. (The
	// market itself may see a third at once: a call given up is closed on
	// the client before the market notices.)
	before := rec.arrived.Load()
	hammerFor(400*time.Millisecond, c, 32, nil)
	if n := rec.arrived.Load() - before; n > 2*(400/40+1) {
		t.Errorf("%d calls reached the market in 400ms under a limit of 2 and a timeout of 40ms", n)
	}
}

func TestFiveHundredsShrinkTheLimit(t *testing.T) {
	_, _, c := simMarket(t, marketsim.Config{MaxQuantity: 5, ErrorRate: 1, Latency: 5 * time.Millisecond}, func(m *market.Config) {
		m.Concurrency, m.ConcurrencyInitial = 32, 32
	})
	hammerFor(500*time.Millisecond, c, 32, nil)
	if st := c.Stats(); st.Limit > 2 || st.Errors == 0 {
		t.Fatalf("after half a second of 500s the limit is %d (stats %+v)", st.Limit, st)
	}
}

func TestRisingLatencyShrinksTheLimit(t *testing.T) {
	sim, _, c := simMarket(t, marketsim.Config{MaxQuantity: 5, Latency: 10 * time.Millisecond}, func(m *market.Config) {
		m.Concurrency, m.ConcurrencyInitial = 64, 32
	})
	stop := hammerInBackground(c, 64, nil)
	before := waitLimit(c, func(l int) bool { return l >= 48 }, 10*time.Second)
	if before < 48 {
		stop()
		t.Fatalf("limit %d under a 10ms market that refused nothing, want it grown to 48 or more", before)
	}
	sim.Set(marketsim.Config{MaxQuantity: 5, Latency: 150 * time.Millisecond})
	after := waitLimit(c, func(l int) bool { return float64(l) <= 0.6*float64(before) }, 10*time.Second)
	stop()
	if float64(after) > 0.6*float64(before) {
		t.Fatalf("limit %d with a 10ms market, %d ten seconds after it slowed to 150ms; want it cut", before, after)
	}
	if st := c.Stats(); st.Busy != 0 || st.Errors != 0 || st.Timeouts != 0 {
		t.Errorf("only answer times changed, yet %+v", st)
	}
}

// A market's Retry-After holds every call back, whatever form it takes:
// none reaches the market before it passes.
func TestNoCallIsSentBeforeRetryAfterPasses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		header  func() (string, string)
		atLeast time.Duration
	}{
		{"milliseconds", func() (string, string) { return "Retry-After-Ms", "600" }, 600 * time.Millisecond},
		{"seconds", func() (string, string) { return "Retry-After", "1" }, time.Second},
		{"http date", func() (string, string) {
			return "Retry-After", time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
		}, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var arrivals []time.Time
			var refusedAt time.Time
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				now := time.Now()
				arrivals = append(arrivals, now)
				first := len(arrivals) == 3
				if first {
					refusedAt = now
				}
				mu.Unlock()
				if first {
					k, v := tc.header()
					w.Header().Set(k, v)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				time.Sleep(5 * time.Millisecond)
				_, _ = w.Write([]byte(`{"quantitySold":1}`))
			}))
			t.Cleanup(srv.Close)
			c, err := market.New(market.Config{
				URL: srv.URL + "/buy", Timeout: 5 * time.Second, Concurrency: 8, ConcurrencyInitial: 8,
				BreakerFailures: 1, BreakerCooldown: time.Hour, Logger: quiet(),
			})
			if err != nil {
				t.Fatal(err)
			}
			var busy atomic.Int64
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range 3 {
						if _, err := c.Buy(context.Background(), "lemon"); errors.Is(err, market.ErrBusy) {
							busy.Add(1)
						} else if err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			// Calls sent before the refusal reached the client may arrive
			// just after it (on a loaded machine, a while after); none
			// later, until the wait has passed.
			const grace = 200 * time.Millisecond
			for _, at := range arrivals {
				if d := at.Sub(refusedAt); d > grace && d < tc.atLeast {
					t.Errorf("a call reached the market %s after a refusal that asked for %s", d, tc.atLeast)
				}
			}
			st := c.Stats()
			if busy.Load() != 1 || st.Busy != 1 || st.Breaker != "closed" || len(arrivals) != 24 {
				t.Errorf("%d callers saw ErrBusy, %d arrivals, stats %+v: want one 429 that opens no breaker (failures: 1)", busy.Load(), len(arrivals), st)
			}
			if st.RetryAfterWait < tc.atLeast-50*time.Millisecond || st.RetryAfterWait > tc.atLeast+time.Second {
				t.Errorf("Retry-After held calls %s, want about %s", st.RetryAfterWait, tc.atLeast)
			}
		})
	}
}

// A 429 proves the market up: however many, they never open the breaker.
func TestTooManyRequestsNeverOpenTheBreaker(t *testing.T) {
	_, rec, c := simMarket(t, marketsim.Config{MaxQuantity: 5, Latency: 20 * time.Millisecond, Capacity: 2}, func(m *market.Config) {
		m.BreakerFailures, m.ConcurrencyInitial = 1, 32
	})
	hammerFor(500*time.Millisecond, c, 32, nil)
	_, refused, _ := rec.longestRefusalRun()
	if st := c.Stats(); refused == 0 || st.BreakerOpens != 0 || st.Breaker != "closed" || st.Rejected != 0 {
		t.Fatalf("%d refusals; stats %+v: want the breaker closed throughout", refused, st)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
