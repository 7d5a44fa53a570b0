package market

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"time"

	"github.com/sony/gobreaker/v2"
)

var (
	// ErrUnavailable reports a call the circuit breaker refused: the market
	// failed too often lately.
	ErrUnavailable = errors.New("market unavailable (circuit breaker open)")
	// ErrTimeout reports a call that took longer than the timeout.
	ErrTimeout = errors.New("market call timed out")
	// ErrMalformed reports an answer that breaks the contract.
	ErrMalformed = errors.New("market answer breaks the contract")
	// ErrStatus reports a non-2xx answer.
	ErrStatus = errors.New("market answered with an error status")
	// ErrBusy reports a 429 Too Many Requests: the market is up, at its
	// capacity, and asks for fewer calls.
	ErrBusy = errors.New("market busy (429 Too Many Requests)")

	// errAbandoned marks a call never sent because its caller went away;
	// the breaker ignores it.
	errAbandoned = errors.New("market call abandoned")
)

// maxBody bounds what is read of an answer; a real one is a few bytes.
const maxBody = 4 << 10

// Config configures a Client.
type Config struct {
	// URL is the buy endpoint, e.g. http://127.0.0.1:3010/api/farmers-market/buy.
	URL string
	// Timeout bounds each call.
	Timeout time.Duration
	// Concurrency is the ceiling of the calls in flight, across all
	// ingredients. Below it the client adapts its limit to the market:
	// it grows while answers come back good and as fast as lately, and
	// shrinks on refusals (429), 5xx, timeouts and slower answers.
	Concurrency int
	// ConcurrencyFloor is the least the limit shrinks to (0: 1).
	ConcurrencyFloor int
	// ConcurrencyInitial is the limit at the start, from which it grows
	// fast until the market first pushes back (0: DefaultInitial, at most
	// Concurrency).
	ConcurrencyInitial int
	// BreakerFailures is how many consecutive failures open the breaker.
	BreakerFailures int
	// BreakerCooldown is how long the breaker stays open before a probe.
	BreakerCooldown time.Duration
	// ObserveLatency, when set, receives the duration of every answered
	// call, in seconds.
	ObserveLatency func(seconds float64)
	Logger         *slog.Logger
	// Wrap, when set, wraps the client's transport (tracing: a span per
	// call, carrying its traceparent).
	Wrap func(http.RoundTripper) http.RoundTripper
}

// DefaultInitial is the starting limit when none is given: low enough that
// a small market refuses only a few calls at the start, and doubled every
// round trip until the market pushes back.
const DefaultInitial = 4

// Client buys from the farmers market. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	timeout time.Duration
	http    *http.Client
	limit   *limiter
	breaker *gobreaker.CircuitBreaker[int]
	count   *counters
	observe func(float64)
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.URL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("market url %q must be an absolute http(s) URL", cfg.URL)
	}
	switch {
	case cfg.Timeout <= 0:
		return nil, errors.New("market timeout must be positive")
	case cfg.Concurrency < 1:
		return nil, errors.New("market concurrency must be at least 1")
	case cfg.ConcurrencyFloor < 0 || cfg.ConcurrencyFloor > cfg.Concurrency:
		return nil, errors.New("market concurrency floor must be between 1 and the concurrency")
	case cfg.ConcurrencyInitial < 0 || cfg.ConcurrencyInitial > cfg.Concurrency:
		return nil, errors.New("market initial concurrency must be between the floor and the concurrency")
	case cfg.BreakerFailures < 1:
		return nil, errors.New("market breaker failures must be at least 1")
	case cfg.BreakerCooldown <= 0:
		return nil, errors.New("market breaker cooldown must be positive")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	floor := max(cfg.ConcurrencyFloor, 1)
	initial := cfg.ConcurrencyInitial
	if initial == 0 {
		initial = min(max(DefaultInitial, floor), cfg.Concurrency)
	}
	if initial < floor {
		return nil, errors.New("market initial concurrency must be between the floor and the concurrency")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = cfg.Concurrency
	tr.MaxIdleConnsPerHost = cfg.Concurrency
	// HTTP/1.1 only: the HTTP/2 transport resends a request on another
	// connection after some stream errors, and a resent buy sells twice.
	tr.ForceAttemptHTTP2 = false
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	var rt http.RoundTripper = tr
	if cfg.Wrap != nil {
		rt = cfg.Wrap(tr)
	}
	c := &Client{
		base:    base,
		timeout: cfg.Timeout,
		http:    &http.Client{Transport: rt},
		limit:   newLimiter(floor, initial, cfg.Concurrency),
		count:   &counters{},
		observe: cfg.ObserveLatency,
	}
	c.breaker = newBreaker(cfg.BreakerFailures, cfg.BreakerCooldown, c.count, cfg.Logger)
	return c, nil
}

// Buy asks the market for ingredient and returns the quantity sold (0: none
// now). ctx bounds the wait for a slot under the limit and for the end of a
// Retry-After, and decides whether the call is sent; once sent, the call
// runs to its answer or to the timeout even if ctx ends meanwhile, because
// a market that answered has sold, and its answer must reach the books. The
// request is sent once at most: the client never retries by itself.
//
// The limiter and the breaker guard against different things and do not
// overlap. The limiter keeps a healthy market from being asked more than it
// can serve: it learns the capacity from 429s and answer times. The breaker
// stops calling a broken market: only 5xx, timeouts, broken connections and
// garbage count against it. A 429 is none of those — the market is up and
// answering, and says so — so the breaker ignores it (neither failure nor
// success); it only cuts the limit and, with its Retry-After, holds every
// call back. 5xx and timeouts do both: they halve the limit at once, and
// enough of them in a row open the breaker, whose probe then starts from
// the small limit they left.
func (c *Client) Buy(ctx context.Context, ingredient string) (int, error) {
	if err := c.limit.acquire(ctx); err != nil {
		return 0, err
	}
	var s sample // unsent unless the call goes out
	defer func() { c.limit.release(s) }()
	if err := c.limit.waitTurn(ctx); err != nil {
		return 0, err
	}
	q, err := c.breaker.Execute(func() (int, error) {
		var q int
		var err error
		q, s, err = c.call(ctx, ingredient)
		return q, err
	})
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		c.count.rejected.Add(1)
		return 0, fmt.Errorf("buying %s: %w", ingredient, ErrUnavailable)
	case errors.Is(err, errAbandoned):
		return 0, ctx.Err()
	case err != nil:
		return 0, fmt.Errorf("buying %s: %w", ingredient, err)
	}
	return q, nil
}

// call sends one request and says, besides the answer, what it tells of the
// market's load.
func (c *Client) call(ctx context.Context, ingredient string) (int, sample, error) {
	if ctx.Err() != nil {
		return 0, sample{}, errAbandoned
	}
	// Detached from ctx: see Buy. The timeout still bounds it.
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodGet, c.urlFor(ingredient), nil)
	if err != nil {
		return 0, sample{}, fmt.Errorf("building market request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Body = sendOnce{}
	c.count.calls.Add(1)
	c.count.inFlight.Add(1)
	defer c.count.inFlight.Add(-1)
	s := sample{signal: failed, sent: time.Now()}
	// The answer's time is taken from when the call has its connection, so
	// that dialling (a TLS handshake to a far market costs round trips)
	// does not look like a slower market each time the limit grows. net/http
	// calls GotConn in this goroutine, before Do returns.
	got := s.sent
	req = req.WithContext(httptrace.WithClientTrace(callCtx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { got = time.Now() },
	}))
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, s, c.failed(callCtx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, s, c.failed(callCtx, err)
	}
	if c.observe != nil {
		c.observe(time.Since(s.sent).Seconds())
	}
	s.rtt = time.Since(got)
	if wait, ok := retryAfter(resp.Header, time.Now()); ok && resp.StatusCode >= 400 {
		c.limit.holdUntil(time.Now().Add(wait))
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		c.count.busy.Add(1)
		s.signal = busy
		return 0, s, ErrBusy
	case resp.StatusCode >= 500:
		c.count.errors.Add(1)
		return 0, s, fmt.Errorf("%w: HTTP %d", ErrStatus, resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		c.count.errors.Add(1)
		s.signal = unsent
		return 0, s, fmt.Errorf("%w: HTTP %d", ErrStatus, resp.StatusCode)
	}
	q, err := parseQuantity(body)
	if err != nil {
		c.count.errors.Add(1)
		s.signal = unsent
		return 0, s, err
	}
	if q == 0 {
		c.count.zeros.Add(1)
	}
	c.count.units.Add(int64(q))
	s.signal = good
	return q, s, nil
}

// failed classifies a transport failure of a call that was sent: its
// deadline is a timeout, anything else an error.
func (c *Client) failed(call context.Context, err error) error {
	if errors.Is(call.Err(), context.DeadlineExceeded) {
		c.count.timeouts.Add(1)
		return fmt.Errorf("%w after %s", ErrTimeout, c.timeout)
	}
	c.count.errors.Add(1)
	return fmt.Errorf("calling the market: %w", err)
}

// sendOnce is the empty body of every market request. net/http resends an
// idempotent request on a fresh connection when a reused one failed before
// the answer, and it counts a GET without a body as idempotent
// (Request.isReplayable). A buy is not idempotent: sent twice, the market
// sells twice and the books count once. A request whose body cannot be
// rewound (a Body and no GetBody) is never resent; the Transport finds the
// body empty before it writes the request, so none goes on the wire.
type sendOnce struct{}

func (sendOnce) Read([]byte) (int, error) { return 0, io.EOF }
func (sendOnce) Close() error             { return nil }

func (c *Client) urlFor(ingredient string) string {
	u := *c.base
	q := u.Query()
	q.Set("ingredient", ingredient)
	u.RawQuery = q.Encode()
	return u.String()
}

// Stats returns the counters, the limit and the breaker's state.
func (c *Client) Stats() Stats {
	limit, _, held := c.limit.state()
	return Stats{
		Limit:          limit,
		InFlight:       c.count.inFlight.Load(),
		Busy:           c.count.busy.Load(),
		RetryAfterWait: held,
		Calls:          c.count.calls.Load(),
		Zeros:          c.count.zeros.Load(),
		Errors:         c.count.errors.Load(),
		Timeouts:       c.count.timeouts.Load(),
		UnitsBought:    c.count.units.Load(),
		Rejected:       c.count.rejected.Load(),
		BreakerOpens:   c.count.opens.Load(),
		Breaker:        c.breaker.State().String(),
	}
}
