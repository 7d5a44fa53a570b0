package gateway

import (
	"log/slog"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/comanda-dev/comanda/internal/httpx"
)

// Options configure the gateway.
type Options struct {
	Manager  Manager
	Sessions *Sessions
	// Upstreams maps the API names (orders, kitchen, inventory) to the
	// services' base URLs.
	Upstreams map[string]string
	Timeout   time.Duration
	// SecureCookie marks the session cookie HTTPS-only.
	SecureCookie bool
	// LoginAttempts is how many logins one address may try a minute.
	LoginAttempts int
	Log           *slog.Logger
}

// Gateway serves the login, the proxied APIs and the feed.
type Gateway struct {
	login *loginHandlers
	proxy *apiProxy
	feed  *feedRelay
}

// New returns the gateway.
func New(opt Options) *Gateway {
	if opt.LoginAttempts <= 0 {
		opt.LoginAttempts = 10
	}
	return &Gateway{
		login: &loginHandlers{manager: opt.Manager, sessions: opt.Sessions, secure: opt.SecureCookie, attempts: opt.LoginAttempts},
		proxy: newAPIProxy(opt.Upstreams, opt.Sessions, opt.Timeout),
		feed:  newFeedRelay(opt.Upstreams["inventory"], opt.Sessions, opt.Log),
	}
}

// Register adds the gateway's routes.
func (g *Gateway) Register(app *fiber.App) {
	app.Post("/api/login", limiter.New(limiter.Config{
		Max: g.login.attempts, Expiration: time.Minute,
		LimitReached: func(*fiber.Ctx) error {
			return httpx.Errorf(fiber.StatusTooManyRequests, "too_many_attempts", "too many login attempts; wait a minute")
		},
	}), g.login.login)
	app.Post("/api/logout", g.login.logout)
	app.Get("/api/me", g.login.me)
	app.All("/api/:service/*", g.proxy.forward)
	app.Get("/ws", g.feed.admit, websocket.New(g.feed.serve, websocket.Config{ReadBufferSize: 4 << 10, WriteBufferSize: 32 << 10}))
}

// CloseFeeds ends every relayed WebSocket, for shutdown.
func (g *Gateway) CloseFeeds() { g.feed.closeAll() }
