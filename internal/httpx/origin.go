package httpx

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// SameSite reports whether a request's Origin, when it has one, names the
// host the request was sent to. Only the Host header counts: Fiber's
// BaseURL and Hostname believe X-Forwarded-Host, which any client can send,
// so a page on another site could name itself there. The scheme is left out
// on purpose: behind a proxy that ends TLS the page is https while the
// gateway hears http, and the host is what tells sites apart. A request
// without Origin comes from a program, not a page (browsers send one with
// every cross-site write and WebSocket), and passes; "null" and anything
// that is not a bare scheme://host[:port] do not.
func SameSite(c *fiber.Ctx) bool {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	host := c.Request().Header.Host()
	return len(host) > 0 && strings.EqualFold(u.Host, string(host))
}
