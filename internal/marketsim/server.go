package marketsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// shutdownGrace bounds how long in-flight calls may finish once the context
// ends; after it, connections are closed, which also ends calls still
// sleeping through their latency.
const shutdownGrace = 5 * time.Second

// Start listens on addr (e.g. "127.0.0.1:0" for any free port) and serves a
// new market with cfg until ctx ends. It returns the base URL, e.g.
// "http://127.0.0.1:41234"; the market itself is at base URL + BuyPath.
// Serving errors after start-up are not reported: use Listen and Serve when
// they matter.
func Start(ctx context.Context, addr string, cfg Config) (*Simulator, string, error) {
	ln, err := Listen(addr)
	if err != nil {
		return nil, "", err
	}
	s := New(cfg)
	go func() { _ = s.Serve(ctx, ln) }()
	return s, BaseURL(ln.Addr()), nil
}

// Listen opens the TCP listener the market will serve on.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve answers on ln until ctx ends, then shuts down gracefully and
// returns. It closes ln.
func (s *Simulator) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
		// No write timeout: configured latency may be long on purpose.
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serving the market: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close()
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shutting down the market: %w", err)
		}
	}
	<-served
	return nil
}

// BaseURL is the URL a local client reaches addr at: a wildcard address
// (":3010") is reached through the loopback interface.
func BaseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
