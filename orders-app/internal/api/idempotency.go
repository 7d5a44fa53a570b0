package api

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/httpx"
	"github.com/comanda-dev/comanda/orders-app/internal/order"
)

const (
	headerKey      = "Idempotency-Key"
	headerReplayed = "Idempotent-Replayed"
)

// idempotencyKey returns the request's Idempotency-Key, copied out of
// Fiber's buffers: "" when there is none. A header sent empty is a malformed
// key, not an absent one.
func idempotencyKey(c *fiber.Ctx) (string, error) {
	values := c.GetReqHeaders()[headerKey]
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		if values[0] == "" {
			return "", order.CheckKey("")
		}
		return strings.Clone(values[0]), nil
	}
	return "", httpx.Errorf(http.StatusBadRequest, "invalid_idempotency_key", "send one Idempotency-Key header, not several")
}
