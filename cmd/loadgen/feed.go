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
)

// feedWatchers keep WebSocket clients on the live feed and measure, for
// every order change they receive, the delay from the event entering Redis
// (the item's "t") to its arrival.
//
// The watchers must cost far less than what they measure: a hundred of them
// read about 200 MB/s of frames during a 10,000-dish burst, and they scan
// frames rather than decode them (frameTimes).
type feedWatchers struct {
	conns   []*fws.Conn
	wg      sync.WaitGroup
	start   time.Time
	frames  atomic.Int64
	bytes   atomic.Int64
	dropped atomic.Int64
	// delays are from Redis to the client; inFeed the part of them spent
	// before the feed built the frame (its "at"): the rest is the way to
	// the client, the gateway included.
	delays, inFeed delays
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
	var ts []int64
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
		var at time.Time
		var ok bool
		if at, ts, ok = frameTimes(data, ts[:0]); !ok {
			continue
		}
		built := at.UnixMilli()
		for _, t := range ts {
			if t > 0 {
				w.delays.add(now - t)
				if !at.IsZero() {
					w.inFeed.add(built - t)
				}
			}
		}
	}
}

// delays counts deliveries by the milliseconds they took (the last bucket
// holds everything slower).
type delays [60001]atomic.Int64

func (d *delays) add(ms int64) { d[min(max(ms, 0), int64(len(d)-1))].Add(1) }

// percentiles returns the 50th and 99th percentile, the slowest and the count.
func (d *delays) percentiles() (p50, p99, slowest int, total int64) {
	for i := range d {
		total += d[i].Load()
	}
	var seen int64
	p50, p99 = -1, -1
	for ms := range d {
		c := d[ms].Load()
		if c == 0 {
			continue
		}
		if p50 < 0 && seen+c >= (total+1)/2 {
			p50 = ms
		}
		if p99 < 0 && seen+c >= (total*99+99)/100 {
			p99 = ms
		}
		seen += c
		slowest = ms
	}
	return max(p50, 0), max(p99, 0), slowest, total
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
	r.DelayP50Ms, r.DelayP99Ms, r.DelayMaxMs, r.OrderUpdatesReceived = w.delays.percentiles()
	r.InFeedP50Ms, r.InFeedP99Ms, _, _ = w.inFeed.percentiles()
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
