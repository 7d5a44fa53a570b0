package httpx

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// IntQuery reads an optional whole-number query parameter; 0 when absent, a
// 400 naming the parameter when malformed.
func IntQuery(c *fiber.Ctx, name string) (int, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, Errorf(http.StatusBadRequest, "invalid_"+name, name+" must be a whole number")
	}
	return n, nil
}

// Context returns the request's context bounded by timeout, for use cases.
func Context(c *fiber.Ctx, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), timeout)
}
