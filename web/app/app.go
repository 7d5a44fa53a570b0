// Package app wires the web gateway: the dashboard, the manager's login, the
// proxied service APIs and the feed. main and the all-in-one runner both call
// Run.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/swagger"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
	_ "github.com/comanda-dev/comanda/web/docs" // registers the swagger spec
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
func New(_ context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log.Info("starting web", "config", cfg)
	a := &App{cfg: cfg, log: log}

	// 1. Sessions and the manager's account.
	var keys *auth.Keys
	if cfg.AuthDisabled {
		log.Warn("AUTH_DISABLED=true: the dashboard and every API are open to anyone who can reach them; never run this way in production")
	} else {
		var err error
		if keys, err = auth.NewKeys(cfg.AuthSecret); err != nil {
			return nil, err
		}
	}
	sessions := gateway.NewSessions(keys, cfg.SessionTTL)
	var manager gateway.Manager
	if !cfg.AuthDisabled {
		var err error
		if manager, err = gateway.NewManager(cfg.ManagerUser, cfg.ManagerPassword, cfg.ManagerPasswordHash); err != nil {
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
	})
	a.http = httpx.New(httpx.Options{
		Service:  "web",
		Logger:   log,
		Registry: httpx.NewRegistry(),
		Ready:    upstreamChecks(upstreams),
	})
	a.http.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
	}))
	a.http.Get("/documentation/*", swagger.New(swagger.Config{InstanceName: "web", Title: "Comanda web gateway"}))
	a.gateway.Register(a.http)
	dashboard.Register(a.http)

	// 3. The listener.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	a.ln = ln
	return a, nil
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
	a.log.Info("web ready", "addr", a.Addr())
	err := httpx.ServeListener(ctx, a.http, a.ln, a.cfg.ShutdownTimeout/2)
	a.log.Info("web stopped")
	return err
}
