package market

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	// Concurrency bounds the calls in flight, across all ingredients.
	Concurrency int
	// BreakerFailures is how many consecutive failures open the breaker.
	BreakerFailures int
	// BreakerCooldown is how long the breaker stays open before a probe.
	BreakerCooldown time.Duration
	// ObserveLatency, when set, receives the duration of every answered
	// call, in seconds.
	ObserveLatency func(seconds float64)
	Logger         *slog.Logger
}

// Client buys from the farmers market. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	timeout time.Duration
	http    *http.Client
	sem     chan struct{}
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
	case cfg.BreakerFailures < 1:
		return nil, errors.New("market breaker failures must be at least 1")
	case cfg.BreakerCooldown <= 0:
		return nil, errors.New("market breaker cooldown must be positive")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = cfg.Concurrency
	tr.MaxIdleConnsPerHost = cfg.Concurrency
	// HTTP/1.1 only: the HTTP/2 transport resends a request on another
	// connection after some stream errors, and a resent buy sells twice.
	tr.ForceAttemptHTTP2 = false
	tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	c := &Client{
		base:    base,
		timeout: cfg.Timeout,
		http:    &http.Client{Transport: tr},
		sem:     make(chan struct{}, cfg.Concurrency),
		count:   &counters{},
		observe: cfg.ObserveLatency,
	}
	c.breaker = newBreaker(cfg.BreakerFailures, cfg.BreakerCooldown, c.count, cfg.Logger)
	return c, nil
}

// Buy asks the market for ingredient and returns the quantity sold (0: none
// now). ctx bounds the wait for a free slot of the semaphore and decides
// whether the call is sent; once sent, the call runs to its answer or to the
// timeout even if ctx ends meanwhile, because a market that answered has
// sold, and its answer must reach the books. The request is sent once at
// most: the client never retries by itself.
func (c *Client) Buy(ctx context.Context, ingredient string) (int, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-c.sem }()
	q, err := c.breaker.Execute(func() (int, error) { return c.call(ctx, ingredient) })
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

func (c *Client) call(ctx context.Context, ingredient string) (int, error) {
	if ctx.Err() != nil {
		return 0, errAbandoned
	}
	// Detached from ctx: see Buy. The timeout still bounds it.
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodGet, c.urlFor(ingredient), nil)
	if err != nil {
		return 0, fmt.Errorf("building market request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Body = sendOnce{}
	c.count.calls.Add(1)
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, c.failed(callCtx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, c.failed(callCtx, err)
	}
	if c.observe != nil {
		c.observe(time.Since(start).Seconds())
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		c.count.errors.Add(1)
		return 0, fmt.Errorf("%w: HTTP %d", ErrStatus, resp.StatusCode)
	}
	q, err := parseQuantity(body)
	if err != nil {
		c.count.errors.Add(1)
		return 0, err
	}
	if q == 0 {
		c.count.zeros.Add(1)
	}
	c.count.units.Add(int64(q))
	return q, nil
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

// Stats returns the counters and the breaker's state.
func (c *Client) Stats() Stats {
	return Stats{
		Calls:        c.count.calls.Load(),
		Zeros:        c.count.zeros.Load(),
		Errors:       c.count.errors.Load(),
		Timeouts:     c.count.timeouts.Load(),
		UnitsBought:  c.count.units.Load(),
		Rejected:     c.count.rejected.Load(),
		BreakerOpens: c.count.opens.Load(),
		Breaker:      c.breaker.State().String(),
	}
}
