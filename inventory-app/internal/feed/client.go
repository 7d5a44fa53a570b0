package feed

import (
	"errors"
	"sync"
	"time"

	fws "github.com/fasthttp/websocket"
)

const (
	closeNormal        = fws.CloseNormalClosure
	closeGoingAway     = fws.CloseGoingAway
	closeTryAgainLater = fws.CloseTryAgainLater
	closeInternal      = fws.CloseInternalServerErr
	closeSessionEnded  = fws.ClosePolicyViolation
)

var errClosed = errors.New("feed closed")

// client is one WebSocket connection. Only its writer goroutine writes data
// frames; Close and WriteControl may be called from any goroutine.
type client struct {
	conn *fws.Conn
	send chan []byte
	done chan struct{}
	once sync.Once
	// code and reason are set before done closes.
	code   int
	reason string
}

func newClient(conn *fws.Conn, queue int) *client {
	return &client{conn: conn, send: make(chan []byte, queue), done: make(chan struct{})}
}

// offer queues a frame without waiting; false means the client is behind.
func (c *client) offer(data []byte) bool {
	select {
	case <-c.done:
		return true // leaving anyway
	case c.send <- data:
		return true
	default:
		return false
	}
}

func (c *client) close(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

// writeLoop sends queued frames and pings until the client closes.
func (c *client) writeLoop(ping time.Duration) {
	t := time.NewTicker(ping)
	defer t.Stop()
	// A hijacked fasthttp connection closes only when its handler returns,
	// and the handler waits in readLoop: end that read now.
	defer func() { _ = c.conn.SetReadDeadline(time.Now()) }()
	for {
		select { // a closing client gets its close frame before more data
		case <-c.done:
			_ = c.conn.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(c.code, c.reason), time.Now().Add(time.Second))
			return
		default:
		}
		select {
		case data := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.conn.WriteMessage(fws.TextMessage, data); err != nil {
				c.close(closeNormal, "")
				return
			}
		case <-t.C:
			if err := c.conn.WriteControl(fws.PingMessage, nil, time.Now().Add(5*time.Second)); err != nil {
				c.close(closeNormal, "")
				return
			}
		case <-c.done:
			_ = c.conn.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(c.code, c.reason), time.Now().Add(time.Second))
			return
		}
	}
}

// readLoop discards what the client sends and returns when it goes away;
// pongs keep the read deadline moving.
func (c *client) readLoop(idle time.Duration) {
	c.conn.SetReadLimit(4 << 10)
	_ = c.conn.SetReadDeadline(time.Now().Add(idle))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(idle)) })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(idle))
	}
}
