package main

import (
	"context"
	"net/url"
	"time"

	fws "github.com/fasthttp/websocket"
	json "github.com/goccy/go-json"
)

// feedLatency is one more client on the live feed, apart from the -ws
// watchers, that tells the progress line when each dish was delivered: an
// events frame carries every order that changed, with the time of the event
// that changed it. A delivery the feed missed (the client dropped as too
// slow) only leaves the line's p99 with fewer samples; the report's figures
// come from the order history.
func feedLatency(ctx context.Context, feedURL, token string, p *progress) {
	cursor := ""
	for attempt := 0; ctx.Err() == nil; attempt++ {
		u := feedURL
		if cursor != "" {
			u += "?" + url.Values{"since": {cursor}}.Encode()
		}
		conn, first, err := dialFeed(ctx, u, token)
		if err == nil {
			attempt = 0
			p.feedConnected()
			stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
			cursor = followDeliveries(conn, first, p, cursor)
			stop()
			_ = conn.Close()
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(time.Duration(attempt+1)*200*time.Millisecond, 2*time.Second)):
		}
	}
}

// followDeliveries reads frames, first the one already read, until the
// connection ends and returns the cursor of the last one, to resume from.
// A snapshot lists only orders in progress, so it adds no delivery.
func followDeliveries(conn *fws.Conn, first []byte, p *progress, cursor string) string {
	var frame struct {
		Cursor string `json:"cursor"`
		Orders []struct {
			ID    string    `json:"id"`
			Stage string    `json:"stage"`
			At    time.Time `json:"at"`
		} `json:"orders"`
	}
	for data := first; ; {
		frame.Orders = frame.Orders[:0]
		if json.Unmarshal(data, &frame) == nil {
			cursor = frame.Cursor
			delivered := map[string]time.Time{}
			for _, o := range frame.Orders {
				if o.Stage == "delivered" && !o.At.IsZero() {
					delivered[o.ID] = o.At
				}
			}
			if len(delivered) > 0 {
				p.deliveredOrders(delivered)
			}
		}
		var err error
		if _, data, err = conn.ReadMessage(); err != nil {
			return cursor
		}
	}
}
