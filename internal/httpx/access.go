package httpx

import (
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"
)

// HeaderRequestID carries a request's id from the gateway to the services
// and back to the client.
const HeaderRequestID = fiber.HeaderXRequestID

// maxRequestID bounds an id taken from a request: a longer one is replaced.
const maxRequestID = 128

// RequestID gives every request an id: the X-Request-ID it came with when
// trusted says so (nil: always) and the id is short and printable, else a
// new UUID. The id is answered in X-Request-ID and read by AccessLog.
func RequestID(trusted func(*fiber.Ctx) bool) fiber.Handler {
	id := requestid.New(requestid.Config{Header: HeaderRequestID, Generator: func() string { return uuid.NewString() }})
	return func(c *fiber.Ctx) error {
		if v := c.Get(HeaderRequestID); v != "" && ((trusted != nil && !trusted(c)) || !plainID(v)) {
			c.Request().Header.Del(HeaderRequestID)
		}
		return id(c)
	}
}

func plainID(v string) bool {
	if len(v) > maxRequestID {
		return false
	}
	for i := range len(v) {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// AccessLog logs one line per request at info: method, route, path,
// status, duration, bytes answered, the request id and, with the request's
// context, its trace. It answers a handler's error itself (through the
// app's error handler), so that the line has the status and size the
// client gets. Install it after RequestID and the tracing middleware.
func AccessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		if err := c.Next(); err != nil {
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		id, _ := c.Locals("requestid").(string)
		log.InfoContext(c.UserContext(), "request",
			"method", strings.Clone(c.Method()), "route", strings.Clone(c.Route().Path), "path", strings.Clone(c.Path()),
			"status", c.Response().StatusCode(), "ms", float64(time.Since(start).Microseconds())/1000,
			"bytes", len(c.Response().Body()), "requestId", id)
		return nil
	}
}
