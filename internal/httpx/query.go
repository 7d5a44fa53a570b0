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

// Timeout bounds every request it guards: a handler's c.UserContext()
// ends after d, and a store that does not answer by then is answered 503
// (errorHandler).
func Timeout(d time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), d)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}
