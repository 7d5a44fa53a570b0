package gateway

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/httpx"
)

// sameOrigin refuses a write that a browser sent from another site. The
// SameSite=Strict cookie already keeps it from carrying the session; this
// covers browsers that ignore SameSite.
func sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return nil
	}
	if httpx.SameSite(c) {
		return nil
	}
	return httpx.Errorf(http.StatusForbidden, "cross_origin", "requests from other sites are refused")
}
