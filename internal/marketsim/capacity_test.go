package marketsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// served is one answer read off the wire.
type served struct {
	status     int
	quantity   int
	retryAfter string
	retryMs    string
	code       string
}

func get(t *testing.T, base, ingredient string) served {
	t.Helper()
	resp, err := http.Get(base + BuyPath + "?ingredient=" + ingredient)
	if err != nil {
		t.Error(err)
		return served{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := served{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), retryMs: resp.Header.Get("Retry-After-Ms")}
	if a.status == http.StatusOK {
		a.quantity, _ = parseQuantity(a.status, body)
		return a
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		t.Errorf("status %d with a body that is not JSON: %q", a.status, body)
	}
	a.code = e.Error.Code
	return a
}

func start(t *testing.T, cfg Config) (*Simulator, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, base, err := Start(ctx, "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, base
}

func (s *Simulator) serving() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inService
}

func waitServing(t *testing.T, s *Simulator, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.serving() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls in service, want %d", s.serving(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Capacity calls are served at once; the next is refused at once with 429
// and the wait, in whole seconds and in milliseconds; once a place frees,
// calls are served again.
func TestCapacityRefusesPastItWithRetryAfter(t *testing.T) {
	const capacity, latency = 3, 300 * time.Millisecond
	s, base := start(t, Config{MaxQuantity: 5, Seed: 7, Capacity: capacity, Latency: latency})
	var wg sync.WaitGroup
	for range capacity {
		wg.Go(func() {
			if a := get(t, base, "rice"); a.status != http.StatusOK {
				t.Errorf("a call within capacity answered %+v", a)
			}
		})
	}
	waitServing(t, s, capacity)
	for range 5 {
		began := time.Now()
		a := get(t, base, "rice")
		if a.status != http.StatusTooManyRequests || a.code != "too_many_requests" {
			t.Fatalf("a call past capacity answered %+v, want 429 too_many_requests", a)
		}
		if took := time.Since(began); took > latency/2 {
			t.Errorf("the refusal took %s: a busy market refuses at once", took)
		}
		if a.retryAfter != "1" || a.retryMs != "300" {
			t.Errorf("Retry-After %q, Retry-After-Ms %q; want 1 (whole seconds, rounded up) and 300", a.retryAfter, a.retryMs)
		}
	}
	wg.Wait()
	if a := get(t, base, "rice"); a.status != http.StatusOK {
		t.Fatalf("after the calls in service were answered: %+v", a)
	}
	st := s.Stats()
	if st.Calls != capacity+6 || st.Refused != 5 || st.Sold+st.Zeros != capacity+1 || st.ByIngredient["rice"].Calls != capacity+6 {
		t.Errorf("stats %+v: want %d calls, 5 refused", st, capacity+6)
	}
}

func TestRetryAfterKnobSetsTheWait(t *testing.T) {
	s, base := start(t, Config{MaxQuantity: 5, Seed: 7, Capacity: 1, Latency: 300 * time.Millisecond, RetryAfter: 1500 * time.Millisecond})
	done := make(chan struct{})
	go func() { defer close(done); get(t, base, "meat") }()
	waitServing(t, s, 1)
	if a := get(t, base, "meat"); a.status != http.StatusTooManyRequests || a.retryAfter != "2" || a.retryMs != "1500" {
		t.Errorf("answered %+v; want 429 with Retry-After 2 and Retry-After-Ms 1500", a)
	}
	<-done
}

// Calls refused for capacity take no random draw: the calls served get the
// answers the seed gives them, refusals or not.
func TestRefusedCallsLeaveTheAnswersOfTheSeed(t *testing.T) {
	const latency = 100 * time.Millisecond
	s, base := start(t, Config{MaxQuantity: 5, Seed: 9, Capacity: 1, Latency: latency})
	var got []int
	for range 4 {
		done := make(chan served)
		go func() { done <- get(t, base, "tomato") }()
		waitServing(t, s, 1)
		for range 3 {
			if a := get(t, base, "tomato"); a.status != http.StatusTooManyRequests {
				t.Fatalf("a second call at capacity 1 answered %+v", a)
			}
		}
		got = append(got, (<-done).quantity)
	}
	_, plain := start(t, Config{MaxQuantity: 5, Seed: 9})
	for i, q := range got {
		if want := get(t, plain, "tomato").quantity; q != want {
			t.Fatalf("call %d sold %d with refusals around it, %d without", i, q, want)
		}
	}
}

// A capacity set while the market runs applies to the next call; 0 lifts it.
func TestCapacityChangesAtRunTime(t *testing.T) {
	s, base := start(t, Config{MaxQuantity: 5, Seed: 3, Latency: 200 * time.Millisecond})
	done := make(chan struct{})
	go func() { defer close(done); get(t, base, "onion") }()
	waitServing(t, s, 1)
	s.Set(Config{MaxQuantity: 5, Latency: 200 * time.Millisecond, Capacity: 1})
	if a := get(t, base, "onion"); a.status != http.StatusTooManyRequests || a.retryMs != "200" {
		t.Errorf("at capacity 1 with one call in service: %+v, want 429 after one latency", a)
	}
	s.Set(Config{MaxQuantity: 5, Capacity: 0})
	if a := get(t, base, "onion"); a.status != http.StatusOK {
		t.Errorf("with capacity lifted: %+v", a)
	}
	<-done
}

func TestEnvChecksCapacityAndRetryAfter(t *testing.T) {
	c, err := Env{MaxQuantity: 5, Capacity: 64, RetryAfter: 50 * time.Millisecond}.Config()
	if err != nil || c.Capacity != 64 || c.RetryAfter != 50*time.Millisecond {
		t.Fatalf("got %+v, %v", c, err)
	}
	for name, e := range map[string]Env{
		"MARKET_CAPACITY":    {MaxQuantity: 5, Capacity: -1},
		"MARKET_RETRY_AFTER": {MaxQuantity: 5, RetryAfter: -time.Second},
	} {
		if _, err := e.Config(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%+v: got %v, want an error naming %s", e, err, name)
		}
	}
}
