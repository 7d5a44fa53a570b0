package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/comanda-dev/comanda/internal/config"
	"github.com/comanda-dev/comanda/internal/httpx"
)

// ForService returns the checker a service refuses calls with, or nil when
// checks are off: AUTH_DISABLED, or no AUTH_PUBLIC_KEYS outside production
// (a service started by hand on a laptop). Either way it says so loudly.
func ForService(c config.Common, rdb redis.UniversalClient, log *slog.Logger) (*Checker, error) {
	switch {
	case c.AuthDisabled:
		log.Warn("AUTH_DISABLED=true: every authentication check is OFF; never run this way in production")
		return nil, nil
	case c.AuthPublicKeys == "":
		log.Warn("AUTH_PUBLIC_KEYS is not set: the API is NOT authenticated (refused when APP_ENV=production)")
		return nil, nil
	}
	keys, err := ParsePublicKeys(c.AuthPublicKeys)
	if err != nil {
		return nil, err
	}
	v, err := NewVerifier(keys)
	if err != nil {
		return nil, err
	}
	return NewChecker(v, NewRegistry(rdb, c.StreamPrefix)), nil
}

// TokenFrom returns the bearer token, or the session cookie's.
func TokenFrom(c *fiber.Ctx) string {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return c.Cookies(CookieName)
}

// checkTimeout bounds a session lookup.
const checkTimeout = 2 * time.Second

// Require refuses a call without a live session: 401, or 503 when sessions
// cannot be checked. A nil checker lets everything through (checks off).
// The session is in c.Locals("session").
func Require(ch *Checker) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if ch == nil {
			return c.Next()
		}
		s, err := ch.CheckRequest(c, TokenFrom(c))
		if err != nil {
			return err
		}
		c.Locals("session", s)
		return c.Next()
	}
}

// CheckRequest checks token for a request, answering the errors a client
// gets: 401 for no live session, 503 when that cannot be told.
func (c *Checker) CheckRequest(fc *fiber.Ctx, token string) (Session, error) {
	ctx, cancel := context.WithTimeout(fc.UserContext(), checkTimeout)
	defer cancel()
	s, err := c.Check(ctx, token)
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, ErrUnavailable):
		return Session{}, httpx.Errorf(http.StatusServiceUnavailable, "sessions_unavailable", "sessions cannot be checked now; try again in a moment")
	default:
		return Session{}, Unauthorized()
	}
}

// Unauthorized is the answer to a call without a live session.
func Unauthorized() error {
	return httpx.Errorf(http.StatusUnauthorized, "unauthorized", "log in first: this needs the manager's session")
}
