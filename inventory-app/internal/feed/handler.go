package feed

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
)

const (
	pingEvery = 20 * time.Second
	idleLimit = 60 * time.Second
)

// Register serves the feed at /ws. keys nil turns the session check off;
// origins lists the browser origins allowed besides the request's own.
func (h *Hub) Register(r fiber.Router, keys *auth.Keys, origins []string) {
	r.Get("/ws", h.admit(keys, origins), websocket.New(h.serve, websocket.Config{
		ReadBufferSize: 1 << 10, WriteBufferSize: 32 << 10,
	}))
}

// admit checks the upgrade before it happens.
func (h *Hub) admit(keys *auth.Keys, origins []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !websocket.IsWebSocketUpgrade(c) {
			return httpx.Errorf(http.StatusUpgradeRequired, "websocket_required", "connect with a WebSocket")
		}
		if keys != nil {
			token := auth.TokenFrom(c)
			if token == "" {
				token = c.Query("token")
			}
			if _, err := keys.Verify(token, time.Now()); err != nil {
				return httpx.Errorf(http.StatusUnauthorized, "unauthorized", "log in first: the feed needs the manager's session")
			}
		}
		if o := c.Get(fiber.HeaderOrigin); o != "" && !strings.EqualFold(o, c.BaseURL()) && !slices.Contains(origins, o) {
			return httpx.Errorf(http.StatusForbidden, "cross_origin", "this origin may not open the feed")
		}
		// Copies: the request's buffers are reused once the connection is hijacked.
		c.Locals("since", strings.Clone(c.Query("since")))
		return c.Next()
	}
}

// serve runs one connection; the handler must block for its whole life.
func (h *Hub) serve(conn *websocket.Conn) {
	since, _ := conn.Locals("since").(string)
	c := newClient(conn.Conn, h.opt.ClientQueue)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	err := h.register(ctx, c, since)
	cancel()
	if err != nil {
		code, why := closeInternal, "feed unavailable"
		if err == errClosed {
			code, why = closeGoingAway, "server shutting down"
		}
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, why), time.Now().Add(time.Second))
		return
	}
	written := make(chan struct{})
	go func() {
		c.writeLoop(pingEvery)
		close(written)
	}()
	c.readLoop(idleLimit)
	c.close(closeNormal, "")
	h.unregister(c)
	<-written
}
