package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/comanda-dev/comanda/internal/loadreport"
)

// report is what a burst measured: the JSON summary (-json, -report), the
// text printed by default, and the timeline behind the CSV and the chart.
type report struct {
	Scenario         scenario  `json:"scenario"`
	StartedAt        time.Time `json:"startedAt"`
	Requests         int       `json:"requests"`
	DishesPerRequest int       `json:"dishesPerRequest"`
	loadreport.Summary
	// Files names the CSV and the chart written next to the JSON (-report).
	Files *reportFiles `json:"files,omitempty"`
	// Timeline is one row a second; the CSV and the chart show it.
	Timeline []second `json:"-"`
}

// scenario is how the burst was run: the load generator's own settings,
// and what the caller says of the system's (-scenario, -param), which the
// load generator cannot see from outside.
type scenario struct {
	Name        string `json:"name,omitempty"`
	Target      string `json:"target"`
	Concurrency int    `json:"concurrency"`
	FeedClients int    `json:"feedClients"`
	// ProgressFeed says whether one more feed client followed the
	// deliveries for the progress line.
	ProgressFeed bool              `json:"progressFeedClient"`
	Params       map[string]string `json:"params,omitempty"`
}

func (r report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r report) writeText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "dishes\t%d (%d requests × %d)\n", r.Dishes, r.Requests, r.DishesPerRequest)
	fmt.Fprintf(tw, "delivered / failed\t%d / %d\n", r.Delivered, r.Failed)
	fmt.Fprintf(tw, "placing took\t%.3fs\n", r.PlaceSeconds)
	fmt.Fprintf(tw, "makespan\t%.3fs\n", r.MakespanSeconds)
	fmt.Fprintf(tw, "throughput\t%.1f dishes/s\n", r.DishesPerSecond)
	fmt.Fprintf(tw, "placed→delivered\tp50 %.3fs  p95 %.3fs  p99 %.3fs  max %.3fs\n", r.P50, r.P95, r.P99, r.Max)
	fmt.Fprintf(tw, "market calls\t%d (%d zero answers, %d errors or timeouts)\n", r.MarketCalls, r.MarketZeros, r.MarketErrors)
	fmt.Fprintf(tw, "units consumed\t%d\n", r.UnitsConsumed)
	fmt.Fprintf(tw, "units bought / needed\t%d / %d\n", r.UnitsBought, r.UnitsNeeded)
	fmt.Fprintf(tw, "stock balances\t%v (onHand = initial + bought − consumed, never negative)\n", r.Balanced)
	if f := r.Feed; f != nil {
		fmt.Fprintf(tw, "feed clients\t%d (%d dropped as too slow)\n", f.Clients, f.ClientsDroppedTooSlow)
		fmt.Fprintf(tw, "feed delay (Redis → client)\tp50 %dms  p99 %dms  max %dms  over %d order updates\n", f.DelayP50Ms, f.DelayP99Ms, f.DelayMaxMs, f.OrderUpdatesReceived)
		fmt.Fprintf(tw, "  of which in the feed\tp50 %dms  p99 %dms  (Redis → frame built; the rest is the way to the client)\n", f.InFeedP50Ms, f.InFeedP99Ms)
		fmt.Fprintf(tw, "feed per client\t%.1f frames/s, %.1f KiB/s\n", f.FramesPerClientPerSec, f.KBytesPerClientPerSec)
	}
	tw.Flush()
}
