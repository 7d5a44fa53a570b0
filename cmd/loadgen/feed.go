package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
	fws "github.com/fasthttp/websocket"
	json "github.com/goccy/go-json"
)

// feedWatchers keep WebSocket clients on the live feed and measure, for
// every order change they receive, the delay from the event entering Redis
// (the item's "t") to its arrival.
//
// The watchers must cost far less than what they measure: a hundred of them
// read about 45 MB/s of frames during a 10,000-dish burst. Decoded with
// encoding/json on a 2-core machine shared with the services, they fell
// behind (100 MB unread in their sockets' buffers) and reported their own
// backlog, seconds of it, as the feed's delay; goccy/go-json decodes the
// same frames about five times faster.
type feedWatchers struct {
	conns   []*fws.Conn
	wg      sync.WaitGroup
	start   time.Time
	frames  atomic.Int64
	bytes   atomic.Int64
	dropped atomic.Int64
	// delays[ms] counts deliveries that took ms milliseconds (the last
	// bucket holds everything slower).
	delays [60001]atomic.Int64
}

func watchFeed(ctx context.Context, url, token string, n int) (*feedWatchers, error) {
	w := &feedWatchers{}
	for range n {
		conn, _, err := dialFeed(ctx, url, token)
		if err != nil {
			w.stop()
			return nil, err
		}
		w.conns = append(w.conns, conn)
	}
	w.start = time.Now()
	for _, conn := range w.conns {
		w.wg.Go(func() { w.read(conn) })
	}
	return w, nil
}

func (w *feedWatchers) read(conn *fws.Conn) {
	var frame struct {
		Orders []struct {
			T int64 `json:"t"`
		} `json:"orders"`
	}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if ce, ok := err.(*fws.CloseError); ok && ce.Code == fws.CloseTryAgainLater {
				w.dropped.Add(1)
			}
			return
		}
		now := time.Now().UnixMilli()
		w.frames.Add(1)
		w.bytes.Add(int64(len(data)))
		frame.Orders = frame.Orders[:0]
		if json.Unmarshal(data, &frame) != nil {
			continue
		}
		for _, o := range frame.Orders {
			if o.T > 0 {
				w.delays[min(max(now-o.T, 0), int64(len(w.delays)-1))].Add(1)
			}
		}
	}
}

// stop closes the clients and reports.
func (w *feedWatchers) stop() *loadreport.Feed {
	elapsed := time.Since(w.start).Seconds()
	for _, c := range w.conns {
		_ = c.Close()
	}
	w.wg.Wait()
	if len(w.conns) == 0 {
		return nil
	}
	r := &loadreport.Feed{Clients: len(w.conns), SecondsMeasured: elapsed, ClientsDroppedTooSlow: w.dropped.Load()}
	r.FramesPerClientPerSec = float64(w.frames.Load()) / float64(len(w.conns)) / elapsed
	r.KBytesPerClientPerSec = float64(w.bytes.Load()) / 1024 / float64(len(w.conns)) / elapsed
	var total int64
	for i := range w.delays {
		total += w.delays[i].Load()
	}
	r.OrderUpdatesReceived = total
	var seen int64
	for ms := range w.delays {
		c := w.delays[ms].Load()
		if c == 0 {
			continue
		}
		if r.DelayP50Ms == 0 && seen+c >= (total+1)/2 {
			r.DelayP50Ms = ms
		}
		if r.DelayP99Ms == 0 && seen+c >= (total*99+99)/100 {
			r.DelayP99Ms = ms
		}
		seen += c
		r.DelayMaxMs = ms
	}
	return r
}

// dialFeed connects to the live feed at url (http or ws) and reads its first
// message, the snapshot, which it returns: what comes after it is live.
func dialFeed(ctx context.Context, url, token string) (*fws.Conn, []byte, error) {
	url = strings.Replace(url, "http", "ws", 1)
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	d := &fws.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 64 << 10}
	conn, _, err := d.DialContext(ctx, url, header)
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to the feed at %s: %w", url, err)
	}
	_, first, err := conn.ReadMessage()
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("reading the feed's snapshot: %w", err)
	}
	return conn, first, nil
}
