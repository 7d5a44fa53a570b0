package gateway

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
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
	// LoginAttempts is how many logins one client address may try a
	// minute.
	LoginAttempts int
	// Redis keeps the login limits (and, through Sessions, the sessions)
	// under Prefix, shared by every gateway.
	Redis  redis.UniversalClient
	Prefix string
	// FeedsPerSession and FeedsInAll cap the relayed feeds (defaults 8
	// and 1000).
	FeedsPerSession, FeedsInAll int
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed (none: the peer is the client).
	TrustedProxies []netip.Prefix
	Log            *slog.Logger
	// Tracer, when set, traces each proxied call and passes the trace on
	// to the service.
	Tracer trace.Tracer
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
	if opt.FeedsPerSession <= 0 {
		opt.FeedsPerSession = 8
	}
	if opt.FeedsInAll <= 0 {
		opt.FeedsInAll = 1000
	}
	var limits *loginLimits
	if opt.Redis != nil {
		limits = newLoginLimits(opt.Redis, opt.Prefix, opt.LoginAttempts)
	}
	return &Gateway{
		login: &loginHandlers{manager: opt.Manager, sessions: opt.Sessions, secure: opt.SecureCookie, limits: limits, trusted: opt.TrustedProxies},
		proxy: newAPIProxy(opt.Upstreams, opt.Sessions, opt.Timeout, opt.Tracer),
		feed:  newFeedRelay(opt.Upstreams["inventory"], opt.Sessions, opt.FeedsPerSession, opt.FeedsInAll, opt.Log),
	}
}

// Register adds the gateway's routes.
func (g *Gateway) Register(app *fiber.App) {
	app.Post("/api/login", g.login.login)
	app.Post("/api/logout", g.login.logout)
	app.Get("/api/me", g.login.me)
	app.All("/api/:service/*", g.proxy.forward)
	app.Get("/ws", g.feed.admit, websocket.New(g.feed.serve, websocket.Config{ReadBufferSize: 4 << 10, WriteBufferSize: 32 << 10}))
}

// CloseFeeds ends every relayed WebSocket, for shutdown.
func (g *Gateway) CloseFeeds() { g.feed.closeAll() }
