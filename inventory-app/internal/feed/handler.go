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

// sessionCheckEvery is how often an open connection's session is checked:
// a logout closes it within about that long.
const sessionCheckEvery = 2 * time.Second

// Register serves the feed at /ws. sessions nil turns the session check
// off; origins lists the browser origins allowed besides the request's own.
func (h *Hub) Register(r fiber.Router, sessions *auth.Checker, origins []string) {
	r.Get("/ws", h.admit(sessions, origins), websocket.New(func(conn *websocket.Conn) { h.serve(conn, sessions) }, websocket.Config{
		ReadBufferSize: 1 << 10, WriteBufferSize: 32 << 10,
	}))
}

// admit checks the upgrade before it happens.
func (h *Hub) admit(sessions *auth.Checker, origins []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !websocket.IsWebSocketUpgrade(c) {
			return httpx.Errorf(http.StatusUpgradeRequired, "websocket_required", "connect with a WebSocket")
		}
		if sessions != nil {
			token := auth.TokenFrom(c)
			if token == "" {
				token = c.Query("token")
			}
			s, err := sessions.CheckRequest(c, token)
			if err != nil {
				return err
			}
			c.Locals("session", s)
		}
		if !httpx.SameSite(c) && !slices.Contains(origins, c.Get(fiber.HeaderOrigin)) {
			return httpx.Errorf(http.StatusForbidden, "cross_origin", "this origin may not open the feed")
		}
		// Copies: the request's buffers are reused once the connection is hijacked.
		c.Locals("since", strings.Clone(c.Query("since")))
		return c.Next()
	}
}

// serve runs one connection; the handler must block for its whole life.
// The connection closes when its session ends (1008).
func (h *Hub) serve(conn *websocket.Conn, sessions *auth.Checker) {
	since, _ := conn.Locals("since").(string)
	c := newClient(conn.Conn, h.opt.ClientQueue)
	if s, ok := conn.Locals("session").(auth.Session); ok && sessions != nil {
		watch, stop := context.WithCancel(context.Background())
		defer stop()
		go func() {
			if sessions.Registry().Watch(watch, s, sessionCheckEvery) {
				c.close(closeSessionEnded, "session ended")
			}
		}()
	}
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
