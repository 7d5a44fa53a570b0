package auth

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/httpx"
)

// ForService returns the keys a service checks tokens with, or nil when
// checks are off: AUTH_DISABLED, or no AUTH_SECRET outside production (a
// service started by hand on a laptop). Either way it says so loudly.
func ForService(c config.Common, log *slog.Logger) (*Keys, error) {
	switch {
	case c.AuthDisabled:
		log.Warn("AUTH_DISABLED=true: every authentication check is OFF; never run this way in production")
		return nil, nil
	case c.AuthSecret == "":
		log.Warn("AUTH_SECRET is not set: writes are NOT authenticated (refused when APP_ENV=production)")
		return nil, nil
	}
	return NewKeys(c.AuthSecret)
}

// TokenFrom returns the token a request carries: a bearer token, else the
// session cookie.
func TokenFrom(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return c.Cookies(CookieName)
}

// RequireForWrites refuses every request that changes something (any method
// but GET, HEAD and OPTIONS) without a valid token, so a service cannot be
// written to from inside the network without the manager's session. keys
// nil lets everything through.
func RequireForWrites(keys *Keys) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if keys == nil {
			return c.Next()
		}
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		return Require(keys)(c)
	}
}

// Require refuses any request without a valid token and stores the session
// in c.Locals("session").
func Require(keys *Keys) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if keys == nil {
			return c.Next()
		}
		s, err := keys.Verify(TokenFrom(c), time.Now())
		if err != nil {
			return httpx.Errorf(http.StatusUnauthorized, "unauthorized", "log in first: this needs the manager's session")
		}
		c.Locals("session", s)
		return c.Next()
	}
}
