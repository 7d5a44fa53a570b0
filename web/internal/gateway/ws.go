package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/comanda-dev/comanda/internal/auth"
	"github.com/comanda-dev/comanda/internal/httpx"
)

// feedRelay joins a browser's WebSocket to inventory-app's feed: one goroutine
// copies each direction, so each connection has exactly one writer.
type feedRelay struct {
	upstream string // ws://host:port/ws
	sessions *Sessions
	log      *slog.Logger
	dialer   *fws.Dialer

	mu    sync.Mutex
	conns map[*websocket.Conn]struct{}
}

func newFeedRelay(inventoryURL string, sessions *Sessions, log *slog.Logger) *feedRelay {
	up := strings.Replace(strings.TrimRight(inventoryURL, "/"), "http", "ws", 1) + "/ws"
	return &feedRelay{
		upstream: up, sessions: sessions, log: log,
		dialer: &fws.Dialer{HandshakeTimeout: 5 * time.Second, ReadBufferSize: 32 << 10, WriteBufferSize: 4 << 10},
		conns:  map[*websocket.Conn]struct{}{},
	}
}

// admit checks the upgrade before it happens: a WebSocket request, from this
// origin, with a valid session.
func (f *feedRelay) admit(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return httpx.Errorf(http.StatusUpgradeRequired, "websocket_required", "connect with a WebSocket")
	}
	token := auth.TokenFrom(c)
	if token == "" {
		token = c.Query("token")
	}
	if _, err := f.sessions.Check(token); err != nil {
		return unauthorized()
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" && !strings.EqualFold(o, c.BaseURL()) {
		return httpx.Errorf(http.StatusForbidden, "cross_origin", "the feed is served to this site's pages only")
	}
	// Copies: the request's buffers are reused once the connection is hijacked.
	c.Locals("token", strings.Clone(token))
	c.Locals("query", string(c.Request().URI().QueryString()))
	return c.Next()
}

func (f *feedRelay) serve(conn *websocket.Conn) {
	f.track(conn, true)
	defer f.track(conn, false)
	token, _ := conn.Locals("token").(string)
	query, _ := conn.Locals("query").(string)
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	url := f.upstream
	if query != "" {
		url += "?" + query
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	up, _, err := f.dialer.DialContext(ctx, url, header)
	cancel()
	if err != nil {
		f.log.Warn("connecting to the feed", "err", err)
		closeWith(conn.Conn, fws.CloseTryAgainLater, "feed unavailable")
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { pipe(up, conn.Conn); done <- struct{}{} }()
	go func() { pipe(conn.Conn, up); done <- struct{}{} }()
	<-done
	closeWith(conn.Conn, fws.CloseNormalClosure, "")
	closeWith(up, fws.CloseNormalClosure, "")
}

// pipe copies messages from src to dst until either fails, passing a close
// frame on.
func pipe(dst, src *fws.Conn) {
	for {
		mt, msg, err := src.ReadMessage()
		if err != nil {
			if ce, ok := err.(*fws.CloseError); ok {
				closeWith(dst, ce.Code, ce.Text)
			}
			return
		}
		if err := dst.WriteMessage(mt, msg); err != nil {
			return
		}
	}
}

func closeWith(c *fws.Conn, code int, text string) {
	_ = c.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}

func (f *feedRelay) track(c *websocket.Conn, add bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if add {
		f.conns[c] = struct{}{}
	} else {
		delete(f.conns, c)
	}
}

// closeAll ends every relayed connection; app.Shutdown does not close
// WebSockets.
func (f *feedRelay) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		closeWith(c.Conn, fws.CloseGoingAway, "server shutting down")
		_ = c.Close()
	}
}
