package gateway

import (
	"context"
	"io"
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

// The relay's bounds. A browser sends the feed nothing but control frames,
// so anything bigger than clientFrameLimit closes its socket (1009) before
// it is read; frames from inventory-app are streamed through a fixed buffer,
// never held whole, so the gateway's memory does not grow with their size.
const (
	clientFrameLimit   = 4 << 10
	upstreamFrameLimit = 256 << 20
	relayPingEvery     = 20 * time.Second
	relayIdleLimit     = 60 * time.Second
	relayWriteTimeout  = 10 * time.Second
)

// feedRelay joins a browser's WebSocket to inventory-app's feed: frames from
// the feed are copied to the browser; what the browser sends is read (for
// its pongs and its close) and dropped, since the feed takes nothing.
type feedRelay struct {
	upstream   string // ws://host:port/ws
	sessions   *Sessions
	log        *slog.Logger
	dialer     *fws.Dialer
	perSession int
	inAll      int
	buffers    sync.Pool

	mu        sync.Mutex
	conns     map[*websocket.Conn]struct{}
	bySession map[string]int
}

func newFeedRelay(inventoryURL string, sessions *Sessions, perSession, inAll int, log *slog.Logger) *feedRelay {
	up := strings.Replace(strings.TrimRight(inventoryURL, "/"), "http", "ws", 1) + "/ws"
	return &feedRelay{
		upstream: up, sessions: sessions, log: log, perSession: perSession, inAll: inAll,
		dialer:  &fws.Dialer{HandshakeTimeout: 5 * time.Second, ReadBufferSize: 32 << 10, WriteBufferSize: 4 << 10},
		buffers: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }},
		conns:   map[*websocket.Conn]struct{}{}, bySession: map[string]int{},
	}
}

// admit checks the upgrade before it happens: a WebSocket request, from this
// site, with a live session that has not opened too many feeds.
func (f *feedRelay) admit(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return httpx.Errorf(http.StatusUpgradeRequired, "websocket_required", "connect with a WebSocket")
	}
	token := auth.TokenFrom(c)
	if token == "" {
		token = c.Query("token")
	}
	sess, err := f.sessions.Check(c, token)
	if err != nil {
		return err
	}
	if !httpx.SameSite(c) {
		return httpx.Errorf(http.StatusForbidden, "cross_origin", "the feed is served to this site's pages only")
	}
	if err := f.room(sess.ID); err != nil {
		return err
	}
	// Copies: the request's buffers are reused once the connection is hijacked.
	c.Locals("session", sess)
	c.Locals("token", strings.Clone(token))
	c.Locals("query", string(c.Request().URI().QueryString()))
	return c.Next()
}

// room says whether one more feed of session fits, and if not, the answer.
func (f *feedRelay) room(session string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.full(session)
}

// full is the caps' rule; f.mu is held.
func (f *feedRelay) full(session string) error {
	switch {
	case len(f.conns) >= f.inAll:
		return httpx.Errorf(http.StatusServiceUnavailable, "too_many_feeds", "the gateway serves as many feeds as it can; try again later")
	case f.bySession[session] >= f.perSession:
		return httpx.Errorf(http.StatusTooManyRequests, "too_many_feeds", "this session has too many feeds open; close a tab")
	}
	return nil
}

func (f *feedRelay) serve(conn *websocket.Conn) {
	sess, _ := conn.Locals("session").(auth.Session)
	if !f.track(conn, sess.ID, true) {
		closeWith(conn.Conn, fws.CloseTryAgainLater, "too many feeds")
		return
	}
	defer f.track(conn, sess.ID, false)
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
	up.SetReadLimit(upstreamFrameLimit)
	conn.SetReadLimit(clientFrameLimit)

	live, end := context.WithCancel(context.Background())
	defer end()
	done := make(chan struct{}, 3)
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); f.down(conn.Conn, up); done <- struct{}{} }()
	go func() { defer readers.Done(); drain(conn.Conn); done <- struct{}{} }()
	go func() {
		if f.sessions.Watch(live, sess) {
			closeWith(conn.Conn, fws.ClosePolicyViolation, "session ended")
			done <- struct{}{}
		}
	}()
	go ping(live, conn.Conn)
	<-done
	closeWith(conn.Conn, fws.CloseNormalClosure, "")
	closeWith(up, fws.CloseNormalClosure, "")
	// End the reads still waiting: a hijacked connection closes only when
	// its handler returns.
	_ = conn.SetReadDeadline(time.Now())
	_ = up.SetReadDeadline(time.Now())
	// and wait for them: the server reuses the connection's reader once
	// the handler returns.
	readers.Wait()
}

// down streams each message from the feed to the browser through a fixed
// buffer, passing a close frame on.
func (f *feedRelay) down(dst, src *fws.Conn) {
	buf := f.buffers.Get().(*[]byte)
	defer f.buffers.Put(buf)
	extend := func(string) error { return src.SetReadDeadline(time.Now().Add(relayIdleLimit)) }
	src.SetPingHandler(func(data string) error {
		_ = extend(data)
		return src.WriteControl(fws.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	for {
		_ = extend("")
		mt, r, err := src.NextReader()
		if err != nil {
			if ce, ok := err.(*fws.CloseError); ok {
				closeWith(dst, ce.Code, ce.Text)
			}
			return
		}
		_ = dst.SetWriteDeadline(time.Now().Add(relayWriteTimeout))
		w, err := dst.NextWriter(mt)
		if err != nil {
			return
		}
		if _, err := io.CopyBuffer(w, r, *buf); err != nil {
			_ = w.Close()
			if err == fws.ErrReadLimit {
				closeWith(dst, fws.CloseInternalServerErr, "feed frame too large")
			}
			return
		}
		if err := w.Close(); err != nil {
			return
		}
	}
}

// drain reads what the browser sends, within the frame limit and the idle
// deadline that its pongs move, and drops it; it returns when the browser
// goes, closes, or breaks a bound (a frame too big is answered with 1009).
func drain(c *fws.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(relayIdleLimit))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(relayIdleLimit)) })
	for {
		if _, _, err := c.NextReader(); err != nil {
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(relayIdleLimit))
	}
}

// ping keeps the browser's connection known alive until ctx ends.
func ping(ctx context.Context, c *fws.Conn) {
	t := time.NewTicker(relayPingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if c.WriteControl(fws.PingMessage, nil, time.Now().Add(5*time.Second)) != nil {
				return
			}
		}
	}
}

func closeWith(c *fws.Conn, code int, text string) {
	_ = c.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(code, text), time.Now().Add(time.Second))
}

// track adds (or removes) a connection; false when it does not fit.
func (f *feedRelay) track(c *websocket.Conn, session string, add bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !add {
		delete(f.conns, c)
		if f.bySession[session]--; f.bySession[session] <= 0 {
			delete(f.bySession, session)
		}
		return true
	}
	if f.full(session) != nil {
		return false // another feed took the room since admit
	}
	f.conns[c] = struct{}{}
	f.bySession[session]++
	return true
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
