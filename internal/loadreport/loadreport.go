// Package loadreport is the JSON summary of one burst: what the load
// generator (cmd/loadgen -report, -json) writes and the benchmark
// (cmd/bench) reads back into its tables. One definition, so that a figure
// the load generator adds or renames cannot silently go missing from the
// benchmark's report.
//
// The package uses only the standard library and must not import any app.
package loadreport

import (
	"encoding/json"
	"fmt"
	"os"
)

// Summary is what a burst measured.
type Summary struct {
	Dishes          int     `json:"dishes"`
	Delivered       int     `json:"delivered"`
	Failed          int     `json:"failed"`
	PlaceSeconds    float64 `json:"placeSeconds"`
	MakespanSeconds float64 `json:"makespanSeconds"`
	DishesPerSecond float64 `json:"dishesPerSecond"`
	P50             float64 `json:"p50Seconds"`
	P95             float64 `json:"p95Seconds"`
	P99             float64 `json:"p99Seconds"`
	Max             float64 `json:"maxSeconds"`
	MarketCalls     int     `json:"marketCalls"`
	MarketZeros     int     `json:"marketZeros"`
	MarketErrors    int     `json:"marketErrors"`
	UnitsConsumed   int     `json:"unitsConsumed"`
	UnitsNeeded     int     `json:"unitsNeeded"`
	UnitsBought     int     `json:"unitsBought"`
	Balanced        bool    `json:"balanced"`
	Feed            *Feed   `json:"feed,omitempty"`
}

// Feed is what the clients kept on the live feed measured.
type Feed struct {
	Clients               int     `json:"clients"`
	FramesPerClientPerSec float64 `json:"framesPerClientPerSecond"`
	KBytesPerClientPerSec float64 `json:"kilobytesPerClientPerSecond"`
	DelayP50Ms            int     `json:"delayP50Ms"`
	DelayP99Ms            int     `json:"delayP99Ms"`
	DelayMaxMs            int     `json:"delayMaxMs"`
	// InFeed is the part of the delay before the feed built the frame: the
	// rest is the way to the client, through the gateway.
	InFeedP50Ms            int     `json:"inFeedP50Ms"`
	InFeedP99Ms            int     `json:"inFeedP99Ms"`
	OrderUpdatesReceived   int64   `json:"orderUpdatesReceived"`
	ClientsDroppedTooSlow  int64   `json:"clientsDroppedTooSlow"`
	SecondsMeasured        float64 `json:"secondsMeasured"`
	SnapshotsBeforeMeasure int     `json:"-"`
}

// Read reads the summary of a report file the load generator wrote.
func Read(file string) (*Summary, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the load generator's report: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reading the load generator's report %s: %w", file, err)
	}
	return &s, nil
}
