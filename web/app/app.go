// Package app wires the web gateway: the dashboard, the manager's login, the
// proxied service APIs and the feed. main and the all-in-one runner both call
// Run.
package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/apidocs"
	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/internal/lifecycle"
	"github.com/comanda-dev/comanda/internal/tracing"
	"github.com/comanda-dev/comanda/internal/tracing/instrument"
	"github.com/comanda-dev/comanda/web/docs"
	"github.com/comanda-dev/comanda/web/internal/dashboard"
	"github.com/comanda-dev/comanda/web/internal/gateway"
)

// App is a started gateway: New prepares it, Run serves.
type App struct {
	cfg     Config
	log     *slog.Logger
	gateway *gateway.Gateway
	http    *fiber.App
	ln      net.Listener
	rdb     *redis.Client
	tracing *tracing.Provider
	// Registry holds the gateway's metrics, served at /metrics.
	Registry *httpx.Registry
}

// Run starts the gateway and serves until ctx ends.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	a, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// New checks the configuration, prepares the manager's account and listens.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting web", "config", cfg)
	a := &App{cfg: cfg, log: log, Registry: httpx.NewRegistry()}

	// 1. Tracing, Redis, sessions and the manager's account.
	tp, err := lifecycle.OpenTracing(ctx, "web", cfg.Tracing, log)
	if err != nil {
		return nil, err
	}
	a.tracing = tp
	rdb, err := lifecycle.ConnectRedis(ctx, log, cfg.RedisURL, 16)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.rdb = rdb
	if err := instrument.Redis(a.tracing, rdb); err != nil {
		a.Close()
		return nil, fmt.Errorf("tracing redis: %w", err)
	}
	var signer *auth.Signer
	var checker *auth.Checker
	if cfg.AuthDisabled {
		log.Warn("AUTH_DISABLED=true: the dashboard and every API are open to anyone who can reach them; never run this way in production")
	} else if signer, checker, err = sessionKeys(cfg, rdb); err != nil {
		a.Close()
		return nil, err
	}
	sessions := gateway.NewSessions(signer, checker, cfg.SessionTTL)
	trusted, _ := gateway.ParseTrustedProxies(cfg.TrustedProxies)
	var manager gateway.Manager
	if !cfg.AuthDisabled {
		if manager, err = gateway.NewManager(cfg.ManagerUser, cfg.ManagerPassword, cfg.ManagerPasswordHash); err != nil {
			a.Close()
			return nil, fmt.Errorf("preparing the manager account: %w", err)
		}
	}

	// 2. The gateway and the dashboard.
	upstreams := map[string]string{
		"orders":    strings.TrimRight(cfg.OrdersURL, "/"),
		"kitchen":   strings.TrimRight(cfg.KitchenURL, "/"),
		"inventory": strings.TrimRight(cfg.InventoryURL, "/"),
	}
	a.gateway = gateway.New(gateway.Options{
		Manager: manager, Sessions: sessions, Upstreams: upstreams, Timeout: cfg.RequestTimeout,
		SecureCookie: cfg.CookieSecure || cfg.Production(), Log: log,
		Redis: rdb, Prefix: cfg.StreamPrefix, TrustedProxies: trusted, LoginAttempts: cfg.LoginAttempts,
		FeedsPerSession: cfg.FeedsPerSession, FeedsInAll: cfg.FeedsInAll, Tracer: a.tracing.Tracer(),
	})
	a.http = httpx.New(httpx.Options{
		Service:  "web",
		Logger:   log,
		Registry: a.Registry,
		Ready:    append(upstreamChecks(upstreams), httpx.Check{Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }}),
	})
	// Every request below the probes gets a span (tracing on), an id (kept
	// from a trusted proxy) and a line in the access log; the proxy
	// forwards the trace and the id.
	if mw := instrument.Fiber(a.tracing); mw != nil {
		a.http.Use(mw)
	}
	a.http.Use(httpx.RequestID(gateway.FromTrustedProxy(trusted)), httpx.AccessLog(log))
	a.http.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
	}))
	if cfg.CookieSecure || cfg.Production() {
		// Served over HTTPS (the load balancer ends TLS): browsers keep to
		// it. Browsers ignore the header on plain HTTP.
		a.http.Use(func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
			return c.Next()
		})
	}
	apidocs.Mount(a.http, docs.Spec)
	a.gateway.Register(a.http)
	dashboard.Register(a.http)

	// 3. The listener.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	a.ln = ln
	return a, nil
}

// sessionKeys are the gateway's signing key and the checker of the tokens
// it (and, during a rotation, its previous key) signed.
func sessionKeys(cfg Config, rdb redis.UniversalClient) (*auth.Signer, *auth.Checker, error) {
	priv, err := auth.ParsePrivateKey(cfg.AuthPrivateKey)
	if err != nil {
		return nil, nil, err
	}
	signer, err := auth.NewSigner(cfg.AuthKeyID, priv)
	if err != nil {
		return nil, nil, err
	}
	keys := map[string]ed25519.PublicKey{}
	if cfg.AuthPublicKeys != "" {
		if keys, err = auth.ParsePublicKeys(cfg.AuthPublicKeys); err != nil {
			return nil, nil, err
		}
	}
	keys[cfg.AuthKeyID] = priv.Public().(ed25519.PublicKey)
	verifier, err := auth.NewVerifier(keys)
	if err != nil {
		return nil, nil, err
	}
	return signer, auth.NewChecker(verifier, auth.NewRegistry(rdb, cfg.StreamPrefix)), nil
}

// Close closes what New opened, for a gateway that will not Run.
func (a *App) Close() {
	if a.ln != nil {
		_ = a.ln.Close()
	}
	if a.rdb != nil {
		_ = a.rdb.Close()
	}
	lifecycle.CloseTracing(a.tracing, a.cfg.ShutdownTimeout, a.log)
	a.tracing = nil
}

// upstreamChecks makes readiness depend on the services answering /health.
func upstreamChecks(upstreams map[string]string) []httpx.Check {
	client := &http.Client{Timeout: 2 * time.Second}
	var checks []httpx.Check
	for _, name := range []string{"orders", "kitchen", "inventory"} {
		url := upstreams[name] + "/health"
		checks = append(checks, httpx.Check{Name: name, Ping: func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health answered %d", resp.StatusCode)
			}
			return nil
		}})
	}
	return checks
}

// Addr is the address the gateway listens on.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Run serves until ctx ends, then closes the feeds (Fiber's shutdown does
// not close WebSockets) and drains requests in flight.
func (a *App) Run(ctx context.Context) error {
	stop := context.AfterFunc(ctx, a.gateway.CloseFeeds)
	defer stop()
	defer a.Close()
	return lifecycle.Run(ctx, lifecycle.Parts{Name: "web", Log: a.log, HTTP: a.http, Listener: a.ln, Grace: a.cfg.ShutdownTimeout / 2})
}
