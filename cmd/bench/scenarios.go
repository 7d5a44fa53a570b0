package main

import (
	"fmt"
	"slices"
	"strings"
)

// shape is how the system runs during a scenario.
type shape string

const (
	// embedded is ./cmd/comanda: everything in one process, on its
	// in-process Redis and SQLite files.
	embedded shape = "embedded"
	// production is orders-app, kitchen-app, inventory-app, the web
	// gateway and cmd/market as separate processes, on this machine's
	// Redis and PostgreSQL.
	production shape = "production"
	// real is ./cmd/comanda on this machine's Redis and PostgreSQL: what
	// .ci/bench.sh called real before the production shape existed.
	real shape = "real"
)

// scenario is one row of the benchmark, run in each of its shapes.
type scenario struct {
	ID    string
	Title string
	// Requests of Dishes each, Concurrency of them in flight; Feed clients
	// on the live feed.
	Requests, Dishes, Concurrency, Feed int
	// Env is what the system is given beyond the benchmark's settings.
	Env    map[string]string
	Shapes []shape
	// Quick scenarios make up -quick.
	Quick bool
}

// streamScenario names the Go benchmark of the stream layer in -scenarios.
const streamScenario = "stream"

// baseEnv is every scenario's system: the market simulator answering 0..5,
// seeded, without latency, and a fresh stock of 5 of each ingredient.
var baseEnv = map[string]string{"MARKET_MAX": "5", "MARKET_SEED": "42"}

// scenarios is the benchmark, in the order it runs and reports.
func scenarios() []scenario {
	both := []shape{embedded, production}
	slow := map[string]string{"MARKET_LATENCY": "50ms", "MARKET_CAPACITY": "64"}
	slowTitle := "1 × 2,000 dishes, 50 ms market serving 64 calls at once"
	return []scenario{
		{ID: "200x1", Title: "200 × 1 dish", Requests: 200, Dishes: 1, Concurrency: 8, Shapes: both, Quick: true},
		{ID: "1x10000", Title: "1 × 10,000 dishes", Requests: 1, Dishes: 10000, Concurrency: 1, Shapes: both},
		{ID: "1x10000-stocked", Title: "1 × 10,000 dishes, stock 1,000,000 (no purchase)", Requests: 1, Dishes: 10000, Concurrency: 1,
			Env: map[string]string{"INITIAL_STOCK": "1000000"}, Shapes: both},
		{ID: "10x10000", Title: "10 × 10,000 dishes at once", Requests: 10, Dishes: 10000, Concurrency: 10, Shapes: []shape{embedded}},
		{ID: "1x2000-market50ms", Title: slowTitle, Requests: 1, Dishes: 2000, Concurrency: 1, Env: slow, Shapes: both},
		{ID: "1x10000-feed100", Title: "1 × 10,000 dishes, 100 feed clients", Requests: 1, Dishes: 10000, Concurrency: 1, Feed: 100, Shapes: both},
	}
}

// selection is what one invocation runs.
type selection struct {
	Scenarios []scenario
	Stream    bool
	// Full says every scenario runs in every one of its shapes: only a full
	// run replaces the committed report and the docs' tables.
	Full bool
}

// selectScenarios picks the scenarios named in ids (comma-separated, with
// "stream" for the Go benchmark; empty means all, or the quick ones) in the
// shapes named in shapes (empty means each scenario's own).
func selectScenarios(all []scenario, ids, shapes string, quick bool) (selection, error) {
	var sel selection
	want := split(ids)
	wantShapes := split(shapes)
	for _, s := range wantShapes {
		if !slices.Contains([]shape{embedded, production}, shape(s)) {
			return sel, fmt.Errorf("unknown shape %q: embedded or production", s)
		}
	}
	known := []string{streamScenario}
	for _, s := range all {
		known = append(known, s.ID)
	}
	for _, id := range want {
		if !slices.Contains(known, id) {
			return sel, fmt.Errorf("unknown scenario %q; the scenarios are %s", id, strings.Join(known, ", "))
		}
	}
	sel.Full = len(want) == 0 && len(wantShapes) == 0 && !quick
	sel.Stream = len(want) == 0 || slices.Contains(want, streamScenario)
	for _, s := range all {
		switch {
		case len(want) > 0 && !slices.Contains(want, s.ID):
			continue
		case len(want) == 0 && quick && !s.Quick:
			continue
		}
		if len(wantShapes) > 0 {
			s.Shapes = slices.DeleteFunc(slices.Clone(s.Shapes), func(sh shape) bool { return !slices.Contains(wantShapes, string(sh)) })
		}
		if len(s.Shapes) > 0 {
			sel.Scenarios = append(sel.Scenarios, s)
		}
	}
	if len(sel.Scenarios) == 0 && !sel.Stream {
		return sel, fmt.Errorf("nothing to run: no scenario named runs in the shapes named")
	}
	return sel, nil
}

func split(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
